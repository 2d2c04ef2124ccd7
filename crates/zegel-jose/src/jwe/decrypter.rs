//! [`Decrypter`]: the private-key step of JWE decryption, for keys that never leave their store.
//!
//! A decrypter does only what needs the private key: RSA-OAEP decryption of the encrypted key,
//! or the ECDH agreement with the sender's ephemeral key (`epk`). Everything else (header rules,
//! allowlists, the Concat KDF, AES key unwrap, content decryption, limits) stays in
//! [`Decryptor::decrypt_with_decrypter`](super::Decryptor::decrypt_with_decrypter). A [`Jwk`]
//! with a private part is the in-memory implementation; an HSM or a cloud KMS implements the
//! same trait and keeps its key.

use serde_json::{Map, Value};

use super::alg::{
    ALL, ContentEncryption, ECDH_ES_A128KW, ECDH_ES_A192KW, ECDH_ES_A256KW, KeyManagement, KeyReq,
};
use super::keymgmt::{UnwrapCtx, aeskw, b64_param, ecdh, random};
use crate::error::{Error, KeyError};
use crate::jwk::{Curve, Jwk, KeyOp, KeyPolicy};
use crate::secret::SecretBytes;

/// A private key that decrypts JWE content keys without handing itself out: RSA-OAEP key
/// unwrapping and ECDH-ES key agreement (`ECDH-ES`, `ECDH-ES+A*KW`).
///
/// Object safe: [`Decryptor::decrypt_with_decrypter`](super::Decryptor::decrypt_with_decrypter)
/// takes a `&dyn Decrypter`. Methods for operations the key does not do keep their default,
/// [`Error::AlgorithmUnavailable`].
pub trait Decrypter: Send + Sync {
    /// The key management algorithms this key decrypts for.
    fn algs(&self) -> Vec<&'static KeyManagement>;

    /// The key's `kid`, if any.
    fn kid(&self) -> Option<&str>;

    /// RSA: decrypts `encrypted_key` with `alg` (an `RSA-OAEP*` algorithm), returning the
    /// content encryption key for `enc`.
    ///
    /// # Security
    /// On any failure (bad padding included) the caller continues with a random key of
    /// `enc`'s length, so that the failure shows only at the tag check; an implementation
    /// should take the same time whatever the outcome.
    ///
    /// # Errors
    /// Whatever the store reports; each becomes [`Error::DecryptionFailed`] at the end.
    fn unwrap_key(
        &self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
        encrypted_key: &[u8],
    ) -> Result<SecretBytes, Error> {
        let _ = (enc, encrypted_key);
        Err(Error::AlgorithmUnavailable { alg: alg.name() })
    }

    /// ECDH: the shared secret `Z` of this key and the sender's ephemeral public key `epk`
    /// (already checked to be a public key on one of the ECDH curves).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`epk`) for a point the key refuses; whatever the store
    /// reports.
    fn agree(&self, alg: &'static KeyManagement, epk: &Jwk) -> Result<SecretBytes, Error> {
        let _ = epk;
        Err(Error::AlgorithmUnavailable { alg: alg.name() })
    }
}

