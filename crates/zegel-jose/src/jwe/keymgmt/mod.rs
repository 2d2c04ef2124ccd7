//! Key management backends (RFC 7518 §4): how the content encryption key (CEK) reaches each
//! recipient.

pub(crate) mod aeskw;
pub(crate) mod dir;
pub(crate) mod ecdh;
pub(crate) mod gcmkw;
pub(crate) mod pbes2;
pub(crate) mod rsa;

use serde_json::{Map, Value};

use super::alg::{ContentEncryption, KeyManagement};
use super::dangerous::FixedValues;
use crate::base64url;
use crate::error::{Error, Part};
use crate::jwk::Jwk;
use crate::secret::SecretBytes;

/// What a key management algorithm needs to encrypt a CEK for one recipient.
pub(crate) struct WrapCtx<'a> {
    pub(crate) key: &'a Jwk,
    pub(crate) alg: &'static KeyManagement,
    pub(crate) enc: &'static ContentEncryption,
    /// The CEK to wrap; `None` for the direct algorithms, which produce it.
    pub(crate) cek: Option<&'a SecretBytes>,
    /// ECDH-ES `apu` and `apv`.
    pub(crate) apu: Option<&'a [u8]>,
    pub(crate) apv: Option<&'a [u8]>,
    /// PBES2 iteration count.
    pub(crate) p2c: u32,
    pub(crate) fixed: Option<&'a FixedValues>,
}

/// The result of encrypting a CEK for one recipient.
pub(crate) struct Wrapped {
    /// The CEK a direct algorithm produced; `None` when it wrapped the CEK it was given.
    pub(crate) cek: Option<SecretBytes>,
    pub(crate) encrypted_key: Vec<u8>,
    /// Header parameters the algorithm adds (`epk`, `iv`, `tag`, `p2s`, `p2c`, ...).
    pub(crate) params: Map<String, Value>,
}

/// What a key management algorithm needs to recover the CEK.
pub(crate) struct UnwrapCtx<'a> {
    pub(crate) key: &'a Jwk,
    pub(crate) alg: &'static KeyManagement,
    pub(crate) enc: &'static ContentEncryption,
    /// The joint header of this recipient (protected, shared and per-recipient unprotected).
    pub(crate) header: &'a Map<String, Value>,
    pub(crate) encrypted_key: &'a [u8],
    pub(crate) max_p2c: u32,
}

/// One key management algorithm's implementation. Sealed: crate-private trait.
pub(crate) trait KeyManager: Sync + Send {
    /// Encrypts (or, for direct algorithms, produces) the CEK for one recipient.
    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error>;

    /// Recovers the CEK. A CEK of the wrong length is replaced by the caller with a random
    /// one, so the failure shows only as a failed tag check.
    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error>;

    /// Whether both [`wrap`](Self::wrap) and [`unwrap`](Self::unwrap) can work with the
    /// compiled-in backends.
    fn is_available(&self) -> bool {
        true
    }
}

/// `len` random bytes from the system generator.
pub(crate) fn random(len: usize) -> Result<SecretBytes, Error> {
    let mut out = vec![0; len];
    fill_random(&mut out)?;
    Ok(SecretBytes::new(out))
}

pub(crate) use crate::backend::fill_random;

/// The secret bytes of an `oct` key, or [`KeyError::WrongKeyType`](crate::error::KeyError).
pub(crate) fn oct_key<'k>(key: &'k Jwk, alg: &'static KeyManagement) -> Result<&'k [u8], Error> {
    match key.material() {
        crate::jwk::KeyMaterial::Oct { k } => Ok(k.expose_secret()),
        _ => Err(crate::error::KeyError::WrongKeyType { alg: alg.name() }.into()),
    }
}

/// A base64url header parameter, if present; a non-string or bad encoding is
/// [`Error::InvalidParameter`].
pub(crate) fn b64_param(header: &Map<String, Value>, name: &str) -> Result<Option<Vec<u8>>, Error> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => base64url::decode(s.as_bytes(), Part::Header)
            .map(Some)
            .map_err(|_| Error::InvalidParameter {
                name: name.to_owned(),
            }),
        Some(_) => Err(Error::InvalidParameter {
            name: name.to_owned(),
        }),
    }
}

/// A required base64url header parameter.
pub(crate) fn required_b64(
    header: &Map<String, Value>,
    name: &'static str,
) -> Result<Vec<u8>, Error> {
    b64_param(header, name)?.ok_or(Error::MissingParameter { name })
}
