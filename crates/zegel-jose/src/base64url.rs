//! Strict, unpadded base64url (RFC 7515 §2, RFC 4648 §5).
//!
//! Decoding accepts only the canonical form: no padding, no whitespace, no characters outside
//! the URL-safe alphabet, and no stray bits in the last character. Two different strings never
//! decode to the same bytes, so a token cannot be re-encoded into a second valid form.
//! [`encode`], [`decode`] and [`decode_secret`] use `base64ct`, which runs in constant time: key
//! material decoded here does not leak through timing. The `*_public` functions are a faster
//! codec for the public parts of a JWS or JWE (headers, payloads, signatures, IVs,
//! ciphertexts, tags), which accepts exactly the same strings: decoding a 1.5 KB ciphertext in
//! constant time costs more than decrypting it. They encode with lookup tables; they decode
//! the whole four-character groups with `base64-simd` (AVX2, SSSE3 or NEON, chosen at run
//! time, a scalar loop elsewhere) and the last two or three characters, where the canonical
//! form is decided, here.

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

/// Decodes canonical unpadded base64url that is public (a JWS or JWE header, payload,
/// signature, IV, ciphertext, tag): the same strictness as [`decode`], several times faster,
/// without the constant-time guarantee. Never use it for key material.
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode_public(input: &[u8], part: Part) -> Result<Vec<u8>, Error> {
    // The error is built only on failure: an `Error` has a destructor.
    let Some(len) = decoded_len(input) else {
        return Err(Error::Base64 { part });
    };
    let mut out = vec![0_u8; len];
    match decode_public_exact(input, &mut out) {
        Ok(()) => Ok(out),
        Err(()) => Err(Error::Base64 { part }),
    }
}

/// As [`decode_public`], into the start of `buf` when the decoded bytes fit (a buffer on the
/// stack, say, saving a heap allocation); `Ok(None)`, the text unread beyond its length, when
/// they would not (decode it with [`decode_public`] then).
///
/// # Errors
/// [`Error::Base64`] when `input` is not canonical unpadded base64url.
pub fn decode_public_into<'b>(
    input: &[u8],
    part: Part,
    buf: &'b mut [u8],
) -> Result<Option<&'b [u8]>, Error> {
    let Some(len) = decoded_len(input) else {
        return Err(Error::Base64 { part });
    };
    let Some(out) = buf.get_mut(..len) else {
        return Ok(None);
    };
    match decode_public_exact(input, out) {
        Ok(()) => Ok(Some(out)),
        Err(()) => Err(Error::Base64 { part }),
    }
}

/// The length of the bytes `input` decodes to; `None` for a length no base64url text has.
pub(crate) fn decoded_len(input: &[u8]) -> Option<usize> {
    match input.len() % 4 {
        1 => None,
        tail_len => Some(input.len() / 4 * 3 + tail_len.saturating_sub(1)),
    }
}

/// Decodes `input` into `out`, whose length is [`decoded_len`] of `input`.
fn decode_public_exact(input: &[u8], out: &mut [u8]) -> Result<(), ()> {
    let full = input.len() / 4 * 3;
    let (body, tail) = input.split_at(input.len() / 4 * 4);
    let (body_out, rest) = out.split_at_mut_checked(full).ok_or(())?;
    // The whole quanta: base64-simd (AVX2 or SSSE3 where the processor has them, chosen at run
    // time). A 1623-character JWT payload took 6.3k instructions with a table per character
    // position; see `docs/PERFORMANCE.md`. The tail, where canonical form is decided, is ours.
    if !body.is_empty() {
        base64_simd::URL_SAFE_NO_PAD
            .decode(body, base64_simd::Out::from_slice(body_out))
            .map_err(|_| ())?;
    }
    let mut bad_tail = 0_u8;
    // The last character of a 2- or 3-character tail may not carry bits that encode nothing.
    match (tail, rest) {
        (&[], []) => {}
        (&[a, b], [x]) => {
            let (a, b) = (SEXTET[usize::from(a)], SEXTET[usize::from(b)]);
            bad_tail |= a | b | if b & 0x0f == 0 { 0 } else { 0x80 };
            *x = (a << 2) | (b >> 4);
        }
        (&[a, b, c], [x, y]) => {
            let (a, b, c) = (
                SEXTET[usize::from(a)],
                SEXTET[usize::from(b)],
                SEXTET[usize::from(c)],
            );
            bad_tail |= a | b | c | if c & 0x03 == 0 { 0 } else { 0x80 };
            *x = (a << 2) | (b >> 4);
            *y = (b << 4) | (c >> 2);
        }
        _ => return Err(()),
    }
    if bad_tail & 0x80 != 0 {
        return Err(());
    }
    Ok(())
}

/// The unpadded base64url encoding of public `bytes` (a JWS or JWE part): the same output as
/// [`encode`], faster, not constant-time. Never use it for key material.
#[must_use]
pub fn encode_public(bytes: &[u8]) -> String {
    let mut out = String::new();
    encode_public_into(bytes, &mut out);
    out
}

