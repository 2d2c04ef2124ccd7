//! Ephemeral ECDH through ring (P-256, P-384, X25519). ring has no static-key agreement.

use ::ring::agreement;
use ::ring::rand::SystemRandom;
use zeroize::Zeroizing;

use crate::backend::EphemeralEcdh;
use crate::error::{Error, KeyError};

/// Ephemeral ECDH on one curve.
pub(crate) struct Ecdh(&'static agreement::Algorithm);

pub(crate) static ECDH_P256: Ecdh = Ecdh(&agreement::ECDH_P256);
pub(crate) static ECDH_P384: Ecdh = Ecdh(&agreement::ECDH_P384);
#[cfg_attr(
    feature = "aws-lc",
    allow(dead_code, reason = "aws-lc-rs is preferred for X25519 (1.9x faster)")
)]
pub(crate) static ECDH_X25519: Ecdh = Ecdh(&agreement::X25519);

impl EphemeralEcdh for Ecdh {
    fn agree_ephemeral(&self, peer: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let rng = SystemRandom::new();
        let eph =
            agreement::EphemeralPrivateKey::generate(self.0, &rng).map_err(|_| Error::Random)?;
        let public = eph
            .compute_public_key()
            .map_err(|_| Error::Random)?
            .as_ref()
            .to_vec();
        let z = agreement::agree_ephemeral(
            eph,
            &agreement::UnparsedPublicKey::new(self.0, peer),
            |z| Zeroizing::new(z.to_vec()),
        )
        .map_err(|_| Error::Key(KeyError::InvalidPoint))?;
        Ok((z, public))
    }
}
