//! The curves of `EC` and `OKP` keys as data: one row per [`Curve`] with its `crv` name, key
//! type, coordinate length, object identifier, public-point checks, and the backends that
//! check, derive and generate its keys and do ECDH on it (each picked with `prefer!`, the
//! first one compiled in winning). Code that needs to know something about a curve reads its
//! row instead of matching on the curve.

use pkcs8::der::asn1::ObjectIdentifier;

use super::material::{Curve, KeyType};
use crate::backend::{CurveOps, EphemeralEcdh, StaticEcdh, prefer, some};
use crate::error::{Error, KeyError};

/// What zegel-jose knows about one curve.
pub(crate) struct CurveRow {
    /// The `crv` value.
    pub(crate) name: &'static str,
    /// The key type that carries the curve.
    pub(crate) kty: KeyType,
    /// The length in bytes of a coordinate (`x`, `y`) and of the private key (`d`).
    pub(crate) coordinate_len: usize,
    /// For `EC`, the named curve (`namedCurve`, RFC 5480); for `OKP`, the algorithm (RFC 8410).
    pub(crate) oid: ObjectIdentifier,
    /// Whether ECDH-ES is defined on the curve (RFC 7518 §4.6, RFC 8037 §3.2).
    pub(crate) ecdh: bool,
    /// The encodings of the points of small order, compared with the top bit of the last
    /// byte cleared (the sign of `x` for Ed25519, ignored by X25519).
    small_order: &'static [[u8; 32]],
    ops: Option<&'static dyn CurveOps>,
    ecdh_ephemeral: Option<&'static dyn EphemeralEcdh>,
    ecdh_static: Option<&'static dyn StaticEcdh>,
}

/// The rows, in the order of [`Curve::ALL`], so that `crv as usize` is a row's index.
pub(crate) static CURVES: [CurveRow; 6] = [
    CurveRow {
        name: "P-256",
        kty: KeyType::Ec,
        coordinate_len: 32,
        oid: ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        ecdh: true,
        small_order: &[],
        ops: prefer!(some; aws_lc::KEYS_P256, ring::KEYS_P256),
        ecdh_ephemeral: prefer!(some; ring::ECDH_P256, aws_lc::ECDH_P256),
        ecdh_static: prefer!(some; aws_lc::ECDH_P256),
    },
    CurveRow {
        name: "P-384",
        kty: KeyType::Ec,
        coordinate_len: 48,
        oid: ObjectIdentifier::new_unwrap("1.3.132.0.34"),
        ecdh: true,
        small_order: &[],
        ops: prefer!(some; aws_lc::KEYS_P384, ring::KEYS_P384),
        ecdh_ephemeral: prefer!(some; ring::ECDH_P384, aws_lc::ECDH_P384),
        ecdh_static: prefer!(some; aws_lc::ECDH_P384),
    },
    CurveRow {
        name: "P-521",
        kty: KeyType::Ec,
        coordinate_len: 66,
        oid: ObjectIdentifier::new_unwrap("1.3.132.0.35"),
        ecdh: true,
        small_order: &[],
        ops: prefer!(some; aws_lc::KEYS_P521),
        ecdh_ephemeral: prefer!(some; aws_lc::ECDH_P521),
        ecdh_static: prefer!(some; aws_lc::ECDH_P521),
    },
    CurveRow {
        name: "secp256k1",
        kty: KeyType::Ec,
        coordinate_len: 32,
        oid: ObjectIdentifier::new_unwrap("1.3.132.0.10"),
        ecdh: false,
        small_order: &[],
        ops: prefer!(some; aws_lc::KEYS_SECP256K1),
        ecdh_ephemeral: None,
        ecdh_static: None,
    },
    CurveRow {
        name: "Ed25519",
        kty: KeyType::Okp,
        coordinate_len: 32,
        oid: ObjectIdentifier::new_unwrap("1.3.101.112"),
        ecdh: false,
        small_order: &ED25519_SMALL_ORDER,
        ops: prefer!(some; ring::KEYS_ED25519),
        ecdh_ephemeral: None,
        ecdh_static: None,
    },
    CurveRow {
        name: "X25519",
        kty: KeyType::Okp,
        coordinate_len: 32,
        oid: ObjectIdentifier::new_unwrap("1.3.101.110"),
        ecdh: true,
        small_order: &X25519_SMALL_ORDER,
        ops: prefer!(some; aws_lc::KEYS_X25519, ring::KEYS_X25519),
        ecdh_ephemeral: prefer!(some; aws_lc::ECDH_X25519, ring::ECDH_X25519),
        ecdh_static: prefer!(some; aws_lc::ECDH_X25519),
    },
];

/// `p - 1`, `p` and `p + 1` for p = 2^255 - 19, little-endian: in both lists below.
const P_MINUS_1: [u8; 32] = p_plus(0xec);
const P: [u8; 32] = p_plus(0xed);
const P_PLUS_1: [u8; 32] = p_plus(0xee);

const fn p_plus(low: u8) -> [u8; 32] {
    let mut out = [0xff; 32];
    out[0] = low;
    out[31] = 0x7f;
    out
}

const fn small(low: u8) -> [u8; 32] {
    let mut out = [0; 32];
    out[0] = low;
    out
}