/// Appends the unpadded base64url encoding of public `bytes` (a JWS payload or signature) to
/// `out`: the same output as [`encode_into`], faster, not constant-time. Never use it for key
/// material.
pub fn encode_public_into(bytes: &[u8], out: &mut String) {
    let mut buf = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_public_to_vec(bytes, &mut buf);
    // The alphabet is ASCII, so this never fails.
    out.push_str(core::str::from_utf8(&buf).unwrap_or_default());
}

/// Appends the unpadded base64url encoding of public `bytes` to `out` (ASCII), two table
/// lookups per three bytes.
pub(crate) fn encode_public_to_vec(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let tail_chars = match bytes.len() % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    out.resize(start + bytes.len() / 3 * 4 + tail_chars, 0);
    let Some(dst) = out.get_mut(start..) else {
        return;
    };
    // Twelve bytes make sixteen characters, written into the sized output: two 8-byte reads
    // (the first six bytes, then the last six), eight pair lookups, one 16-byte write. Measured
    // (callgrind, the HS256 sign row of zegel-jwt's `compare` bench, a 1.2 KB claim set): 6.0k
    // instructions per token against 8.1k for six bytes at a time appended to the `Vec`.
    let (groups, rest) = bytes.as_chunks::<12>();
    let (dst_groups, dst_rest) = dst.as_chunks_mut::<16>();
    let pair = |w: u64, shift: u32| {
        u64::from(PAIRS[usize::from(u16::try_from((w >> shift) & 0xfff).unwrap_or(0))])
    };
    // The eight characters of the top 48 bits of `w`.
    let eight =
        |w: u64| (pair(w, 52) << 48) | (pair(w, 40) << 32) | (pair(w, 28) << 16) | pair(w, 16);
    for (src, dst) in groups.iter().zip(dst_groups) {
        let (Some(first), Some(last)) = (src.first_chunk::<8>(), src.last_chunk::<8>()) else {
            continue;
        };
        let first = eight(u64::from_be_bytes(*first));
        let last = eight(u64::from_be_bytes(*last) << 16);
        *dst = ((u128::from(first) << 64) | u128::from(last)).to_be_bytes();
    }
    let mut chunks = rest.chunks_exact(3);
    let mut dst_chunks = dst_rest.chunks_exact_mut(4);
    for (src, dst) in (&mut chunks).zip(&mut dst_chunks) {
        if let (&[a, b, c], [w, x, y, z]) = (src, dst) {
            let n = (usize::from(a) << 16) | (usize::from(b) << 8) | usize::from(c);
            let [p, q] = PAIRS[(n >> 12) & 0xfff].to_be_bytes();
            let [r, t] = PAIRS[n & 0xfff].to_be_bytes();
            (*w, *x, *y, *z) = (p, q, r, t);
        }
    }
    match (chunks.remainder(), dst_chunks.into_remainder()) {
        (&[a], [x, y]) => {
            (*x, *y) = (char_of(u32::from(a) >> 2), char_of(u32::from(a) << 4));
        }
        (&[a, b], [x, y, z]) => {
            let n = u32::from_be_bytes([0, 0, a, b]);
            (*x, *y, *z) = (char_of(n >> 10), char_of(n >> 4), char_of(n << 2));
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
            prop_assert_eq!(&encode_public(&bytes), &fast);
            prop_assert_eq!(decode_public(fast.as_bytes(), Part::Payload), Ok(bytes));
        }

        #[test]
        fn public_decoder_is_as_strict_as_base64ct(s in "[A-Za-z0-9_=+/ .-]{0,40}") {
            prop_assert_eq!(decode_public(s.as_bytes(), Part::Payload), decode(s.as_bytes(), Part::Payload));
        }

        /// Decoding into a buffer gives what `decode_public` gives, when it fits.
        #[test]
        fn decoding_into_a_buffer_agrees(s in "[A-Za-z0-9_=-]{0,40}", room in 0_usize..40) {
            let mut buf = vec![0xaa; room];
            let into = decode_public_into(s.as_bytes(), Part::Payload, &mut buf);
            let fits = s.len() % 4 == 1 || s.len() / 4 * 3 + (s.len() % 4).saturating_sub(1) <= room;
            match decode_public(s.as_bytes(), Part::Payload) {
                _ if !fits => prop_assert_eq!(into, Ok(None)),
                Ok(v) => prop_assert_eq!(into, Ok(Some(&v[..]))),
                Err(e) => prop_assert_eq!(into, Err(e)),
            }
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
    fn decodes_short_tails() {
        assert_eq!(decode_public(b"", Part::Tag).unwrap(), b"");
        assert_eq!(decode_public(b"AA", Part::Tag).unwrap(), [0]);
        assert_eq!(decode_public(b"AAE", Part::Tag).unwrap(), [0, 1]);
        assert_eq!(encode_public(&[0, 1]), "AAE");
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
            b"AB",
            b"ABC",
            b"\xff\xff",
        ] {
            assert_eq!(
                decode_public(bad, Part::Header),
                Err(Error::Base64 { part: Part::Header })
            );
            assert_eq!(
                decode(bad, Part::Header),
                Err(Error::Base64 { part: Part::Header }),
                "{bad:?}"
            );
        }
    }
}
