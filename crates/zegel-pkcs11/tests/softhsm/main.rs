//! zegel-pkcs11 against SoftHSM2: signatures the token makes verify in software, tokens zegel
//! encrypts to the token's public keys decrypt in the token, and every error path names what
//! is wrong. Each test runs in a child process with its own throwaway token (see `common`).

// Test helpers outside `#[test]` functions: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::thread;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use zegel_jose::jwe::{self, Decryptor, KeyManagement};
use zegel_jose::jwk::{Curve, KeySpec};
use zegel_jose::jws::{self, JwsHeader, Signer, Verifier};
use zegel_jose::{Jwk, error::Fault};
use zegel_jwt::{Claims, Decryption, UnixTime, Validation};
use zegel_pkcs11::{KeyPurpose, KeyRef, PinSource, Pkcs11Error, Pkcs11Uri, Token, TokenSelector};

use common::{LABEL, MODULE, PIN, PIN_VAR, in_child, is_child, softhsm_or_skip, with_token};

const NOW: u64 = 1_780_000_000;

fn verify(alg: &'static jws::JwsAlgorithm, token: &str, key: &Jwk) -> Vec<u8> {
    Verifier::new(&[alg])
        .verify(token.as_bytes(), key)
        .unwrap()
        .payload()
        .to_vec()
}

