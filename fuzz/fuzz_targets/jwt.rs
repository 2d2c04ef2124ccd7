//! JWT claims behind a valid signature. The fuzz input is signed as the payload with a fixed
//! HMAC key, so every input reaches the claim parser (zegel-jwt's one-pass strict parse of the
//! registered and other claims), then `zegel_jwt::verify` runs on the token.
//! Never panics, and never accepts claims that zegel-jose's strict JSON parser refuses; the
//! default claims type's own parser (behind `verify`) agrees with the general one pass
//! (behind `verify_as`).

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use zegel_jose::Jwk;
use zegel_jose::error::Part;
use zegel_jose::json::{DEFAULT_MAX_DEPTH, parse_object};
use zegel_jose::jws::{self, JwsHeader, SigningKey};
use serde_json::{Map, Value};
use zegel_jwt::{UnixTime, Validation, Verified};

/// The HMAC key of RFC 7520 §4.4.
const KEY: &[u8] = br#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#;

static SETUP: LazyLock<Option<(Jwk, SigningKey)>> = LazyLock::new(|| {
    let jwk = Jwk::parse(KEY).ok()?;
    let signer = SigningKey::new(&jwk, &jws::HS256).ok()?;
    Some((jwk, signer))
});

fuzz_target!(|data: &[u8]| {
    let Some((jwk, signer)) = SETUP.as_ref() else {
        return;
    };
    let header = JwsHeader::new().with_typ("JWT");
    let Ok(token) = jws::sign_compact(data, signer, &header) else {
        return;
    };
    let validation = Validation::new(&[&jws::HS256]).dangerous_without_exp();
    let now = UnixTime::from_secs(1_700_000_000);
    let verified = zegel_jwt::verify(&token, jwk, &validation, now);
    let general = zegel_jwt::verify_as::<Map<String, Value>>(&token, jwk, &validation, now);
    assert_eq!(
        verified.clone().map(Verified::into_claims),
        general.map(Verified::into_claims)
    );
    if verified.is_ok() {
        assert!(
            parse_object(data, Part::Payload, DEFAULT_MAX_DEPTH).is_ok(),
            "zegel-jwt accepted a claim set that zegel-jose's strict parser refuses"
        );
    }
});
