//! Encryption (RFC 7516 §5.1) to one recipient (compact, flattened JSON) or several (general
//! JSON).
//!
//! With one recipient, `alg`, `kid` and the key management parameters (`epk`, `p2s`, ...)
//! go in the protected header, so the tag covers them. With several, each recipient's go in its
//! per-recipient header, and the protected header holds `enc` and the shared parameters.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::alg::{ContentEncryption, KeyManagement};
use super::dangerous::FixedValues;
use super::json::{JsonOut, RecipientOut};
use super::keymgmt::{WrapCtx, random};
use super::{compact, json, zip};
use crate::base64url;
use crate::error::{CountRule, Error, KeyError, Shape};
use crate::jwk::{Jwk, KeyOp};
use crate::secret::SecretBytes;

/// The default PBES2 iteration count for encryption (the default decryption ceiling).
pub const DEFAULT_P2C: u32 = 10_000;

/// Header parameters the encryptor writes itself; they may not be set through the maps.
const OWN: &[&str] = &[
    "alg", "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// One recipient of a JWE: a key, the key management algorithm, and options.
#[derive(Clone, Debug)]
pub struct Recipient<'k> {
    key: &'k Jwk,
    alg: &'static KeyManagement,
    header: Option<Map<String, Value>>,
    apu: Option<Vec<u8>>,
    apv: Option<Vec<u8>>,
    p2c: u32,
    kid: bool,
}

impl<'k> Recipient<'k> {
    /// A recipient reached with `alg` and `key` (public for RSA and ECDH, secret for the
    /// symmetric algorithms). The key's `kid`, if any, goes into the header.
    #[must_use]
    pub fn new(key: &'k Jwk, alg: &'static KeyManagement) -> Self {
        Self {
            key,
            alg,
            header: None,
            apu: None,
            apv: None,
            p2c: DEFAULT_P2C,
            kid: true,
        }
    }

    /// Sets the per-recipient unprotected header (JSON serializations only).
    #[must_use]
    pub fn with_header(mut self, header: Map<String, Value>) -> Self {
        self.header = Some(header);
        self
    }

    /// Sets the ECDH-ES agreement PartyUInfo (`apu`).
    #[must_use]
    pub fn with_apu(mut self, apu: &[u8]) -> Self {
        self.apu = Some(apu.to_vec());
        self
    }

    /// Sets the ECDH-ES agreement PartyVInfo (`apv`).
    #[must_use]
    pub fn with_apv(mut self, apv: &[u8]) -> Self {
        self.apv = Some(apv.to_vec());
        self
    }

    /// Sets the PBES2 iteration count (default [`DEFAULT_P2C`]).
    #[must_use]
    pub fn with_p2c(mut self, p2c: u32) -> Self {
        self.p2c = p2c;
        self
    }

    /// Leaves the key's `kid` out of the header.
    #[must_use]
    pub fn without_kid(mut self) -> Self {
        self.kid = false;
        self
    }
}

/// Encrypts plaintexts with one content encryption algorithm and header options.
///
/// ```
/// use zegel_jose::jwe::{self, Decryptor, Encryptor, Recipient};
/// use zegel_jose::Jwk;
/// use zegel_jose::jwk::KeySpec;
/// let key = Jwk::generate(&KeySpec::Oct { bytes: 32 })?;
/// let token = Encryptor::new(&jwe::A256GCM).with_cty("text/plain")
///     .encrypt_compact(b"hello", &Recipient::new(&key, &jwe::DIR))?;
/// let out = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]).decrypt(token.as_bytes(), &key)?;
/// assert_eq!(out.plaintext(), b"hello");
/// # Ok::<(), zegel_jose::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Encryptor {
    enc: &'static ContentEncryption,
    protected: Map<String, Value>,
    unprotected: Option<Map<String, Value>>,
    aad: Option<Vec<u8>>,
    deflate: bool,
    fixed: Option<FixedValues>,
}

impl Encryptor {
    /// An encryptor using `enc` for the content.
    #[must_use]
    pub fn new(enc: &'static ContentEncryption) -> Self {
        Self {
            enc,
            protected: Map::new(),
            unprotected: None,
            aad: None,
            deflate: false,
            fixed: None,
        }
    }

