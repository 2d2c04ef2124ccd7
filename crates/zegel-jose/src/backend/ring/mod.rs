//! Everything zegel-jose takes from `ring`, which is always compiled in: the JWS signatures
//! (all but ES512 and ES256K), AES-GCM with 128- and 256-bit keys, ephemeral ECDH, SHA-2,
//! HMAC, PBKDF2 and the system random generator.

mod aead;
mod ecdh;
mod hash;
#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        unused_imports,
        reason = "aws-lc-rs is preferred for these when compiled in; they serve the ring-only build and the cross-backend tests"
    )
)]
pub(crate) mod jws;
mod keys;

pub(crate) use aead::{AES_128_GCM, AES_256_GCM};
#[cfg_attr(
    feature = "aws-lc",
    allow(unused_imports, reason = "aws-lc-rs is preferred for X25519")
)]
pub(crate) use ecdh::{ECDH_P256, ECDH_P384, ECDH_X25519};
pub(crate) use hash::{digest, hmac, pbkdf2};
#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        unused_imports,
        reason = "aws-lc-rs is preferred for these when compiled in; they serve the ring-only build and the cross-backend tests"
    )
)]
pub(crate) use jws::{
    ECDSA_P256_SHA256, ECDSA_P384_SHA384, ED25519, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512,
    RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PKCS1_SHA512, RSA_PSS_SHA256, RSA_PSS_SHA384,
    RSA_PSS_SHA512,
};
#[cfg_attr(
    feature = "aws-lc",
    allow(
        unused_imports,
        reason = "aws-lc-rs is preferred for these when compiled in"
    )
)]
pub(crate) use keys::{KEYS_ED25519, KEYS_P256, KEYS_P384, KEYS_RSA, KEYS_X25519};

use ::ring::rand::{SecureRandom, SystemRandom};

use crate::error::Error;

/// Fills `buf` from the operating system's generator.
#[cfg_attr(
    feature = "aws-lc",
    allow(dead_code, reason = "aws-lc's generator is preferred when compiled in")
)]
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    SystemRandom::new().fill(buf).map_err(|_| Error::Random)
}
