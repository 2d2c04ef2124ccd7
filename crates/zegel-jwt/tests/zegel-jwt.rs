//! Integration tests of zegel-jwt: one binary, one module per area.

#[path = "zegel-jwt/claims.rs"]
mod claims;
#[path = "zegel-jwt/validation.rs"]
mod validation;
