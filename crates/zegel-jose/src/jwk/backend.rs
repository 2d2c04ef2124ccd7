//! The crypto backend calls behind key validation, generation and PEM import: aws-lc-rs when the
//! `aws-lc` feature is on, ring otherwise.
//!
//! Without `aws-lc`, ring cannot parse P-521 or secp256k1 points, import X25519 private keys or
//! generate RSA keys: those return [`Error::AlgorithmUnavailable`] naming the curve or key type.

use zeroize::Zeroizing;

use super::material::{Curve, RsaPrivate};
use crate::error::{Error, KeyError};

/// The uncompressed SEC1 encoding of an EC point: `0x04 || x || y`.
pub(super) fn uncompressed_point(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

/// Fills a new secret buffer of `len` bytes from the system random number generator.
pub(super) fn random(len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    use ring::rand::SecureRandom;
    let mut buf = Zeroizing::new(vec![0u8; len]);
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| Error::Random)?;
    Ok(buf)
}

/// Derives the Ed25519 public key from its 32-byte seed (RFC 8032 §5.1.5).
pub(super) fn ed25519_public(seed: &[u8]) -> Result<Vec<u8>, Error> {
    use ring::signature::KeyPair;
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
        .map_err(|_| KeyError::InvalidPrivateKey)?;
    Ok(pair.public_key().as_ref().to_vec())
}

/// Checks that the Ed25519 seed `d` belongs to public key `x`.
pub(super) fn ed25519_check(d: &[u8], x: &[u8]) -> Result<(), Error> {
    ring::signature::Ed25519KeyPair::from_seed_and_public_key(d, x)
        .map(drop)
        .map_err(|_| KeyError::InvalidPrivateKey.into())
}

/// Generates an Ed25519 key: `(seed, public)`.
pub(super) fn ed25519_generate() -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
    let seed = random(32)?;
    let public = ed25519_public(&seed)?;
    Ok((seed, public))
}

