//! The JWS API: every accept path beside its reject paths, and every JWS error kind.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use serde_json::{Map, Value, json};
use zegel_jose::base64url;
use zegel_jose::error::{CritError, JsonError, KeyError, Part};
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, SigningKey, Verifier};
use zegel_jose::{Error, Jwk};

/// The test keys (generated once with Python jwcrypto), by name.
pub(crate) fn key(name: &str) -> Jwk {
    let all: Value = serde_json::from_str(include_str!("../vectors/jws-test-keys.json")).unwrap();
    Jwk::parse(all[name].to_string().as_bytes()).unwrap()
}

/// A private key fitting `alg`.
pub(crate) fn key_for(alg: &JwsAlgorithm) -> Jwk {
    key(match alg.name() {
        "HS256" | "HS384" | "HS512" => "oct64",
        "ES256" => "p256",
        "ES384" => "p384",
        "ES512" => "p521",
        "ES256K" => "secp256k1",
        "EdDSA" | "Ed25519" => "ed25519",
        _ => "rsa2048",
    })
}

/// The key of a vector file under `tests/vectors/jws/`.
fn vector_key(file: &str) -> Jwk {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/jws")
        .join(file);
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    Jwk::parse(v["input"]["key"].to_string().as_bytes()).unwrap()
}

pub(crate) fn public(k: &Jwk) -> Jwk {
    k.to_public().unwrap_or_else(|| k.clone())
}

fn compact(alg: &'static JwsAlgorithm, payload: &[u8]) -> (String, Jwk) {
    let k = key_for(alg);
    let t = jws::sign_compact(
        payload,
        &SigningKey::new(&k, alg).unwrap(),
        &JwsHeader::new(),
    )
    .unwrap();
    (t, public(&k))
}

/// A compact token with the given raw protected header, signed with HS256 and `oct64`.
fn hs256_with_header(header: &str, payload: &str) -> String {
    use aws_lc_or_ring::sign;
    let input = format!("{}.{}", base64url::encode(header.as_bytes()), payload);
    let k = key("oct64");
    let zegel_jose::jwk::KeyMaterial::Oct { k: secret } = k.material() else {
        unreachable!()
    };
    format!(
        "{input}.{}",
        base64url::encode(&sign(secret.expose_secret(), input.as_bytes()))
    )
}

mod aws_lc_or_ring {
    pub(super) fn sign(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
        ring::hmac::sign(&k, msg).as_ref().to_vec()
    }
}

fn hs256() -> Verifier {
    Verifier::new(&[&jws::HS256])
}

#[test]
fn every_available_algorithm_round_trips_in_every_serialization() {
    for alg in jws::ALL {
        if !alg.is_available() {
            // Without aws-lc the curve is unknown to the backend, and so is the key.
            let all: Value =
                serde_json::from_str(include_str!("../vectors/jws-test-keys.json")).unwrap();
            let name = if alg.name() == "ES512" {
                "p521"
            } else {
                "secp256k1"
            };
            let err = Jwk::parse(all[name].to_string().as_bytes()).unwrap_err();
            assert!(matches!(err, Error::AlgorithmUnavailable { .. }), "{err:?}");
            continue;
        }
        let k = key_for(alg);
        let sk = SigningKey::new(&k, alg).unwrap();
        assert!(alg.fits(&k));
        let pk = public(&k);
        let v = Verifier::new(&[alg]);
        let h = JwsHeader::new().with_kid("k1").with_typ("JWT");
        let t = jws::sign_compact(b"payload", &sk, &h).unwrap();
        let got = v.verify(t.as_bytes(), &pk).unwrap();
        assert_eq!(
            (got.payload(), got.alg(), got.header().kid.as_deref()),
            (&b"payload"[..], *alg, Some("k1"))
        );
        assert_eq!(got.header().alg, alg.name());
        let f = jws::sign_flattened(b"payload", &sk, &h, None).unwrap();
        assert_eq!(v.verify(f.as_bytes(), &pk).unwrap().payload(), b"payload");
        let g = jws::sign_general(b"payload", &[(&sk, &h, None)]).unwrap();
        assert_eq!(v.verify(g.as_bytes(), &pk).unwrap().payload(), b"payload");
        let d = jws::sign_compact_detached(b"payload", &sk, &h).unwrap();
        assert_eq!(
            v.verify_detached(d.as_bytes(), b"payload", &pk)
                .unwrap()
                .payload(),
            b"payload"
        );
        assert_eq!(
            v.verify_detached(d.as_bytes(), b"payloaD", &pk),
            Err(Error::InvalidSignature)
        );
        // The same key verifies again from its cache, and a second algorithm on the same key
        // still works.
        assert!(v.verify(t.as_bytes(), &pk).is_ok());
    }
}