#[test]
fn the_token_signs_and_zegel_verifies() {
    with_token("the_token_signs_and_zegel_verifies", |token| {
        let rsa = token
            .generate_rsa("sig-rsa", &[1], 2048, KeyPurpose::Sign)
            .unwrap();
        token
            .generate_ec("sig-ec", &[2], Curve::P256, KeyPurpose::Sign)
            .unwrap();
        assert_eq!(rsa.kid(), Some(rsa.thumbprint_sha256_b64().as_str()));
        assert!(!rsa.is_private());
        let cases: [(&str, &'static jws::JwsAlgorithm); 3] = [
            ("sig-rsa", &jws::RS256),
            ("sig-rsa", &jws::PS256),
            ("sig-ec", &jws::ES256),
        ];
        for (label, alg) in cases {
            let signer = token.signer(&KeyRef::label(label), alg).unwrap();
            let public = Signer::public_jwk(&signer).unwrap();
            assert_eq!(public.alg(), Some(alg.name()));
            assert_eq!(public.kid(), Some(public.thumbprint_sha256_b64().as_str()));
            assert_eq!(Signer::kid(&signer), public.kid());
            assert_eq!(public.params().use_.as_deref(), Some("sig"));
            let jws = jws::sign_compact(b"payload", &signer, &JwsHeader::new()).unwrap();
            assert_eq!(verify(alg, &jws, public), b"payload", "{}", alg.name());
            // The reject twin: a software key of the same type does not verify it.
            let spec = if label == "sig-rsa" {
                KeySpec::Rsa { bits: 2048 }
            } else {
                KeySpec::Ec(Curve::P256)
            };
            let other = Jwk::generate(&spec).unwrap().to_public().unwrap();
            assert_eq!(
                Verifier::new(&[alg])
                    .verify(jws.as_bytes(), &other)
                    .unwrap_err(),
                zegel_jose::Error::InvalidSignature
            );
        }
        // The other hashes and curves.
        token
            .generate_ec("sig-p384", &[5], Curve::P384, KeyPurpose::Sign)
            .unwrap();
        token
            .generate_ec("sig-p521", &[6], Curve::P521, KeyPurpose::Sign)
            .unwrap();
        let more: [(&str, &'static jws::JwsAlgorithm); 6] = [
            ("sig-rsa", &jws::RS384),
            ("sig-rsa", &jws::RS512),
            ("sig-rsa", &jws::PS384),
            ("sig-rsa", &jws::PS512),
            ("sig-p384", &jws::ES384),
            ("sig-p521", &jws::ES512),
        ];
        for (label, alg) in more {
            let signer = token.signer(&KeyRef::label(label), alg).unwrap();
            let jws = jws::sign_compact(b"more", &signer, &JwsHeader::new()).unwrap();
            let public = Signer::public_jwk(&signer).unwrap();
            assert_eq!(verify(alg, &jws, public), b"more", "{}", alg.name());
        }
        // Signing by id finds the same key.
        let by_id = token.signer(&KeyRef::id([1]), &jws::RS256).unwrap();
        assert_eq!(Signer::public_jwk(&by_id).unwrap().kid(), rsa.kid());
    });
}

#[test]
fn zegel_encrypts_and_the_token_decrypts() {
    with_token("zegel_encrypts_and_the_token_decrypts", |token| {
        token
            .generate_rsa("enc-rsa", &[3], 2048, KeyPurpose::Decrypt)
            .unwrap();
        token
            .generate_ec("enc-ec", &[4], Curve::P256, KeyPurpose::Decrypt)
            .unwrap();
        let cases: [(&str, &'static KeyManagement); 4] = [
            ("enc-rsa", &jwe::RSA_OAEP),
            ("enc-rsa", &jwe::RSA_OAEP_256),
            ("enc-ec", &jwe::ECDH_ES),
            ("enc-ec", &jwe::ECDH_ES_A256KW),
        ];
        for (label, alg) in cases {
            let decrypter = match token.decrypter(&KeyRef::label(label), Some(alg)) {
                Ok(d) => d,
                // SoftHSM 2.6 does OAEP with SHA-1 only, and says so.
                Err(e) if alg == &jwe::RSA_OAEP_256 => {
                    assert_eq!(
                        e,
                        Pkcs11Error::MechanismUnsupported {
                            mechanism: "CKM_RSA_PKCS_OAEP with SHA-256"
                        }
                    );
                    assert_eq!(e.code(), "pkcs11.mechanism_unsupported");
                    eprintln!("note: this token does not do RSA-OAEP-256");
                    continue;
                }
                Err(e) => panic!("{}: {e}", alg.name()),
            };
            let public = decrypter.public_jwk().clone();

            assert_eq!(public.alg(), Some(alg.name()));
            assert_eq!(public.params().use_.as_deref(), Some("enc"));
            let jwe = jwe::encrypt_compact(b"secret claims", &public, alg, &jwe::A256GCM).unwrap();
            let decryptor = Decryptor::new(&[alg], &[&jwe::A256GCM]);
            let opened = decryptor
                .decrypt_with_decrypter(jwe.as_bytes(), &decrypter)
                .unwrap();
            assert_eq!(opened.plaintext(), b"secret claims", "{}", alg.name());
            // The reject twin: a token for another key fails like any bad token.
            let spec = if label == "enc-rsa" {
                KeySpec::Rsa { bits: 2048 }
            } else {
                KeySpec::Ec(Curve::P256)
            };
            let other = Jwk::generate(&spec).unwrap().to_public().unwrap();
            let elsewhere =
                jwe::encrypt_compact(b"secret claims", &other, alg, &jwe::A256GCM).unwrap();
            assert_eq!(
                decryptor
                    .decrypt_with_decrypter(elsewhere.as_bytes(), &decrypter)
                    .unwrap_err(),
                zegel_jose::Error::DecryptionFailed,
                "{}",
                alg.name()
            );
        }
        // Unbound, the RSA key decrypts for every RSA-OAEP algorithm.
        let any = token.decrypter(&KeyRef::label("enc-rsa"), None).unwrap();
        let algs = jwe::Decrypter::algs(&any);
        assert_eq!(algs.first().map(|a| a.name()), Some("RSA-OAEP"));
        for alg in [&jwe::RSA_OAEP_256, &jwe::RSA_OAEP_384, &jwe::RSA_OAEP_512] {
            let bound = token.decrypter(&KeyRef::label("enc-rsa"), Some(alg));
            assert_eq!(algs.contains(&alg), bound.is_ok(), "{}", alg.name());
        }
    });
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize, PartialEq)]
struct IdToken {
    nonce: String,
}

#[test]
fn a_nested_jwt_signed_and_decrypted_in_the_token() {
    with_token("a_nested_jwt_signed_and_decrypted_in_the_token", |token| {
        token
            .generate_rsa("sig", &[1], 2048, KeyPurpose::Sign)
            .unwrap();
        token
            .generate_rsa("enc", &[2], 3072, KeyPurpose::Decrypt)
            .unwrap();
        let signer = token.signer(&KeyRef::label("sig"), &jws::RS256).unwrap();
        let decrypter = token
            .decrypter(&KeyRef::label("enc"), Some(&jwe::RSA_OAEP))
            .unwrap();
        let claims = Claims::new(IdToken {
            nonce: "n-hsm".into(),
        })
        .with_issuer("https://idp.example")
        .with_audience("partner")
        .with_lifetime(
            UnixTime::from_secs(NOW),
            core::time::Duration::from_secs(300),
        )
        .unwrap();
        let nested = zegel_jwt::sign_and_encrypt(
            &claims,
            &signer,
            decrypter.public_jwk(),
            &jwe::RSA_OAEP,
            &jwe::A128CBC_HS256,
        )
        .unwrap();
        let decryption = Decryption::new(&[&jwe::RSA_OAEP], &[&jwe::A128CBC_HS256]);
        let validation = Validation::new(&[&jws::RS256])
            .issuer("https://idp.example")
            .audience("partner");
        let verified = zegel_jwt::decrypt_with_decrypter(&nested, &decryption, &decrypter)
            .unwrap()
            .verify_as::<IdToken>(
                Signer::public_jwk(&signer).unwrap(),
                &validation,
                UnixTime::from_secs(NOW),
            )
            .unwrap();
        assert_eq!(verified.claims(), &claims);
    });
}

#[test]
fn generated_private_keys_are_sensitive_and_not_extractable() {
    with_token(
        "generated_private_keys_are_sensitive_and_not_extractable",
        |token| {
            token
                .generate_rsa("gen", &[9], 2048, KeyPurpose::Decrypt)
                .unwrap();
            // Another context on the same module reads the attributes.
            let ctx = Pkcs11::new(MODULE).unwrap();
            let slot = ctx.get_slots_with_token().unwrap()[0];
            let session = ctx.open_ro_session(slot).unwrap();
            let _ = session.login(UserType::User, Some(&AuthPin::from(PIN)));
            let found = session
                .find_objects(&[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::Label(b"gen".to_vec()),
                ])
                .unwrap();
            let attrs = session
                .get_attributes(
                    found[0],
                    &[
                        AttributeType::Sensitive,
                        AttributeType::Extractable,
                        AttributeType::Sign,
                        AttributeType::Decrypt,
                    ],
                )
                .unwrap();
            assert_eq!(
                attrs,
                [
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Sign(false),
                    Attribute::Decrypt(true),
                ]
            );
            // The reject twins: the same label again, and a size not made.
            assert_eq!(
                token
                    .generate_rsa("gen", &[10], 2048, KeyPurpose::Decrypt)
                    .unwrap_err(),
                Pkcs11Error::KeyExists { key: "gen".into() }
            );
            let small = token
                .generate_rsa("small", &[11], 1024, KeyPurpose::Sign)
                .unwrap_err();
            assert_eq!(small, Pkcs11Error::KeySize { bits: 1024 });
            assert_eq!(small.code(), "pkcs11.key_size");
        },
    );
}

#[test]
fn a_wrong_pin_is_named() {
    let name = "a_wrong_pin_is_named";
    if is_child(name) {
        let err = Token::open(
            MODULE,
            TokenSelector::Label(LABEL),
            PinSource::callback(|| Some(zeroize::Zeroizing::new("not-the-pin".to_owned()))),
        )
        .unwrap_err();
        assert_eq!(err, Pkcs11Error::WrongPin);
        assert_eq!(err.code(), "pkcs11.wrong_pin");
        assert_eq!(err.fault(), Fault::Config);
        assert_eq!(err.to_string(), "the pkcs #11 token refused the pin");
        // The right PIN opens it.
        Token::open(MODULE, TokenSelector::Label(LABEL), PinSource::env(PIN_VAR)).unwrap();
        return;
    }
    in_child(name, &[]);
}

#[test]
fn unknown_tokens_missing_pins_and_missing_keys_are_named() {
    with_token(
        "unknown_tokens_missing_pins_and_missing_keys_are_named",
        |token| {
            let err = Token::open(
                MODULE,
                TokenSelector::Label("nope"),
                PinSource::env(PIN_VAR),
            )
            .unwrap_err();
            assert_eq!(
                err,
                Pkcs11Error::TokenNotFound {
                    token: "nope".into()
                }
            );
            assert_eq!(err.code(), "pkcs11.token_not_found");
            let err = Token::open(
                MODULE,
                TokenSelector::Label(LABEL),
                PinSource::env("ZEGEL_TEST_UNSET_PIN"),
            )
            .unwrap_err();
            assert_eq!(err.code(), "pkcs11.pin_unavailable");
            assert_eq!(
                err.to_string(),
                "the pkcs #11 pin could not be read from env:ZEGEL_TEST_UNSET_PIN"
            );
            let err = Token::open(
                MODULE,
                TokenSelector::Label(LABEL),
                PinSource::callback(|| None),
            )
            .unwrap_err();
            assert_eq!(
                err,
                Pkcs11Error::PinUnavailable {
                    source: "callback".into()
                }
            );
            // The PIN is never printed: the token and its PIN source show where it comes from.
            let shown = format!("{token:?}");
            assert!(
                shown.contains("env:ZEGEL_TEST_HSM_PIN") && !shown.contains(PIN),
                "{shown}"
            );
            let err = token
                .signer(&KeyRef::label("missing"), &jws::RS256)
                .unwrap_err();
            assert_eq!(
                err,
                Pkcs11Error::KeyNotFound {
                    key: "missing".into()
                }
            );
            assert_eq!(err.to_string(), "no key \"missing\" on the pkcs #11 token");
            let err = token.decrypter(&KeyRef::id([0xab]), None).unwrap_err();
            assert_eq!(
                err,
                Pkcs11Error::KeyNotFound {
                    key: "id=ab".into()
                }
            );
            // Two keys under one id.
            token
                .generate_rsa("twin-a", &[7], 2048, KeyPurpose::Sign)
                .unwrap();
            token
                .generate_rsa("twin-b", &[7], 2048, KeyPurpose::Sign)
                .unwrap();
            let err = token.signer(&KeyRef::id([7]), &jws::RS256).unwrap_err();
            assert_eq!(
                err,
                Pkcs11Error::AmbiguousKey {
                    key: "id=07".into()
                }
            );
            assert_eq!(err.code(), "pkcs11.ambiguous_key");
            // Label and id together pick one.
            token
                .signer(&KeyRef::label("twin-b").with_id([7]), &jws::RS256)
                .unwrap();
        },
    );
}

#[test]
fn a_key_of_the_wrong_type_is_named() {
    with_token("a_key_of_the_wrong_type_is_named", |token| {
        token
            .generate_rsa("rsa", &[1], 2048, KeyPurpose::Sign)
            .unwrap();
        token
            .generate_ec("ec", &[2], Curve::P256, KeyPurpose::Sign)
            .unwrap();
        let cases: [(&str, &'static jws::JwsAlgorithm); 4] = [
            ("ec", &jws::RS256),
            ("ec", &jws::ES384),
            ("rsa", &jws::ES256),
            ("rsa", &jws::HS256),
        ];
        for (label, alg) in cases {
            let err = token.signer(&KeyRef::label(label), alg).unwrap_err();
            assert_eq!(err, Pkcs11Error::WrongKeyType { alg: alg.name() });
            assert_eq!(err.code(), "pkcs11.wrong_key_type");
        }
        let err = token
            .decrypter(&KeyRef::label("rsa"), Some(&jwe::ECDH_ES))
            .unwrap_err();
        assert_eq!(err, Pkcs11Error::WrongKeyType { alg: "ECDH-ES" });
        assert_eq!(
            err.to_string(),
            "the pkcs #11 key's type does not fit ECDH-ES"
        );
    });
}

#[test]
fn a_missing_module_is_named() {
    let err = Token::open(
        "/nonexistent/libpkcs11.so",
        TokenSelector::First,
        PinSource::env(PIN_VAR),
    )
    .unwrap_err();
    assert_eq!(
        err,
        Pkcs11Error::ModuleNotLoadable {
            path: "/nonexistent/libpkcs11.so".into()
        }
    );
    assert_eq!(err.code(), "pkcs11.module_not_loadable");
    assert_eq!(
        err.to_string(),
        "the pkcs #11 module \"/nonexistent/libpkcs11.so\" is missing or cannot be loaded"
    );
    // A file that is no PKCS #11 module.
    let err = Token::open(
        "/etc/hostname",
        TokenSelector::First,
        PinSource::env(PIN_VAR),
    )
    .unwrap_err();
    assert_eq!(err.code(), "pkcs11.module_not_loadable");
    // A URI without module-path falls back to ZEGEL_PKCS11_MODULE; here it names nothing.
    let uri = Pkcs11Uri::parse("pkcs11:token=x;object=y?module-path=/nonexistent/m.so").unwrap();
    assert_eq!(
        Token::from_uri(&uri).unwrap_err().code(),
        "pkcs11.module_not_loadable"
    );
}

#[test]
fn a_uri_opens_the_token_and_the_key() {
    with_token("a_uri_opens_the_token_and_the_key", |token| {
        token
            .generate_rsa("uri key", &[0x01, 0xff], 2048, KeyPurpose::Sign)
            .unwrap();
        for text in [
            format!(
                "pkcs11:token={LABEL};object=uri%20key;type=private?pin-source=env:{PIN_VAR}&module-path={MODULE}"
            ),
            format!("pkcs11:token={LABEL};id=%01%FF?pin-source=env:{PIN_VAR}&module-path={MODULE}"),
        ] {
            let uri = Pkcs11Uri::parse(&text).unwrap();
            let opened = Token::from_uri(&uri).unwrap();
            let signer = opened
                .signer(&KeyRef::from_uri(&uri).unwrap(), &jws::RS256)
                .unwrap();
            let jws = jws::sign_compact(b"by uri", &signer, &JwsHeader::new()).unwrap();
            assert_eq!(
                verify(&jws::RS256, &jws, Signer::public_jwk(&signer).unwrap()),
                b"by uri"
            );
        }
    });
}

#[test]
fn a_lost_session_fails_once_then_recovers() {
    with_token("a_lost_session_fails_once_then_recovers", |token| {
        token
            .generate_rsa("sig", &[1], 2048, KeyPurpose::Sign)
            .unwrap();
        token
            .generate_rsa("enc", &[2], 2048, KeyPurpose::Decrypt)
            .unwrap();
        let signer = token.signer(&KeyRef::label("sig"), &jws::RS256).unwrap();
        let decrypter = token
            .decrypter(&KeyRef::label("enc"), Some(&jwe::RSA_OAEP))
            .unwrap();
        signer.try_sign(b"before").unwrap();
        // Behind the pool's back: finalize the module and initialize it again, as after an
        // HSM restart. Every session and login of the process is gone.
        let restart = || {
            let ctx = Pkcs11::new(MODULE).unwrap();
            ctx.clone().finalize().unwrap();
            ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
                .unwrap();
        };
        restart();
        let err = signer.try_sign(b"during").unwrap_err();
        assert_eq!(err.code(), "pkcs11.session_lost");
        assert_eq!(err.fault(), Fault::Unavailable);
        // The next call opens a new session, logs in again and finds the key again.
        let jws = jws::sign_compact(b"after", &signer, &JwsHeader::new()).unwrap();
        assert_eq!(verify(&jws::RS256, &jws, signer.public_jwk()), b"after");
        // Through the trait, a lost session is an unavailable facility: retry.
        restart();
        let err = Signer::sign(&signer, b"during").unwrap_err();
        assert_eq!(
            err,
            zegel_jose::Error::AlgorithmUnavailable { alg: "RS256" }
        );
        assert_eq!(err.fault(), Fault::Unavailable);
        signer.try_sign(b"after").unwrap();

        restart();
        let public = decrypter.public_jwk().clone();
        let jwe = jwe::encrypt_compact(b"k", &public, &jwe::RSA_OAEP, &jwe::A128GCM).unwrap();
        let decryptor = Decryptor::new(&[&jwe::RSA_OAEP], &[&jwe::A128GCM]);
        // The failing call fails like any bad token (no oracle), the next one decrypts.
        assert_eq!(
            decryptor
                .decrypt_with_decrypter(jwe.as_bytes(), &decrypter)
                .unwrap_err(),
            zegel_jose::Error::DecryptionFailed
        );
        assert_eq!(
            decryptor
                .decrypt_with_decrypter(jwe.as_bytes(), &decrypter)
                .unwrap()
                .plaintext(),
            b"k"
        );
        // A library finalized and not initialized again is initialized by the pool.
        Pkcs11::new(MODULE).unwrap().finalize().unwrap();
        assert_eq!(
            signer.try_sign(b"x").unwrap_err().code(),
            "pkcs11.session_lost"
        );
        signer.try_sign(b"x").unwrap();
    });
}

#[test]
fn one_token_signs_and_decrypts_from_many_threads() {
    with_token("one_token_signs_and_decrypts_from_many_threads", |token| {
        token
            .generate_ec("sig", &[1], Curve::P256, KeyPurpose::Sign)
            .unwrap();
        token
            .generate_rsa("enc", &[2], 2048, KeyPurpose::Decrypt)
            .unwrap();
        let signer = Arc::new(token.signer(&KeyRef::label("sig"), &jws::ES256).unwrap());
        let decrypter = Arc::new(
            token
                .decrypter(&KeyRef::label("enc"), Some(&jwe::RSA_OAEP))
                .unwrap(),
        );
        let workers: Vec<_> = (0..8u8)
            .map(|t| {
                let signer = Arc::clone(&signer);
                let decrypter = Arc::clone(&decrypter);
                thread::spawn(move || {
                    let decryptor = Decryptor::new(&[&jwe::RSA_OAEP], &[&jwe::A128GCM]);
                    for i in 0..10u8 {
                        let payload = [t, i];
                        let jws = jws::sign_compact(&payload, &*signer, &JwsHeader::new()).unwrap();
                        assert_eq!(verify(&jws::ES256, &jws, signer.public_jwk()), payload);
                        let jwe = jwe::encrypt_compact(
                            &payload,
                            decrypter.public_jwk(),
                            &jwe::RSA_OAEP,
                            &jwe::A128GCM,
                        )
                        .unwrap();
                        let opened = decryptor
                            .decrypt_with_decrypter(jwe.as_bytes(), &*decrypter)
                            .unwrap();
                        assert_eq!(opened.plaintext(), payload);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
    });
}

#[test]
fn without_softhsm_the_skip_is_explained() {
    // The rule the helpers follow: under CI a missing SoftHSM2 fails, otherwise it skips.
    if common::missing().is_none() {
        assert!(softhsm_or_skip("without_softhsm_the_skip_is_explained"));
    }
}
