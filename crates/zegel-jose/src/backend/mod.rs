//! The crypto libraries behind zegel-jose, one module each: [`ring`] (always compiled in),
//! [`aws_lc`] (`aws-lc-rs`, feature `aws-lc`) and [`rustcrypto`] (the RustCrypto `aes`,
//! `aes-kw` and `cbc` crates). Each module implements the primitives it serves (signatures,
//! AEAD, key wrap, ECDH, digest, randomness) behind the private traits of this module; nothing
//! outside `backend/` names a crypto library.
//!
//! The algorithm tables (`jws/alg.rs`, `jwe/alg.rs`) and the algorithm implementations
//! (`jwe/keymgmt/`, `jwe/content/`) name, for each primitive, a preference list of backends with
//! [`prefer!`]: the first one compiled in wins, and an empty pick makes the algorithm report
//! [`Error::AlgorithmUnavailable`]. The lists encode measured choices (`cargo bench -p
//! zegel-jose`, see docs/PERFORMANCE.md and docs/ARCHITECTURE.md):
//!
//! - JWS: with `aws-lc`, aws-lc-rs verifies RSA (1.36x faster than ring, and its
//!   `ParsedPublicKey` is parsed once), signs and verifies Ed25519 (signing 2.1x faster), signs
//!   and verifies ECDSA (ring re-parses the point on every verification), computes HMAC (on par
//!   with ring, and its `HMAC_CTX` is cleansed on drop, ring's key is not), signs RSA (on par;
//!   aws-lc clears the private key's memory on free) and alone has P-521 and secp256k1.
//!   Without `aws-lc`, ring does all but ES512 and ES256K.
//! - AES-GCM: ring for 128 and 256 bits (1.67x faster), aws-lc-rs for 192 bits (ring has none).
//! - AES key wrap: aws-lc-rs for 128 and 256 bits, RustCrypto `aes-kw` for 192 bits and
//!   without `aws-lc`.
//! - Keys: aws-lc-rs checks and generates `EC` and X25519 keys and RSA keys (up to 8192 bits);
//!   ring checks P-256, P-384 and RSA (up to 4096 bits) without `aws-lc`, and does Ed25519.
//! - ECDH: ephemeral with ring on P-256 and P-384 (on par), aws-lc-rs on X25519 (1.9x faster)
//!   and P-521; static-key (decryption) with aws-lc-rs only.
//! - Randomness: aws-lc's DRBG (seeded from the system, no system call per draw), else ring's
//!   system generator.

#[cfg(feature = "aws-lc")]
pub(crate) mod aws_lc;
pub(crate) mod ring;
mod ring_api;
pub(crate) mod rustcrypto;
#[cfg(test)]
#[cfg(feature = "aws-lc")]
mod tests;

use zeroize::Zeroizing;

use crate::error::{Error, KeyError};
use crate::jwk::{Jwk, KeyMaterial, RsaPrivate};

/// Expands to its first argument when the `aws-lc` feature is on, to its second otherwise. The
/// argument not chosen is never compiled, so it may name `aws_lc` items.
#[cfg(feature = "aws-lc")]
macro_rules! with_aws_lc {
    ($yes:expr, $no:expr $(,)?) => {
        $yes
    };
}
#[cfg(not(feature = "aws-lc"))]
macro_rules! with_aws_lc {
    ($yes:expr, $no:expr $(,)?) => {
        $no
    };
}
pub(crate) use with_aws_lc;

/// `prefer!(wrap; lib::ITEM, lib::ITEM, ...)`: the first item whose library is compiled in,
/// handed to the macro `wrap` (`wrap!(path)`), or `wrap!()` when none is. `lib` is `aws_lc`,
/// `ring` or `rustcrypto`; the last two are always compiled in, so nothing after them is
/// considered.
macro_rules! prefer {
    ($wrap:ident;) => {
        $wrap!()
    };
    ($wrap:ident; aws_lc::$item:ident $(, $($rest:tt)*)?) => {
        $crate::backend::with_aws_lc!(
            $wrap!($crate::backend::aws_lc::$item),
            $crate::backend::prefer!($wrap; $($($rest)*)?)
        )
    };
    ($wrap:ident; ring::$item:ident $(, $($rest:tt)*)?) => {
        $wrap!($crate::backend::ring::$item)
    };
    ($wrap:ident; rustcrypto::$item:ident $(, $($rest:tt)*)?) => {
        $wrap!($crate::backend::rustcrypto::$item)
    };
}
pub(crate) use prefer;

/// The `wrap` of [`prefer!`] for a plain `Option<&'static dyn Trait>`: `Some(&item)` or `None`.
macro_rules! some {
    () => {
        None
    };
    ($item:path) => {
        Some(&$item)
    };
}
pub(crate) use some;

// ---- signatures (JWS) ----

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

/// The signing and verifying implementations of one JWS algorithm; `None` when no backend
/// compiled in can do it.
pub(crate) struct Backend {
    pub(crate) sign: Option<&'static dyn SignImpl>,
    pub(crate) verify: Option<&'static dyn VerifyImpl>,
}

/// The `wrap` of [`prefer!`] for JWS rows: one backend static signs and verifies.
macro_rules! signature {
    () => {
        $crate::backend::Backend {
            sign: None,
            verify: None,
        }
    };
    ($item:path) => {
        $crate::backend::Backend {
            sign: Some(&$item),
            verify: Some(&$item),
        }
    };
}
pub(crate) use signature;

// ---- AEAD and key wrap (JWE) ----

