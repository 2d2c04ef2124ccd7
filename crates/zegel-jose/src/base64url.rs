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
/// the same strictness as [`decode`], several times faster, without the constant-time
/// guarantee. Never use it for key material.
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode_public(input: &[u8], part: Part) -> Result<Vec<u8>, Error> {
    let err = || Error::Base64 { part };
    let tail_out = match input.len() % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return Err(err()),
    };
    let full = input.len() / 4;
    let mut out = vec![0_u8; full * 3 + tail_out];
    let (body_in, tail_in) = input.split_at(full * 4);
    let (body_out, tail) = out.split_at_mut(full * 3);
    let mut bad = 0_u8;
    // Eight characters make six bytes: four table lookups per 24-bit group, OR-ed together
    // (an invalid character sets bits above 23), one store per block.
    let mut invalid = 0_u32;
    let mut blocks = body_in.chunks_exact(8);
    let mut out_blocks = body_out.chunks_exact_mut(6);
    for (block, dst) in (&mut blocks).zip(&mut out_blocks) {
        if let (&[a, b, c, d, e, f, g, h], [o0, o1, o2, o3, o4, o5]) = (block, dst) {
            let hi = D0[usize::from(a)] | D1[usize::from(b)] | D2[usize::from(c)] | D3[usize::from(d)];
            let lo = D0[usize::from(e)] | D1[usize::from(f)] | D2[usize::from(g)] | D3[usize::from(h)];
            invalid |= hi | lo;
            let [_, h0, h1, h2] = hi.to_be_bytes();
            let [_, l0, l1, l2] = lo.to_be_bytes();
            (*o0, *o1, *o2, *o3, *o4, *o5) = (h0, h1, h2, l0, l1, l2);
        }
    }
    if invalid > 0x00ff_ffff {
        bad = 0x80;
    }
    if let (&[a, b, c, d], [x, y, z]) = (blocks.remainder(), out_blocks.into_remainder()) {
        let (a, b, c, d) = (SEXTET[usize::from(a)], SEXTET[usize::from(b)], SEXTET[usize::from(c)], SEXTET[usize::from(d)]);
        bad |= a | b | c | d;
        *x = (a << 2) | (b >> 4);
        *y = (b << 4) | (c >> 2);
        *z = (c << 6) | d;
    }
    let chunks = tail_in;
    match (chunks, tail) {
        (&[], []) => {}
        (&[a, b], [x]) => {
            let (a, b) = (SEXTET[usize::from(a)], SEXTET[usize::from(b)]);
            // The last character's low 4 bits must be zero (canonical form).
            bad |= a | b | if b & 0x0f == 0 { 0 } else { 0x80 };
            *x = (a << 2) | (b >> 4);
        }
        (&[a, b, c], [x, y]) => {
            let (a, b, c) = (SEXTET[usize::from(a)], SEXTET[usize::from(b)], SEXTET[usize::from(c)]);
            // The last character's low 2 bits must be zero (canonical form).
            bad |= a | b | c | if c & 0x03 == 0 { 0 } else { 0x80 };
            *x = (a << 2) | (b >> 4);
            *y = (b << 4) | (c >> 2);
        }
        _ => return Err(err()),
    }
    if bad & 0x80 != 0 {
        return Err(err());
    }
    Ok(out)
}

/// Appends the unpadded base64url encoding of public `bytes` (a JWS payload or signature) to
/// `out`: the same output as [`encode_into`], faster, not constant-time. Never use it for key
/// material.
pub fn encode_public_into(bytes: &[u8], out: &mut String) {
    let mut buf = Vec::new();
    encode_public_to_vec(bytes, &mut buf);
    // The alphabet is ASCII, so this never fails.
    out.push_str(core::str::from_utf8(&buf).unwrap_or_default());
}

