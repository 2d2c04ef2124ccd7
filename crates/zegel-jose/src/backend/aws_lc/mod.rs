//! Everything zegel-jose takes from `aws-lc-rs` (feature `aws-lc`): the JWS signatures where
//! it is faster or alone (P-521, secp256k1), AES-192-GCM, AES key wrap with 128- and 256-bit
//! KEKs, RSA encryption, static-key ECDH, AES-CBC encryption, key checks and generation, and
//! its DRBG.

mod aead;
mod cbc;
mod ecdh;
pub(crate) mod jws;
mod keys;
mod kw;
mod rsa;

#[allow(
    unused_imports,
    reason = "ring is preferred for AES-128-GCM and AES-256-GCM (1.67x faster)"
)]
pub(crate) use aead::{AES_128_GCM, AES_192_GCM, AES_256_GCM};
pub(crate) use cbc::encrypt as cbc_encrypt;
#[allow(
    unused_imports,
    reason = "ring is preferred for ephemeral P-256 and P-384 (on par, and always there)"
)]
pub(crate) use ecdh::{ECDH_P256, ECDH_P384, ECDH_P521, ECDH_X25519};
pub(crate) use jws::{
    ECDSA_P256_SHA256, ECDSA_P384_SHA384, ECDSA_P521_SHA512, ECDSA_SECP256K1_SHA256, ED25519,
    HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PKCS1_SHA512,
    RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512,
};
pub(crate) use keys::{KEYS_P256, KEYS_P384, KEYS_P521, KEYS_RSA, KEYS_SECP256K1, KEYS_X25519};
pub(crate) use kw::{KW_128, KW_256};
pub(crate) use rsa::{RSA_OAEP_SHA1, RSA_OAEP_SHA256, RSA_OAEP_SHA384, RSA_OAEP_SHA512, RSA_PKCS1};

use crate::error::Error;

/// Fills `buf` from aws-lc's DRBG (seeded from the system, no system call per draw).
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    aws_lc_rs::rand::fill(buf).map_err(|_| Error::Random)
}
