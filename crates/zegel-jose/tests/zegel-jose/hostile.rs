//! Hostile inputs found in review: oracles on every key-unwrapping path, header parameters in
//! non-canonical or mistyped form, and secrets in Debug output.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]
#![cfg(feature = "aws-lc")]

use serde_json::{Value, json};
use zegel_jose::error::{KeyError, Part};
use zegel_jose::jwe::{self, ContentEncryption, Decryptor, Encryptor, KeyManagement, Recipient};
use zegel_jose::jwk::{Curve, KeySpec};
use zegel_jose::jws::{self, JwsHeader, SigningKey, Verifier};
use zegel_jose::{Error, Jwk, base64url};

fn gen_key(spec: KeySpec) -> Jwk {
    Jwk::generate(&spec).unwrap()
}

fn public(k: &Jwk) -> Jwk {
    k.to_public().unwrap_or_else(|| k.clone())
}

fn header_of(token: &str) -> Value {
    let p = token.split('.').next().unwrap();
    serde_json::from_slice(&base64url::decode(p.as_bytes(), Part::Header).unwrap()).unwrap()
}

/// `token` with its protected header replaced by `h`.
fn with_header(token: &str, h: &Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[0] = base64url::encode(h.to_string().as_bytes());
    parts.join(".")
}

/// `token` with one bit of part `i` flipped.
fn flip(token: &str, i: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut b = base64url::decode(parts[i].as_bytes(), Part::Token).unwrap();
    b[0] ^= 1;
    parts[i] = base64url::encode(&b);
    parts.join(".")
}

fn token(k: &Jwk, alg: &'static KeyManagement, enc: &'static ContentEncryption) -> String {
    Encryptor::new(enc)
        .encrypt_compact(b"secret", &Recipient::new(&public(k), alg).with_p2c(1000))
        .unwrap()
}

