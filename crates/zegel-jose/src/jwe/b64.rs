//! Fast, strict, unpadded base64url for the public parts of a JWE (header, encrypted key, IV,
//! ciphertext, tag, `aad`).
//!
//! [`crate::base64url`] is constant-time (base64ct), which key material needs and a ciphertext
//! does not: every part of a serialized JWE is public, and decoding a 1.5 KB ciphertext in
//! constant time costs several times the AES-GCM decryption itself. This codec is
//! table-driven and accepts exactly the same strings: the URL-safe alphabet, no padding, a
//! length that is not 1 mod 4, and no stray bits in the last character.

use crate::error::{Error, Part};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const INVALID: u8 = 0xff;

/// Character to 6-bit value; `INVALID` outside the alphabet.
// `i` < 64: the casts are exact (`From` is not usable in a const initializer).
#[allow(clippy::cast_possible_truncation)]
static DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn val(c: u8) -> u32 {
    u32::from(DECODE[usize::from(c)])
}

/// The same values pre-shifted into place for each of the four characters of a quantum, so
/// that a quantum decodes with four lookups and three ORs; invalid characters set bit 24.
// `i` < 64: the casts are exact (`From` is not usable in a const initializer).
#[allow(clippy::cast_possible_truncation)]
static QUAD: [[u32; 256]; 4] = {
    let mut t = [[1 << 24; 256]; 4];
    let mut i = 0;
    while i < 64 {
        let c = ALPHABET[i] as usize;
        let v = i as u32;
        t[0][c] = v << 18;
        t[1][c] = v << 12;
        t[2][c] = v << 6;
        t[3][c] = v;
        i += 1;
    }
    t
};

/// Decodes canonical unpadded base64url.
///
/// # Errors
/// [`Error::Base64`] for `part` on any character outside the alphabet, an impossible length or
/// stray bits.
pub(crate) fn decode(input: &[u8], part: Part) -> Result<Vec<u8>, Error> {
    let err = Error::Base64 { part };
    let tail_len = input.len() % 4;
    if tail_len == 1 {
        return Err(err);
    }
    let full = input.len() / 4 * 3;
    let out_len = full + tail_len.saturating_sub(1);
    // One spare byte: each quantum is stored as a 4-byte word whose last byte the next
    // quantum overwrites.
    let mut out = vec![0u8; out_len + 1];
    // Invalid characters set bit 24 (in `QUAD`) or bit 7 (in `DECODE`); OR-ing keeps them.
    let mut bad = 0u32;
    let mut bad_tail = 0u32;
    let chunks = input.chunks_exact(4);
    let tail = chunks.remainder();
    let [t0, t1, t2, t3] = &QUAD;
    for (q, src) in chunks.enumerate() {
        if let (&[a, b, c, d], Some(dst)) = (src, out.get_mut(q * 3..q * 3 + 4)) {
            let n =
                t0[usize::from(a)] | t1[usize::from(b)] | t2[usize::from(c)] | t3[usize::from(d)];
            bad |= n;
            dst.copy_from_slice(&(n << 8).to_be_bytes());
        }
    }
    out.truncate(out_len);
    let rest = out.get_mut(full..).unwrap_or_default();
    // The last character of a 2- or 3-character tail may not carry bits that encode nothing.
    let stray = match *tail {
        [] => false,
        [a, b] => {
            let (a, b) = (val(a), val(b));
            bad_tail |= a | b;
            let [.., x] = ((a << 2) | (b >> 4)).to_be_bytes();
            rest.copy_from_slice(&[x]);
            b & 0x0f != 0
        }
        [a, b, c] => {
            let (a, b, c) = (val(a), val(b), val(c));
            bad_tail |= a | b | c;
            let n = (a << 10) | (b << 4) | (c >> 2);
            let [.., x, y] = n.to_be_bytes();
            rest.copy_from_slice(&[x, y]);
            c & 0x03 != 0
        }
        _ => return Err(err),
    };
    if bad >> 24 != 0 || bad_tail & 0x80 != 0 || stray {
        return Err(err);
    }
    Ok(out)
}

/// Every 12-bit value as its two base64url characters.
static PAIRS: [[u8; 2]; 4096] = {
    let mut t = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        t[i] = [ALPHABET[i >> 6], ALPHABET[i & 0x3f]];
        i += 1;
    }
    t
};

