//! AES key wrap (RFC 3394; RFC 7518 §4.4), also the second step of ECDH-ES+AxxxKW and PBES2.
//!
//! aws-lc-rs wraps with 128- and 256-bit KEKs; 192-bit KEKs, and every size without the
//! `aws-lc` feature, go through the RustCrypto `aes-kw` crate (the preference lists below).

use zeroize::Zeroizing;

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, oct_key};
use crate::backend::{KeyWrap, prefer};
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

/// The `wrap` of `prefer!` here: every KEK size has a RustCrypto fallback.
macro_rules! kw {
    ($item:path) => {
        &$item
    };
}

/// AES key wrap with a 128-bit KEK: aws-lc-rs, else RustCrypto.
static KW_128: &dyn KeyWrap = prefer!(kw; aws_lc::KW_128, rustcrypto::KW_128);
/// AES key wrap with a 192-bit KEK: RustCrypto (aws-lc-rs has none).
static KW_192: &dyn KeyWrap = prefer!(kw; rustcrypto::KW_192);
/// AES key wrap with a 256-bit KEK: aws-lc-rs, else RustCrypto.
static KW_256: &dyn KeyWrap = prefer!(kw; aws_lc::KW_256, rustcrypto::KW_256);

/// The key wrap for a KEK of this length.
fn backend(kek: &[u8]) -> Result<&'static dyn KeyWrap, Error> {
    match kek.len() {
        16 => Ok(KW_128),
        24 => Ok(KW_192),
        32 => Ok(KW_256),
        _ => Err(Error::DecryptionFailed),
    }
}

/// Wraps `cek` (a multiple of 8 bytes, at least 16) with `kek` (16, 24 or 32 bytes).
pub(crate) fn wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
    if cek.len() < 16 || !cek.len().is_multiple_of(8) {
        return Err(Error::DecryptionFailed);
    }
    let mut out = vec![0; cek.len() + 8];
    backend(kek)?.wrap(kek, cek, &mut out)?;
    Ok(out)
}

/// Unwraps `wrapped` with `kek`. A failed integrity check is [`Error::DecryptionFailed`].
pub(crate) fn unwrap(kek: &[u8], wrapped: &[u8]) -> Result<SecretBytes, Error> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) || wrapped.len() > 1024 {
        return Err(Error::DecryptionFailed);
    }
    let mut out = Zeroizing::new(vec![0; wrapped.len() - 8]);
    backend(kek)?.unwrap(kek, wrapped, &mut out)?;
    Ok(SecretBytes::from_slice(&out))
}
