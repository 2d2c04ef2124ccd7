//! Key wrap with AES-GCM (RFC 7518 §4.7): the CEK is encrypted with AES-GCM under the shared
//! key, with a 96-bit `iv` and the 128-bit `tag` carried as header parameters.

use serde_json::{Map, Value};

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, fill_random, oct_key, required_b64};
use crate::backend::Aead;
use crate::base64url;
use crate::error::{Error, KeyError};
use crate::secret::SecretBytes;

/// `A128GCMKW`, `A192GCMKW`, `A256GCMKW`: the KEK length and the AES-GCM of that size that the
/// row picked (`None`: no backend compiled in has it).
pub(crate) struct GcmKw(usize, Option<&'static dyn Aead>);

impl GcmKw {
    pub(crate) const fn new(kek_len: usize, aead: Option<&'static dyn Aead>) -> Self {
        Self(kek_len, aead)
    }

    fn kek<'k>(&self, key: &'k [u8]) -> Result<&'k [u8], Error> {
        if key.len() != self.0 {
            return Err(KeyError::WrongLength {
                expected: self.0,
                actual: key.len(),
            }
            .into());
        }
        Ok(key)
    }

    /// The AES-GCM of this KEK size; [`Error::AlgorithmUnavailable`] names the `alg`.
    fn aead(&self, alg: &'static str) -> Result<&'static dyn Aead, Error> {
        self.1.ok_or(Error::AlgorithmUnavailable { alg })
    }
}

impl KeyManager for GcmKw {
    /// AES-192-GCM needs aws-lc-rs.
    fn is_available(&self) -> bool {
        self.1.is_some()
    }

    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
        let kek = self.kek(oct_key(ctx.key, ctx.alg)?)?;
        let cek = ctx.cek.ok_or(Error::DecryptionFailed)?;
        let iv = match ctx.fixed.and_then(|f| f.kw_iv.clone()) {
            Some(iv) => iv,
            None => {
                let mut iv = vec![0; 12];
                fill_random(&mut iv)?;
                iv
            }
        };
        let mut encrypted_key = cek.expose_secret().to_vec();
        let tag = self
            .aead(ctx.alg.name())?
            .seal(kek, &iv, &[], &mut encrypted_key)?;
        let mut params = Map::new();
        params.insert("iv".into(), Value::String(base64url::encode(&iv)));
        params.insert("tag".into(), Value::String(base64url::encode(&tag)));
        Ok(Wrapped {
            cek: None,
            encrypted_key,
            params,
        })
    }

    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
        let kek = self.kek(oct_key(ctx.key, ctx.alg)?)?;
        let iv = required_b64(ctx.header, "iv")?;
        if iv.len() != 12 {
            return Err(Error::InvalidParameter { name: "iv".into() });
        }
        let tag = required_b64(ctx.header, "tag")?;
        if tag.len() != 16 {
            return Err(Error::InvalidParameter { name: "tag".into() });
        }
        // Decrypted in place inside a buffer that is zeroized on drop, success or not.
        let mut plain = zeroize::Zeroizing::new(ctx.encrypted_key.to_vec());
        self.aead(ctx.alg.name())?
            .open(kek, &iv, &[], &mut plain, &tag)?;
        Ok(SecretBytes::from_slice(&plain))
    }
}
