//! Integration tests of `zegel-jose`: one binary, one module per area.

#[path = "zegel-jose/jwk.rs"]
mod jwk;
#[path = "zegel-jose/jws.rs"]
mod jws;
#[path = "zegel-jose/jws_props.rs"]
mod jws_props;
#[path = "zegel-jose/jws_vectors.rs"]
mod jws_vectors;
