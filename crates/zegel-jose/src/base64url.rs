//! Strict, unpadded base64url (RFC 7515 §2, RFC 4648 §5).
//!
//! Decoding accepts only the canonical form: no padding, no whitespace, no characters outside
//! the URL-safe alphabet, and no stray bits in the last character. Two different strings never
//! decode to the same bytes, so a token cannot be re-encoded into a second valid form.
//! The codec is `base64ct`, which runs in constant time: key material decoded here does not leak
//! through timing.

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::{Error, Part};
use crate::secret::SecretBytes;

/// Encodes `bytes` as unpadded base64url.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    out.push_str(&Base64UrlUnpadded::encode_string(bytes));
}

/// Decodes canonical unpadded base64url; `part` names what is decoded, for the error.
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode(input: &[u8], part: Part) -> Result<Vec<u8>, Error> {
    let s = core::str::from_utf8(input).map_err(|_| Error::Base64 { part })?;
    Base64UrlUnpadded::decode_vec(s).map_err(|_| Error::Base64 { part })
}

/// Decodes canonical unpadded base64url that is public (a JWS header, payload or signature):
/// the same strictness as [`decode`], without the constant-time guarantee.
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode_public(input: &[u8], part: Part) -> Result<Vec<u8>, Error> {
    decode(input, part)
}

/// Decodes canonical unpadded base64url into a buffer that is zeroized on drop.
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode_secret(input: &[u8], part: Part) -> Result<SecretBytes, Error> {
    decode(input, part).map(SecretBytes::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_canonical_form() {
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        assert_eq!(decode(b"-_8", Part::Payload).unwrap(), b"\xfb\xff");
        let mut s = String::from("x.");
        encode_into(b"hello", &mut s);
        assert_eq!(s, "x.aGVsbG8");
    }

    #[test]
    fn rejects_non_canonical() {
        for bad in [
            &b"aGVsbG8="[..], // padding
            b"aGVs bG8",      // whitespace
            b"aGVsbG9",       // stray bits in the last character
            b"+/8",           // standard alphabet
            b"a",             // impossible length
            b"aGVsbG8\n",
        ] {
            assert_eq!(
                decode(bad, Part::Header),
                Err(Error::Base64 { part: Part::Header }),
                "{bad:?}"
            );
        }
    }
}
