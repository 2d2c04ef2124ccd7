//! JWK parsing: never panics, and a parsed key's own exports parse back to the same key.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zegel_jose::Jwk;

fuzz_target!(|data: &[u8]| {
    let Ok(jwk) = Jwk::parse(data) else {
        return;
    };
    let private = jwk.to_private_json();
    let again = Jwk::parse(private.as_bytes());
    assert!(
        again.is_ok(),
        "exported JWK does not parse back: {:?}",
        again.err()
    );
    if let Some(public) = jwk.to_public_json() {
        let public = Jwk::parse(public.as_bytes());
        assert!(
            public.as_ref().is_ok_and(|k| !k.is_private()),
            "public export: {public:?}"
        );
    }
});
