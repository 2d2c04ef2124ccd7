//! RSA key management (RFC 7518 §4.2, §4.3): RSAES-OAEP, and RSAES-PKCS1-v1_5 for decrypting
//! legacy tokens, on the RSA encryption the algorithm's row picks (only aws-lc-rs has one: ring
//! has none).
//!
//! Decryption never fails here: when the encrypted key does not decrypt (bad padding, wrong
//! key, wrong length), the result is a random CEK of the right length, drawn before the RSA
//! operation, so the failure shows only later as a failed tag check and takes the same path
//! (RFC 7516 §11.5, RFC 3218). The private key is parsed once per key, for every RSA algorithm.

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, random};
use crate::backend::RsaEncryption;
use crate::error::Error;
use crate::secret::SecretBytes;

/// One RSA key management algorithm.
pub(crate) struct Rsa {
    name: &'static str,
    imp: Option<&'static dyn RsaEncryption>,
    /// Decryption only (`RSA1_5`).
    legacy: bool,
}

impl Rsa {
    /// `name` on the RSA encryption its row picked (`None`: no backend compiled in has it);
    /// `legacy` for decryption only.
    pub(crate) const fn new(
        name: &'static str,
        imp: Option<&'static dyn RsaEncryption>,
        legacy: bool,
    ) -> Self {
        Self { name, imp, legacy }
    }

    fn imp(&self) -> Result<&'static dyn RsaEncryption, Error> {
        self.imp
            .ok_or(Error::AlgorithmUnavailable { alg: self.name })
    }
}

impl KeyManager for Rsa {
    fn is_available(&self) -> bool {
        self.imp.is_some()
    }

    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
        let imp = self.imp()?;
        if self.legacy {
            return Err(Error::AlgNotAllowed {
                alg: self.name.into(),
            });
        }
        let cek = ctx.cek.ok_or(Error::DecryptionFailed)?;
        Ok(Wrapped {
            cek: None,
            encrypted_key: imp.encrypt(ctx.key, ctx.alg.name(), cek.expose_secret())?,
            params: serde_json::Map::new(),
        })
    }

    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
        let imp = self.imp()?;
        // Drawn first, so both outcomes do the same work.
        let fallback = random(ctx.enc.key_len())?;
        let decrypted = imp.decrypt(ctx.key, ctx.alg.name(), ctx.encrypted_key)?;
        Ok(select(decrypted.as_deref().map(Vec::as_slice), fallback))
    }
}

/// The decrypted key when it has the CEK's length, else the random fallback.
fn select(decrypted: Option<&[u8]>, fallback: SecretBytes) -> SecretBytes {
    match decrypted {
        Some(cek) if cek.len() == fallback.len() => SecretBytes::from_slice(cek),
        _ => fallback,
    }
}
