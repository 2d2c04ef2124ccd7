//! Key checks, derivation and generation through ring: P-256, P-384, Ed25519 and RSA checks.
//! ring cannot derive an `EC` public point from a bare scalar, import X25519 private keys or
//! generate RSA keys: those return [`Error::AlgorithmUnavailable`].

use ::ring::rand::SystemRandom;
use ::ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use ::ring::{agreement, rsa};
use zeroize::Zeroizing;

use crate::backend::{CurveOps, RsaKeys};
use crate::error::{Error, KeyError};
use crate::jwk::{Curve, RsaPrivate};

/// An `EC` curve ring has.
#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        reason = "aws-lc-rs is preferred: it keeps the parsed point"
    )
)]
pub(crate) struct Ec {
    crv: Curve,
    ecdh: &'static agreement::Algorithm,
    sign: &'static signature::EcdsaSigningAlgorithm,
}

#[cfg_attr(
    feature = "aws-lc",
    allow(dead_code, reason = "aws-lc-rs is preferred")
)]
pub(crate) static KEYS_P256: Ec = Ec {
    crv: Curve::P256,
    ecdh: &agreement::ECDH_P256,
    sign: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
};
#[cfg_attr(
    feature = "aws-lc",
    allow(dead_code, reason = "aws-lc-rs is preferred")
)]
pub(crate) static KEYS_P384: Ec = Ec {
    crv: Curve::P384,
    ecdh: &agreement::ECDH_P384,
    sign: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
};

impl CurveOps for Ec {
    fn check_public(&self, point: &[u8]) -> Result<(), Error> {
        // ring checks a point only when it uses it: one ECDH with a throwaway key does that.
        let rng = SystemRandom::new();
        let mine =
            agreement::EphemeralPrivateKey::generate(self.ecdh, &rng).map_err(|_| Error::Random)?;
        let peer = agreement::UnparsedPublicKey::new(self.ecdh, point);
        agreement::agree_ephemeral(mine, &peer, |_| ()).map_err(|_| KeyError::InvalidPoint.into())
    }

    fn check_private(&self, d: &[u8], point: &[u8]) -> Result<(), Error> {
        EcdsaKeyPair::from_private_key_and_public_key(self.sign, d, point, &SystemRandom::new())
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    fn public(&self, _: &[u8]) -> Result<Vec<u8>, Error> {
        // ring cannot derive a public point from a bare scalar.
        Err(Error::AlgorithmUnavailable {
            alg: self.crv.name(),
        })
    }

    fn generate(&self) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let doc = EcdsaKeyPair::generate_pkcs8(self.sign, &SystemRandom::new())
            .map_err(|_| KeyError::Backend)?;
        let der = Zeroizing::new(doc.as_ref().to_vec());
        crate::jwk::pem::ec_from_pkcs8_der(&der)
    }
}

/// Ed25519 (RFC 8032): ring for every build (as fast as aws-lc-rs for these one-off checks).
pub(crate) struct Ed25519;

pub(crate) static KEYS_ED25519: Ed25519 = Ed25519;

impl CurveOps for Ed25519 {
    /// Decoded when used; the curve table refuses the small-order encodings before this.
    fn check_public(&self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }

    fn check_private(&self, d: &[u8], point: &[u8]) -> Result<(), Error> {
        Ed25519KeyPair::from_seed_and_public_key(d, point)
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    fn public(&self, d: &[u8]) -> Result<Vec<u8>, Error> {
        let pair =
            Ed25519KeyPair::from_seed_unchecked(d).map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(pair.public_key().as_ref().to_vec())
    }

    fn generate(&self) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let mut seed = Zeroizing::new(vec![0; 32]);
        crate::backend::fill_random(&mut seed)?;
        let public = self.public(&seed)?;
        Ok((seed, public))
    }
}

/// X25519: ring checks public keys (any 32 bytes) but cannot import private keys.
pub(crate) struct X25519;

#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        reason = "aws-lc-rs is preferred: it also imports private keys"
    )
)]
pub(crate) static KEYS_X25519: X25519 = X25519;

impl CurveOps for X25519 {
    fn check_public(&self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }

    fn check_private(&self, _: &[u8], _: &[u8]) -> Result<(), Error> {
        Err(unavailable())
    }

    fn public(&self, _: &[u8]) -> Result<Vec<u8>, Error> {
        Err(unavailable())
    }

    fn generate(&self) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        Err(unavailable())
    }
}

fn unavailable() -> Error {
    Error::AlgorithmUnavailable {
        alg: Curve::X25519.name(),
    }
}

/// RSA private keys: checked, never generated.
pub(crate) struct Rsa;

#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        reason = "aws-lc-rs is preferred: it loads keys up to 8192 bits"
    )
)]
pub(crate) static KEYS_RSA: Rsa = Rsa;

impl RsaKeys for Rsa {
    fn private_bits(&self) -> core::ops::RangeInclusive<usize> {
        2048..=4096
    }

    fn check_private(&self, n: &[u8], e: &[u8], p: &RsaPrivate) -> Result<(), Error> {
        let components = super::jws::rsa_components(n, e, p);
        let pair =
            rsa::KeyPair::from_components(&components).map_err(|_| KeyError::InvalidPrivateKey)?;
        // ring checks the CRT members only when it signs (it verifies each signature it makes):
        // one signature now refuses an inconsistent key at import. ring never uses `d`, so a
        // wrong `d` next to correct CRT members goes unnoticed, and is harmless, here.
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            b"zegel",
            &mut sig,
        )
        .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    fn generate(&self, _: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
        Err(Error::AlgorithmUnavailable { alg: "RSA" })
    }
}