/// AES-GCM with one key size, in place, with a detached 16-byte tag.
pub(crate) trait Aead: Send + Sync {
    /// Encrypts `buf` in place; returns the tag. A key or IV of the wrong length is
    /// [`Error::DecryptionFailed`].
    fn seal(&self, key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<Vec<u8>, Error>;

    /// Checks the tag and decrypts `buf` in place; every failure is
    /// [`Error::DecryptionFailed`].
    fn open(
        &self,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error>;
}

/// AES key wrap (RFC 3394) with one KEK size.
pub(crate) trait KeyWrap: Send + Sync {
    /// Wraps `cek` into `out` (`cek.len() + 8` bytes).
    fn wrap(&self, kek: &[u8], cek: &[u8], out: &mut [u8]) -> Result<(), Error>;

    /// Unwraps `wrapped` into `out` (`wrapped.len() - 8` bytes); a failed integrity check is
    /// [`Error::DecryptionFailed`].
    fn unwrap(&self, kek: &[u8], wrapped: &[u8], out: &mut [u8]) -> Result<(), Error>;
}

// ---- RSA encryption (JWE) ----

/// RSA encryption with one padding. Keys are parsed once and kept with the [`Jwk`].
pub(crate) trait RsaEncryption: Send + Sync {
    /// Encrypts `msg` to the public key of `key`.
    fn encrypt(&self, key: &Jwk, alg: &'static str, msg: &[u8]) -> Result<Vec<u8>, Error>;

    /// Decrypts `ciphertext` with the private key of `key`: `Ok(None)` when it does not
    /// decrypt (bad padding, wrong length), an error only for a key that cannot be used.
    fn decrypt(
        &self,
        key: &Jwk,
        alg: &'static str,
        ciphertext: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error>;
}

// ---- keys and ECDH, per curve (the rows of `jwk/curve.rs` pick them) ----

/// Key operations on one curve. Points are encoded: `04 || x || y` for `EC`, `x` for `OKP`.
pub(crate) trait CurveOps: Send + Sync {
    /// Checks that `point` is a point of the curve ([`KeyError::InvalidPoint`]).
    fn check_public(&self, point: &[u8]) -> Result<(), Error>;

    /// Checks that `d` is the private key of `point` ([`KeyError::InvalidPrivateKey`]).
    fn check_private(&self, d: &[u8], point: &[u8]) -> Result<(), Error>;

    /// The public point of the private key `d`.
    fn public(&self, d: &[u8]) -> Result<Vec<u8>, Error>;

    /// A new key pair: the private key and the public point.
    fn generate(&self) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error>;
}

/// RSA private key checks and generation.
pub(crate) trait RsaKeys: Send + Sync {
    /// The modulus sizes the backend loads private keys of.
    fn private_bits(&self) -> core::ops::RangeInclusive<usize>;

    /// Checks the private members against each other and the public key.
    fn check_private(&self, n: &[u8], e: &[u8], p: &RsaPrivate) -> Result<(), Error>;

    /// A new key of `bits` bits, as PKCS #8 DER.
    fn generate(&self, bits: usize) -> Result<Zeroizing<Vec<u8>>, Error>;
}

/// Ephemeral-static ECDH on one curve (JWE encryption).
pub(crate) trait EphemeralEcdh: Send + Sync {
    /// Agrees with `peer` from a fresh ephemeral key: the shared secret and the ephemeral
    /// public point. A peer point off the curve is [`KeyError::InvalidPoint`].
    fn agree_ephemeral(&self, peer: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error>;
}

/// Static-key ECDH on one curve (JWE decryption).
pub(crate) trait StaticEcdh: Send + Sync {
    /// Agrees between the private key `d` of `key` (parsed once, kept with the key) and
    /// `peer`. A peer point off the curve is [`Error::InvalidParameter`] `epk`.
    fn agree_static(&self, key: &Jwk, d: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error>;
}

// ---- randomness ----

/// Fills `buf` from the preferred random generator compiled in: aws-lc's DRBG (seeded from the
/// system, no system call per draw), else ring's system generator.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    with_aws_lc!(aws_lc::fill_random(buf), ring::fill_random(buf))
}

// ---- shared helpers ----

/// The uncompressed SEC1 encoding `04 || x || y` of an EC public point.
pub(crate) fn uncompressed_point(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(4);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

/// The error for material of a type a backend was not built for (the algorithm table checks
/// key types first, so this is a defence in depth).
fn wrong_type() -> Error {
    KeyError::Backend.into()
}

#[cfg(test)]
mod prefer_tests {
    use super::*;

    #[test]
    fn the_first_library_compiled_in_wins() {
        let picked: Option<&'static dyn KeyWrap> =
            prefer!(some; aws_lc::KW_128, rustcrypto::KW_128);
        let expected: &'static dyn KeyWrap = with_aws_lc!(&aws_lc::KW_128, &rustcrypto::KW_128);
        assert!(picked.is_some_and(|p| core::ptr::addr_eq(p, expected)));
        // Nothing after a library that is always compiled in is considered.
        let ring_first: Option<&'static dyn Aead> =
            prefer!(some; ring::AES_128_GCM, aws_lc::AES_128_GCM);
        assert!(ring_first.is_some_and(|p| core::ptr::addr_eq(p, &ring::AES_128_GCM)));
        // aws-lc-rs alone: nothing without the feature.
        let lc_only: Option<&'static dyn KeyWrap> = prefer!(some; aws_lc::KW_256);
        assert_eq!(lc_only.is_some(), cfg!(feature = "aws-lc"));
        let empty: Option<&'static dyn KeyWrap> = prefer!(some;);
        assert!(empty.is_none());
    }
}
