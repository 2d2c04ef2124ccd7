//! JWS algorithms implemented with `aws-lc-rs` (feature `aws-lc`): the items shared with ring
//! come from [`ring_api_jws!`](crate::backend::ring_api::ring_api_jws); P-521 and secp256k1
//! are aws-lc-rs's alone.
//!
//! Public keys are parsed once into `ParsedPublicKey`; private keys into the backend's key
//! pairs, whose memory aws-lc cleanses when they are freed.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, ParsedPublicKey};

use crate::backend::{
    PreparedSigner, PreparedVerifier, SignImpl, VerifyImpl, uncompressed_point, wrong_type,
};
use crate::error::{Error, KeyError};
use crate::jwk::KeyMaterial;

crate::backend::ring_api::ring_api_jws!(aws_lc_rs);

pub(crate) static ECDSA_P521_SHA512: Ecdsa = Ecdsa {
    sign: &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
    verify: &sig::ECDSA_P521_SHA512_FIXED,
};
pub(crate) static ECDSA_SECP256K1_SHA256: Ecdsa = Ecdsa {
    sign: &sig::ECDSA_P256K1_SHA256_FIXED_SIGNING,
    verify: &sig::ECDSA_P256K1_SHA256_FIXED,
};

/// A public key parsed once, for every verification with it.
struct Parsed(ParsedPublicKey);

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

impl PreparedVerifier for Parsed {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.0
            .verify_sig(msg, sig)
            .map_err(|_| Error::InvalidSignature)
    }
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
