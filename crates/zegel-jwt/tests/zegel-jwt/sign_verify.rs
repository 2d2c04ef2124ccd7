//! Signing and verifying JWTs: round trips for every signature family, header rules, keys.

use core::time::Duration;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use zegel_jose::jwk::JwkSet;
use zegel_jose::jws::{self, JwsHeader, SigningKey};
use zegel_jwt::{Claims, Error, UnixTime, Validation, Verified};

use crate::common::{NOW, hmac_key, issuer_set, key, public};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
struct Login {
    nonce: String,
    acr: Option<String>,
}

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn claims() -> Claims<Login> {
    Claims::new(Login {
        nonce: "n-1".into(),
        acr: None,
    })
    .with_issuer("https://idp.example")
    .with_audience("client-1")
    .with_lifetime(now(), Duration::from_secs(300))
    .unwrap()
    .with_random_jti()
    .unwrap()
}

fn validation(alg: &'static jws::JwsAlgorithm) -> Validation {
    Validation::new(&[alg])
        .issuer("https://idp.example")
        .audience("client-1")
}

#[test]
fn round_trip_every_family() {
    for (name, alg) in [
        ("issuer_rsa", &jws::RS256),
        ("issuer_ec", &jws::ES256),
        ("issuer_ed", &jws::EDDSA),
    ] {
        let signing = SigningKey::new(&key(name), alg).unwrap();
        let token = zegel_jwt::sign(&claims(), &signing).unwrap();
        let v: Verified<Login> =
            zegel_jwt::verify_as::<Login>(&token, &public(name), &validation(alg), now()).unwrap();
        assert_eq!(v.claims(), &claims_with_jti(v.claims().jti.clone()));
        assert_eq!(v.alg(), Some(alg));
        let header = v.header().unwrap();
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), key(name).kid());
        // The same token through the issuer's JWK Set, selected by kid.
        let v: Verified<Login> =
            zegel_jwt::verify_as::<Login>(&token, &issuer_set(), &validation(alg), now()).unwrap();
        assert_eq!(v.into_claims().extra.nonce, "n-1");
    }
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    let token = zegel_jwt::sign(&claims(), &signing).unwrap();
    assert!(
        zegel_jwt::verify_as::<Login>(&token, &hmac_key(), &validation(&jws::HS256), now()).is_ok()
    );
}

fn claims_with_jti(jti: Option<String>) -> Claims<Login> {
    Claims { jti, ..claims() }
}

