//! PBES2 (RFC 7518 §4.8): PBKDF2 turns a password (the bytes of an `oct` key) into an AES key
//! wrap key. The salt is the algorithm name, a zero byte and the `p2s` header parameter; the
//! iteration count is `p2c`.
//!
//! A token chooses its own `p2c`, so decryption refuses a count above the configured ceiling
//! before any PBKDF2 work, and a salt input under 8 bytes.

use core::num::NonZeroU32;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, aeskw, fill_random, oct_key, required_b64};
use crate::base64url;
use crate::error::Error;
use crate::hash::HashAlg;
use crate::secret::SecretBytes;

/// The smallest `p2s` accepted, in bytes (RFC 7518 §4.8.1.1).
pub(crate) const MIN_SALT_LEN: usize = 8;

/// One PBES2 algorithm.
pub(crate) struct Pbes2 {
    prf: HashAlg,
    kek_len: usize,
}

pub(crate) static HS256_A128KW: Pbes2 = Pbes2 {
    prf: HashAlg::Sha256,
    kek_len: 16,
};
pub(crate) static HS384_A192KW: Pbes2 = Pbes2 {
    prf: HashAlg::Sha384,
    kek_len: 24,
};
pub(crate) static HS512_A256KW: Pbes2 = Pbes2 {
    prf: HashAlg::Sha512,
    kek_len: 32,
};

impl Pbes2 {
    fn derive(
        &self,
        alg: &str,
        p2s: &[u8],
        p2c: NonZeroU32,
        password: &[u8],
    ) -> Zeroizing<Vec<u8>> {
        let mut salt = Vec::with_capacity(alg.len() + 1 + p2s.len());
        salt.extend_from_slice(alg.as_bytes());
        salt.push(0);
        salt.extend_from_slice(p2s);
        let mut kek = Zeroizing::new(vec![0; self.kek_len]);
        crate::backend::ring::pbkdf2(self.prf, p2c, &salt, password, &mut kek);
        kek
    }
}

impl KeyManager for Pbes2 {
    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
        let password = oct_key(ctx.key, ctx.alg)?;
        let cek = ctx.cek.ok_or(Error::DecryptionFailed)?;
        let p2c = NonZeroU32::new(ctx.p2c).ok_or(Error::InvalidParameter { name: "p2c".into() })?;
        let p2s = match ctx.fixed.and_then(|f| f.p2s.clone()) {
            Some(s) => s,
            None => {
                let mut s = vec![0; 16];
                fill_random(&mut s)?;
                s
            }
        };
        if p2s.len() < MIN_SALT_LEN {
            return Err(Error::InvalidParameter { name: "p2s".into() });
        }
        let kek = self.derive(ctx.alg.name(), &p2s, p2c, password);
        let encrypted_key = aeskw::wrap(&kek, cek.expose_secret())?;
        let mut params = Map::new();
        params.insert("p2s".into(), Value::String(base64url::encode(&p2s)));
        params.insert("p2c".into(), Value::from(p2c.get()));
        Ok(Wrapped {
            cek: None,
            encrypted_key,
            params,
        })
    }

    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
        let password = oct_key(ctx.key, ctx.alg)?;
        // The iteration count is checked first: no PBKDF2 work for a count over the ceiling.
        let p2c = match ctx.header.get("p2c") {
            None => return Err(Error::MissingParameter { name: "p2c" }),
            Some(v) => v
                .as_u64()
                .ok_or(Error::InvalidParameter { name: "p2c".into() })?,
        };
        if p2c > u64::from(ctx.max_p2c) {
            return Err(Error::Pbes2CountTooHigh {
                p2c,
                limit: ctx.max_p2c,
            });
        }
        let p2c = u32::try_from(p2c)
            .ok()
            .and_then(NonZeroU32::new)
            .ok_or(Error::InvalidParameter { name: "p2c".into() })?;
        let p2s = required_b64(ctx.header, "p2s")?;
        if p2s.len() < MIN_SALT_LEN {
            return Err(Error::InvalidParameter { name: "p2s".into() });
        }
        let kek = self.derive(ctx.alg.name(), &p2s, p2c, password);
        aeskw::unwrap(&kek, ctx.encrypted_key)
    }
}
