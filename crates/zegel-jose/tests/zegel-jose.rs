//! Integration tests of `zegel-jose`, one module per area under `tests/zegel-jose/`.

#[path = "zegel-jose/hostile.rs"]
mod hostile;
#[path = "zegel-jose/jwe.rs"]
mod jwe;
#[path = "zegel-jose/jwe_ring.rs"]
mod jwe_ring;
#[path = "zegel-jose/jwe_vectors.rs"]
mod jwe_vectors;
#[path = "zegel-jose/jwk.rs"]
mod jwk;
#[path = "zegel-jose/jws.rs"]
mod jws;
#[path = "zegel-jose/jws_props.rs"]
mod jws_props;
#[path = "zegel-jose/jws_vectors.rs"]
mod jws_vectors;
#[path = "zegel-jose/keys.rs"]
mod keys;
