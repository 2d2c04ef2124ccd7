//! The crypto behind each JWS algorithm, hidden behind two private traits.
//!
//! An algorithm row in [`alg`](super::alg) points at one [`Backend`] static defined here. A
//! `Backend` pairs a signing and a verifying implementation, each picked at compile time from
//! the backends compiled in: `aws-lc-rs` (feature `aws-lc`) where it is faster or the only one
//! with the curve, `ring` otherwise. Keys are prepared (parsed into backend key objects) once:
//! [`SignImpl::prepare`] and [`VerifyImpl::prepare`] return objects that sign or verify many
//! messages.
//!
//! Choices, measured with `cargo bench -p zegel-jose --bench jws` (see docs/PERFORMANCE.md):
//! with the `aws-lc` feature, aws-lc-rs verifies RSA (1.36x faster than ring, and its
//! `ParsedPublicKey` is parsed once), signs and verifies Ed25519 (signing 2.1x faster), signs and
//! verifies ECDSA (faster on P-256; ring re-parses the point on every verification), computes
//! HMAC (on par with ring, and its `HMAC_CTX` is cleansed on drop, ring's key is not), signs
//! RSA (on par with ring; aws-lc clears the private key's memory on free, ring does not) and
//! alone has P-521 and secp256k1. Without `aws-lc`, ring does all but ES512 and ES256K.

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        reason = "the ring implementations aws-lc replaces stay for the cross-backend tests"
    )
)]
mod ring;
#[cfg(test)]
#[cfg(feature = "aws-lc")]
mod tests;

use crate::error::Error;
use crate::jwk::KeyMaterial;

/// A key prepared for signing by one backend.
pub(crate) trait PreparedSigner: Send + Sync {
    /// Signs `msg` (the JWS signing input).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error>;
}

/// A key prepared for verification by one backend.
pub(crate) trait PreparedVerifier: Send + Sync {
    /// Verifies `sig` over `msg`; every failure is [`Error::InvalidSignature`].
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error>;
}

/// Turns key material into a [`PreparedSigner`].
pub(crate) trait SignImpl: Send + Sync {
    /// Parses the private key once. The material already has the right key type and curve.
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedSigner>, Error>;
}

/// Turns key material into a [`PreparedVerifier`].
pub(crate) trait VerifyImpl: Send + Sync {
    /// Parses the public key once. The material already has the right key type and curve.
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedVerifier>, Error>;
}

/// The signing and verifying implementations of one algorithm; `None` when no backend compiled
/// in can do it.
pub(crate) struct Backend {
    pub(crate) sign: Option<&'static dyn SignImpl>,
    pub(crate) verify: Option<&'static dyn VerifyImpl>,
}

/// Which library does what, for each algorithm.
macro_rules! backends {
    ($($name:ident: sign $sign:expr, verify $verify:expr;)*) => {
        $(pub(crate) static $name: Backend = Backend { sign: $sign, verify: $verify };)*
    };
}

#[cfg(feature = "aws-lc")]
backends! {
    HMAC_SHA256: sign Some(&aws_lc::HMAC_SHA256), verify Some(&aws_lc::HMAC_SHA256);
    HMAC_SHA384: sign Some(&aws_lc::HMAC_SHA384), verify Some(&aws_lc::HMAC_SHA384);
    HMAC_SHA512: sign Some(&aws_lc::HMAC_SHA512), verify Some(&aws_lc::HMAC_SHA512);
    RSA_PKCS1_SHA256: sign Some(&aws_lc::RSA_PKCS1_SHA256), verify Some(&aws_lc::RSA_PKCS1_SHA256);
    RSA_PKCS1_SHA384: sign Some(&aws_lc::RSA_PKCS1_SHA384), verify Some(&aws_lc::RSA_PKCS1_SHA384);
    RSA_PKCS1_SHA512: sign Some(&aws_lc::RSA_PKCS1_SHA512), verify Some(&aws_lc::RSA_PKCS1_SHA512);
    RSA_PSS_SHA256: sign Some(&aws_lc::RSA_PSS_SHA256), verify Some(&aws_lc::RSA_PSS_SHA256);
    RSA_PSS_SHA384: sign Some(&aws_lc::RSA_PSS_SHA384), verify Some(&aws_lc::RSA_PSS_SHA384);
    RSA_PSS_SHA512: sign Some(&aws_lc::RSA_PSS_SHA512), verify Some(&aws_lc::RSA_PSS_SHA512);
    ECDSA_P256_SHA256: sign Some(&aws_lc::ECDSA_P256_SHA256), verify Some(&aws_lc::ECDSA_P256_SHA256);
    ECDSA_P384_SHA384: sign Some(&aws_lc::ECDSA_P384_SHA384), verify Some(&aws_lc::ECDSA_P384_SHA384);
    ECDSA_P521_SHA512: sign Some(&aws_lc::ECDSA_P521_SHA512), verify Some(&aws_lc::ECDSA_P521_SHA512);
    ECDSA_SECP256K1_SHA256: sign Some(&aws_lc::ECDSA_SECP256K1_SHA256), verify Some(&aws_lc::ECDSA_SECP256K1_SHA256);
    ED25519: sign Some(&aws_lc::ED25519), verify Some(&aws_lc::ED25519);
}

#[cfg(not(feature = "aws-lc"))]
backends! {
    HMAC_SHA256: sign Some(&ring::HMAC_SHA256), verify Some(&ring::HMAC_SHA256);
    HMAC_SHA384: sign Some(&ring::HMAC_SHA384), verify Some(&ring::HMAC_SHA384);
    HMAC_SHA512: sign Some(&ring::HMAC_SHA512), verify Some(&ring::HMAC_SHA512);
    RSA_PKCS1_SHA256: sign Some(&ring::RSA_PKCS1_SHA256), verify Some(&ring::RSA_PKCS1_SHA256);
    RSA_PKCS1_SHA384: sign Some(&ring::RSA_PKCS1_SHA384), verify Some(&ring::RSA_PKCS1_SHA384);
    RSA_PKCS1_SHA512: sign Some(&ring::RSA_PKCS1_SHA512), verify Some(&ring::RSA_PKCS1_SHA512);
    RSA_PSS_SHA256: sign Some(&ring::RSA_PSS_SHA256), verify Some(&ring::RSA_PSS_SHA256);
    RSA_PSS_SHA384: sign Some(&ring::RSA_PSS_SHA384), verify Some(&ring::RSA_PSS_SHA384);
    RSA_PSS_SHA512: sign Some(&ring::RSA_PSS_SHA512), verify Some(&ring::RSA_PSS_SHA512);
    ECDSA_P256_SHA256: sign Some(&ring::ECDSA_P256_SHA256), verify Some(&ring::ECDSA_P256_SHA256);
    ECDSA_P384_SHA384: sign Some(&ring::ECDSA_P384_SHA384), verify Some(&ring::ECDSA_P384_SHA384);
    ECDSA_P521_SHA512: sign None, verify None;
    ECDSA_SECP256K1_SHA256: sign None, verify None;
    ED25519: sign Some(&ring::ED25519), verify Some(&ring::ED25519);
}

/// The uncompressed SEC1 encoding `04 || x || y` of an EC public point.
fn uncompressed_point(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(4);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

/// The error for material of a type a backend was not built for (the algorithm table checks
/// key types first, so this is a defence in depth).
fn wrong_type() -> Error {
    crate::error::KeyError::Backend.into()
}
