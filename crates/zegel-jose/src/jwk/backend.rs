//! The backend calls behind RSA key validation and generation and `oct` key generation: the
//! first backend compiled in that has them (aws-lc-rs, else ring). Curves have their own rows
//! in [`curve`](super::curve).
//!
//! Without `aws-lc`, ring cannot generate RSA keys and loads RSA private keys up to 4096 bits:
//! generation returns [`Error::AlgorithmUnavailable`].

use zeroize::Zeroizing;

use super::material::RsaPrivate;
use crate::backend::{RsaKeys, prefer, some};
use crate::error::{Error, KeyError};

/// RSA key checks and generation: aws-lc-rs (keys up to 8192 bits, generation), else ring.
static RSA: Option<&dyn RsaKeys> = prefer!(some; aws_lc::KEYS_RSA, ring::KEYS_RSA);

fn rsa() -> Result<&'static dyn RsaKeys, Error> {
    RSA.ok_or(Error::AlgorithmUnavailable { alg: "RSA" })
}

/// Fills a new secret buffer of `len` bytes from the random generator.
pub(super) fn random(len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(vec![0u8; len]);
    crate::backend::fill_random(&mut buf)?;
    Ok(buf)
}

/// Checks an RSA private key's members against each other and the public key. Keys outside the
/// sizes the backend can load are refused with [`KeyError::Backend`]: such a key could not be
/// used anyway.
pub(super) fn rsa_check(n: &[u8], e: &[u8], p: &RsaPrivate, bits: usize) -> Result<(), Error> {
    let rsa = rsa()?;
    if !rsa.private_bits().contains(&bits) {
        return Err(KeyError::Backend.into());
    }
    rsa.check_private(n, e, p)
}

/// Generates an RSA key of `bits` bits, as PKCS #8 DER.
pub(super) fn rsa_generate(bits: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    rsa()?.generate(bits)
}
