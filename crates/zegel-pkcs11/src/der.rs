//! The few DER shapes PKCS #11 hands over: the curve OID of `CKA_EC_PARAMS`, the point of
//! `CKA_EC_POINT` (an OCTET STRING around `04 ‖ x ‖ y`, or the bare point) and an ECDSA
//! signature some tokens return as a DER `SEQUENCE { r, s }` instead of `r ‖ s`.

use zegel_jose::jwk::Curve;

/// The curves a token key may be on: the DER of the named-curve OID, the JWK curve, and the
/// coordinate length.
pub(crate) const CURVES: [(&[u8], Curve, usize); 3] = [
    (
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        Curve::P256,
        32,
    ),
    (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], Curve::P384, 48),
    (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23], Curve::P521, 66),
];

/// The curve and coordinate length of `CKA_EC_PARAMS`.
pub(crate) fn curve(params: &[u8]) -> Option<(Curve, usize)> {
    CURVES
        .iter()
        .find(|(oid, _, _)| *oid == params)
        .map(|(_, crv, len)| (*crv, *len))
}

/// The `CKA_EC_PARAMS` of `crv`.
pub(crate) fn params_of(crv: Curve) -> Option<&'static [u8]> {
    CURVES
        .iter()
        .find(|(_, c, _)| *c == crv)
        .map(|(oid, _, _)| *oid)
}

/// `(x, y)` of an uncompressed point, bare or wrapped in an OCTET STRING.
pub(crate) fn point(raw: &[u8], len: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let bare = if raw.len() == 1 + 2 * len {
        raw
    } else {
        let (tag, rest) = raw.split_first()?;
        if *tag != 0x04 {
            return None;
        }
        let (content, tail) = read_len(rest)?;
        if !tail.is_empty() {
            return None;
        }
        content
    };
    let (form, xy) = bare.split_first()?;
    if *form != 0x04 || xy.len() != 2 * len {
        return None;
    }
    let (x, y) = xy.split_at(len);
    Some((x.to_vec(), y.to_vec()))
}

/// An ECDSA signature as `r ‖ s` of `len`-byte halves: unchanged when it already is, else
/// converted from a DER `SEQUENCE { INTEGER r, INTEGER s }`.
pub(crate) fn ecdsa_raw(sig: Vec<u8>, len: usize) -> Option<Vec<u8>> {
    if sig.len() == 2 * len {
        return Some(sig);
    }
    let (tag, rest) = sig.split_first()?;
    if *tag != 0x30 {
        return None;
    }
    let (body, tail) = read_len(rest)?;
    if !tail.is_empty() {
        return None;
    }
    let (r, rest) = integer(body)?;
    let (s, rest) = integer(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = vec![0u8; 2 * len];
    for (half, v) in [(0, r), (len, s)] {
        let v = strip_zeros(v);
        if v.len() > len {
            return None;
        }
        out.get_mut(half + len - v.len()..half + len)?
            .copy_from_slice(v);
    }
    Some(out)
}

/// One DER INTEGER's content and what follows it.
fn integer(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, rest) = der.split_first()?;
    if *tag != 0x02 {
        return None;
    }
    read_len(rest)
}

fn strip_zeros(mut v: &[u8]) -> &[u8] {
    while let Some((0, rest)) = v.split_first() {
        v = rest;
    }
    v
}

/// A DER length (short form, or long form of one or two bytes) and the content it covers.
fn read_len(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (first, rest) = der.split_first()?;
    let (len, rest) = match *first {
        n if n < 0x80 => (usize::from(n), rest),
        0x81 => {
            let (n, rest) = rest.split_first()?;
            (usize::from(*n), rest)
        }
        0x82 => {
            let (hi, rest) = rest.split_first()?;
            let (lo, rest) = rest.split_first()?;
            (usize::from(*hi) << 8 | usize::from(*lo), rest)
        }
        _ => return None,
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_signature_becomes_raw() {
        // r = 0x00ff.. (leading zero for the sign bit), s = 0x01 (short).
        let mut der = vec![0x30, 0x26, 0x02, 0x21, 0x00];
        der.extend([0xff; 32]);
        der.extend([0x02, 0x01, 0x01]);
        let raw = ecdsa_raw(der, 32).unwrap();
        assert_eq!(&raw[..32], &[0xff; 32]);
        assert_eq!(&raw[32..63], &[0; 31]);
        assert_eq!(raw[63], 1);
        assert_eq!(ecdsa_raw(vec![7; 64], 32), Some(vec![7; 64]));
    }

    #[test]
    fn bad_signatures_are_refused() {
        assert_eq!(ecdsa_raw(vec![0x31, 0], 32), None);
        assert_eq!(ecdsa_raw(vec![0x30, 0x05, 0x02, 0x01], 32), None);
        let mut long = vec![0x30, 0x26, 0x02, 0x21];
        long.extend([0xff; 33]);
        long.extend([0x02, 0x01, 0x01]);
        assert_eq!(ecdsa_raw(long, 32), None);
    }

    #[test]
    fn points_bare_and_wrapped() {
        let mut bare = vec![4];
        bare.extend([1; 32]);
        bare.extend([2; 32]);
        let mut wrapped = vec![0x04, 65];
        wrapped.extend(&bare);
        for p in [&bare, &wrapped] {
            assert_eq!(point(p, 32), Some((vec![1; 32], vec![2; 32])));
        }
        assert_eq!(point(&bare[1..], 32), None);
        assert_eq!(point(&[0x04, 66, 4], 32), None);
    }

    #[test]
    fn curve_table() {
        assert_eq!(
            curve(params_of(Curve::P384).unwrap()),
            Some((Curve::P384, 48))
        );
        assert_eq!(curve(&[0x06, 0x01, 0x00]), None);
    }
}
