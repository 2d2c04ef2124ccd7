//! The JWE compact serialization (RFC 7516 §7.1):
//! `protected.encrypted_key.iv.ciphertext.tag`, each part base64url.

use super::token::{Limits, RecipientPart, Serialization, UnverifiedJwe};
use crate::base64url;
use crate::error::{Error, Part};
use crate::json;

const SHAPE: Error = Error::Structure {
    expected: "five base64url parts separated by dots",
};

/// Parses the compact serialization.
pub(crate) fn parse(token: &[u8], limits: &Limits) -> Result<UnverifiedJwe, Error> {
    let mut parts = token.split(|&b| b == b'.');
    let mut next = || parts.next().ok_or(SHAPE);
    let (p, k, iv, c, t) = (next()?, next()?, next()?, next()?, next()?);
    if parts.next().is_some() {
        return Err(SHAPE);
    }
    if p.is_empty() {
        return Err(Error::MissingParameter { name: "protected" });
    }
    let protected_json = base64url::decode(p, Part::Header)?;
    let protected = json::parse_object(&protected_json, Part::Header, limits.max_json_depth)?;
    Ok(UnverifiedJwe {
        serialization: Serialization::Compact,
        // Decoding succeeded, so the part is ASCII.
        protected_b64: String::from_utf8_lossy(p).into_owned(),
        protected,
        unprotected: None,
        recipients: vec![RecipientPart {
            header: None,
            encrypted_key: base64url::decode(k, Part::EncryptedKey)?,
        }],
        iv: base64url::decode(iv, Part::Iv)?,
        ciphertext: base64url::decode(c, Part::Ciphertext)?,
        tag: base64url::decode(t, Part::Tag)?,
        aad_b64: None,
    })
}

/// Writes the compact serialization.
pub(crate) fn write(
    protected_b64: &str,
    encrypted_key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> String {
    let mut out = String::with_capacity(
        protected_b64.len()
            + (encrypted_key.len() + iv.len() + ciphertext.len() + tag.len()) * 4 / 3
            + 8,
    );
    out.push_str(protected_b64);
    for part in [encrypted_key, iv, ciphertext, tag] {
        out.push('.');
        base64url::encode_into(part, &mut out);
    }
    out
}
