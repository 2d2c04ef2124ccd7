//! Nested JWTs: sign then encrypt, open = decrypt, verify, validate; rotation; cty rules.

use core::time::Duration;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use zegel_jose::jwe::{self, Encryptor, Recipient};
use zegel_jose::jwk::JwkSet;
use zegel_jose::jws::{self, JwsHeader, SigningKey};
use zegel_jwt::{Claims, Decryption, Error, UnixTime, Validation, Verified};

use crate::common::{NOW, available, hmac_key, issuer_set, key, partner_set, public};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
struct IdToken {
    nonce: String,
}

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn claims() -> Claims<IdToken> {
    Claims::new(IdToken {
        nonce: "n-1".into(),
    })
    .with_issuer("https://idp.example")
    .with_audience("client-1")
    .with_lifetime(now(), Duration::from_secs(300))
    .unwrap()
}

fn validation() -> Validation {
    Validation::new(&[&jws::RS256, &jws::ES256])
        .issuer("https://idp.example")
        .audience("client-1")
}

fn decryption() -> Decryption {
    Decryption::new(
        &[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP],
        &[&jwe::A128CBC_HS256, &jwe::A256GCM],
    )
}

fn signer() -> SigningKey {
    SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap()
}

fn itsme_token(recipient: &str) -> String {
    zegel_jwt::sign_and_encrypt(
        &claims(),
        &signer(),
        &public(recipient),
        &jwe::RSA_OAEP_256,
        &jwe::A128CBC_HS256,
    )
    .unwrap()
}

#[test]
fn sign_then_encrypt_then_open() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let token = itsme_token("partner_enc_new");
    let v: Verified<IdToken> = zegel_jwt::open_as::<IdToken>(
        &token,
        &decryption(),
        &validation(),
        zegel_jwt::OpenKeys {
            recipient: &partner_set(),
            issuer: &issuer_set(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(v.claims(), &claims());
    assert_eq!(v.alg(), Some(&jws::RS256));
    let enc = v.encryption_header().unwrap();
    assert_eq!(
        (enc.alg.as_str(), enc.enc.as_str()),
        ("RSA-OAEP-256", "A128CBC-HS256")
    );
    assert_eq!(enc.cty.as_deref(), Some("JWT"));
    assert_eq!(enc.kid.as_deref(), Some("partner-enc-2"));
    assert_eq!(v.header().unwrap().kid.as_deref(), Some("issuer-2024"));
    // One key works as well as a set.
    assert!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &key("partner_enc_new"),
                issuer: &public("issuer_rsa")
            },
            now()
        )
        .is_ok()
    );
}

#[test]
fn rotation_old_and_new_partner_keys() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    for recipient in ["partner_enc_old", "partner_enc_new"] {
        let token = itsme_token(recipient);
        assert!(
            zegel_jwt::open_as::<IdToken>(
                &token,
                &decryption(),
                &validation(),
                zegel_jwt::OpenKeys {
                    recipient: &partner_set(),
                    issuer: &issuer_set()
                },
                now()
            )
            .is_ok()
        );
    }
    // A retired key: the set no longer holds it.
    let token = itsme_token("partner_enc_old");
    let current = JwkSet::new(vec![key("partner_enc_new")]);
    assert_eq!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &current,
                issuer: &issuer_set()
            },
            now()
        )
        .unwrap_err(),
        Error::Jose(zegel_jose::Error::UnknownKid {
            kid: "partner-enc-1".into()
        })
    );
}

#[test]
fn the_key_sources_are_not_interchangeable() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let token = itsme_token("partner_enc_new");
    // Decrypting with the issuer's (public) keys: nothing fits.
    assert!(matches!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &issuer_set(),
                issuer: &issuer_set()
            },
            now()
        ),
        Err(Error::Jose(_))
    ));
    // Verifying with another issuer's key.
    assert_eq!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &public("other_rsa")
            },
            now()
        )
        .unwrap_err(),
        Error::Jose(zegel_jose::Error::InvalidSignature)
    );
}

#[test]
fn encryption_algorithms_are_allowlisted() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let token = itsme_token("partner_enc_new");
    let gcm_only = Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A256GCM]);
    assert!(matches!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &gcm_only,
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        ),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
    let oaep_only = Decryption::new(&[&jwe::RSA_OAEP], &[&jwe::A128CBC_HS256]);
    assert!(matches!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &oaep_only,
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        ),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
    let ps_only = Validation::new(&[&jws::PS256])
        .issuer("https://idp.example")
        .audience("client-1");
    assert!(matches!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &ps_only,
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        ),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
}

fn encrypt(plaintext: &[u8], encryptor: Encryptor) -> String {
    encryptor
        .encrypt_compact(
            plaintext,
            &Recipient::new(&public("partner_enc_new"), &jwe::RSA_OAEP_256),
        )
        .unwrap()
}