/// The edwards25519 points of small order (the 8-torsion), as encoded: `y` = 0 and 1, the two
/// points of order 8, and non-canonical `y` = p - 1, p, p + 1 (the list of libsodium's
/// `ge25519_has_small_order`, each checked to satisfy 8·P = O).
static ED25519_SMALL_ORDER: [[u8; 32]; 7] = [
    small(0),
    small(1),
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    P_MINUS_1,
    P,
    P_PLUS_1,
];

/// The Curve25519 `u` coordinates of small order (RFC 7748 §6.1: an all-zero shared secret):
/// 0, 1, the two points of order 8, and p - 1, p, p + 1 (libsodium's list; each refused by
/// X25519 in Python `cryptography`).
static X25519_SMALL_ORDER: [[u8; 32]; 7] = [
    small(0),
    small(1),
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
    P_MINUS_1,
    P,
    P_PLUS_1,
];

impl CurveRow {
    /// The row of the curve with this object identifier and key type.
    pub(crate) fn by_oid(oid: ObjectIdentifier, kty: KeyType) -> Option<(Curve, &'static Self)> {
        Curve::ALL
            .into_iter()
            .map(|c| (c, c.row()))
            .find(|(_, r)| r.oid == oid && r.kty == kty)
    }

    /// The backend's key operations on this curve, or [`Error::AlgorithmUnavailable`].
    pub(crate) fn ops(&self) -> Result<&'static dyn CurveOps, Error> {
        self.ops
            .ok_or(Error::AlgorithmUnavailable { alg: self.name })
    }

    /// Ephemeral ECDH on this curve, or [`Error::AlgorithmUnavailable`] naming `alg`.
    pub(crate) fn ecdh_ephemeral(
        &self,
        alg: &'static str,
    ) -> Result<&'static dyn EphemeralEcdh, Error> {
        self.ecdh_ephemeral
            .ok_or(Error::AlgorithmUnavailable { alg })
    }

    /// Static-key ECDH on this curve, or [`Error::AlgorithmUnavailable`] naming `alg`.
    pub(crate) fn ecdh_static(&self, alg: &'static str) -> Result<&'static dyn StaticEcdh, Error> {
        self.ecdh_static.ok_or(Error::AlgorithmUnavailable { alg })
    }

    /// Whether static-key ECDH (JWE decryption) is compiled in for this curve.
    pub(crate) fn has_ecdh_static(&self) -> bool {
        self.ecdh_static.is_some()
    }

    /// Checks an encoded public point (`04 || x || y` for `EC`, `x` for `OKP`): not of small
    /// order ([`KeyError::SmallOrderPoint`]), then on the curve, by the backend.
    pub(crate) fn check_public(&self, point: &[u8]) -> Result<(), Error> {
        if let Ok(p) = <[u8; 32]>::try_from(point) {
            let mut masked = p;
            masked[31] &= 0x7f;
            if self.small_order.contains(&masked) {
                return Err(KeyError::SmallOrderPoint.into());
            }
        }
        self.ops()?.check_public(point)
    }
}

impl CurveRow {
    /// Validates the members of a key on this curve, read as key type `kty`: the curve belongs
    /// to `kty`, `x` (and `y` for `EC`, `d` when present) have the coordinate length, the public
    /// point passes [`check_public`](Self::check_public) and `d` is its private key.
    pub(crate) fn check_key(
        &self,
        kty: KeyType,
        x: &[u8],
        y: Option<&[u8]>,
        d: Option<&[u8]>,
    ) -> Result<(), Error> {
        if self.kty != kty {
            return Err(KeyError::UnsupportedKeyType {
                value: self.name.into(),
            }
            .into());
        }
        let len = self.coordinate_len;
        for (name, member) in [("x", Some(x)), ("y", y), ("d", d)] {
            if member.is_some_and(|m| m.len() != len) {
                return Err(KeyError::InvalidMember { name }.into());
            }
        }
        let point = match y {
            Some(y) => crate::backend::uncompressed_point(x, y),
            None => x.to_vec(),
        };
        self.check_public(&point)?;
        if let Some(d) = d {
            self.ops()?.check_private(d, &point)?;
        }
        Ok(())
    }
}

impl Curve {
    /// The row of this curve in the curve table.
    pub(crate) const fn row(self) -> &'static CurveRow {
        &CURVES[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_curve_all() {
        for c in Curve::ALL {
            assert_eq!(c.row().name, c.name());
            assert_eq!(Curve::from_name(c.row().name), Some(c));
        }
        assert_eq!(
            CurveRow::by_oid(ObjectIdentifier::new_unwrap("1.3.132.0.35"), KeyType::Ec)
                .map(|(c, _)| c),
            Some(Curve::P521)
        );
        assert!(
            CurveRow::by_oid(ObjectIdentifier::new_unwrap("1.3.101.112"), KeyType::Ec).is_none()
        );
    }

    #[test]
    fn small_order_points_are_refused_with_either_top_bit() {
        for (crv, list) in [
            (Curve::Ed25519, &ED25519_SMALL_ORDER),
            (Curve::X25519, &X25519_SMALL_ORDER),
        ] {
            for p in list {
                let mut flipped = *p;
                flipped[31] ^= 0x80;
                for point in [p, &flipped] {
                    assert_eq!(
                        crv.row().check_public(point),
                        Err(KeyError::SmallOrderPoint.into()),
                        "{crv} {point:02x?}"
                    );
                }
            }
        }
    }
}