impl Decrypter for Jwk {
    /// The RSA-OAEP or ECDH-ES algorithms that fit the key (its own `alg` only, if it has
    /// one); none for a public key, or one whose `use`/`key_ops` forbid decryption.
    fn algs(&self) -> Vec<&'static KeyManagement> {
        let p = self.params();
        let permitted = [KeyOp::Decrypt, KeyOp::UnwrapKey, KeyOp::DeriveKey]
            .into_iter()
            .any(|op| p.permits(op));
        if !self.is_private() || !permitted {
            return Vec::new();
        }
        ALL.iter()
            .copied()
            .filter(|a| matches!(a.key_req(), KeyReq::Rsa | KeyReq::Ecdh))
            .filter(|a| !a.is_legacy() && a.fits(self))
            .filter(|a| self.alg().is_none_or(|own| own == a.name()))
            .collect()
    }

    fn kid(&self) -> Option<&str> {
        Self::kid(self)
    }

    fn unwrap_key(
        &self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
        encrypted_key: &[u8],
    ) -> Result<SecretBytes, Error> {
        if alg.key_req() != KeyReq::Rsa || !alg.fits(self) {
            return Err(KeyError::WrongKeyType { alg: alg.name() }.into());
        }
        let header = Map::new();
        alg.imp.unwrap(&UnwrapCtx {
            key: self,
            alg,
            enc,
            header: &header,
            encrypted_key,
            max_p2c: 0,
        })
    }

    fn agree(&self, alg: &'static KeyManagement, epk: &Jwk) -> Result<SecretBytes, Error> {
        let (crv, _) = ecdh::public_point(self, alg.name())?;
        let (peer_crv, peer) = ecdh::public_point(epk, alg.name())?;
        if crv != peer_crv {
            return Err(Error::InvalidParameter { name: "epk".into() });
        }
        let z = ecdh::static_agree(self, crv, &peer, alg.name())?;
        Ok(SecretBytes::from_slice(&z))
    }
}

/// The AES key wrap length of each `ECDH-ES+A*KW` algorithm; `ECDH-ES` itself derives the CEK.
const ECDH_KW: [(&KeyManagement, usize); 3] = [
    (&ECDH_ES_A128KW, 16),
    (&ECDH_ES_A192KW, 24),
    (&ECDH_ES_A256KW, 32),
];

/// Recovers the content encryption key of one recipient through `decrypter`: its private-key
/// step, then (ECDH) the Concat KDF and the AES key unwrap.
pub(crate) fn recover_cek(
    decrypter: &dyn Decrypter,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    header: &Map<String, Value>,
    encrypted_key: &[u8],
) -> Result<SecretBytes, Error> {
    match alg.key_req() {
        // Any failure continues with a random key, to fail at the tag like a bad tag.
        KeyReq::Rsa => match decrypter.unwrap_key(alg, enc, encrypted_key) {
            Ok(cek) => Ok(cek),
            Err(_) => random(enc.key_len()),
        },
        KeyReq::Ecdh => {
            let epk = read_epk(header)?;
            let z = decrypter.agree(alg, &epk)?;
            if epk.curve() == Some(Curve::X25519) && z.expose_secret().iter().all(|b| *b == 0) {
                return Err(Error::InvalidParameter { name: "epk".into() });
            }
            let apu = b64_param(header, "apu")?.unwrap_or_default();
            let apv = b64_param(header, "apv")?.unwrap_or_default();
            let kw = ECDH_KW.iter().find(|(a, _)| *a == alg).map(|(_, len)| *len);
            let (len, alg_id) = match kw {
                None => (enc.key_len(), enc.name()),
                Some(len) => (len, alg.name()),
            };
            let derived = ecdh::concat_kdf(z.expose_secret(), alg_id, &apu, &apv, len)?;
            match kw {
                None if encrypted_key.is_empty() => Ok(SecretBytes::from_slice(&derived)),
                None => Err(Error::InvalidParameter {
                    name: "encrypted_key".into(),
                }),
                Some(_) => aeskw::unwrap(&derived, encrypted_key),
            }
        }
        _ => Err(KeyError::WrongKeyType { alg: alg.name() }.into()),
    }
}

/// The `epk` header parameter: a valid public key on one of the ECDH curves.
fn read_epk(header: &Map<String, Value>) -> Result<Jwk, Error> {
    let invalid = || Error::InvalidParameter { name: "epk".into() };
    let Some(Value::Object(obj)) = header.get("epk") else {
        return Err(match header.get("epk") {
            None => Error::MissingParameter { name: "epk" },
            Some(_) => invalid(),
        });
    };
    let epk = Jwk::from_object(obj.clone(), &KeyPolicy::default()).map_err(|_| invalid())?;
    if epk.is_private() || !epk.curve().is_some_and(|c| c.row().ecdh) {
        return Err(invalid());
    }
    Ok(epk)
}
