//! JWS algorithms implemented with `ring`.

use ::ring::hmac;
use ::ring::rand::SystemRandom;
use ::ring::rsa::{KeyPairComponents, PublicKeyComponents};
use ::ring::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

use crate::backend::{
    PreparedSigner, PreparedVerifier, SignImpl, VerifyImpl, uncompressed_point, wrong_type,
};
use crate::error::{Error, KeyError};
use crate::jwk::KeyMaterial;

/// HMAC with one SHA-2 hash (RFC 7518 §3.2).
pub(crate) struct Hmac(hmac::Algorithm);

pub(crate) static HMAC_SHA256: Hmac = Hmac(hmac::HMAC_SHA256);
pub(crate) static HMAC_SHA384: Hmac = Hmac(hmac::HMAC_SHA384);
pub(crate) static HMAC_SHA512: Hmac = Hmac(hmac::HMAC_SHA512);

struct HmacKey(hmac::Key);

impl Hmac {
    fn key(&self, key: &KeyMaterial) -> Result<HmacKey, Error> {
        let KeyMaterial::Oct { k } = key else {
            return Err(wrong_type());
        };
        Ok(HmacKey(hmac::Key::new(self.0, k.expose_secret())))
    }
}

impl SignImpl for Hmac {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedSigner>, Error> {
        Ok(Box::new(self.key(key)?))
    }
}

impl VerifyImpl for Hmac {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedVerifier>, Error> {
        Ok(Box::new(self.key(key)?))
    }
}

impl PreparedSigner for HmacKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(hmac::sign(&self.0, msg).as_ref().to_vec())
    }
}

impl PreparedVerifier for HmacKey {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        hmac::verify(&self.0, msg, sig).map_err(|_| Error::InvalidSignature)
    }
}

/// RSASSA-PKCS1-v1_5 or RSASSA-PSS with one SHA-2 hash (RFC 7518 §3.3, §3.5).
pub(crate) struct Rsa {
    sign: &'static dyn sig::RsaEncoding,
    verify: &'static sig::RsaParameters,
}

pub(crate) static RSA_PKCS1_SHA256: Rsa = Rsa {
    sign: &sig::RSA_PKCS1_SHA256,
    verify: &sig::RSA_PKCS1_2048_8192_SHA256,
};
pub(crate) static RSA_PKCS1_SHA384: Rsa = Rsa {
    sign: &sig::RSA_PKCS1_SHA384,
    verify: &sig::RSA_PKCS1_2048_8192_SHA384,
};
pub(crate) static RSA_PKCS1_SHA512: Rsa = Rsa {
    sign: &sig::RSA_PKCS1_SHA512,
    verify: &sig::RSA_PKCS1_2048_8192_SHA512,
};
pub(crate) static RSA_PSS_SHA256: Rsa = Rsa {
    sign: &sig::RSA_PSS_SHA256,
    verify: &sig::RSA_PSS_2048_8192_SHA256,
};
pub(crate) static RSA_PSS_SHA384: Rsa = Rsa {
    sign: &sig::RSA_PSS_SHA384,
    verify: &sig::RSA_PSS_2048_8192_SHA384,
};
pub(crate) static RSA_PSS_SHA512: Rsa = Rsa {
    sign: &sig::RSA_PSS_SHA512,
    verify: &sig::RSA_PSS_2048_8192_SHA512,
};

struct RsaSigner {
    key: RsaKeyPair,
    padding: &'static dyn sig::RsaEncoding,
    rng: SystemRandom,
}

struct RsaVerifier {
    n: Vec<u8>,
    e: Vec<u8>,
    params: &'static sig::RsaParameters,
}

impl SignImpl for Rsa {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedSigner>, Error> {
        let KeyMaterial::Rsa { n, e, private } = key else {
            return Err(wrong_type());
        };
        let private = private.as_deref().ok_or(KeyError::NotPrivate)?;
        let components = KeyPairComponents {
            public_key: PublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            },
            d: private.d.expose_secret(),
            p: private.p.expose_secret(),
            q: private.q.expose_secret(),
            dP: private.dp.expose_secret(),
            dQ: private.dq.expose_secret(),
            qInv: private.qi.expose_secret(),
        };
        let key =
            RsaKeyPair::from_components(&components).map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(Box::new(RsaSigner {
            key,
            padding: self.sign,
            rng: SystemRandom::new(),
        }))
    }
}