/// Appends the unpadded base64url encoding of public `bytes` to `out` (ASCII), two table
/// lookups per three bytes.
pub(crate) fn encode_public_to_vec(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let full = bytes.len() / 3;
    out.reserve(bytes.len().div_ceil(3) * 4);
    out.resize(start + full * 4, 0);
    let mut chunks = bytes.chunks_exact(3);
    if let Some(dst) = out.get_mut(start..) {
        for (src, d) in (&mut chunks).zip(dst.chunks_exact_mut(4)) {
            if let (&[a, b, c], [d0, d1, d2, d3]) = (src, d) {
                let n = (usize::from(a) << 16) | (usize::from(b) << 8) | usize::from(c);
                let [p0, p1] = PAIRS[(n >> 12) & 0xfff].to_be_bytes();
                let [p2, p3] = PAIRS[n & 0xfff].to_be_bytes();
                (*d0, *d1, *d2, *d3) = (p0, p1, p2, p3);
            }
        }
    }
    match *chunks.remainder() {
        [a] => out.extend_from_slice(&[char_of(u32::from(a) >> 2), char_of(u32::from(a) << 4)]),
        [a, b] => {
            let n = u32::from_be_bytes([0, 0, a, b]);
            out.extend_from_slice(&[char_of(n >> 10), char_of(n >> 4), char_of(n << 2)]);
        }
        _ => {}
    }
}

/// The two characters for each 12-bit value, big-endian in a `u16`.
static PAIRS: [u16; 4096] = {
    let mut t = [0_u16; 4096];
    let mut i = 0;
    while i < 4096 {
        t[i] = ((ALPHABET[i >> 6] as u16) << 8) | ALPHABET[i & 63] as u16;
        i += 1;
    }
    t
};

/// The URL-safe alphabet (RFC 4648 §5).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The character for the low six bits of `v`.
fn char_of(v: u32) -> u8 {
    ALPHABET.get((v & 0x3f) as usize).copied().unwrap_or(b'A')
}

/// The value of each byte as the character at position 0..3 of a group, shifted into place
/// within a 24-bit word; bytes outside the alphabet map to `0xff00_0000`.
static D0: [u32; 256] = shifted(18);
static D1: [u32; 256] = shifted(12);
static D2: [u32; 256] = shifted(6);
static D3: [u32; 256] = shifted(0);

const fn shifted(shift: u32) -> [u32; 256] {
    let mut t = [0xff00_0000_u32; 256];
    let mut i: u8 = 0;
    while i < 64 {
        t[ALPHABET[i as usize] as usize] = (i as u32) << shift;
        i += 1;
    }
    t
}

/// The six-bit value of each byte, or `0x80` (high bit set) for bytes outside the alphabet.
static SEXTET: [u8; 256] = {
    let mut t = [0x80_u8; 256];
    let mut i: u8 = 0;
    while i < 64 {
        t[ALPHABET[i as usize] as usize] = i;
        i += 1;
    }
    t
};

/// Decodes canonical unpadded base64url into a buffer that is zeroized on drop.
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode_secret(input: &[u8], part: Part) -> Result<SecretBytes, Error> {
    decode(input, part).map(SecretBytes::new)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The fast public codec agrees with base64ct on every input, valid or not.
        #[test]
        fn public_codec_agrees_with_base64ct(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let mut fast = String::new();
            encode_public_into(&bytes, &mut fast);
            prop_assert_eq!(&fast, &encode(&bytes));
            prop_assert_eq!(decode_public(fast.as_bytes(), Part::Payload), Ok(bytes));
        }

        #[test]
        fn public_decoder_is_as_strict_as_base64ct(s in "[A-Za-z0-9_=+/ .-]{0,40}") {
            prop_assert_eq!(decode_public(s.as_bytes(), Part::Payload), decode(s.as_bytes(), Part::Payload));
        }

        #[test]
        fn public_decoder_refuses_what_base64ct_refuses(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(decode_public(&bytes, Part::Header), decode(&bytes, Part::Header));
        }
    }

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
            assert_eq!(decode_public(bad, Part::Header), Err(Error::Base64 { part: Part::Header }));
            assert_eq!(
                decode(bad, Part::Header),
                Err(Error::Base64 { part: Part::Header }),
                "{bad:?}"
            );
        }
    }
}