#[cfg(feature = "aws-lc")]
mod imp {
    use aws_lc_rs::encoding::{AsBigEndian, Curve25519SeedBin, EcPrivateKeyBin};
    use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair};
    use aws_lc_rs::{agreement, rsa};
    use zeroize::Zeroizing;

    use super::super::material::{Curve, RsaPrivate};
    use crate::error::{Error, KeyError};

    fn ecdsa(
        crv: Curve,
    ) -> Result<
        (
            &'static signature::EcdsaVerificationAlgorithm,
            &'static signature::EcdsaSigningAlgorithm,
        ),
        Error,
    > {
        Ok(match crv {
            Curve::P256 => (
                &signature::ECDSA_P256_SHA256_FIXED,
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            ),
            Curve::P384 => (
                &signature::ECDSA_P384_SHA384_FIXED,
                &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            ),
            Curve::P521 => (
                &signature::ECDSA_P521_SHA512_FIXED,
                &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            ),
            Curve::Secp256k1 => (
                &signature::ECDSA_P256K1_SHA256_FIXED,
                &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
            ),
            Curve::Ed25519 | Curve::X25519 => {
                return Err(KeyError::UnsupportedKeyType {
                    value: crv.name().into(),
                }
                .into());
            }
        })
    }

    pub(in super::super) fn ec_check_public(crv: Curve, point: &[u8]) -> Result<(), Error> {
        let (verify, _) = ecdsa(crv)?;
        signature::ParsedPublicKey::new(verify, point)
            .map(drop)
            .map_err(|_| KeyError::InvalidPoint.into())
    }

    pub(in super::super) fn ec_check_private(
        crv: Curve,
        d: &[u8],
        point: &[u8],
    ) -> Result<(), Error> {
        let (_, sign) = ecdsa(crv)?;
        EcdsaKeyPair::from_private_key_and_public_key(sign, d, point)
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    pub(in super::super) fn ec_public(crv: Curve, d: &[u8]) -> Result<Vec<u8>, Error> {
        let (_, sign) = ecdsa(crv)?;
        // A SEC1 ECPrivateKey without the public key: aws-lc derives it from the scalar.
        let curve = super::super::pem::curve_oid(crv)?;
        let sec1 = sec1::EcPrivateKey {
            private_key: d,
            parameters: Some(curve.into()),
            public_key: None,
        };
        let der = Zeroizing::new(
            sec1::der::Encode::to_der(&sec1).map_err(|_| KeyError::InvalidPrivateKey)?,
        );
        let pair = EcdsaKeyPair::from_private_key_der(sign, &der)
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(pair.public_key().as_ref().to_vec())
    }

    pub(in super::super) fn ec_generate(
        crv: Curve,
    ) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let (_, sign) = ecdsa(crv)?;
        let pair = EcdsaKeyPair::generate(sign).map_err(|_| KeyError::Backend)?;
        let d: EcPrivateKeyBin<'_> = pair
            .private_key()
            .as_be_bytes()
            .map_err(|_| KeyError::Backend)?;
        Ok((
            Zeroizing::new(d.as_ref().to_vec()),
            pair.public_key().as_ref().to_vec(),
        ))
    }

    pub(in super::super) fn x25519_public(d: &[u8]) -> Result<Vec<u8>, Error> {
        let key = agreement::PrivateKey::from_private_key(&agreement::X25519, d)
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        let public = key
            .compute_public_key()
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(public.as_ref().to_vec())
    }

    pub(in super::super) fn x25519_generate() -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let key =
            agreement::PrivateKey::generate(&agreement::X25519).map_err(|_| KeyError::Backend)?;
        let d: Curve25519SeedBin<'_> = key.as_be_bytes().map_err(|_| KeyError::Backend)?;
        let public = key.compute_public_key().map_err(|_| KeyError::Backend)?;
        Ok((
            Zeroizing::new(d.as_ref().to_vec()),
            public.as_ref().to_vec(),
        ))
    }

    /// The RSA modulus sizes the backend loads private keys of.
    pub(in super::super) const RSA_PRIVATE_BITS: core::ops::RangeInclusive<usize> = 2048..=8192;

    pub(in super::super) fn rsa_check_private(
        n: &[u8],
        e: &[u8],
        p: &RsaPrivate,
    ) -> Result<(), Error> {
        let components = rsa::KeyPairComponents {
            public_key: rsa::PublicKeyComponents { n, e },
            d: p.d.expose_secret(),
            p: p.p.expose_secret(),
            q: p.q.expose_secret(),
            dP: p.dp.expose_secret(),
            dQ: p.dq.expose_secret(),
            qInv: p.qi.expose_secret(),
        };
        rsa::KeyPair::from_components(&components)
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    /// Generates an RSA key of `bits` bits, as PKCS#8 DER.
    pub(in super::super) fn rsa_generate(bits: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
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

#[cfg(not(feature = "aws-lc"))]
mod imp {
    use ring::rand::SystemRandom;
    use ring::signature::{self, EcdsaKeyPair};
    use ring::{agreement, rsa};
    use zeroize::Zeroizing;

    use super::super::material::{Curve, RsaPrivate};
    use crate::error::{Error, KeyError};

    /// The error for a curve ring does not do (P-521, secp256k1), or that is no `EC` curve.
    fn unavailable(crv: Curve) -> Error {
        match crv {
            Curve::Ed25519 | Curve::X25519 => KeyError::UnsupportedKeyType {
                value: crv.name().into(),
            }
            .into(),
            _ => Error::AlgorithmUnavailable { alg: crv.name() },
        }
    }

    fn ecdsa(crv: Curve) -> Result<&'static signature::EcdsaSigningAlgorithm, Error> {
        match crv {
            Curve::P256 => Ok(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
            Curve::P384 => Ok(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
            _ => Err(unavailable(crv)),
        }
    }

    pub(in super::super) fn ec_check_public(crv: Curve, point: &[u8]) -> Result<(), Error> {
        // ring checks a point only when it uses it: one ECDH with a throwaway key does that.
        let alg = match crv {
            Curve::P256 => &agreement::ECDH_P256,
            Curve::P384 => &agreement::ECDH_P384,
            _ => return Err(unavailable(crv)),
        };
        let rng = SystemRandom::new();
        let mine =
            agreement::EphemeralPrivateKey::generate(alg, &rng).map_err(|_| Error::Random)?;
        let peer = agreement::UnparsedPublicKey::new(alg, point);
        agreement::agree_ephemeral(mine, &peer, |_| ()).map_err(|_| KeyError::InvalidPoint.into())
    }

    pub(in super::super) fn ec_check_private(
        crv: Curve,
        d: &[u8],
        point: &[u8],
    ) -> Result<(), Error> {
        let alg = ecdsa(crv)?;
        EcdsaKeyPair::from_private_key_and_public_key(alg, d, point, &SystemRandom::new())
            .map(drop)
            .map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    pub(in super::super) fn ec_public(crv: Curve, _d: &[u8]) -> Result<Vec<u8>, Error> {
        // ring cannot derive a public point from a bare scalar.
        Err(Error::AlgorithmUnavailable { alg: crv.name() })
    }

    pub(in super::super) fn ec_generate(
        crv: Curve,
    ) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let alg = ecdsa(crv)?;
        let doc = EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new())
            .map_err(|_| KeyError::Backend)?;
        let der = Zeroizing::new(doc.as_ref().to_vec());
        super::super::pem::ec_from_pkcs8_der(&der)
    }

    pub(in super::super) fn x25519_public(_d: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::AlgorithmUnavailable {
            alg: Curve::X25519.name(),
        })
    }

    pub(in super::super) fn x25519_generate() -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        Err(Error::AlgorithmUnavailable {
            alg: Curve::X25519.name(),
        })
    }

    /// The RSA modulus sizes the backend loads private keys of.
    pub(in super::super) const RSA_PRIVATE_BITS: core::ops::RangeInclusive<usize> = 2048..=4096;

    pub(in super::super) fn rsa_check_private(
        n: &[u8],
        e: &[u8],
        p: &RsaPrivate,
    ) -> Result<(), Error> {
        let components = rsa::KeyPairComponents {
            public_key: rsa::PublicKeyComponents { n, e },
            d: p.d.expose_secret(),
            p: p.p.expose_secret(),
            q: p.q.expose_secret(),
            dP: p.dp.expose_secret(),
            dQ: p.dq.expose_secret(),
            qInv: p.qi.expose_secret(),
        };
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

    pub(in super::super) fn rsa_generate(_bits: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
        Err(Error::AlgorithmUnavailable { alg: "RSA" })
    }
}

pub(super) use imp::{
    RSA_PRIVATE_BITS, ec_check_private, ec_check_public, ec_generate, ec_public, rsa_check_private,
    rsa_generate, x25519_generate, x25519_public,
};

/// Checks an X25519 private key against its public key.
pub(super) fn x25519_check(d: &[u8], x: &[u8]) -> Result<(), Error> {
    let derived = x25519_public(d)?;
    if derived == x {
        Ok(())
    } else {
        Err(KeyError::InvalidPrivateKey.into())
    }
}

/// Checks an RSA private key's members against each other and the public key. Keys outside the
/// sizes the backend can load are refused with [`KeyError::Backend`]: such a key could not be
/// used anyway.
pub(super) fn rsa_check(n: &[u8], e: &[u8], p: &RsaPrivate, bits: usize) -> Result<(), Error> {
    if !RSA_PRIVATE_BITS.contains(&bits) {
        return Err(KeyError::Backend.into());
    }
    rsa_check_private(n, e, p)
}

/// Checks that `crv` is an `EC` curve (for callers that were handed a [`Curve`]).
pub(super) fn ec_curve(crv: Curve) -> Result<Curve, Error> {
    match crv {
        Curve::P256 | Curve::P384 | Curve::P521 | Curve::Secp256k1 => Ok(crv),
        Curve::Ed25519 | Curve::X25519 => Err(KeyError::UnsupportedKeyType {
            value: crv.name().into(),
        }
        .into()),
    }
}
