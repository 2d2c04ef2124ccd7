//! Integration tests of zegel-jwt: one binary, one module per area.

// Fixture helpers outside `#[test]` functions unwrap too: a broken fixture is a failed test.
#![allow(clippy::unwrap_used)]

#[path = "zegel-jwt/claims.rs"]
mod claims;
#[path = "zegel-jwt/common.rs"]
mod common;
#[path = "zegel-jwt/errors.rs"]
mod errors;
#[path = "zegel-jwt/external_keys.rs"]
mod external_keys;
#[path = "zegel-jwt/hash.rs"]
mod hash;
#[path = "zegel-jwt/hostile.rs"]
mod hostile;
#[path = "zegel-jwt/interop.rs"]
mod interop;
#[path = "zegel-jwt/nested.rs"]
mod nested;
#[path = "zegel-jwt/rfc7519.rs"]
mod rfc7519;
#[path = "zegel-jwt/sign_verify.rs"]
mod sign_verify;
#[path = "zegel-jwt/validation.rs"]
mod validation;
