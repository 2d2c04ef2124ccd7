//! AES key wrap (RFC 3394; RFC 7518 §4.4), also the second step of ECDH-ES+AxxxKW and PBES2.
//!
//! aws-lc-rs wraps with 128- and 256-bit KEKs; 192-bit KEKs, and every size without the
//! `aws-lc` feature, go through the RustCrypto `aes-kw` crate.

use zeroize::Zeroizing;

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, oct_key};
use crate::error::{Error, KeyError};
use crate::secret::SecretBytes;

/// `A128KW`, `A192KW`, `A256KW`.
pub(crate) struct AesKw(usize);

pub(crate) static KW128: AesKw = AesKw(16);
pub(crate) static KW192: AesKw = AesKw(24);
pub(crate) static KW256: AesKw = AesKw(32);

fn kek(ctx_key: &[u8], len: usize) -> Result<&[u8], Error> {
    if ctx_key.len() != len {
        return Err(KeyError::WrongLength {
            expected: len,
            actual: ctx_key.len(),
        }
        .into());
    }
    Ok(ctx_key)
}

impl KeyManager for AesKw {
    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
        let kek = kek(oct_key(ctx.key, ctx.alg)?, self.0)?;
        let cek = ctx.cek.ok_or(Error::DecryptionFailed)?;
        Ok(Wrapped {
            cek: None,
            encrypted_key: wrap(kek, cek.expose_secret())?,
            params: serde_json::Map::new(),
        })
    }

    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
        unwrap(kek(oct_key(ctx.key, ctx.alg)?, self.0)?, ctx.encrypted_key)
    }
}

/// Wraps `cek` (a multiple of 8 bytes, at least 16) with `kek` (16, 24 or 32 bytes).
pub(crate) fn wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
    if cek.len() < 16 || !cek.len().is_multiple_of(8) {
        return Err(Error::DecryptionFailed);
    }
    let mut out = vec![0; cek.len() + 8];
    #[cfg(feature = "aws-lc")]
    if matches!(kek.len(), 16 | 32) {
        lc::wrap(kek, cek, &mut out)?;
        return Ok(out);
    }
    match kek.len() {
        16 => rc::<aes::Aes128>(kek)?
            .wrap(cek, &mut out)
            .map_err(|_| Error::DecryptionFailed)?,
        24 => rc::<aes::Aes192>(kek)?
            .wrap(cek, &mut out)
            .map_err(|_| Error::DecryptionFailed)?,
        32 => rc::<aes::Aes256>(kek)?
            .wrap(cek, &mut out)
            .map_err(|_| Error::DecryptionFailed)?,
        _ => return Err(Error::DecryptionFailed),
    }
    Ok(out)
}

/// Unwraps `wrapped` with `kek`. A failed integrity check is [`Error::DecryptionFailed`].
pub(crate) fn unwrap(kek: &[u8], wrapped: &[u8]) -> Result<SecretBytes, Error> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) || wrapped.len() > 1024 {
        return Err(Error::DecryptionFailed);
    }
    let mut out = Zeroizing::new(vec![0; wrapped.len() - 8]);
    #[cfg(feature = "aws-lc")]
    if matches!(kek.len(), 16 | 32) {
        lc::unwrap(kek, wrapped, &mut out)?;
        return Ok(SecretBytes::from_slice(&out));
    }
    match kek.len() {
        16 => rc::<aes::Aes128>(kek)?
            .unwrap(wrapped, &mut out)
            .map_err(|_| Error::DecryptionFailed)?,
        24 => rc::<aes::Aes192>(kek)?
            .unwrap(wrapped, &mut out)
            .map_err(|_| Error::DecryptionFailed)?,
        32 => rc::<aes::Aes256>(kek)?
            .unwrap(wrapped, &mut out)
            .map_err(|_| Error::DecryptionFailed)?,
        _ => return Err(Error::DecryptionFailed),
    }
    Ok(SecretBytes::from_slice(&out))
}

#[allow(clippy::type_complexity)]
fn rc<A>(kek: &[u8]) -> Result<aes_kw::Kek<A>, Error>
where
    A: aes::cipher::KeyInit
        + aes::cipher::BlockCipher
        + aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>
        + aes::cipher::BlockEncrypt
        + aes::cipher::BlockDecrypt,
{
    aes_kw::Kek::<A>::try_from(kek).map_err(|_| Error::DecryptionFailed)
}

#[cfg(feature = "aws-lc")]
mod lc {
    use aws_lc_rs::key_wrap::{AES_128, AES_256, AesBlockCipher, KeyEncryptionKey, KeyWrap};

    use crate::error::Error;

    fn cipher(kek: &[u8]) -> Result<&'static AesBlockCipher, Error> {
        match kek.len() {
            16 => Ok(&AES_128),
            32 => Ok(&AES_256),
            _ => Err(Error::DecryptionFailed),
        }
    }

    pub(super) fn wrap(kek: &[u8], cek: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let k = KeyEncryptionKey::new(cipher(kek)?, kek).map_err(|_| Error::DecryptionFailed)?;
        let n = k.wrap(cek, out).map_err(|_| Error::DecryptionFailed)?.len();
        if n == out.len() {
            Ok(())
        } else {
            Err(Error::DecryptionFailed)
        }
    }

    pub(super) fn unwrap(kek: &[u8], wrapped: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let k = KeyEncryptionKey::new(cipher(kek)?, kek).map_err(|_| Error::DecryptionFailed)?;
        let n = k
            .unwrap(wrapped, out)
            .map_err(|_| Error::DecryptionFailed)?
            .len();
        if n == out.len() {
            Ok(())
        } else {
            Err(Error::DecryptionFailed)
        }
    }
}
