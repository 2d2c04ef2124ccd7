//! Key checks, derivation and generation through aws-lc-rs: every `EC` curve, X25519 and RSA.

use aws_lc_rs::encoding::{AsBigEndian, AsDer, Curve25519SeedBin, EcPrivateKeyBin, Pkcs8V1Der};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair};
use aws_lc_rs::{agreement, rsa};
use zeroize::Zeroizing;

use crate::backend::{CurveOps, RsaKeys};
use crate::error::{Error, KeyError};
use crate::jwk::{Curve, RsaPrivate};

/// An `EC` curve, through its ECDSA algorithms.
pub(crate) struct Ec {
    crv: Curve,
    verify: &'static signature::EcdsaVerificationAlgorithm,
    sign: &'static signature::EcdsaSigningAlgorithm,
}

pub(crate) static KEYS_P256: Ec = Ec {
    crv: Curve::P256,
    verify: &signature::ECDSA_P256_SHA256_FIXED,
    sign: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
};
pub(crate) static KEYS_P384: Ec = Ec {
    crv: Curve::P384,
    verify: &signature::ECDSA_P384_SHA384_FIXED,
    sign: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
};
pub(crate) static KEYS_P521: Ec = Ec {
    crv: Curve::P521,
    verify: &signature::ECDSA_P521_SHA512_FIXED,
    sign: &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
};
pub(crate) static KEYS_SECP256K1: Ec = Ec {
    crv: Curve::Secp256k1,
    verify: &signature::ECDSA_P256K1_SHA256_FIXED,
    sign: &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
};

impl CurveOps for Ec {
    fn check_public(&self, point: &[u8]) -> Result<(), Error> {
        signature::ParsedPublicKey::new(self.verify, point)
            .map(drop)
            .map_err(|_| KeyError::InvalidPoint.into())
    }

    fn check_private(&self, d: &[u8], point: &[u8]) -> Result<(), Error> {
        EcdsaKeyPair::from_private_key_and_public_key(self.sign, d, point)
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    fn public(&self, d: &[u8]) -> Result<Vec<u8>, Error> {
        // A SEC1 ECPrivateKey without the public key: aws-lc derives it from the scalar.
        let sec1 = sec1::EcPrivateKey {
            private_key: d,
            parameters: Some(self.crv.row().oid.into()),
            public_key: None,
        };
        let der = Zeroizing::new(
            sec1::der::Encode::to_der(&sec1).map_err(|_| KeyError::InvalidPrivateKey)?,
        );
        let pair = EcdsaKeyPair::from_private_key_der(self.sign, &der)
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(pair.public_key().as_ref().to_vec())
    }

    fn generate(&self) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let pair = EcdsaKeyPair::generate(self.sign).map_err(|_| KeyError::Backend)?;
        let d: EcPrivateKeyBin<'_> = pair
            .private_key()
            .as_be_bytes()
            .map_err(|_| KeyError::Backend)?;
        Ok((
            Zeroizing::new(d.as_ref().to_vec()),
            pair.public_key().as_ref().to_vec(),
        ))
    }
}

/// X25519 (RFC 7748).
pub(crate) struct X25519;

pub(crate) static KEYS_X25519: X25519 = X25519;

impl CurveOps for X25519 {
    /// Every 32-byte string is an X25519 public key; the curve table refuses the small-order
    /// ones before this.
    fn check_public(&self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }

    fn check_private(&self, d: &[u8], point: &[u8]) -> Result<(), Error> {
        if self.public(d)? == point {
            Ok(())
        } else {
            Err(KeyError::InvalidPrivateKey.into())
        }
    }

    fn public(&self, d: &[u8]) -> Result<Vec<u8>, Error> {
        let key = agreement::PrivateKey::from_private_key(&agreement::X25519, d)
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        let public = key
            .compute_public_key()
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(public.as_ref().to_vec())
    }

    fn generate(&self) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let key =
            agreement::PrivateKey::generate(&agreement::X25519).map_err(|_| KeyError::Backend)?;
        let d: Curve25519SeedBin<'_> = key.as_be_bytes().map_err(|_| KeyError::Backend)?;
        let public = key.compute_public_key().map_err(|_| KeyError::Backend)?;
        Ok((
            Zeroizing::new(d.as_ref().to_vec()),
            public.as_ref().to_vec(),
        ))
    }
}

/// RSA private keys.
pub(crate) struct Rsa;

pub(crate) static KEYS_RSA: Rsa = Rsa;

impl RsaKeys for Rsa {
    fn private_bits(&self) -> core::ops::RangeInclusive<usize> {
        2048..=8192
    }

    fn check_private(&self, n: &[u8], e: &[u8], p: &RsaPrivate) -> Result<(), Error> {
        let components = super::jws::rsa_components(n, e, p);
        rsa::KeyPair::from_components(&components)
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    fn generate(&self, bits: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
        let size = match bits {
            2048 => rsa::KeySize::Rsa2048,
            3072 => rsa::KeySize::Rsa3072,
            4096 => rsa::KeySize::Rsa4096,
            8192 => rsa::KeySize::Rsa8192,
            _ => return Err(KeyError::InvalidMember { name: "n" }.into()),
        };
        let pair = rsa::KeyPair::generate(size).map_err(|_| KeyError::Backend)?;
        let der: Pkcs8V1Der<'_> = pair.as_der().map_err(|_| KeyError::Backend)?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }
}
