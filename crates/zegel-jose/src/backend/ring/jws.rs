//! JWS algorithms implemented with `ring`: the items shared with aws-lc-rs come from
//! [`ring_api_jws!`](crate::backend::ring_api::ring_api_jws); public keys are kept as their
//! components, from which ring verifies each time.

use ::ring::rand::SystemRandom;
use ::ring::rsa::PublicKeyComponents;
use ::ring::signature::{self as sig, EcdsaKeyPair};

use crate::backend::{
    PreparedSigner, PreparedVerifier, SignImpl, VerifyImpl, uncompressed_point, wrong_type,
};
use crate::error::{Error, KeyError};
use crate::jwk::KeyMaterial;

crate::backend::ring_api::ring_api_jws!(ring);

struct RsaVerifier {
    n: Vec<u8>,
    e: Vec<u8>,
    params: &'static sig::RsaParameters,
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

impl PreparedVerifier for PointVerifier {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        sig::UnparsedPublicKey::new(self.alg, &self.point)
            .verify(msg, sig)
            .map_err(|_| Error::InvalidSignature)
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
