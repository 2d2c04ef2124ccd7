//! A parsed, not yet decrypted JWE in any serialization (RFC 7516 §7): the compact form
//! (`compact.rs`) and the JSON forms, flattened and general (`json.rs`).

use serde_json::{Map, Value};

use super::{compact, header, json};
use crate::error::{CountRule, Error};

/// The default maximum size of a serialized JWE, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 256 * 1024;

/// The default maximum number of recipients of a JWE in the general JSON serialization.
pub const DEFAULT_MAX_RECIPIENTS: usize = 16;

/// The default maximum number of members of one recipient's JOSE header (its protected, shared
/// unprotected and per-recipient headers together). Real headers have about ten.
pub const DEFAULT_MAX_HEADER_MEMBERS: usize = 64;

/// Which serialization a JWE came in.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serialization {
    /// The compact serialization: five base64url parts separated by dots.
    Compact,
    /// The flattened JSON serialization: one recipient, at the top level.
    Flattened,
    /// The general JSON serialization: a `recipients` array.
    General,
}

/// Parsing limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_token_len: usize,
    pub(crate) max_json_depth: usize,
    pub(crate) max_recipients: usize,
    pub(crate) max_header_members: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            max_json_depth: crate::json::DEFAULT_MAX_DEPTH,
            max_recipients: DEFAULT_MAX_RECIPIENTS,
            max_header_members: DEFAULT_MAX_HEADER_MEMBERS,
        }
    }
}

/// One recipient: its per-recipient unprotected header and encrypted key.
#[derive(Clone, Debug)]
pub(crate) struct RecipientPart {
    pub(crate) header: Option<Map<String, Value>>,
    pub(crate) encrypted_key: Vec<u8>,
}

/// A JWE whose structure and headers have been read, and nothing decrypted.
///
/// Nothing here is authenticated: the headers may have been forged. Use a
/// [`Decryptor`](super::Decryptor) to get at the plaintext; use this type to look at a token
/// (`zegel inspect`, logging, routing on `kid`).
#[derive(Clone, Debug)]
pub struct UnverifiedJwe {
    pub(crate) serialization: Serialization,
    /// The protected header exactly as serialized (the AAD is computed from it).
    pub(crate) protected_b64: String,
    pub(crate) protected: Map<String, Value>,
    pub(crate) unprotected: Option<Map<String, Value>>,
    pub(crate) recipients: Vec<RecipientPart>,
    pub(crate) iv: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) tag: Vec<u8>,
    pub(crate) aad_b64: Option<String>,
}

impl UnverifiedJwe {
    /// Parses a JWE in any serialization, with the default limits: compact when the input
    /// does not start with `{`, JSON otherwise. Header JSON is strict (no duplicate members),
    /// headers must be disjoint, `alg` and `enc` present for every recipient.
    ///
    /// # Errors
    /// [`Error::TooLarge`], [`Error::Structure`], [`Error::Base64`], [`Error::Json`],
    /// [`Error::DuplicateParameter`], [`Error::MissingParameter`], [`Error::InvalidParameter`],
    /// [`Error::RecipientCount`].
    pub fn parse(token: &[u8]) -> Result<Self, Error> {
        Self::parse_with(token, &Limits::default())
    }

    pub(crate) fn parse_with(token: &[u8], limits: &Limits) -> Result<Self, Error> {
        check_len(token, limits)?;
        let jwe = if is_json(token) {
            json::parse(token, limits)?
        } else {
            compact::parse(token, limits)?
        };
        check_recipients(&jwe.token_ref(), limits)?;
        Ok(jwe)
    }

    /// The serialization the JWE came in.
    #[must_use]
    pub fn serialization(&self) -> Serialization {
        self.serialization
    }

    /// The protected header (empty when the JSON serialization has none).
    #[must_use]
    pub fn protected_header(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// The shared unprotected header (`unprotected`, JSON serializations only).
    #[must_use]
    pub fn shared_unprotected_header(&self) -> Option<&Map<String, Value>> {
        self.unprotected.as_ref()
    }

    /// The number of recipients (one for the compact and flattened serializations).
    #[must_use]
    pub fn recipient_count(&self) -> usize {
        self.recipients.len()
    }

    /// The per-recipient unprotected header (`header`) of recipient `i`.
    #[must_use]
    pub fn recipient_header(&self, i: usize) -> Option<&Map<String, Value>> {
        self.recipients.get(i).and_then(|r| r.header.as_ref())
    }

    /// The JOSE header of recipient `i`: the union of the three headers.
    ///
    /// # Errors
    /// [`Error::DuplicateParameter`] when the headers are not disjoint;
    /// [`Error::RecipientCount`] when there is no recipient `i`.
    pub fn joint_header(&self, i: usize) -> Result<Map<String, Value>, Error> {
        self.token_ref().joint_header(i)
    }

    /// The JOSE header of recipient `i` as typed data.
    ///
    /// # Errors
    /// As [`joint_header`](Self::joint_header), and [`Error::InvalidParameter`] for a
    /// registered parameter of the wrong type.
    pub fn header(&self, i: usize) -> Result<header::JweHeader, Error> {
        self.token_ref().header(i)
    }

    /// The additional authenticated data (`aad`, JSON serializations only), decoded.
    #[must_use]
    pub fn aad(&self) -> Option<Vec<u8>> {
        self.aad_b64.as_ref().and_then(|a| {
            crate::base64url::decode_public(a.as_bytes(), crate::error::Part::Aad).ok()
        })
    }

    /// What decryption reads of this JWE, borrowed.
    pub(crate) fn token_ref(&self) -> TokenRef<'_> {
        TokenRef {
            protected_b64: &self.protected_b64,
            protected: &self.protected,
            unprotected: self.unprotected.as_ref(),
            recipients: &self.recipients,
            iv: &self.iv,
            tag: &self.tag,
            aad_b64: self.aad_b64.as_deref(),
        }
    }
}

