//! The JWE compact serialization (RFC 7516 §7.1):
//! `protected.encrypted_key.iv.ciphertext.tag`, each part base64url.

use super::token::{Limits, RecipientPart, Serialization, UnverifiedJwe};
use crate::base64url;
use crate::error::{Error, Part, Shape};
use crate::json;

const SHAPE: Error = Error::Structure {
    expected: Shape::CompactJwe,
};

/// Parses the compact serialization.
pub(crate) fn parse(token: &[u8], limits: &Limits) -> Result<UnverifiedJwe, Error> {
    // The first three dots are searched from the front and the last from the back, so the
    // long ciphertext is read only once, by the decoder, which refuses a dot in it like any
    // other character outside the alphabet.
    let dot = |b: &u8| *b == b'.';
    let (p, rest) = split_at(token, token.iter().position(dot))?;
    let (k, rest) = split_at(rest, rest.iter().position(dot))?;
    let (iv, rest) = split_at(rest, rest.iter().position(dot))?;
    let (c, t) = split_at(rest, rest.iter().rposition(dot))?;
    if p.is_empty() {
        return Err(Error::MissingParameter { name: "protected" });
    }
    let protected_json = base64url::decode_public(p, Part::Header)?;
    let protected = json::parse_object(&protected_json, Part::Header, limits.max_json_depth)?;
    Ok(UnverifiedJwe {
        serialization: Serialization::Compact,
        // Decoding succeeded, so the part is ASCII.
        protected_b64: String::from_utf8(p.to_vec()).map_err(|_| SHAPE)?,
        protected,
        unprotected: None,
        recipients: vec![RecipientPart {
            header: None,
            encrypted_key: base64url::decode_public(k, Part::EncryptedKey)?,
        }],
        iv: base64url::decode_public(iv, Part::Iv)?,
        ciphertext: base64url::decode_public(c, Part::Ciphertext)
            .map_err(|e| if c.contains(&b'.') { SHAPE } else { e })?,
        tag: base64url::decode_public(t, Part::Tag)?,
        aad_b64: None,
    })
}

/// The bytes before and after the dot at `at`.
fn split_at(b: &[u8], at: Option<usize>) -> Result<(&[u8], &[u8]), Error> {
    // No `ok_or(SHAPE)`: an `Error` has a destructor, which the success path should not run.
    match at.map(|at| (b.get(..at), b.get(at.saturating_add(1)..))) {
        Some((Some(before), Some(after))) => Ok((before, after)),
        _ => Err(SHAPE),
    }
}

/// Writes the compact serialization.
pub(crate) fn write(
    protected_b64: &str,
    encrypted_key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> String {
    let mut out = Vec::with_capacity(
        protected_b64.len()
            + (encrypted_key.len() + iv.len() + ciphertext.len() + tag.len()) * 4 / 3
            + 8,
    );
    out.extend_from_slice(protected_b64.as_bytes());
    for part in [encrypted_key, iv, ciphertext, tag] {
        out.push(b'.');
        base64url::encode_public_to_vec(part, &mut out);
    }
    // The protected header is base64url and the rest was just encoded: always ASCII.
    String::from_utf8(out).unwrap_or_default()
}