/// For every key-wrapping path, a wrong key of the right shape, a damaged encrypted key and a
/// damaged tag give the one error `DecryptionFailed`: no step tells which failed.
#[test]
fn every_unwrap_failure_is_the_same_error_as_a_bad_tag() {
    let rsa = gen_key(KeySpec::Rsa { bits: 2048 });
    let rsa2 = gen_key(KeySpec::Rsa { bits: 2048 });
    let o16 = gen_key(KeySpec::Oct { bytes: 16 });
    let o16b = gen_key(KeySpec::Oct { bytes: 16 });
    let p256 = gen_key(KeySpec::Ec(Curve::P256));
    let p256b = gen_key(KeySpec::Ec(Curve::P256));
    let x = gen_key(KeySpec::Okp(Curve::X25519));
    let xb = gen_key(KeySpec::Okp(Curve::X25519));
    let cases: [(&'static KeyManagement, &Jwk, &Jwk); 6] = [
        (&jwe::A128KW, &o16, &o16b),
        (&jwe::A128GCMKW, &o16, &o16b),
        (&jwe::PBES2_HS256_A128KW, &o16, &o16b),
        (&jwe::ECDH_ES_A128KW, &p256, &p256b),
        (&jwe::ECDH_ES_A128KW, &x, &xb),
        (&jwe::RSA_OAEP_256, &rsa, &rsa2),
    ];
    for (alg, right, wrong) in cases {
        for enc in [&jwe::A128GCM, &jwe::A128CBC_HS256] {
            let d = Decryptor::new(&[alg], &[enc]);
            let t = token(right, alg, enc);
            assert_eq!(
                d.decrypt(t.as_bytes(), right).unwrap().plaintext(),
                b"secret"
            );
            for bad in [
                d.decrypt(t.as_bytes(), wrong),
                d.decrypt(flip(&t, 1).as_bytes(), right),
                d.decrypt(flip(&t, 4).as_bytes(), right),
                d.decrypt(flip(&t, 3).as_bytes(), right),
            ] {
                assert_eq!(bad.unwrap_err(), Error::DecryptionFailed, "{alg:?} {enc:?}");
            }
        }
    }
}

/// A compact JWE header parameter replaced by `v`, then decrypted with `k`.
fn decrypt_with_param(
    d: &Decryptor,
    t: &str,
    k: &Jwk,
    name: &str,
    v: Value,
) -> Result<Vec<u8>, Error> {
    let mut h = header_of(t);
    h[name] = v;
    d.decrypt(with_header(t, &h).as_bytes(), k)
        .map(|p| p.plaintext().to_vec())
}

/// The base64url text of `bytes` with stray bits set in its last character.
fn stray_bits(bytes: &[u8]) -> String {
    let mut s = base64url::encode(bytes);
    assert_ne!(bytes.len() % 3, 0, "needs a partial last group");
    let last = s.pop().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let i = alphabet.find(last).unwrap();
    s.push(alphabet.as_bytes()[i | 1] as char);
    assert_ne!(s, base64url::encode(bytes));
    s
}

/// Every base64url header parameter of the key management algorithms (`p2s`, the GCM key wrap
/// `iv` and `tag`, the `epk` coordinates, `apu`, `apv`) must be canonical and well typed.
#[test]
fn key_management_header_parameters_must_be_canonical_and_typed() {
    let invalid = |name: &str| Err(Error::InvalidParameter { name: name.into() });
    // PBES2: p2s, p2c.
    let o16 = gen_key(KeySpec::Oct { bytes: 16 });
    let d = Decryptor::new(&[&jwe::PBES2_HS256_A128KW], &[&jwe::A128GCM]);
    let t = token(&o16, &jwe::PBES2_HS256_A128KW, &jwe::A128GCM);
    let p2s = base64url::decode(
        header_of(&t)["p2s"].as_str().unwrap().as_bytes(),
        Part::Header,
    )
    .unwrap();
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "p2s", json!(stray_bits(&p2s))),
        invalid("p2s")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "p2s", json!(16)),
        invalid("p2s")
    );
    for p2c in [
        json!(-1),
        json!(1000.0),
        json!(1.5),
        json!("1000"),
        json!(null),
    ] {
        assert_eq!(
            decrypt_with_param(&d, &t, &o16, "p2c", p2c.clone()),
            invalid("p2c"),
            "{p2c}"
        );
    }
    let mut h = header_of(&t);
    h.as_object_mut().unwrap().remove("p2c");
    assert_eq!(
        d.decrypt(with_header(&t, &h).as_bytes(), &o16).unwrap_err(),
        Error::MissingParameter { name: "p2c" }
    );
    // A huge number is refused by the JSON parser.
    let raw = header_of(&t)
        .to_string()
        .replacen('{', r#"{"p2x":1e400,"#, 1);
    let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
    parts[0] = base64url::encode(raw.as_bytes());
    assert!(matches!(
        d.decrypt(parts.join(".").as_bytes(), &o16),
        Err(Error::Json {
            part: Part::Header,
            ..
        })
    ));

    // AES-GCM key wrap: iv (12 bytes) and tag (16 bytes), canonical.
    let d = Decryptor::new(&[&jwe::A128GCMKW], &[&jwe::A128GCM]);
    let t = token(&o16, &jwe::A128GCMKW, &jwe::A128GCM);
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "iv", json!(base64url::encode(&[0; 16]))),
        invalid("iv")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "iv", json!(stray_bits(&[0; 11]))),
        invalid("iv")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "tag", json!(base64url::encode(&[0; 12]))),
        invalid("tag")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "tag", json!(stray_bits(&[0; 16]))),
        invalid("tag")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &o16, "tag", json!(["AAAA"])),
        invalid("tag")
    );
    let mut h = header_of(&t);
    h.as_object_mut().unwrap().remove("iv");
    assert_eq!(
        d.decrypt(with_header(&t, &h).as_bytes(), &o16).unwrap_err(),
        Error::MissingParameter { name: "iv" }
    );

    // ECDH-ES: epk coordinates, apu, apv; an epk on the wrong curve type.
    let x = gen_key(KeySpec::Okp(Curve::X25519));
    let d = Decryptor::new(&[&jwe::ECDH_ES], &[&jwe::A128GCM]);
    let t = Encryptor::new(&jwe::A128GCM)
        .encrypt_compact(
            b"s",
            &Recipient::new(&public(&x), &jwe::ECDH_ES)
                .with_apu(b"abcd")
                .with_apv(b"efgh"),
        )
        .unwrap();
    assert_eq!(d.decrypt(t.as_bytes(), &x).unwrap().plaintext(), b"s");
    assert_eq!(
        decrypt_with_param(&d, &t, &x, "apu", json!(stray_bits(b"abcd"))),
        invalid("apu")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &x, "apv", json!(stray_bits(b"efgh"))),
        invalid("apv")
    );
    assert_eq!(
        decrypt_with_param(&d, &t, &x, "apu", json!(1)),
        invalid("apu")
    );
    let epk = header_of(&t)["epk"].clone();
    let xs = base64url::decode(epk["x"].as_str().unwrap().as_bytes(), Part::Header).unwrap();
    let mut bad = epk.clone();
    bad["x"] = json!(format!("{}=", base64url::encode(&xs)));
    assert_eq!(decrypt_with_param(&d, &t, &x, "epk", bad), invalid("epk"));
    let mut bad = epk.clone();
    bad["x"] = json!(stray_bits(&xs[..31]));
    assert_eq!(decrypt_with_param(&d, &t, &x, "epk", bad), invalid("epk"));
    for (kty, crv) in [("OKP", "Ed25519"), ("EC", "X25519"), ("OKP", "X448")] {
        let mut bad = epk.clone();
        bad["kty"] = json!(kty);
        bad["crv"] = json!(crv);
        assert_eq!(
            decrypt_with_param(&d, &t, &x, "epk", bad),
            invalid("epk"),
            "{kty} {crv}"
        );
    }
}