#[test]
fn none_is_never_accepted() {
    let t = format!(
        "{}.{}.",
        base64url::encode(br#"{"alg":"none"}"#),
        base64url::encode(b"x")
    );
    for k in [key("oct64"), public(&key("rsa2048"))] {
        assert_eq!(
            Verifier::new(jws::ALL).verify(t.as_bytes(), &k),
            Err(Error::UnknownAlgorithm {
                name: "none".into()
            })
        );
        assert_eq!(
            Verifier::for_key_alg().verify(t.as_bytes(), &k),
            Err(Error::UnknownAlgorithm {
                name: "none".into()
            })
        );
    }
    assert_eq!(jws::by_name("none"), None);
}

#[test]
fn the_allowlist_is_checked_before_the_key() {
    let (t, _) = compact(&jws::HS256, b"x");
    let rsa = public(&key("rsa2048"));
    assert_eq!(
        Verifier::new(&[&jws::RS256]).verify(t.as_bytes(), &rsa),
        Err(Error::AlgNotAllowed {
            alg: "HS256".into()
        })
    );
    assert_eq!(
        Verifier::new(&[]).verify(t.as_bytes(), &key("oct64")),
        Err(Error::AlgNotAllowed {
            alg: "HS256".into()
        })
    );
}

#[test]
fn an_asymmetric_key_is_never_an_hmac_secret() {
    // The classic attack: HMAC over the token with the RSA public key's bytes as the secret.
    let rsa = public(&key("rsa2048"));
    let zegel_jose::jwk::KeyMaterial::Rsa { n, .. } = rsa.material() else {
        unreachable!()
    };
    let input = format!(
        "{}.{}",
        base64url::encode(br#"{"alg":"HS256"}"#),
        base64url::encode(b"x")
    );
    let mac = aws_lc_or_ring::sign(n, input.as_bytes());
    let t = format!("{input}.{}", base64url::encode(&mac));
    let v = Verifier::new(&[&jws::RS256, &jws::HS256]);
    assert_eq!(
        v.verify(t.as_bytes(), &rsa),
        Err(Error::Key(KeyError::WrongKeyType { alg: "HS256" }))
    );
    assert!(!jws::HS256.fits(&rsa));
    for name in ["p256", "ed25519"] {
        let k = public(&key(name));
        assert_eq!(
            v.verify(t.as_bytes(), &k),
            Err(Error::Key(KeyError::WrongKeyType { alg: "HS256" }))
        );
    }
    // And an HMAC key never verifies an RS256 token.
    let (rs, _) = compact(&jws::RS256, b"x");
    assert_eq!(
        v.verify(rs.as_bytes(), &key("oct64")),
        Err(Error::Key(KeyError::WrongKeyType { alg: "RS256" }))
    );
}

#[test]
fn the_key_must_fit_the_algorithm() {
    let p384 = key("p384");
    assert_eq!(
        SigningKey::new(&p384, &jws::ES256).unwrap_err(),
        Error::Key(KeyError::WrongKeyType { alg: "ES256" })
    );
    let (t, _) = compact(&jws::ES256, b"x");
    assert_eq!(
        Verifier::new(&[&jws::ES256]).verify(t.as_bytes(), &public(&p384)),
        Err(Error::Key(KeyError::WrongKeyType { alg: "ES256" }))
    );
    // A key bound to one algorithm is not used for another.
    let bound = key("rsa2048").with_alg("RS256");
    assert_eq!(
        SigningKey::new(&bound, &jws::PS256).unwrap_err(),
        Error::Key(KeyError::AlgMismatch {
            key_alg: "RS256".into(),
            alg: "PS256"
        })
    );
    let (ps, _) = compact(&jws::PS256, b"x");
    assert_eq!(
        Verifier::new(&[&jws::PS256]).verify(ps.as_bytes(), &public(&bound)),
        Err(Error::Key(KeyError::AlgMismatch {
            key_alg: "RS256".into(),
            alg: "PS256"
        }))
    );
    // Signing needs the private key, and a key whose use permits signing.
    assert_eq!(
        SigningKey::new(&public(&key("p256")), &jws::ES256).unwrap_err(),
        Error::Key(KeyError::NotPrivate)
    );
    let enc = key("p256").with_use("enc");
    assert_eq!(
        SigningKey::new(&enc, &jws::ES256).unwrap_err(),
        Error::Key(KeyError::UsageNotPermitted)
    );
    let (es, _) = compact(&jws::ES256, b"x");
    assert_eq!(
        Verifier::new(&[&jws::ES256]).verify(es.as_bytes(), &public(&enc)),
        Err(Error::Key(KeyError::UsageNotPermitted))
    );
}

/// RFC 9864 §2.2: `Ed25519` is EdDSA on Ed25519 only, a name of its own beside `EdDSA`.
#[test]
fn fully_specified_ed25519() {
    let (t, public_key) = compact(&jws::ED25519, b"fully specified");
    let header = t.split('.').next().unwrap();
    assert_eq!(
        base64url::decode(header.as_bytes(), Part::Header).unwrap(),
        br#"{"alg":"Ed25519"}"#
    );
    let v = Verifier::new(&[&jws::ED25519]);
    assert_eq!(
        v.verify(t.as_bytes(), &public_key).unwrap().payload(),
        b"fully specified"
    );
    // The two names do not stand in for each other.
    let (eddsa, _) = compact(&jws::EDDSA, b"fully specified");
    assert!(matches!(
        v.verify(eddsa.as_bytes(), &public_key),
        Err(Error::AlgNotAllowed { .. })
    ));
    assert!(matches!(
        Verifier::new(&[&jws::EDDSA]).verify(t.as_bytes(), &public_key),
        Err(Error::AlgNotAllowed { .. })
    ));
    // An X25519 key (RFC 8037 A.6) fits neither signing nor verifying; Ed448 keys are not
    // even read.
    let x25519 = Jwk::parse(
        br#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#,
    )
    .unwrap();
    assert!(!jws::ED25519.fits(&x25519));
    assert!(jws::ED25519.fits(&public_key));
    assert_eq!(
        v.verify(t.as_bytes(), &x25519),
        Err(Error::Key(KeyError::WrongKeyType { alg: "Ed25519" }))
    );
    assert!(matches!(
        Jwk::parse(br#"{"kty":"OKP","crv":"Ed448","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}"#),
        Err(Error::Key(KeyError::UnsupportedKeyType { .. }))
    ));
    // A tampered signature fails.
    let mut bad = t.into_bytes();
    let last = bad.len() - 2;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(v.verify(&bad, &public_key), Err(Error::InvalidSignature));
}

#[test]
fn hmac_keys_must_be_as_long_as_the_hash() {
    let short =
        Jwk::parse(format!(r#"{{"kty":"oct","k":"{}"}}"#, base64url::encode(&[7; 31])).as_bytes())
            .unwrap();
    let want = Error::Key(KeyError::WrongLength {
        expected: 32,
        actual: 31,
    });
    assert_eq!(SigningKey::new(&short, &jws::HS256).unwrap_err(), want);
    let t = hs256_with_header(r#"{"alg":"HS256"}"#, "eA");
    assert_eq!(hs256().verify(t.as_bytes(), &short), Err(want));
    let k48 =
        Jwk::parse(format!(r#"{{"kty":"oct","k":"{}"}}"#, base64url::encode(&[7; 48])).as_bytes())
            .unwrap();
    assert!(SigningKey::new(&k48, &jws::HS384).is_ok());
    assert_eq!(
        SigningKey::new(&k48, &jws::HS512).unwrap_err(),
        Error::Key(KeyError::WrongLength {
            expected: 64,
            actual: 48
        })
    );
}

#[test]
fn the_key_alg_mode_uses_only_the_keys_own_alg() {
    let (t, pk) = compact(&jws::ES256, b"x");
    assert_eq!(
        Verifier::for_key_alg().verify(t.as_bytes(), &pk),
        Err(Error::Key(KeyError::MissingMember { name: "alg" }))
    );
    assert!(
        Verifier::for_key_alg()
            .verify(t.as_bytes(), &pk.clone().with_alg("ES256"))
            .is_ok()
    );
    assert_eq!(
        Verifier::for_key_alg().verify(t.as_bytes(), &pk.with_alg("ES384")),
        Err(Error::AlgNotAllowed {
            alg: "ES256".into()
        })
    );
}

#[test]
fn header_keys_never_choose_the_key() {
    // Signed by an attacker's key, which the header offers as `jwk`: refused.
    let attacker = key("ed25519");
    let mut h = JwsHeader::new();
    h.jwk = public(&attacker).to_public_object();
    h.jku = Some("https://attacker.example/jwks".into());
    h.x5u = Some("https://attacker.example/cert".into());
    let t = jws::sign_compact(b"x", &SigningKey::new(&attacker, &jws::EDDSA).unwrap(), &h).unwrap();
    let mine = public(&vector_key("rfc8037-a.4.json"));
    assert_eq!(
        Verifier::new(&[&jws::EDDSA]).verify(t.as_bytes(), &mine),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn limits_are_enforced_before_decoding() {
    let (t, pk) = compact(&jws::HS256, &[b'a'; 1000]);
    assert_eq!(
        hs256().with_max_token_len(100).verify(t.as_bytes(), &pk),
        Err(Error::TooLarge {
            part: Part::Token,
            limit: 100
        })
    );
    let big = vec![b'a'; jws::DEFAULT_MAX_TOKEN_LEN + 1];
    assert_eq!(
        hs256().verify(&big, &pk),
        Err(Error::TooLarge {
            part: Part::Token,
            limit: jws::DEFAULT_MAX_TOKEN_LEN
        })
    );
    let deep = hs256_with_header(r#"{"alg":"HS256","x":[[[[1]]]]}"#, "eA");
    assert!(hs256().verify(deep.as_bytes(), &pk).is_ok());
    assert_eq!(
        hs256().with_max_json_depth(3).verify(deep.as_bytes(), &pk),
        Err(Error::Json {
            part: Part::Header,
            reason: JsonError::TooDeep { limit: 3 }
        })
    );
}

#[test]
fn headers_are_strict_json() {
    let k = key("oct64");
    let dup = hs256_with_header(r#"{"alg":"HS256","alg":"none"}"#, "eA");
    assert_eq!(
        hs256().verify(dup.as_bytes(), &k),
        Err(Error::Json {
            part: Part::Header,
            reason: JsonError::DuplicateMember { name: "alg".into() }
        })
    );
    let t = hs256_with_header(r#"{"kid":"x"}"#, "eA");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::MissingParameter { name: "alg" })
    );
    let t = hs256_with_header(r#"{"alg":"HS256","kid":7}"#, "eA");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::InvalidParameter { name: "kid".into() })
    );
    let t = hs256_with_header(r#"["alg"]"#, "eA");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::Json {
            part: Part::Header,
            reason: JsonError::NotAnObject
        })
    );
}

#[test]
fn base64url_must_be_canonical_in_every_part() {
    let (t, k) = compact(&jws::HS256, b"xy");
    let parts: Vec<&str> = t.split('.').collect();
    // "eHk" is canonical for "xy"; "eHl" has stray bits.
    assert_eq!(parts[1], "eHk");
    let bad_payload = format!("{}.eHl.{}", parts[0], parts[2]);
    assert!(matches!(
        hs256().verify(bad_payload.as_bytes(), &k),
        Err(Error::InvalidSignature | Error::Base64 { .. })
    ));
    let padded_sig = format!("{}.{}.{}=", parts[0], parts[1], parts[2]);
    assert_eq!(
        hs256().verify(padded_sig.as_bytes(), &k),
        Err(Error::Base64 {
            part: Part::Signature
        })
    );
    let bad_header = format!("{}=.{}.{}", parts[0], parts[1], parts[2]);
    assert_eq!(
        hs256().verify(bad_header.as_bytes(), &k),
        Err(Error::Base64 { part: Part::Header })
    );
    // A payload that is not base64url under a valid MAC: signed as given, refused on decoding.
    let t = hs256_with_header(r#"{"alg":"HS256"}"#, "eHl");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::Base64 {
            part: Part::Payload
        })
    );
}

#[test]
fn malformed_structures_are_refused() {
    let k = key("oct64");
    for t in ["", "a", "a.b", "{\"payload\":\"\"}"] {
        let e = hs256().verify(t.as_bytes(), &k).unwrap_err();
        assert!(
            matches!(e, Error::Structure { .. } | Error::MissingParameter { .. }),
            "{t:?}: {e:?}"
        );
    }
    // More than three parts: the extra dots land in the payload, which base64url refuses
    // (and an unencoded compact payload refuses before any crypto).
    let t = hs256_with_header(r#"{"alg":"HS256"}"#, "eA.eA");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::Base64 {
            part: Part::Payload
        })
    );
    let t = hs256_with_header(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, "a.b");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::Structure {
            expected: zegel_jose::error::Shape::UnencodedPayloadWithoutDot
        })
    );
    assert!(hs256().verify(b"a.b.c.d", &k).is_err());
    let both = r#"{"payload":"","signature":"","signatures":[]}"#;
    assert!(matches!(
        hs256().verify(both.as_bytes(), &k),
        Err(Error::Structure { .. })
    ));
    let none = r#"{"payload":"","signatures":[]}"#;
    assert!(matches!(
        hs256().verify(none.as_bytes(), &k),
        Err(Error::RecipientCount { .. })
    ));
    let (f, _) = (
        jws::sign_flattened(
            b"x",
            &SigningKey::new(&k, &jws::HS256).unwrap(),
            &JwsHeader::new(),
            None,
        )
        .unwrap(),
        (),
    );
    assert_eq!(
        hs256().verify_compact(f.as_bytes(), &k),
        Err(Error::Structure {
            expected: zegel_jose::error::Shape::Compact
        })
    );
    assert!(matches!(
        jws::sign_general(b"x", &[]),
        Err(Error::RecipientCount { .. })
    ));
}

#[test]
fn crit_follows_rfc_7515() {
    let k = key("oct64");
    let crit = |h: &str| {
        hs256()
            .verify(hs256_with_header(h, "eA").as_bytes(), &k)
            .map(|_| ())
    };
    assert_eq!(
        crit(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#),
        Err(Error::Crit(CritError::Unknown { name: "exp".into() }))
    );
    let t = hs256_with_header(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#, "eA");
    let v = hs256()
        .with_critical(&["exp"])
        .verify(t.as_bytes(), &k)
        .unwrap();
    assert_eq!(v.header().other["exp"], 1);
    assert_eq!(
        crit(r#"{"alg":"HS256","crit":[]}"#),
        Err(Error::Crit(CritError::Malformed))
    );
    assert_eq!(
        crit(r#"{"alg":"HS256","crit":["kid"],"kid":"a"}"#),
        Err(Error::Crit(CritError::Registered { name: "kid".into() }))
    );
    assert_eq!(
        crit(r#"{"alg":"HS256","crit":["b64"]}"#),
        Err(Error::Crit(CritError::Absent { name: "b64".into() }))
    );
    // In an unprotected header.
    let sk = SigningKey::new(&k, &jws::HS256).unwrap();
    let f = jws::sign_flattened(b"x", &sk, &JwsHeader::new(), None).unwrap();
    let mut obj: Map<String, Value> = serde_json::from_str(&f).unwrap();
    obj.insert("header".into(), json!({"crit": ["b64"]}));
    assert_eq!(
        hs256().verify(Value::Object(obj).to_string().as_bytes(), &k),
        Err(Error::Crit(CritError::Unprotected))
    );
    // Signing checks the same rules.
    let mut h = JwsHeader::new();
    h.crit = Some(vec!["zz".into()]);
    assert_eq!(
        jws::sign_compact(b"x", &sk, &h),
        Err(Error::Crit(CritError::Absent { name: "zz".into() }))
    );
}

#[test]
fn unencoded_payloads_follow_rfc_7797() {
    let k = key("oct64");
    let sk = SigningKey::new(&k, &jws::HS256).unwrap();
    let h = JwsHeader::new().with_unencoded_payload();
    let t = jws::sign_compact(b"plain text", &sk, &h).unwrap();
    assert!(t.contains(".plain text."));
    let v = hs256().verify(t.as_bytes(), &k).unwrap();
    assert_eq!(
        (v.payload(), v.header().b64, v.header().crit.clone()),
        (
            &b"plain text"[..],
            Some(false),
            Some(vec!["b64".to_owned()])
        )
    );
    // A '.' cannot travel in the compact form; detached it can.
    assert_eq!(
        jws::sign_compact(b"$.02", &sk, &h),
        Err(Error::Structure {
            expected: zegel_jose::error::Shape::UnencodedPayloadWithoutDot
        })
    );
    let d = jws::sign_compact_detached(b"$.02", &sk, &h).unwrap();
    assert_eq!(
        hs256()
            .verify_detached(d.as_bytes(), b"$.02", &k)
            .unwrap()
            .payload(),
        b"$.02"
    );
    // b64 without crit, and b64 unprotected, are refused.
    let t = hs256_with_header(r#"{"alg":"HS256","b64":false}"#, "x");
    assert_eq!(
        hs256().verify(t.as_bytes(), &k),
        Err(Error::InvalidParameter { name: "b64".into() })
    );
    let mut u = Map::new();
    u.insert("b64".into(), Value::Bool(true));
    assert_eq!(
        jws::sign_flattened(b"x", &sk, &JwsHeader::new(), Some(&u)),
        Err(Error::InvalidParameter { name: "b64".into() })
    );
    // Signers of one general JWS must agree on b64.
    let plain = JwsHeader::new();
    assert_eq!(
        jws::sign_general(b"x", &[(&sk, &plain, None), (&sk, &h, None)]),
        Err(Error::InvalidParameter { name: "b64".into() })
    );
}

#[test]
fn verifiers_refuse_signatures_that_disagree_on_b64() {
    // RFC 7797 §3: two signatures over the payload string "eA", one encoded (payload "x"),
    // one unencoded (payload "eA"). Each verifies on its own; together they are refused.
    let k = key("oct64");
    let sk = SigningKey::new(&k, &jws::HS256).unwrap();
    let encoded = jws::sign_flattened(b"x", &sk, &JwsHeader::new(), None).unwrap();
    let unencoded =
        jws::sign_flattened(b"eA", &sk, &JwsHeader::new().with_unencoded_payload(), None).unwrap();
    let sig = |t: &str| {
        let v: Value = serde_json::from_str(t).unwrap();
        assert_eq!(v["payload"], "eA");
        json!({"protected": v["protected"], "signature": v["signature"]})
    };
    for t in [&encoded, &unencoded] {
        assert!(hs256().verify(t.as_bytes(), &k).is_ok());
    }
    let general = |sigs: Vec<Value>| json!({"payload": "eA", "signatures": sigs}).to_string();
    let mixed = general(vec![sig(&encoded), sig(&unencoded)]);
    let refused = Err(Error::InvalidParameter { name: "b64".into() });
    assert_eq!(hs256().verify(mixed.as_bytes(), &k).map(|_| ()), refused);
    assert_eq!(
        hs256().verify_each(mixed.as_bytes(), &k).map(|_| ()),
        refused
    );
    assert_eq!(
        jws::dangerous::decode_unverified(mixed.as_bytes()).map(|_| ()),
        refused
    );
    // The same signatures, agreeing, verify.
    let same = general(vec![sig(&unencoded), sig(&unencoded)]);
    assert_eq!(
        hs256().verify(same.as_bytes(), &k).unwrap().payload(),
        b"eA"
    );
    let same = general(vec![sig(&encoded), sig(&encoded)]);
    assert_eq!(hs256().verify(same.as_bytes(), &k).unwrap().payload(), b"x");
}

#[test]
fn protected_and_unprotected_headers_are_disjoint() {
    let k = key("oct64");
    let sk = SigningKey::new(&k, &jws::HS256).unwrap();
    let mut u = Map::new();
    u.insert("kid".into(), "a".into());
    assert_eq!(
        jws::sign_flattened(b"x", &sk, &JwsHeader::new().with_kid("a"), Some(&u)),
        Err(Error::DuplicateParameter { name: "kid".into() })
    );
    let f = jws::sign_flattened(b"x", &sk, &JwsHeader::new(), Some(&u)).unwrap();
    let v = hs256().verify(f.as_bytes(), &k).unwrap();
    assert_eq!(v.header().kid.as_deref(), Some("a"));
    assert_eq!(v.unprotected(), Some(&u));
    let (t, pk) = compact(&jws::HS256, b"x");
    assert_eq!(
        hs256().verify(t.as_bytes(), &pk).unwrap().unprotected(),
        None
    );
    let mut obj: Map<String, Value> = serde_json::from_str(&f).unwrap();
    obj.insert("header".into(), json!({"alg": "HS256"}));
    assert_eq!(
        hs256().verify(Value::Object(obj).to_string().as_bytes(), &k),
        Err(Error::DuplicateParameter { name: "alg".into() })
    );
}

#[test]
fn keys_of_a_set_are_chosen_by_kid_alg_and_type() {
    let a = key("p256").with_kid("a");
    let b = key("ed25519").with_kid("b");
    let c = key("rsa2048");
    let set = [public(&a), public(&b), public(&c)];
    let sign = |k: &Jwk, alg, kid: Option<&str>| {
        let mut h = JwsHeader::new();
        h.kid = kid.map(str::to_owned);
        jws::sign_compact(b"x", &SigningKey::new(k, alg).unwrap(), &h).unwrap()
    };
    let v = Verifier::new(&[&jws::ES256, &jws::EDDSA, &jws::RS256]);
    assert!(
        v.verify_with_keys(sign(&a, &jws::ES256, Some("a")).as_bytes(), &set)
            .is_ok()
    );
    assert!(
        v.verify_with_keys(sign(&b, &jws::EDDSA, None).as_bytes(), &set)
            .is_ok()
    );
    assert!(
        v.verify_with_keys(sign(&c, &jws::RS256, None).as_bytes(), &set)
            .is_ok()
    );
    // A kid no key has: no fallback to kid-less keys.
    assert_eq!(
        v.verify_with_keys(sign(&c, &jws::RS256, Some("zz")).as_bytes(), &set),
        Err(Error::UnknownKid { kid: "zz".into() })
    );
    // The right kid, the wrong key type for the algorithm.
    assert_eq!(
        v.verify_with_keys(sign(&c, &jws::RS256, Some("a")).as_bytes(), &set),
        Err(Error::NoMatchingKey)
    );
    // A candidate that does not verify.
    let other = vector_key("rfc7515-a.3.json").with_kid("a");
    assert_eq!(
        v.verify_with_keys(sign(&other, &jws::ES256, Some("a")).as_bytes(), &set),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn general_signatures_are_reported_each_on_its_own() {
    let (rsa, ec) = (key("rsa2048"), key("p256"));
    let (s1, s2) = (
        SigningKey::new(&rsa, &jws::RS256).unwrap(),
        SigningKey::new(&ec, &jws::ES256).unwrap(),
    );
    let h = JwsHeader::new();
    let g = jws::sign_general(b"both", &[(&s1, &h, None), (&s2, &h, None)]).unwrap();
    let v = Verifier::new(&[&jws::RS256, &jws::ES256]);
    let each = v.verify_each(g.as_bytes(), &public(&rsa)).unwrap();
    assert_eq!(each.len(), 2);
    assert_eq!(each[0].as_ref().unwrap().signature_index(), 0);
    assert_eq!(
        each[1],
        Err(Error::Key(KeyError::WrongKeyType { alg: "ES256" }))
    );
    let each = v.verify_each(g.as_bytes(), &public(&ec)).unwrap();
    assert!(each[0].is_err() && each[1].as_ref().unwrap().payload() == b"both");
    assert_eq!(
        v.verify(g.as_bytes(), &public(&ec))
            .unwrap()
            .signature_index(),
        1
    );
    // Only ES256 allowed: the RS256 signature is reported as not allowed.
    let each = Verifier::new(&[&jws::ES256])
        .verify_each(g.as_bytes(), &public(&ec))
        .unwrap();
    assert_eq!(
        each[0],
        Err(Error::AlgNotAllowed {
            alg: "RS256".into()
        })
    );
}

#[test]
fn detached_payloads() {
    let k = key("oct64");
    let sk = SigningKey::new(&k, &jws::HS256).unwrap();
    let h = JwsHeader::new();
    let f = jws::sign_flattened_detached(b"content", &sk, &h, None).unwrap();
    assert!(!f.contains("payload"));
    assert_eq!(
        hs256()
            .verify_detached(f.as_bytes(), b"content", &k)
            .unwrap()
            .payload(),
        b"content"
    );
    let with = hs256().with_detached_payload(b"content".to_vec());
    assert_eq!(with.verify(f.as_bytes(), &k).unwrap().payload(), b"content");
    assert_eq!(
        with.verify_each(f.as_bytes(), &k).unwrap()[0]
            .as_ref()
            .unwrap()
            .payload(),
        b"content"
    );
    assert_eq!(
        hs256()
            .with_detached_payload("other")
            .verify(f.as_bytes(), &k),
        Err(Error::InvalidSignature)
    );
    assert!(matches!(
        hs256().verify(f.as_bytes(), &k),
        Err(Error::Structure { .. })
    ));
    let attached = jws::sign_compact(b"content", &sk, &h).unwrap();
    assert!(matches!(
        hs256().verify_detached(attached.as_bytes(), b"content", &k),
        Err(Error::Structure { .. })
    ));
    // An empty payload is a payload.
    let empty = jws::sign_compact(b"", &sk, &h).unwrap();
    assert_eq!(hs256().verify(empty.as_bytes(), &k).unwrap().payload(), b"");
}

#[test]
fn a_failed_signature_says_only_that() {
    let (t, pk) = compact(&jws::ES256, b"x");
    let mut bad = t.into_bytes();
    let last = bad.len() - 2;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    let e = Verifier::new(&[&jws::ES256]).verify(&bad, &pk).unwrap_err();
    assert_eq!(
        (e.clone(), e.code(), e.to_string()),
        (
            Error::InvalidSignature,
            "jose.invalid_signature",
            "invalid signature".into()
        )
    );
}

#[test]
fn debug_never_prints_secrets() {
    let k = key("oct64");
    let zegel_jose::jwk::KeyMaterial::Oct { k: secret } = k.material() else {
        unreachable!()
    };
    let b64 = base64url::encode(secret.expose_secret());
    let sk = SigningKey::new(&k.clone().with_kid("kid-1"), &jws::HS256).unwrap();
    let dbg = format!("{sk:?} {:?}", hs256());
    assert_eq!(
        format!("{sk:?}"),
        r#"SigningKey { alg: "HS256", kid: Some("kid-1"), .. }"#
    );
    assert!(!dbg.contains(&b64[..10]));
    assert_eq!(sk.kid(), Some("kid-1"));
    assert_eq!(sk.alg(), &jws::HS256);
}

#[test]
fn decode_unverified_is_for_inspection() {
    let (t, _) = compact(&jws::ES256, b"look");
    let u = jws::dangerous::decode_unverified(t.as_bytes()).unwrap();
    assert_eq!(
        (u.headers()[0].alg.as_str(), u.payload()),
        ("ES256", Some(&b"look"[..]))
    );
    // Unknown critical extensions are shown, not refused.
    let t = hs256_with_header(r#"{"alg":"HS256","crit":["zz"],"zz":1}"#, "eA");
    assert_eq!(
        jws::dangerous::decode_unverified(t.as_bytes())
            .unwrap()
            .payload(),
        Some(&b"x"[..])
    );
    assert!(matches!(
        jws::dangerous::decode_unverified(b"a.b"),
        Err(Error::Structure { .. })
    ));
}

/// `verify_compact_with` sees what `verify_compact` returns, with the stack buffer and past it,
/// and refuses what it refuses, with the same error.
#[test]
fn verifying_with_a_reader_agrees_with_verify_compact() {
    let k = key("oct64");
    let signer = SigningKey::new(&k, &jws::HS256).unwrap();
    let with = |v: &Verifier, t: &[u8]| {
        v.verify_compact_with(t, &k, |header, alg, payload| {
            (header, alg.name(), payload.to_vec())
        })
    };
    let plain = |v: &Verifier, t: &[u8]| {
        v.verify_compact(t, &k)
            .map(|v| (v.header().clone(), v.alg().name(), v.payload().to_vec()))
    };
    let stack = jws::STACK_PAYLOAD_LEN;
    let mut tokens = Vec::new();
    let lens = [
        0,
        1,
        2,
        3,
        1217,
        1919,
        1920,
        1921,
        stack - 1,
        stack,
        stack + 1,
        3 * stack,
    ];
    for len in lens {
        let payload: Vec<u8> = (0..len)
            .map(|i| u8::try_from(i * 7 % 251).unwrap())
            .collect();
        let t = jws::sign_compact(&payload, &signer, &JwsHeader::new()).unwrap();
        assert_eq!(with(&hs256(), t.as_bytes()).unwrap().2, payload, "{len}");
        tokens.push(t);
    }
    let good = tokens[4].clone();
    let (input, _) = good.rsplit_once('.').unwrap();
    let (header, _) = input.split_once('.').unwrap();
    tokens.extend([
        format!("{input}.AAAA"),
        format!("{input}x.{}", good.rsplit_once('.').unwrap().1),
        hs256_with_header(r#"{"alg":"HS256"}"#, "a=="),
        hs256_with_header(r#"{"alg":"HS256"}"#, "abcde"),
        hs256_with_header(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, "raw"),
        hs256_with_header(r#"{"alg":"HS256","alg":"none"}"#, "e30"),
        format!(" {{\"payload\":\"{header}\"}}"),
        "a.b".to_owned(),
    ]);
    let detached = hs256().with_detached_payload(b"detached".to_vec());
    let b64_ok = hs256().with_critical(&[]);
    for t in &tokens {
        for v in [&hs256(), &detached, &b64_ok, &Verifier::new(&[&jws::RS256])] {
            assert_eq!(with(v, t.as_bytes()), plain(v, t.as_bytes()), "{t:.60}");
        }
    }
    assert!(with(&hs256(), tokens[0].as_bytes()).is_ok());
    assert!(with(&hs256(), tokens[lens.len()].as_bytes()).is_err());
}
