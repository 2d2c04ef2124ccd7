//! JWK Set parsing: never panics; selection and export of a parsed set work on any input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zegel_jose::jwk::{JwkSet, KeyQuery};

fuzz_target!(|data: &[u8]| {
    let Ok(set) = JwkSet::parse(data) else {
        return;
    };
    let kid = set.keys().first().and_then(|k| k.kid().map(str::to_owned));
    let query = KeyQuery::new();
    let query = match kid.as_deref() {
        Some(kid) => query.with_kid(kid),
        None => query,
    };
    let _ = set.select(&query).count();
    let public = set.to_public_json();
    let again = JwkSet::parse(public.as_bytes());
    assert!(
        again.is_ok(),
        "exported public set does not parse back: {:?}",
        again.err()
    );
});
