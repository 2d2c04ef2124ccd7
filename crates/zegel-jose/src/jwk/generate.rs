//! Key generation for every key type, from the system random number generator.

use super::backend;
use super::curve::CurveRow;
use super::material::{Curve, KeyMaterial, KeyType};
use super::params::JwkParams;
use super::{Jwk, KeyPolicy};
use crate::error::{Error, KeyError};
use crate::secret::SecretBytes;

/// The largest `oct` key [`Jwk::generate`] makes, in bytes.
pub const MAX_OCT_BYTES: usize = 1024;

/// What key to generate.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySpec {
    /// An RSA key with a modulus of `bits` bits: 2048, 3072, 4096 or 8192 (public exponent
    /// 65537). Needs the `aws-lc` feature: ring cannot generate RSA keys.
    Rsa {
        /// The modulus size.
        bits: usize,
    },
    /// An `EC` key on P-256, P-384 (ring or aws-lc), P-521 or secp256k1 (aws-lc only).
    Ec(Curve),
    /// An `OKP` key: Ed25519 (ring), X25519 (aws-lc only).
    Okp(Curve),
    /// A symmetric `oct` key of `bytes` random bytes (1 to [`MAX_OCT_BYTES`]).
    Oct {
        /// The key length.
        bytes: usize,
    },
}

impl Jwk {
    /// Generates a new key. It has no metadata: set `kid` (for example to its
    /// [thumbprint](Jwk::thumbprint_sha256_b64)), `alg` and `use` with the `with_*` methods.
    ///
    /// # Errors
    /// [`Error::AlgorithmUnavailable`] when the backend compiled in cannot generate this key
    /// (RSA, P-521, secp256k1 and X25519 without `aws-lc`); [`KeyError::UnsupportedKeyType`]
    /// for a curve of the wrong key type; [`KeyError::RsaTooSmall`] below 2048 bits and
    /// [`KeyError::InvalidMember`] for another unsupported RSA size or `oct` length;
    /// [`Error::Random`] or [`KeyError::Backend`] if the backend fails.
    pub fn generate(spec: &KeySpec) -> Result<Self, Error> {
        let material = match *spec {
            KeySpec::Rsa { bits } => {
                if bits < super::DEFAULT_MIN_RSA_BITS {
                    return Err(KeyError::RsaTooSmall {
                        bits,
                        min_bits: super::DEFAULT_MIN_RSA_BITS,
                    }
                    .into());
                }
                let der = backend::rsa_generate(bits)?;
                super::pem::rsa_from_pkcs8_der(&der)?
            }
            KeySpec::Ec(crv) => {
                let row = curve_of(crv, KeyType::Ec)?;
                let (d, point) = row.ops()?.generate()?;
                let len = row.coordinate_len;
                let (x, y) = point
                    .get(1..)
                    .filter(|xy| xy.len() == 2 * len)
                    .map(|xy| xy.split_at(len))
                    .ok_or(KeyError::Backend)?;
                KeyMaterial::Ec {
                    crv,
                    x: x.to_vec(),
                    y: y.to_vec(),
                    d: Some(SecretBytes::from_slice(&d)),
                }
            }
            KeySpec::Okp(crv) => {
                let (d, x) = curve_of(crv, KeyType::Okp)?.ops()?.generate()?;
                KeyMaterial::Okp {
                    crv,
                    x,
                    d: Some(SecretBytes::from_slice(&d)),
                }
            }
            KeySpec::Oct { bytes } => {
                if bytes == 0 || bytes > MAX_OCT_BYTES {
                    return Err(KeyError::InvalidMember { name: "k" }.into());
                }
                KeyMaterial::Oct {
                    k: SecretBytes::from_slice(&backend::random(bytes)?),
                }
            }
        };
        Self::new_with(material, JwkParams::default(), &KeyPolicy::default())
    }
}

/// The row of `crv`, which must be a curve of `kty`.
fn curve_of(crv: Curve, kty: KeyType) -> Result<&'static CurveRow, Error> {
    let row = crv.row();
    if row.kty == kty {
        Ok(row)
    } else {
        Err(KeyError::UnsupportedKeyType {
            value: crv.name().into(),
        }
        .into())
    }
}
