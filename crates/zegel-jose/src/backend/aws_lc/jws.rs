//! JWS algorithms implemented with `aws-lc-rs` (feature `aws-lc`).
//!
//! Public keys are parsed once into `ParsedPublicKey`; private keys into the backend's key
//! pairs, whose memory aws-lc cleanses when they are freed.

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{
    self as sig, EcdsaKeyPair, Ed25519KeyPair, ParsedPublicKey, RsaKeyPair,
};

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

struct Parsed(ParsedPublicKey);

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
        let parsed = PublicKeyComponents {
            n: n.as_slice(),
            e: e.as_slice(),
        }
        .to_parsed_public_key(self.verify)
        .map_err(|_| KeyError::Backend)?;
        Ok(Box::new(Parsed(parsed)))
    }
}

impl PreparedSigner for RsaSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(self.padding, &self.rng, msg, &mut out)
            .map_err(|_| Error::Random)?;
        Ok(out)
    }
}

impl PreparedVerifier for Parsed {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.0
            .verify_sig(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }
}

/// ECDSA with a fixed-length `R || S` signature (RFC 7518 §3.4, RFC 8812 §3.2).
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
pub(crate) static ECDSA_P521_SHA512: Ecdsa = Ecdsa {
    sign: &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
    verify: &sig::ECDSA_P521_SHA512_FIXED,
};
pub(crate) static ECDSA_SECP256K1_SHA256: Ecdsa = Ecdsa {
    sign: &sig::ECDSA_P256K1_SHA256_FIXED_SIGNING,
    verify: &sig::ECDSA_P256K1_SHA256_FIXED,
};

struct EcdsaSigner {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl SignImpl for Ecdsa {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedSigner>, Error> {
        let KeyMaterial::Ec { x, y, d, .. } = key else {
            return Err(wrong_type());
        };
        let d = d.as_ref().ok_or(KeyError::NotPrivate)?;
        let key = EcdsaKeyPair::from_private_key_and_public_key(
            self.sign,
            d.expose_secret(),
            &uncompressed_point(x, y),
        )
        .map_err(|_| KeyError::InvalidPrivateKey)?;
        Ok(Box::new(EcdsaSigner {
            key,
            rng: SystemRandom::new(),
        }))
    }
}

impl VerifyImpl for Ecdsa {
    fn prepare(&self, key: &KeyMaterial) -> Result<Box<dyn PreparedVerifier>, Error> {
        let KeyMaterial::Ec { x, y, .. } = key else {
            return Err(wrong_type());
        };
        let parsed = ParsedPublicKey::new(self.verify, uncompressed_point(x, y))
            .map_err(|_| KeyError::InvalidPoint)?;
        Ok(Box::new(Parsed(parsed)))
    }
}

impl PreparedSigner for EcdsaSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let s = self.key.sign(&self.rng, msg).map_err(|_| Error::Random)?;
        Ok(s.as_ref().to_vec())
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
        let parsed = ParsedPublicKey::new(&sig::ED25519, x.as_slice())
            .map_err(|_| KeyError::InvalidPoint)?;
        Ok(Box::new(Parsed(parsed)))
    }
}

impl PreparedSigner for Ed25519Signer {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let s = self.0.try_sign(msg).map_err(|_| KeyError::Backend)?;
        Ok(s.as_ref().to_vec())
    }
}