#[test]
fn unsigned_claims_inside_are_refused_unless_allowed() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let token = encrypt(
        claims().to_json().unwrap().as_bytes(),
        Encryptor::new(&jwe::A128CBC_HS256),
    );
    assert_eq!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        )
        .unwrap_err(),
        Error::UnsignedNestedToken
    );
    let lenient = decryption().dangerous_allow_unsigned();
    let v: Verified<IdToken> = zegel_jwt::open_as::<IdToken>(
        &token,
        &lenient,
        &validation(),
        zegel_jwt::OpenKeys {
            recipient: &partner_set(),
            issuer: &issuer_set(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(v.claims(), &claims());
    assert!(v.header().is_none() && v.alg().is_none());
    // Still validated.
    let late = UnixTime::from_secs(NOW + 400);
    assert!(matches!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &lenient,
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            late
        ),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn content_type_rules() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let signed = zegel_jwt::sign(&claims(), &signer()).unwrap();
    // cty compared as a media type.
    for cty in ["JWT", "jwt", "application/JWT"] {
        let token = encrypt(
            signed.as_bytes(),
            Encryptor::new(&jwe::A128CBC_HS256).with_cty(cty),
        );
        assert!(
            zegel_jwt::open_as::<IdToken>(
                &token,
                &decryption(),
                &validation(),
                zegel_jwt::OpenKeys {
                    recipient: &partner_set(),
                    issuer: &issuer_set()
                },
                now()
            )
            .is_ok(),
            "{cty}"
        );
    }
    let token = encrypt(
        signed.as_bytes(),
        Encryptor::new(&jwe::A128CBC_HS256).with_cty("json"),
    );
    assert_eq!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        )
        .unwrap_err(),
        Error::WrongContentType {
            found: Some("json".into())
        }
    );
    // A signed JWT inside, but no cty: RFC 7519 §5.2 requires it.
    let token = encrypt(signed.as_bytes(), Encryptor::new(&jwe::A128CBC_HS256));
    assert_eq!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        )
        .unwrap_err(),
        Error::WrongContentType { found: None }
    );
    // A signed JWT inside that says it wraps yet another JWT.
    let deeper =
        zegel_jwt::sign_with_header(&claims(), &signer(), &JwsHeader::new().with_cty("JWT"))
            .unwrap();
    let token = encrypt(
        deeper.as_bytes(),
        Encryptor::new(&jwe::A128CBC_HS256).with_cty("JWT"),
    );
    assert_eq!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        )
        .unwrap_err(),
        Error::UnexpectedNesting
    );
    // The expected typ applies to the signed token.
    let v = validation().typ("JWT");
    let token = encrypt(
        signed.as_bytes(),
        Encryptor::new(&jwe::A128CBC_HS256).with_cty("JWT"),
    );
    assert!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &v,
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        )
        .is_ok()
    );
    let v = validation().typ("id_token+jwt");
    assert!(matches!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &decryption(),
            &v,
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            now()
        ),
        Err(Error::WrongType { .. })
    ));
}

#[test]
fn two_stage_open_for_key_caches() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let token = itsme_token("partner_enc_new");
    let decrypted = zegel_jwt::decrypt(&token, &decryption(), &partner_set()).unwrap();
    assert_eq!(decrypted.header().kid.as_deref(), Some("partner-enc-2"));
    let inner = decrypted.unverified_inner_header().unwrap();
    assert_eq!(
        (inner.alg.as_str(), inner.kid.as_deref()),
        ("RS256", Some("issuer-2024"))
    );
    // A key cache that has not seen the issuer's key yet: no key, then a refresh and a second
    // try with the same decrypted token (by reference: nothing is decrypted again).
    let stale = JwkSet::new(Vec::new());
    assert!(matches!(
        decrypted.verify(&stale, &validation(), now()),
        Err(Error::Jose(_))
    ));
    let v: Verified<IdToken> = decrypted
        .verify_as(&issuer_set(), &validation(), now())
        .unwrap();
    assert_eq!(v.claims().extra.nonce, "n-1");
    // Without a type, the claims come as a map.
    let map = decrypted
        .verify(&issuer_set(), &validation(), now())
        .unwrap();
    assert_eq!(map.claims().extra["nonce"], "n-1");
}

#[test]
fn symmetric_nested_tokens() {
    let dir_key = zegel_jose::Jwk::parse(
        br#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#,
    )
    .unwrap();
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    let token =
        zegel_jwt::sign_and_encrypt(&claims(), &signing, &dir_key, &jwe::DIR, &jwe::A256GCM)
            .unwrap();
    let v = Validation::new(&[&jws::HS256])
        .issuer("https://idp.example")
        .audience("client-1");
    let d = Decryption::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    assert!(
        zegel_jwt::open_as::<IdToken>(
            &token,
            &d,
            &v,
            zegel_jwt::OpenKeys {
                recipient: &dir_key,
                issuer: &hmac_key()
            },
            now()
        )
        .is_ok()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_change_breaks_opening(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let dir_key = zegel_jose::Jwk::parse(br#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#).unwrap();
        let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
        let token = zegel_jwt::sign_and_encrypt(&claims(), &signing, &dir_key, &jwe::DIR, &jwe::A256GCM).unwrap();
        let mut bytes = token.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let v = Validation::new(&[&jws::HS256]).issuer("https://idp.example").audience("client-1");
        let d = Decryption::new(&[&jwe::DIR], &[&jwe::A256GCM]);
        let opened = zegel_jwt::open_as::<IdToken>(&bytes, &d, &v, zegel_jwt::OpenKeys { recipient: &dir_key, issuer: &hmac_key() }, now());
 prop_assert!(opened.is_err());
    }
}
