//! The examples of RFC 7519: §3.1 (HS256), Appendix A.1 (encrypted) and A.2 (nested).

use serde_json::{Map, Value};
use zegel_jose::Jwk;
use zegel_jose::jwe::{self, Decryptor};
use zegel_jose::jws;
use zegel_jwt::{Claims, Decryption, Error, NumericDate, UnixTime, Validation, Verified};

use crate::common::available;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../vectors/rfc7519.json")).unwrap()
}

fn jwk(v: &Value) -> Jwk {
    Jwk::parse(v.to_string().as_bytes()).unwrap()
}

/// Before the examples' `exp` (1300819380, 2011-03-22T18:43:00Z).
const BEFORE: UnixTime = UnixTime::from_secs(1_300_819_000);

fn expected() -> Claims {
    let mut extra = Map::new();
    extra.insert("http://example.com/is_root".into(), Value::Bool(true));
    Claims {
        iss: Some("joe".into()),
        exp: Some(NumericDate::from_secs(1_300_819_380)),
        ..Claims::new(extra)
    }
}

/// RFC 7519 A.1 and A.2 use RSA1_5, accepted only on explicit request.
fn legacy_decryption() -> Decryption {
    Decryption::from_decryptor(
        Decryptor::new(&[&jwe::RSA1_5_FOR_LEGACY_USE_ONLY], &[&jwe::A128CBC_HS256])
            .with_rsa1_5_for_legacy_use_only(),
    )
}

#[test]
fn section_3_1() {
    let v = vectors();
    let case = &v["section_3_1"];
    let key = jwk(&case["key"]);
    let token = case["token"].as_str().unwrap();
    let validation = Validation::new(&[&jws::HS256]).issuer("joe").typ("JWT");
    let verified: Verified = zegel_jwt::verify(token, &key, &validation, BEFORE).unwrap();
    assert_eq!(verified.claims(), &expected());
    // Expired today, and at exp + leeway exactly.
    assert!(matches!(
        zegel_jwt::verify(token, &key, &validation, UnixTime::from_secs(1_300_819_410)),
        Err(Error::Expired { .. })
    ));
    assert!(
        zegel_jwt::verify(token, &key, &validation, UnixTime::from_secs(1_300_819_409)).is_ok()
    );
    // Not RS256.
    assert!(matches!(
        zegel_jwt::verify(token, &key, &Validation::new(&[&jws::RS256]), BEFORE),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
}

#[test]
fn appendix_a_1_encrypted_jwt_is_unsigned() {
    if !available(&[&jwe::RSA1_5_FOR_LEGACY_USE_ONLY]) {
        return;
    }
    let v = vectors();
    let case = &v["appendix_a_1"];
    let key = jwk(&case["decryption_key"]);
    let token = case["token"].as_str().unwrap();
    let validation = Validation::new(&[&jws::RS256]).issuer("joe");
    // Encrypted, not signed: refused by default.
    assert_eq!(
        zegel_jwt::open(
            token,
            &legacy_decryption(),
            &validation,
            zegel_jwt::OpenKeys {
                recipient: &key,
                issuer: &key
            },
            BEFORE
        )
        .unwrap_err(),
        Error::UnsignedNestedToken
    );
    let lenient = legacy_decryption().dangerous_allow_unsigned();
    let verified: Verified = zegel_jwt::open(
        token,
        &lenient,
        &validation,
        zegel_jwt::OpenKeys {
            recipient: &key,
            issuer: &key,
        },
        BEFORE,
    )
    .unwrap();
    assert_eq!(verified.claims(), &expected());
    // RSA1_5 must be asked for.
    let modern =
        Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]).dangerous_allow_unsigned();
    assert!(matches!(
        zegel_jwt::open(
            token,
            &modern,
            &validation,
            zegel_jwt::OpenKeys {
                recipient: &key,
                issuer: &key
            },
            BEFORE
        ),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
}

#[test]
fn appendix_a_2_nested_jwt() {
    if !available(&[&jwe::RSA1_5_FOR_LEGACY_USE_ONLY]) {
        return;
    }
    let v = vectors();
    let case = &v["appendix_a_2"];
    let decryption_key = jwk(&case["decryption_key"]);
    let verification_key = jwk(&case["verification_key"]);
    let token = case["token"].as_str().unwrap();
    let validation = Validation::new(&[&jws::RS256]).issuer("joe");
    let verified: Verified = zegel_jwt::open(
        token,
        &legacy_decryption(),
        &validation,
        zegel_jwt::OpenKeys {
            recipient: &decryption_key,
            issuer: &verification_key,
        },
        BEFORE,
    )
    .unwrap();
    assert_eq!(verified.claims(), &expected());
    assert_eq!(
        verified.encryption_header().unwrap().cty.as_deref(),
        Some("JWT")
    );
    // The inner token is the RFC 7515 A.2 JWS, which verifies on its own.
    let inner = case["inner"].as_str().unwrap();
    let alone: Verified = zegel_jwt::verify(inner, &verification_key, &validation, BEFORE).unwrap();
    assert_eq!(alone.claims(), &expected());
    // Verification needs the issuer's key, not the decryption key.
    assert_eq!(
        zegel_jwt::open(
            token,
            &legacy_decryption(),
            &validation,
            zegel_jwt::OpenKeys {
                recipient: &decryption_key,
                issuer: &decryption_key
            },
            BEFORE
        )
        .unwrap_err(),
        Error::Jose(zegel_jose::Error::InvalidSignature)
    );
}