/// `zip` only as `"DEF"`, exactly, in the protected header.
#[test]
fn zip_must_be_def_exactly() {
    let o32 = gen_key(KeySpec::Oct { bytes: 32 });
    let d = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    let t = Encryptor::new(&jwe::A256GCM)
        .with_deflate()
        .encrypt_compact(b"zzzz", &Recipient::new(&o32, &jwe::DIR))
        .unwrap();
    assert_eq!(d.decrypt(t.as_bytes(), &o32).unwrap().plaintext(), b"zzzz");
    for z in [json!("def"), json!("DEF "), json!(null), json!(true)] {
        assert_eq!(
            decrypt_with_param(&d, &t, &o32, "zip", z.clone()),
            Err(Error::InvalidParameter { name: "zip".into() }),
            "{z}"
        );
    }
}

/// An `aad` member and every part of the JSON serialization must be canonical base64url.
#[test]
fn json_jwe_parts_must_be_canonical() {
    let o32 = gen_key(KeySpec::Oct { bytes: 32 });
    let d = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    let t = Encryptor::new(&jwe::A256GCM)
        .with_aad(b"abcd")
        .encrypt_flattened(b"zzzz", &Recipient::new(&o32, &jwe::DIR))
        .unwrap();
    assert_eq!(d.decrypt(t.as_bytes(), &o32).unwrap().plaintext(), b"zzzz");
    let v: Value = serde_json::from_str(&t).unwrap();
    for (name, part) in [
        ("aad", Part::Aad),
        ("iv", Part::Iv),
        ("ciphertext", Part::Ciphertext),
        ("tag", Part::Tag),
    ] {
        let bytes = base64url::decode(v[name].as_str().unwrap().as_bytes(), Part::Token).unwrap();
        let mut bad = v.clone();
        bad[name] = json!(if bytes.len().is_multiple_of(3) {
            format!("{}=", v[name].as_str().unwrap())
        } else {
            stray_bits(&bytes)
        });
        assert_eq!(
            d.decrypt(bad.to_string().as_bytes(), &o32).unwrap_err(),
            Error::Base64 { part },
            "{name}"
        );
    }
}