impl VerifyImpl for Rsa {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedVerifier>, Error> {
        let KeyMaterial::Rsa { n, e, .. } = key else {
            return Err(wrong_type());
        };
        Ok(Box::new(RsaVerifier {
            n: n.clone(),
            e: e.clone(),
            params: self.verify,
        }))
    }
}

impl PreparedSigner for RsaSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(self.padding, &self.rng, msg, &mut out)
            .map_err(|_| Error::Random)?;
        Ok(out)
    }
}

impl PreparedVerifier for RsaVerifier {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        PublicKeyComponents {
            n: self.n.as_slice(),
            e: self.e.as_slice(),
        }
        .verify(self.params, msg, sig)
        .map_err(|_| Error::InvalidSignature)
    }
}

/// ECDSA with a fixed-length `R || S` signature (RFC 7518 §3.4).
pub(crate) struct Ecdsa {
    sign: &'static sig::EcdsaSigningAlgorithm,
    verify: &'static sig::EcdsaVerificationAlgorithm,
}

pub(crate) static ECDSA_P256_SHA256: Ecdsa = Ecdsa {
    sign: &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
    verify: &sig::ECDSA_P256_SHA256_FIXED,
};
pub(crate) static ECDSA_P384_SHA384: Ecdsa = Ecdsa {
    sign: &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
    verify: &sig::ECDSA_P384_SHA384_FIXED,
};

struct EcdsaSigner {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

struct PointVerifier {
    point: Vec<u8>,
    alg: &'static dyn sig::VerificationAlgorithm,
}

impl SignImpl for Ecdsa {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedSigner>, Error> {
        let KeyMaterial::Ec { x, y, d, .. } = key else {
            return Err(wrong_type());
        };
        let d = d.as_ref().ok_or(KeyError::NotPrivate)?;
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_private_key_and_public_key(
            self.sign,
            d.expose_secret(),
            &uncompressed_point(x, y),
            &rng,
        )
        .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(Box::new(EcdsaSigner { key, rng }))
    }
}

impl VerifyImpl for Ecdsa {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedVerifier>, Error> {
        let KeyMaterial::Ec { x, y, .. } = key else {
            return Err(wrong_type());
        };
        Ok(Box::new(PointVerifier {
            point: uncompressed_point(x, y),
            alg: self.verify,
        }))
    }
}

impl PreparedSigner for EcdsaSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let s = self.key.sign(&self.rng, msg).map_err(|_| Error::Random)?;
        Ok(s.as_ref().to_vec())
    }
}

impl PreparedVerifier for PointVerifier {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        sig::UnparsedPublicKey::new(self.alg, &self.point)
            .verify(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }
}

/// Ed25519 (RFC 8037 §3.1).
pub(crate) struct Ed25519;

pub(crate) static ED25519: Ed25519 = Ed25519;

struct Ed25519Signer(Ed25519KeyPair);

impl SignImpl for Ed25519 {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedSigner>, Error> {
        let KeyMaterial::Okp { x, d, .. } = key else {
            return Err(wrong_type());
        };
        let d = d.as_ref().ok_or(KeyError::NotPrivate)?;
        let key = Ed25519KeyPair::from_seed_and_public_key(d.expose_secret(), x)
            .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(Box::new(Ed25519Signer(key)))
    }
}

impl VerifyImpl for Ed25519 {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedVerifier>, Error> {
        let KeyMaterial::Okp { x, .. } = key else {
            return Err(wrong_type());
        };
        Ok(Box::new(PointVerifier {
            point: x.clone(),
            alg: &sig::ED25519,
        }))
    }
}

impl PreparedSigner for Ed25519Signer {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(self.0.sign(msg).as_ref().to_vec())
    }
}