    /// Sets `typ` in the protected header.
    #[must_use]
    pub fn with_typ(mut self, typ: &str) -> Self {
        self.protected
            .insert("typ".into(), Value::String(typ.into()));
        self
    }

    /// Sets `cty` in the protected header (`JWT` for a nested JWT).
    #[must_use]
    pub fn with_cty(mut self, cty: &str) -> Self {
        self.protected
            .insert("cty".into(), Value::String(cty.into()));
        self
    }

    /// Compresses the plaintext with DEFLATE (`zip: DEF`) before encrypting.
    ///
    /// # Security
    /// Compressing attacker-influenced data next to secrets leaks through the ciphertext
    /// length (CRIME, BREACH).
    #[must_use]
    pub fn with_deflate(mut self) -> Self {
        self.deflate = true;
        self
    }

    /// Adds parameters to the protected header. The parameters this encryptor writes itself
    /// (`alg`, `enc`, `zip`, `epk`, `apu`, `apv`, `iv`, `tag`, `p2s`, `p2c`) are refused when
    /// encrypting.
    #[must_use]
    pub fn with_protected(mut self, params: Map<String, Value>) -> Self {
        self.protected.extend(params);
        self
    }

    /// Sets the shared unprotected header (JSON serializations only).
    #[must_use]
    pub fn with_unprotected(mut self, params: Map<String, Value>) -> Self {
        self.unprotected = Some(params);
        self
    }

    /// Sets additional authenticated data (`aad`, JSON serializations only).
    #[must_use]
    pub fn with_aad(mut self, aad: &[u8]) -> Self {
        self.aad = Some(aad.to_vec());
        self
    }

    /// Uses fixed values instead of random ones.
    ///
    /// # Security
    /// See [`FixedValues`]: for reproducing test vectors only.
    #[doc(hidden)]
    #[must_use]
    pub fn dangerous_with_fixed_values(mut self, fixed: FixedValues) -> Self {
        self.fixed = Some(fixed);
        self
    }

    /// Encrypts `plaintext` to one recipient in the compact serialization.
    ///
    /// # Errors
    /// [`Error::Structure`] when an unprotected header or `aad` is set (the compact form has
    /// neither); as [`encrypt_general`](Self::encrypt_general) otherwise.
    pub fn encrypt_compact(
        &self,
        plaintext: &[u8],
        recipient: &Recipient<'_>,
    ) -> Result<String, Error> {
        if self.unprotected.is_some() || self.aad.is_some() || recipient.header.is_some() {
            return Err(Error::Structure {
                expected: Shape::CompactJweHeaderOnly,
            });
        }
        let out = self.encrypt(plaintext, core::slice::from_ref(recipient))?;
        let r = out
            .recipients
            .into_iter()
            .next()
            .ok_or(Error::DecryptionFailed)?;
        Ok(compact::write(
            &out.protected_b64,
            &r.encrypted_key,
            &out.iv,
            &out.ciphertext,
            &out.tag,
        ))
    }

    /// Encrypts `plaintext` to one recipient in the flattened JSON serialization.
    ///
    /// # Errors
    /// As [`encrypt_general`](Self::encrypt_general).
    pub fn encrypt_flattened(
        &self,
        plaintext: &[u8],
        recipient: &Recipient<'_>,
    ) -> Result<String, Error> {
        let out = self.encrypt(plaintext, core::slice::from_ref(recipient))?;
        Ok(out.write(self.unprotected.as_ref(), false))
    }