/// What decryption reads of a parsed JWE, borrowed: from an [`UnverifiedJwe`], or from a
/// compact token's own text and stack buffers (`compact::ForDecryption`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenRef<'t> {
    /// The protected header exactly as serialized (the AAD is computed from it).
    pub(crate) protected_b64: &'t str,
    pub(crate) protected: &'t Map<String, Value>,
    pub(crate) unprotected: Option<&'t Map<String, Value>>,
    pub(crate) recipients: &'t [RecipientPart],
    pub(crate) iv: &'t [u8],
    pub(crate) tag: &'t [u8],
    pub(crate) aad_b64: Option<&'t str>,
}

impl<'t> TokenRef<'t> {
    /// See [`UnverifiedJwe::joint_header`].
    pub(crate) fn joint_header(&self, i: usize) -> Result<Map<String, Value>, Error> {
        let Some(r) = self.recipients.get(i) else {
            return Err(Error::RecipientCount {
                rule: CountRule::NoSuchRecipient,
            });
        };
        if self.unprotected.is_none() && r.header.is_none() {
            return Ok(self.protected.clone());
        }
        header::joint(&[Some(self.protected), self.unprotected, r.header.as_ref()])
    }

    /// See [`UnverifiedJwe::header`].
    pub(crate) fn header(&self, i: usize) -> Result<header::JweHeader, Error> {
        let Some(r) = self.recipients.get(i) else {
            return Err(Error::RecipientCount {
                rule: CountRule::NoSuchRecipient,
            });
        };
        if self.unprotected.is_none() && r.header.is_none() {
            return header::JweHeader::from_ref(self.protected);
        }
        header::JweHeader::from_map(self.joint_header(i)?)
    }

    /// Whether the protected header is all of recipient `i`'s JOSE header.
    pub(crate) fn only_protected(&self, i: usize) -> bool {
        self.unprotected.is_none() && self.recipients.get(i).is_some_and(|r| r.header.is_none())
    }

    /// The AAD the content encryption authenticates: the encoded protected header, and with
    /// `aad` a dot and the encoded `aad` (RFC 7516 §5.1 step 14). Borrowed when there is no
    /// `aad` (always, in the compact serialization).
    pub(crate) fn content_aad(&self) -> std::borrow::Cow<'t, [u8]> {
        match self.aad_b64 {
            None => std::borrow::Cow::Borrowed(self.protected_b64.as_bytes()),
            Some(aad) => content_aad(self.protected_b64, Some(aad)).into(),
        }
    }
}

/// The checks of [`UnverifiedJwe::parse`] on the recipients, once the parts are decoded: their
/// number, and for each its headers (member count, disjoint, `alg` and `enc` present and the
/// same `enc` for all). Shared by the compact fast path of decryption.
pub(crate) fn check_recipients(t: &TokenRef<'_>, limits: &Limits) -> Result<(), Error> {
    if t.recipients.is_empty() || t.recipients.len() > limits.max_recipients {
        return Err(Error::RecipientCount {
            rule: CountRule::RecipientsOutOfRange,
        });
    }
    let mut enc: Option<&str> = None;
    for r in t.recipients {
        // The headers present, in a fixed array: no allocation per recipient.
        let mut slots = [t.protected; 3];
        let mut n = 1;
        for (slot, h) in slots
            .iter_mut()
            .skip(1)
            .zip([t.unprotected, r.header.as_ref()].into_iter().flatten())
        {
            *slot = h;
            n += 1;
        }
        let headers = slots.get(..n).unwrap_or_default();
        // Bounded before anything looks at the members: the shared headers are read once
        // per recipient.
        let members = headers.iter().map(|h| h.len()).sum::<usize>();
        if members > limits.max_header_members {
            return Err(Error::TooManyMembers {
                part: crate::error::Part::Header,
                limit: limits.max_header_members,
            });
        }
        crate::header::check_disjoint(headers)?;
        let text = |name: &'static str| match headers.iter().find_map(|h| h.get(name)) {
            None => Err(Error::MissingParameter { name }),
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(_) => Err(Error::InvalidParameter { name: name.into() }),
        };
        text("alg")?;
        let this = text("enc")?;
        if enc.is_some_and(|e| e != this) {
            return Err(Error::InvalidParameter { name: "enc".into() });
        }
        enc = Some(this);
    }
    Ok(())
}

/// Refuses a token longer than the limit.
pub(crate) fn check_len(token: &[u8], limits: &Limits) -> Result<(), Error> {
    if token.len() > limits.max_token_len {
        return Err(Error::TooLarge {
            part: crate::error::Part::Token,
            limit: limits.max_token_len,
        });
    }
    Ok(())
}

/// Whether `token` is in a JSON serialization: its first character other than whitespace is
/// `{`. Anything else is read as compact.
pub(crate) fn is_json(token: &[u8]) -> bool {
    token.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// ASCII(BASE64URL(protected)) [ ‖ '.' ‖ BASE64URL(aad) ].
pub(crate) fn content_aad(protected_b64: &str, aad_b64: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected_b64.len() + aad_b64.map_or(0, |a| a.len() + 1));
    out.extend_from_slice(protected_b64.as_bytes());
    if let Some(a) = aad_b64 {
        out.push(b'.');
        out.extend_from_slice(a.as_bytes());
    }
    out
}
