//! Key material: what a key is, separate from the metadata that describes it.

use core::fmt;

use crate::secret::SecretBytes;

/// The JWK key types (`kty`, RFC 7518 §6.1, RFC 8037 §2).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `RSA`.
    Rsa,
    /// `EC`: an elliptic-curve key (P-256, P-384, P-521, secp256k1).
    Ec,
    /// `OKP`: an octet key pair (Ed25519, X25519).
    Okp,
    /// `oct`: a symmetric key.
    Oct,
}

impl KeyType {
    /// The `kty` value.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
            Self::Okp => "OKP",
            Self::Oct => "oct",
        }
    }

    /// The key type named `name` (exact, case-sensitive).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Rsa, Self::Ec, Self::Okp, Self::Oct]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The curves of `EC` and `OKP` keys (`crv`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (`EC`).
    P256,
    /// NIST P-384 (`EC`).
    P384,
    /// NIST P-521 (`EC`).
    P521,
    /// secp256k1 (`EC`, RFC 8812).
    Secp256k1,
    /// Ed25519 (`OKP`, RFC 8037).
    Ed25519,
    /// X25519 (`OKP`, RFC 8037).
    X25519,
}

impl Curve {
    /// Every curve, in the order of the curve table (`jwk/curve.rs`).
    pub const ALL: [Self; 6] = [
        Self::P256,
        Self::P384,
        Self::P521,
        Self::Secp256k1,
        Self::Ed25519,
        Self::X25519,
    ];

    /// The `crv` value.
    #[must_use]
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// The curve named `name` (exact, case-sensitive).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The key type that carries this curve.
    #[must_use]
    pub const fn key_type(self) -> KeyType {
        self.row().kty
    }

    /// The length in bytes of a coordinate (`x`, `y`) and of the private scalar (`d`).
    #[must_use]
    pub const fn coordinate_len(self) -> usize {
        self.row().coordinate_len
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The private part of an RSA key (RFC 7518 §6.3.2), every member a secret.
///
/// Multi-prime keys (`oth`) are not supported.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RsaPrivate {
    /// Private exponent `d`.
    pub d: SecretBytes,
    /// First prime factor `p`.
    pub p: SecretBytes,
    /// Second prime factor `q`.
    pub q: SecretBytes,
    /// First factor CRT exponent `dp`.
    pub dp: SecretBytes,
    /// Second factor CRT exponent `dq`.
    pub dq: SecretBytes,
    /// First CRT coefficient `qi`.
    pub qi: SecretBytes,
}

impl RsaPrivate {
    /// Collects the six private members.
    #[must_use]
    pub fn new(
        d: SecretBytes,
        p: SecretBytes,
        q: SecretBytes,
        dp: SecretBytes,
        dq: SecretBytes,
        qi: SecretBytes,
    ) -> Self {
        Self {
            d,
            p,
            q,
            dp,
            dq,
            qi,
        }
    }
}

/// What a key is: its type and its numbers. Integers are big-endian bytes, as in a JWK
/// (RFC 7518 §6), without leading zero bytes for RSA integers and fixed-length for coordinates.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMaterial {
    /// An RSA key: modulus `n`, public exponent `e`, and optionally the private part.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
        /// The private part, for a private key.
        private: Option<Box<RsaPrivate>>,
    },
    /// An elliptic-curve key: `x`, `y` and optionally the private scalar `d`.
    Ec {
        /// The curve.
        crv: Curve,
        /// X coordinate.
        x: Vec<u8>,
        /// Y coordinate.
        y: Vec<u8>,
        /// Private scalar.
        d: Option<SecretBytes>,
    },
    /// An octet key pair (RFC 8037): public `x` and optionally the private `d`.
    Okp {
        /// The curve (Ed25519 or X25519).
        crv: Curve,
        /// Public key.
        x: Vec<u8>,
        /// Private key.
        d: Option<SecretBytes>,
    },
    /// A symmetric key.
    Oct {
        /// The key bytes.
        k: SecretBytes,
    },
}

impl KeyMaterial {
    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa { .. } => KeyType::Rsa,
            Self::Ec { .. } => KeyType::Ec,
            Self::Okp { .. } => KeyType::Okp,
            Self::Oct { .. } => KeyType::Oct,
        }
    }

    /// The curve of an `EC` or `OKP` key.
    #[must_use]
    pub fn curve(&self) -> Option<Curve> {
        match self {
            Self::Ec { crv, .. } | Self::Okp { crv, .. } => Some(*crv),
            Self::Rsa { .. } | Self::Oct { .. } => None,
        }
    }

    /// Whether the material holds a private or secret part.
    #[must_use]
    pub fn is_private(&self) -> bool {
        match self {
            Self::Rsa { private, .. } => private.is_some(),
            Self::Ec { d, .. } | Self::Okp { d, .. } => d.is_some(),
            Self::Oct { .. } => true,
        }
    }

    /// The RSA modulus size in bits, for RSA keys.
    #[must_use]
    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            Self::Rsa { n, .. } => Some(bit_len(n)),
            _ => None,
        }
    }

    /// The public part; `None` for `oct`.
    #[must_use]
    pub fn public(&self) -> Option<Self> {
        Some(match self {
            Self::Rsa { n, e, .. } => Self::Rsa {
                n: n.clone(),
                e: e.clone(),
                private: None,
            },
            Self::Ec { crv, x, y, .. } => Self::Ec {
                crv: *crv,
                x: x.clone(),
                y: y.clone(),
                d: None,
            },
            Self::Okp { crv, x, .. } => Self::Okp {
                crv: *crv,
                x: x.clone(),
                d: None,
            },
            Self::Oct { .. } => return None,
        })
    }
}

/// The length in bits of a big-endian unsigned integer.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    let Some(first) = be.iter().position(|&b| b != 0) else {
        return 0;
    };
    let lead = be[first];
    (be.len() - first - 1) * 8 + (8 - lead.leading_zeros() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Curve::ALL {
            assert_eq!(Curve::from_name(c.name()), Some(c));
        }
        assert_eq!(Curve::from_name("p-256"), None);
        assert_eq!(KeyType::from_name("oct"), Some(KeyType::Oct));
        assert_eq!(KeyType::from_name("OCT"), None);
    }

    #[test]
    fn bit_length() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
    }
}