    /// Encrypts `plaintext` to every recipient in the general JSON serialization.
    ///
    /// # Errors
    /// [`Error::RecipientCount`] with no recipient, or a direct algorithm (`dir`, `ECDH-ES`)
    /// among several; [`Error::Key`] when a key does not fit its algorithm;
    /// [`Error::AlgNotAllowed`] for `RSA1_5`, which never encrypts;
    /// [`Error::AlgorithmUnavailable`] without the backend; [`Error::InvalidParameter`] for a
    /// header parameter the encryptor writes itself; [`Error::DuplicateParameter`] when the
    /// headers overlap; [`Error::Random`].
    pub fn encrypt_general(
        &self,
        plaintext: &[u8],
        recipients: &[Recipient<'_>],
    ) -> Result<String, Error> {
        let out = self.encrypt(plaintext, recipients)?;
        Ok(out.write(self.unprotected.as_ref(), true))
    }

    fn encrypt(&self, plaintext: &[u8], recipients: &[Recipient<'_>]) -> Result<Output, Error> {
        let single = match recipients.len() {
            0 => {
                return Err(Error::RecipientCount {
                    rule: CountRule::NoRecipient,
                });
            }
            1 => true,
            _ => false,
        };
        for r in recipients {
            check_key(r, self.enc)?;
            if !single && r.alg.is_direct() {
                return Err(Error::RecipientCount {
                    rule: CountRule::DirectWithOthers,
                });
            }
        }
        for own in OWN {
            let in_unprotected = self
                .unprotected
                .as_ref()
                .is_some_and(|u| u.contains_key(*own))
                || recipients
                    .iter()
                    .any(|r| r.header.as_ref().is_some_and(|h| h.contains_key(*own)));
            if self.protected.contains_key(*own) || in_unprotected {
                return Err(Error::InvalidParameter {
                    name: (*own).into(),
                });
            }
        }
        let fixed = self.fixed.as_ref();
        let enc = self.enc;
        // The CEK: produced by a direct algorithm, or drawn here and wrapped for each recipient.
        // One draw from the system generator for the CEK and the IV together.
        let direct = single && recipients.iter().all(|r| r.alg.is_direct());
        let drawn = random(if direct { 0 } else { enc.key_len() } + enc.iv_len())?;
        let (drawn_cek, drawn_iv) = drawn.expose_secret().split_at(drawn.len() - enc.iv_len());
        let shared_cek = match (direct, fixed.and_then(|f| f.cek.clone())) {
            (true, _) => None,
            (false, Some(cek)) => Some(cek),
            (false, None) => Some(SecretBytes::from_slice(drawn_cek)),
        };
        let iv = match fixed.and_then(|f| f.iv.clone()) {
            Some(iv) => iv,
            None => drawn_iv.to_vec(),
        };

        let mut protected = self.protected.clone();
        protected.insert("enc".into(), Value::String(enc.name().into()));
        if self.deflate {
            protected.insert("zip".into(), Value::String(zip::DEF.into()));
        }
        let mut cek = None;
        let mut outs = Vec::with_capacity(recipients.len());
        for r in recipients {
            let ctx = WrapCtx {
                key: r.key,
                alg: r.alg,
                enc,
                cek: shared_cek.as_ref(),
                apu: r.apu.as_deref(),
                apv: r.apv.as_deref(),
                p2c: r.p2c,
                fixed,
            };
            let wrapped = r.alg.imp.wrap(&ctx)?;
            let mut params = wrapped.params;
            params.insert("alg".into(), Value::String(r.alg.name().into()));
            if r.kid
                && let Some(kid) = r.key.kid()
            {
                params.insert("kid".into(), Value::String(kid.into()));
            }
            if single {
                for (k, v) in params {
                    if protected.contains_key(&k) {
                        return Err(Error::DuplicateParameter { name: k });
                    }
                    protected.insert(k, v);
                }
                outs.push(RecipientOut {
                    header: r.header.clone(),
                    encrypted_key: wrapped.encrypted_key,
                });
            } else {
                let mut h = r.header.clone().unwrap_or_default();
                for (k, v) in params {
                    if h.contains_key(&k) {
                        return Err(Error::DuplicateParameter { name: k });
                    }
                    h.insert(k, v);
                }
                outs.push(RecipientOut {
                    header: Some(h),
                    encrypted_key: wrapped.encrypted_key,
                });
            }
            if let Some(c) = wrapped.cek {
                cek.get_or_insert(c);
            }
        }
        for r in &outs {
            let parts: Vec<&Map<String, Value>> = [
                Some(&protected),
                self.unprotected.as_ref(),
                r.header.as_ref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            crate::header::check_disjoint(&parts)?;
        }
        // The CEK a direct algorithm produced, or the one drawn here and wrapped.
        let cek = cek.or(shared_cek).ok_or(Error::RecipientCount {
            rule: CountRule::NoRecipient,
        })?;
        let protected_b64 = match fixed.and_then(|f| f.protected.as_deref()) {
            Some(raw) => {
                let parsed = crate::json::parse_object(
                    raw,
                    crate::error::Part::Header,
                    crate::json::DEFAULT_MAX_DEPTH,
                )?;
                if parsed != protected {
                    return Err(Error::InvalidParameter {
                        name: "protected".into(),
                    });
                }
                base64url::encode_public(raw)
            }
            None => base64url::encode_public(&serde_json::to_vec(&protected).map_err(|_| {
                Error::InvalidParameter {
                    name: "protected".into(),
                }
            })?),
        };
        let aad_b64 = self.aad.as_deref().map(base64url::encode_public);
        let aad = super::token::content_aad(&protected_b64, aad_b64.as_deref());
        // Room for CBC padding, so the buffer never reallocates and leaves plaintext behind.
        let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + 32));
        if self.deflate {
            buf.extend_from_slice(&zip::deflate(plaintext));
        } else {
            buf.extend_from_slice(plaintext);
        }
        let tag = enc.imp.seal(cek.expose_secret(), &iv, &aad, &mut buf)?;
        Ok(Output {
            protected_b64,
            aad_b64,
            recipients: outs,
            iv,
            // Ciphertext now, not secret: moved out without a copy (the emptied buffer is
            // what gets zeroized).
            ciphertext: core::mem::take(&mut *buf),
            tag,
        })
    }
}

/// Checks that a recipient's key fits its algorithm and may encrypt.
fn check_key(r: &Recipient<'_>, enc: &'static ContentEncryption) -> Result<(), Error> {
    if r.alg.is_legacy() {
        return Err(Error::AlgNotAllowed {
            alg: r.alg.name().into(),
        });
    }
    if !r.alg.fits(r.key) {
        return Err(match (r.alg.key_req(), r.key.material()) {
            (super::alg::KeyReq::Oct(len), crate::jwk::KeyMaterial::Oct { k }) => {
                KeyError::WrongLength {
                    expected: len,
                    actual: k.len(),
                }
            }
            _ => KeyError::WrongKeyType { alg: r.alg.name() },
        }
        .into());
    }
    // A `dir` key may name the content encryption algorithm it is the key of (RFC 7520 §5.6).
    if let Some(bound) = r.key.alg()
        && bound != r.alg.name()
        && !(r.alg == &super::alg::DIR && bound == enc.name())
    {
        return Err(KeyError::AlgMismatch {
            key_alg: bound.to_owned(),
            alg: r.alg.name(),
        }
        .into());
    }
    let p = r.key.params();
    if !(p.permits(KeyOp::Encrypt) || p.permits(KeyOp::WrapKey) || p.permits(KeyOp::DeriveKey)) {
        return Err(KeyError::UsageNotPermitted.into());
    }
    Ok(())
}

/// An encrypted JWE before serialization.
struct Output {
    protected_b64: String,
    aad_b64: Option<String>,
    recipients: Vec<RecipientOut>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

impl Output {
    fn write(self, unprotected: Option<&Map<String, Value>>, general: bool) -> String {
        json::write(
            JsonOut {
                protected_b64: &self.protected_b64,
                unprotected,
                recipients: self.recipients,
                aad_b64: self.aad_b64.as_deref(),
                iv: &self.iv,
                ciphertext: &self.ciphertext,
                tag: &self.tag,
            },
            general,
        )
    }
}

/// Encrypts `plaintext` to `key` with `alg` and `enc`, in the compact serialization, with no
/// other header parameters than those the algorithms need and the key's `kid`.
///
/// # Errors
/// As [`Encryptor::encrypt_compact`].
pub fn encrypt_compact(
    plaintext: &[u8],
    key: &Jwk,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
) -> Result<String, Error> {
    Encryptor::new(enc).encrypt_compact(plaintext, &Recipient::new(key, alg))
}
