//! Integration tests of `zegel-jose`, one module per area under `tests/zegel-jose/`.

#![allow(
    clippy::disallowed_methods,
    reason = "tests time hostile inputs; the clock ban is for the library"
)]

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
#[path = "zegel-jose/roca.rs"]
mod roca;
#[path = "zegel-jose/wycheproof.rs"]
mod wycheproof;
#[path = "zegel-jose/wycheproof_cases.rs"]
mod wycheproof_cases;
