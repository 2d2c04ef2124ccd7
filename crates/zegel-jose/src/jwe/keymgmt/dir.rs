//! `dir` (RFC 7518 §4.5): the shared symmetric key is the CEK.

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, oct_key};
use crate::error::{CountRule, Error, KeyError};
use crate::secret::SecretBytes;

/// `dir`.
pub(crate) struct Dir;

pub(crate) static DIR: Dir = Dir;

fn cek(key: &[u8], expected: usize) -> Result<SecretBytes, Error> {
    if key.len() != expected {
        return Err(KeyError::WrongLength {
            expected,
            actual: key.len(),
        }
        .into());
    }
    Ok(SecretBytes::from_slice(key))
}

impl KeyManager for Dir {
    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
        if ctx.cek.is_some() {
            return Err(Error::RecipientCount {
                rule: CountRule::DirectWithOthers,
            });
        }
        let cek = cek(oct_key(ctx.key, ctx.alg)?, ctx.enc.key_len())?;
        Ok(Wrapped {
            cek: Some(cek),
            encrypted_key: Vec::new(),
            params: serde_json::Map::new(),
        })
    }

    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
        if !ctx.encrypted_key.is_empty() {
            return Err(Error::InvalidParameter {
                name: "encrypted_key".into(),
            });
        }
        cek(oct_key(ctx.key, ctx.alg)?, ctx.enc.key_len())
    }
}
