//! JWS parsing and verification with a fixed HMAC key: never panics, never accepts a forgery
//! that was not made with the key (the fuzzer cannot know the key unless a seed carries a valid
//! signature, in which case any mutation must still verify only if it is a valid token).

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use zegel_jose::Jwk;
use zegel_jose::jws::{self, Verifier};

/// The HMAC key of RFC 7520 §4.4, which signed the HS256 seeds in `fuzz/seeds/jws`.
const KEY: &[u8] = br#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#;

static JWK: LazyLock<Option<Jwk>> = LazyLock::new(|| Jwk::parse(KEY).ok());

fuzz_target!(|data: &[u8]| {
    let _ = jws::dangerous::decode_unverified(data);
    let Some(key) = JWK.as_ref() else {
        return;
    };
    let verifier = Verifier::new(&[&jws::HS256, &jws::HS384, &jws::HS512]);
    if let Ok(verified) = verifier.verify(data, key) {
        // Whatever verified names one of the allowed algorithms.
        assert!(["HS256", "HS384", "HS512"].contains(&verified.alg().name()));
    }
});