/// `PAIRS` as little-endian 16-bit words, for the eight-character fast path.
static PAIRS16: [u16; 4096] = {
    let mut t = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        t[i] = u16::from_le_bytes(PAIRS[i]);
        i += 1;
    }
    t
};

/// The `PAIRS16` entry of the 12 bits of `v` at `shift`.
fn pair16(v: u64, shift: u32) -> u64 {
    // Masked to 12 bits: the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let i = ((v >> shift) & 0xfff) as usize;
    u64::from(PAIRS16[i])
}

/// Appends the unpadded base64url encoding of `bytes` to `out` (ASCII bytes).
pub(crate) fn encode_into_vec(bytes: &[u8], out: &mut Vec<u8>) {
    let chunks = bytes.chunks_exact(3);
    let tail = chunks.remainder();
    let start = out.len();
    let body = bytes.len() / 3 * 4;
    out.resize(start + body + tail.len() + usize::from(!tail.is_empty()), 0);
    let buf = out.get_mut(start..).unwrap_or_default();
    let pair = |n: u32| PAIRS[(n & 0xfff) as usize];
    // Six bytes (read as the top of an 8-byte word) to eight characters at a time, while eight
    // bytes remain readable; then three bytes to four characters.
    let mut done = 0;
    while let (Some(src), Some(dst)) = (
        bytes.get(done..done + 8),
        buf.get_mut(done / 3 * 4..done / 3 * 4 + 8),
    ) {
        let mut word = [0u8; 8];
        word.copy_from_slice(src);
        let x = u64::from_be_bytes(word);
        let w =
            pair16(x, 52) | (pair16(x, 40) << 16) | (pair16(x, 28) << 32) | (pair16(x, 16) << 48);
        dst.copy_from_slice(&w.to_le_bytes());
        done += 6;
    }
    let _ = chunks;
    let rest3 = bytes.get(done..bytes.len() / 3 * 3).unwrap_or_default();
    let out3 = buf.get_mut(done / 3 * 4..body).unwrap_or_default();
    for (src, dst) in rest3.chunks_exact(3).zip(out3.chunks_exact_mut(4)) {
        if let (&[a, b, c], [w, x, y, z]) = (src, dst) {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
            let ([p, q], [r, t]) = (pair(n >> 12), pair(n));
            (*w, *x, *y, *z) = (p, q, r, t);
        }
    }
    match (tail, buf.get_mut(body..).unwrap_or_default()) {
        (&[a], [w, x]) => {
            let [p, q] = pair(u32::from(a) << 4);
            (*w, *x) = (p, q);
        }
        (&[a, b], [w, x, y]) => {
            let n = (u32::from(a) << 10) | (u32::from(b) << 2);
            let [p, q] = pair(n >> 6);
            (*w, *x, *y) = (p, q, ALPHABET[(n & 0x3f) as usize]);
        }
        _ => {}
    }
}

/// The unpadded base64url encoding of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut v = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_into_vec(bytes, &mut v);
    // Only alphabet characters were written: always ASCII.
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::base64url;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Same encoding as the constant-time codec, and the same decoding.
        #[test]
        fn agrees_with_base64ct_on_valid_input(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let s = encode(&bytes);
            prop_assert_eq!(&s, &base64url::encode(&bytes));
            prop_assert_eq!(decode(s.as_bytes(), Part::Token).unwrap(), bytes);
        }

        /// Accepts and refuses exactly what the constant-time codec does.
        #[test]
        fn agrees_with_base64ct_on_any_input(s in "[A-Za-z0-9_=+/.-]{0,12}") {
            let ours = decode(s.as_bytes(), Part::Token);
            let theirs = base64url::decode(s.as_bytes(), Part::Token);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn refuses_non_canonical() {
        for bad in [
            &b"aGVsbG8="[..],
            b"aGVs bG8",
            b"aGVsbG9",
            b"+/8",
            b"a",
            b"aGVsbG8\n",
            b"AB",
            b"ABC",
            b"\xff\xff",
        ] {
            assert_eq!(
                decode(bad, Part::Tag),
                Err(Error::Base64 { part: Part::Tag }),
                "{bad:?}"
            );
        }
        assert_eq!(decode(b"AA", Part::Tag).unwrap(), [0]);
        assert_eq!(decode(b"AAE", Part::Tag).unwrap(), [0, 1]);
    }
}