#[test]
fn algorithm_outside_the_allowlist_is_refused() {
    let signing = SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap();
    let token = zegel_jwt::sign(&claims(), &signing).unwrap();
    let v = Validation::new(&[&jws::PS256, &jws::ES256])
        .issuer("https://idp.example")
        .audience("client-1");
    assert_eq!(
        zegel_jwt::verify_as::<Login>(&token, &public("issuer_rsa"), &v, now()).unwrap_err(),
        Error::Jose(zegel_jose::Error::AlgNotAllowed {
            alg: "RS256".into()
        })
    );
    // An empty allowlist accepts nothing.
    assert!(matches!(
        zegel_jwt::verify_as::<Login>(&token, &public("issuer_rsa"), &Validation::new(&[]), now()),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
}

#[test]
fn wrong_key_and_tampering_are_refused() {
    let signing = SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap();
    let token = zegel_jwt::sign(&claims(), &signing).unwrap();
    let other = public("other_rsa");
    assert_eq!(
        zegel_jwt::verify_as::<Login>(&token, &other, &validation(&jws::RS256), now()).unwrap_err(),
        Error::Jose(zegel_jose::Error::InvalidSignature)
    );
    // A set without the token's kid has no key for it (refreshing the set may help).
    let set = JwkSet::new(vec![other]);
    assert_eq!(
        zegel_jwt::verify_as::<Login>(&token, &set, &validation(&jws::RS256), now()).unwrap_err(),
        Error::Jose(zegel_jose::Error::UnknownKid {
            kid: "issuer-2024".into()
        })
    );
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let forged = Claims {
        iss: Some("https://evil.example".into()),
        ..claims()
    };
    parts[1] = zegel_jose::base64url::encode(forged.to_json().unwrap().as_bytes());
    assert_eq!(
        zegel_jwt::verify_as::<Login>(
            parts.join("."),
            &public("issuer_rsa"),
            &validation(&jws::RS256),
            now()
        )
        .unwrap_err(),
        Error::Jose(zegel_jose::Error::InvalidSignature)
    );
}

#[test]
fn claims_are_validated_after_the_signature() {
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    let token = zegel_jwt::sign(&claims(), &signing).unwrap();
    let late = UnixTime::from_secs(NOW + 330);
    assert!(matches!(
        zegel_jwt::verify_as::<Login>(&token, &hmac_key(), &validation(&jws::HS256), late),
        Err(Error::Expired { .. })
    ));
    let v = Validation::new(&[&jws::HS256])
        .issuer("https://idp.example")
        .audience("client-2");
    assert!(matches!(
        zegel_jwt::verify_as::<Login>(&token, &hmac_key(), &v, now()),
        Err(Error::WrongAudience { .. })
    ));
    // Claims that do not fit the caller's type.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Other {
        other: u32,
    }
    assert!(matches!(
        zegel_jwt::verify_as::<Other>(&token, &hmac_key(), &validation(&jws::HS256), now()),
        Err(Error::CustomClaims { .. })
    ));
}

#[test]
fn explicit_typing() {
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    let at = zegel_jwt::sign_with_header(&claims(), &signing, &JwsHeader::new().with_typ("at+jwt"))
        .unwrap();
    let plain = zegel_jwt::sign(&claims(), &signing).unwrap();
    let untyped = zegel_jwt::sign_with_header(&claims(), &signing, &JwsHeader::new()).unwrap();
    let v = validation(&jws::HS256).typ("at+jwt");
    assert!(zegel_jwt::verify_as::<Login>(&at, &hmac_key(), &v, now()).is_ok());
    let v2 = validation(&jws::HS256).typ("application/AT+JWT");
    assert!(zegel_jwt::verify_as::<Login>(&at, &hmac_key(), &v2, now()).is_ok());
    assert_eq!(
        zegel_jwt::verify_as::<Login>(&plain, &hmac_key(), &v, now()).unwrap_err(),
        Error::WrongType {
            expected: "at+jwt".into(),
            found: Some("JWT".into())
        }
    );
    assert_eq!(
        zegel_jwt::verify_as::<Login>(&untyped, &hmac_key(), &v, now()).unwrap_err(),
        Error::WrongType {
            expected: "at+jwt".into(),
            found: None
        }
    );
    // Without an expected type, any is accepted.
    for t in [&at, &plain, &untyped] {
        assert!(
            zegel_jwt::verify_as::<Login>(t, &hmac_key(), &validation(&jws::HS256), now()).is_ok()
        );
    }
}

#[test]
fn a_signed_jwt_wrapping_a_jwt_is_refused() {
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    let token = zegel_jwt::sign_with_header(&claims(), &signing, &JwsHeader::new().with_cty("JWT"))
        .unwrap();
    assert_eq!(
        zegel_jwt::verify_as::<Login>(&token, &hmac_key(), &validation(&jws::HS256), now())
            .unwrap_err(),
        Error::UnexpectedNesting
    );
}

#[test]
fn payload_rules() {
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    let v = Validation::new(&[&jws::HS256]).dangerous_without_exp();
    let sign = |p: &[u8]| jws::sign_compact(p, &signing, &JwsHeader::new()).unwrap();
    // Duplicate claim names are refused, not resolved.
    assert!(matches!(
        zegel_jwt::verify_as::<serde_json::Map<String, serde_json::Value>>(
            sign(br#"{"sub":"a","sub":"b"}"#),
            &hmac_key(),
            &v,
            now()
        ),
        Err(Error::Jose(zegel_jose::Error::Json {
            reason: zegel_jose::error::JsonError::DuplicateMember { .. },
            ..
        }))
    ));
    // The payload must be a JSON object.
    assert!(matches!(
        zegel_jwt::verify_as::<serde_json::Map<String, serde_json::Value>>(
            sign(b"[1]"),
            &hmac_key(),
            &v,
            now()
        ),
        Err(Error::Jose(zegel_jose::Error::Json { .. }))
    ));
    // The JSON serializations are not JWTs.
    let flat = jws::sign_flattened(b"{}", &signing, &JwsHeader::new(), None).unwrap();
    assert!(matches!(
        zegel_jwt::verify_as::<serde_json::Map<String, serde_json::Value>>(
            flat,
            &hmac_key(),
            &v,
            now()
        ),
        Err(Error::Jose(zegel_jose::Error::Structure { .. }))
    ));
    // A registered claim repeated among the extra claims is refused when issuing.
    let mut extra = serde_json::Map::new();
    extra.insert("iss".into(), "b".into());
    assert_eq!(
        zegel_jwt::sign(&Claims::new(extra).with_issuer("a"), &signing),
        Err(Error::DuplicateClaim { name: "iss" })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_input_is_refused_without_panic(
        parts in prop::collection::vec("[A-Za-z0-9_-]{0,40}", 0..6),
        bytes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let dotted = parts.join(".");
        for input in [dotted.as_bytes(), &bytes[..]] {
            prop_assert!(zegel_jwt::verify_as::<Login>(input, &hmac_key(), &validation(&jws::HS256), now()).is_err());
            let d = zegel_jwt::Decryption::new(&[&zegel_jose::jwe::DIR], &[&zegel_jose::jwe::A256GCM]);
            let opened = zegel_jwt::open_as::<Login>(input, &d, &validation(&jws::HS256), zegel_jwt::OpenKeys { recipient: &hmac_key(), issuer: &hmac_key() }, now());
 prop_assert!(opened.is_err());
        }
    }

    #[test]
    fn any_change_breaks_verification(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
        let token = zegel_jwt::sign(&claims(), &signing).unwrap();
        let mut bytes = token.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let r = zegel_jwt::verify_as::<Login>(&bytes, &hmac_key(), &validation(&jws::HS256), now());
        prop_assert!(r.is_err());
    }
}

#[test]
fn header_without_the_payload() {
    let signing = SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap();
    let token = zegel_jwt::sign(&claims(), &signing).unwrap();
    let header = zegel_jwt::unverified_header(&token).unwrap();
    assert_eq!(
        (header.alg.as_str(), header.typ.as_deref()),
        ("RS256", Some("JWT"))
    );
    // A payload that is not even base64url does not matter: it is never decoded.
    let (head, rest) = token.split_once('.').unwrap();
    let sig = rest.rsplit_once('.').unwrap().1;
    let garbage = format!("{head}.!!!.{sig}");
    assert_eq!(zegel_jwt::unverified_header(&garbage).unwrap(), header);
    for bad in [
        format!("{head}.x"),
        format!("{head}.x.y.z"),
        format!("{head}x.x.y"),
        format!(
            "{}.x.y",
            zegel_jose::base64url::encode(br#"{"alg":"HS256","alg":"none"}"#)
        ),
        "{\"payload\":\"x\"}".to_owned(),
    ] {
        assert!(
            matches!(zegel_jwt::unverified_header(&bad), Err(Error::Jose(_))),
            "{bad}"
        );
    }
}

#[test]
fn validation_from_a_configured_verifier() {
    let token = zegel_jwt::sign(
        &claims(),
        &SigningKey::new(&hmac_key(), &jws::HS256).unwrap(),
    )
    .unwrap();
    let configured = |verifier: jws::Verifier| {
        Validation::from_verifier(verifier)
            .issuer("https://idp.example")
            .audience("client-1")
    };
    let roomy = configured(jws::Verifier::new(&[&jws::HS256]));
    assert_eq!(roomy.algorithms(), [&jws::HS256]);
    let v: Verified<Login> = zegel_jwt::verify_as(&token, &hmac_key(), &roomy, now()).unwrap();
    assert_eq!(v.claims().extra.nonce, "n-1");
    // The verifier's own limits apply.
    let tight = configured(jws::Verifier::new(&[&jws::HS256]).with_max_token_len(64));
    assert!(matches!(
        zegel_jwt::verify(&token, &hmac_key(), &tight, now()),
        Err(Error::Jose(zegel_jose::Error::TooLarge { .. }))
    ));
    // And its allowlist: no algorithm from the key alone.
    let by_key = configured(jws::Verifier::for_key_alg());
    assert!(by_key.algorithms().is_empty());
    assert!(matches!(
        zegel_jwt::verify(&token, &hmac_key(), &by_key, now()),
        Err(Error::Jose(_))
    ));
    let bound = hmac_key().with_alg("HS256");
    assert!(zegel_jwt::verify(&token, &bound, &by_key, now()).is_ok());
}
