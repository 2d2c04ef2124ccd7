//! Integration tests of `zegel-jose`, one module per area under `tests/zegel-jose/`.

#[path = "zegel-jose/jwe.rs"]
mod jwe;
#[path = "zegel-jose/jwe_ring.rs"]
mod jwe_ring;
#[path = "zegel-jose/jwe_vectors.rs"]
mod jwe_vectors;
#[path = "zegel-jose/jwk.rs"]
mod jwk;