/// An `oct` key bound to an asymmetric algorithm is never used as that algorithm's key, nor as
/// an HMAC secret for it; an asymmetric key bound to HMAC never verifies.
#[test]
fn key_alg_binding_never_crosses_key_types() {
    let secret = [7u8; 32];
    let oct_rs = Jwk::parse(
        format!(
            r#"{{"kty":"oct","alg":"RS256","k":"{}"}}"#,
            base64url::encode(&secret)
        )
        .as_bytes(),
    )
    .unwrap();
    let forge = |alg: &str, secret: &[u8]| {
        let input = format!(
            "{}.{}",
            base64url::encode(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()),
            base64url::encode(b"x")
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
        let mac = ring::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", base64url::encode(mac.as_ref()))
    };
    let forged = forge("RS256", &secret);
    assert_eq!(
        Verifier::for_key_alg()
            .verify(forged.as_bytes(), &oct_rs)
            .unwrap_err(),
        Error::Key(KeyError::WrongKeyType { alg: "RS256" })
    );
    assert_eq!(
        Verifier::new(&[&jws::RS256])
            .verify(forged.as_bytes(), &oct_rs)
            .unwrap_err(),
        Error::Key(KeyError::WrongKeyType { alg: "RS256" })
    );
    // An RSA public key that says HS256: its modulus is never an HMAC secret.
    let rsa = gen_key(KeySpec::Rsa { bits: 2048 });
    let rsa_hs = public(&rsa).with_alg("HS256");
    let zegel_jose::jwk::KeyMaterial::Rsa { n, .. } = rsa_hs.material() else {
        unreachable!()
    };
    let forged = forge("HS256", n);
    assert_eq!(
        Verifier::for_key_alg()
            .verify(forged.as_bytes(), &rsa_hs)
            .unwrap_err(),
        Error::Key(KeyError::WrongKeyType { alg: "HS256" })
    );
    // JWE: an oct key bound to RSA-OAEP is not an RSA key.
    let oct_oaep = oct_rs.with_alg("RSA-OAEP");
    let o = gen_key(KeySpec::Oct { bytes: 16 });
    let t = token(&o, &jwe::A128KW, &jwe::A128GCM);
    let mut h = header_of(&t);
    h["alg"] = json!("RSA-OAEP");
    assert_eq!(
        Decryptor::new(&[&jwe::RSA_OAEP], &[&jwe::A128GCM])
            .decrypt(with_header(&t, &h).as_bytes(), &oct_oaep)
            .unwrap_err(),
        Error::Key(KeyError::WrongKeyType { alg: "RSA-OAEP" })
    );
}

/// A `kid` is an opaque string: path or query syntax selects nothing.
#[test]
fn kid_is_opaque() {
    let k = gen_key(KeySpec::Oct { bytes: 32 }).with_kid("a");
    let set = zegel_jose::jwk::JwkSet::new(vec![k.clone()]);
    for kid in ["../a", "a' OR '1'='1", "a\u{0}", "A", " a", "*", "%61"] {
        let t = jws::sign_compact(
            b"x",
            &SigningKey::new(&k, &jws::HS256).unwrap(),
            &JwsHeader::new().with_kid(kid),
        )
        .unwrap();
        assert_eq!(
            Verifier::new(&[&jws::HS256])
                .verify_with_set(t.as_bytes(), &set)
                .unwrap_err(),
            Error::UnknownKid { kid: kid.into() },
            "{kid:?}"
        );
    }
}

/// No key-holding or plaintext-holding type prints a secret in Debug.
#[test]
fn debug_of_every_secret_holder_is_redacted() {
    let o32 = gen_key(KeySpec::Oct { bytes: 32 });
    let rsa = gen_key(KeySpec::Rsa { bits: 2048 });
    let ec = gen_key(KeySpec::Ec(Curve::P256));
    let secrets: Vec<String> = [&o32, &rsa, &ec]
        .iter()
        .map(|k| {
            let v: Value = serde_json::from_str(&k.to_private_json()).unwrap();
            v.get("k").or(v.get("d")).unwrap().as_str().unwrap()[..12].to_owned()
        })
        .collect();
    let plaintext = "PLAINTEXT-MARKER-0123456789";
    let t = Encryptor::new(&jwe::A256GCM)
        .encrypt_compact(plaintext.as_bytes(), &Recipient::new(&o32, &jwe::DIR))
        .unwrap();
    let d = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    let out = d.decrypt(t.as_bytes(), &o32).unwrap();
    let set = zegel_jose::jwk::JwkSet::new(vec![o32.clone(), rsa.clone(), ec.clone()]);
    let mut fixed = jwe::dangerous::FixedValues::default();
    fixed.cek = Some(zegel_jose::SecretBytes::new(plaintext.as_bytes().to_vec()));
    fixed.epk = Some(ec.clone());
    let e = Encryptor::new(&jwe::A256GCM).dangerous_with_fixed_values(fixed);
    let material = format!(
        "{:?} {:?} {:?}",
        o32.material(),
        rsa.material(),
        ec.material()
    );
    let decrypted = format!("{out:?}");
    let all = format!(
        "{decrypted} {d:?} {set:?} {e:?} {material} {:?} {:?}",
        SigningKey::new(&rsa, &jws::RS256).unwrap(),
        out.into_plaintext()
    );
    for s in secrets.iter().map(String::as_str).chain([plaintext]) {
        assert!(!all.contains(s), "{s} in {all}");
    }
}

/// A token parsed beforehand is held to the decryptor's own recipient limit, as `decrypt` is.
#[test]
fn decrypt_parsed_applies_the_decryptors_recipient_limit() {
    let a = gen_key(KeySpec::Oct { bytes: 16 });
    let b = gen_key(KeySpec::Oct { bytes: 16 });
    let t = Encryptor::new(&jwe::A128GCM)
        .encrypt_general(
            b"two",
            &[
                Recipient::new(&a, &jwe::A128KW),
                Recipient::new(&b, &jwe::A128KW),
            ],
        )
        .unwrap();
    let d = Decryptor::new(&[&jwe::A128KW], &[&jwe::A128GCM]);
    let parsed = jwe::UnverifiedJwe::parse(t.as_bytes()).unwrap();
    assert_eq!(
        d.decrypt_parsed(&parsed, core::slice::from_ref(&b))
            .unwrap()
            .plaintext(),
        b"two"
    );
    let one = d.with_max_recipients(1);
    let refused = Error::RecipientCount {
        rule: zegel_jose::error::CountRule::RecipientsOutOfRange,
    };
    assert_eq!(one.decrypt(t.as_bytes(), &b).unwrap_err(), refused);
    assert_eq!(
        one.decrypt_parsed(&parsed, core::slice::from_ref(&b))
            .unwrap_err(),
        refused
    );
}

/// A general JWS within the size limit cannot multiply the work of verification: each
/// signature costs a pass over the payload, so their number is bounded (16 unless set).
#[test]
fn the_number_of_signatures_is_bounded() {
    let k = gen_key(KeySpec::Oct { bytes: 32 });
    let good = jws::sign_flattened(
        &vec![b'p'; 96 * 1024],
        &SigningKey::new(&k, &jws::HS256).unwrap(),
        &JwsHeader::new(),
        None,
    )
    .unwrap();
    let flat: Value = serde_json::from_str(&good).unwrap();
    let one = json!({"protected": flat["protected"], "signature": flat["signature"]});
    let mut forged = one.clone();
    forged["signature"] = json!("");
    let general = |n: usize| {
        let mut sigs = vec![forged.clone(); n - 1];
        sigs.push(one.clone());
        json!({"payload": flat["payload"], "signatures": sigs}).to_string()
    };
    let v = Verifier::new(&[&jws::HS256]);
    assert_eq!(jws::DEFAULT_MAX_SIGNATURES, 16);
    assert_eq!(
        v.verify(general(16).as_bytes(), &k)
            .unwrap()
            .signature_index(),
        15
    );
    let many = general(2000);
    assert!(many.len() < jws::DEFAULT_MAX_TOKEN_LEN);
    let refused = Error::RecipientCount {
        rule: zegel_jose::error::CountRule::TooManySignatures,
    };
    let t = std::time::Instant::now();
    assert_eq!(v.verify(many.as_bytes(), &k).unwrap_err(), refused);
    assert!(
        t.elapsed() < std::time::Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(v.verify(general(17).as_bytes(), &k).unwrap_err(), refused);
    assert_eq!(
        v.verify_each(general(17).as_bytes(), &k).unwrap_err(),
        refused
    );
    assert_eq!(
        jws::dangerous::decode_unverified(many.as_bytes()).unwrap_err(),
        refused
    );
    // 17 signatures cost 17 verifications: past the default budget of 16, within 17.
    let v = v.with_max_signatures(17);
    assert_eq!(
        v.verify(general(17).as_bytes(), &k).unwrap_err(),
        Error::KeyOperationBudget { limit: 16 }
    );
    assert_eq!(
        v.with_max_key_operations(17)
            .verify(general(17).as_bytes(), &k)
            .unwrap()
            .signature_index(),
        16
    );
}

/// Values a hostile JSON serialization may put anywhere.
fn arb_member_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        Just(json!(null)),
        Just(json!("")),
        Just(json!("AAAA")),
        Just(json!("AA=")),
        Just(json!("eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0")),
        Just(json!("e30")),
        Just(json!(-1)),
        Just(json!(1e300)),
        Just(json!(u64::MAX)),
        Just(json!([])),
        Just(json!([{}])),
        Just(json!([{"header": {"alg": "dir"}}])),
        Just(json!({"alg": "A128KW", "p2c": -1})),
        Just(json!({"alg": "none"})),
        Just(json!({})),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// Any mix of the members of the JWE and JWS JSON serializations, with any of those
    /// values, is an error (never a panic), both for decryption and for verification.
    #[test]
    fn hostile_json_serializations_are_errors(
        members in proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    "protected", "unprotected", "header", "recipients", "encrypted_key", "iv",
                    "ciphertext", "tag", "aad", "payload", "signature", "signatures",
                ]),
                arb_member_value(),
            ),
            0..8,
        )
    ) {
        let obj: serde_json::Map<String, Value> =
            members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let token = Value::Object(obj).to_string();
        let oct = Jwk::parse(br#"{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}"#).unwrap();
        let d = Decryptor::new(jwe::ALL, jwe::ALL_ENC);
        proptest::prop_assert!(d.decrypt(token.as_bytes(), &oct).is_err());
        if let Ok(u) = jwe::dangerous::decode_unverified(token.as_bytes()) {
            let _ = u.header(0);
        }
        proptest::prop_assert!(Verifier::new(jws::ALL).verify(token.as_bytes(), &oct).is_err());
        let _ = jws::dangerous::decode_unverified(token.as_bytes());
    }
}
