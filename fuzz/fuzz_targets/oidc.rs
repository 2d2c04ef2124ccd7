//! zegel-oidc's parsers of provider and browser input: never panic, never hang.
//!
//! The input is split at the first NUL: the first part is fed to every document parser
//! (discovery, JWK Set, token response, UserInfo), the second to the callback parser as a URL.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zegel_oidc::callback::{self, CallbackCheck};
use zegel_oidc::discovery::{ProviderMetadata, Security};
use zegel_oidc::jwks::{CachePolicy, KeySnapshot};
use zegel_oidc::{PendingLogin, token, userinfo};

fuzz_target!(|data: &[u8]| {
    let (doc, rest) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let _ = ProviderMetadata::from_json(doc, "https://op.example", Security::HttpsOnly);
    let now = zegel_jwt::UnixTime::from_secs(1_700_000_000);
    if let Ok(s) = KeySnapshot::parse(doc, &CachePolicy::new(), now, core::time::Duration::ZERO) {
        let _ = s.to_jwk_set().to_public_json();
    }
    let response = |status: u16, ct: &str| {
        http::Response::builder()
            .status(status)
            .header("content-type", ct)
            .body(doc.to_vec())
            .unwrap()
    };
    let _ = token::from_response("t", &response(200, "application/json"), true);
    let _ = token::from_response("t", &response(400, "application/json"), true);
    let _ = userinfo::from_response("u", &response(200, "application/json"));
    let _ = userinfo::from_response("u", &response(200, "application/jwt"));
    let pending = PendingLogin::from_json(
        br#"{"state":"S","nonce":"N","redirect_uri":"https://rp.example/cb","created_at":1700000000}"#,
    )
    .unwrap();
    if let Ok(url) = std::str::from_utf8(rest) {
        let check = CallbackCheck {
            issuer: "https://op.example",
            iss_required: true,
            max_age: callback::DEFAULT_MAX_PENDING_AGE,
            now,
        };
        let _ = callback::parse(url, &pending, &check);
    }
    let _ = PendingLogin::from_json(doc);
});
