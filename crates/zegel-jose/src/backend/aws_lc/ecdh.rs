//! ECDH through aws-lc-rs: ephemeral (P-521, and X25519 where it is 1.9x faster than ring) and
//! static-key agreement (every ECDH curve; ring has none).

use aws_lc_rs::agreement;
use zeroize::Zeroizing;

use crate::backend::{EphemeralEcdh, StaticEcdh};
use crate::error::{Error, KeyError};
use crate::jwk::Jwk;

/// ECDH on one curve.
pub(crate) struct Ecdh(&'static agreement::Algorithm);

pub(crate) static ECDH_P256: Ecdh = Ecdh(&agreement::ECDH_P256);
pub(crate) static ECDH_P384: Ecdh = Ecdh(&agreement::ECDH_P384);
pub(crate) static ECDH_P521: Ecdh = Ecdh(&agreement::ECDH_P521);
pub(crate) static ECDH_X25519: Ecdh = Ecdh(&agreement::X25519);

/// The prepared-key tag of a parsed ECDH private key.
const PRIVATE_TAG: &str = "jwe:ecdh-private";

impl EphemeralEcdh for Ecdh {
    fn agree_ephemeral(&self, peer: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
        let eph = agreement::PrivateKey::generate(self.0).map_err(|_| Error::Random)?;
        let public = eph
            .compute_public_key()
            .map_err(|_| Error::Random)?
            .as_ref()
            .to_vec();
        let z = agreement::agree(
            &eph,
            agreement::UnparsedPublicKey::new(self.0, peer),
            Error::Key(KeyError::InvalidPoint),
            |z| Ok(Zeroizing::new(z.to_vec())),
        )?;
        Ok((z, public))
    }
}

impl StaticEcdh for Ecdh {
    fn agree_static(&self, key: &Jwk, d: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        // Parsed by aws-lc once per key, then kept with the key.
        let private = key.prepared().get_or_try_init(PRIVATE_TAG, || {
            agreement::PrivateKey::from_private_key(self.0, d)
                .map_err(|_| Error::Key(KeyError::InvalidPrivateKey))
        })?;
        agreement::agree(
            &private,
            agreement::UnparsedPublicKey::new(self.0, peer),
            Error::InvalidParameter { name: "epk".into() },
            |z| Ok(Zeroizing::new(z.to_vec())),
        )
    }
}
