//! Integration tests of `zegel-jose`, one module per area under `tests/zegel-jose/`.

#[path = "zegel-jose/jwk.rs"]
mod jwk;
