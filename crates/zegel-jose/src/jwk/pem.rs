//! PEM import and export of keys: PKCS#8 (RFC 5208, RFC 5958) and SPKI (RFC 5280) for every key
//! type with a public part, PKCS#1 (RFC 8017) for RSA and SEC1 (RFC 5915) for EC.
//!
//! Import reads one PEM block and builds a [`Jwk`] through the same validation as a JSON key.
//! DER intermediates that hold private material are zeroized when dropped. Encrypted PKCS#8,
//! multi-prime RSA and compressed EC public keys in SPKI are refused.

use pkcs8::PrivateKeyInfo;
use pkcs8::der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use pkcs8::der::pem::LineEnding;
use pkcs8::der::{Decode, Encode};
use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::curve::CurveRow;
use super::material::{Curve, KeyMaterial, KeyType, RsaPrivate};
use super::params::JwkParams;
use super::{Jwk, KeyPolicy};
use crate::error::{Error, KeyError, Part};
use crate::secret::SecretBytes;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

impl Jwk {
    /// Reads a key from one PEM block, with the default [`KeyPolicy`]:
    /// `PRIVATE KEY` (PKCS#8: RSA, EC, Ed25519, X25519), `PUBLIC KEY` (SPKI: the same),
    /// `RSA PRIVATE KEY` / `RSA PUBLIC KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC1).
    ///
    /// The key has no metadata (`kid`, `alg`, ...); add it with [`Jwk::with_kid`] etc.
    ///
    /// # Errors
    /// [`KeyError::Pem`] for anything that is not one of those blocks (including encrypted
    /// keys and certificates), and the errors of JWK validation (see [`Jwk::parse`]).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        Self::from_pem_with(pem, &KeyPolicy::default())
    }

    /// Reads a key from one PEM block, validating it with `policy`.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`]; [`Error::TooLarge`] past [`KeyPolicy::max_len`].
    pub fn from_pem_with(pem: &str, policy: &KeyPolicy) -> Result<Self, Error> {
        if pem.len() > policy.max_len {
            return Err(Error::TooLarge {
                part: Part::Pem,
                limit: policy.max_len,
            });
        }
        let (label, der) =
            pkcs8::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| KeyError::Pem)?;
        let der = Zeroizing::new(der);
        let material = match label {
            "PRIVATE KEY" => from_pkcs8(&der)?,
            "PUBLIC KEY" => from_spki(&der)?,
            "RSA PRIVATE KEY" => rsa_from_pkcs1_private(&der)?,
            "RSA PUBLIC KEY" => rsa_from_pkcs1_public(&der)?,
            "EC PRIVATE KEY" => ec_from_sec1(&der, None)?,
            _ => return Err(KeyError::Pem.into()),
        };
        Self::new_with(material, JwkParams::default(), policy)
    }

    /// Exports the private key as PKCS#8 PEM (`PRIVATE KEY`), zeroized on drop.
    ///
    /// # Security
    /// The text is the private key in clear.
    ///
    /// # Errors
    /// [`KeyError::NotPrivate`] for a public key, [`KeyError::UnsupportedKeyType`] for `oct`.
    pub fn to_pem_private(&self) -> Result<Zeroizing<String>, Error> {
        let der = pkcs8_der(self.material())?;
        let pem = pkcs8::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, &der)
            .map_err(|_| KeyError::Pem)?;
        Ok(Zeroizing::new(pem))
    }

    /// Exports the public key as SPKI PEM (`PUBLIC KEY`).
    ///
    /// # Errors
    /// [`KeyError::UnsupportedKeyType`] for `oct`, which has no public part.
    pub fn to_pem_public(&self) -> Result<String, Error> {
        let der = spki_der(self.material())?;
        pkcs8::der::pem::encode_string("PUBLIC KEY", LineEnding::LF, &der)
            .map_err(|_| KeyError::Pem.into())
    }
}

/// The named-curve object identifier of an `EC` curve.
fn curve_oid(crv: Curve) -> Result<ObjectIdentifier, Error> {
    let row = crv.row();
    if row.kty == KeyType::Ec {
        Ok(row.oid)
    } else {
        Err(KeyError::UnsupportedKeyType {
            value: crv.name().into(),
        }
        .into())
    }
}

/// The `EC` curve of a named-curve object identifier.
fn curve_from_oid(oid: ObjectIdentifier) -> Result<Curve, Error> {
    CurveRow::by_oid(oid, KeyType::Ec)
        .map(|(c, _)| c)
        .ok_or_else(|| {
            KeyError::UnsupportedKeyType {
                value: oid.to_string(),
            }
            .into()
        })
}

/// The `OKP` curve whose algorithm identifier (RFC 8410) is `oid`.
fn okp_curve(oid: ObjectIdentifier) -> Option<Curve> {
    CurveRow::by_oid(oid, KeyType::Okp).map(|(c, _)| c)
}

fn pem_err<E>(_: E) -> Error {
    KeyError::Pem.into()
}

fn secret(b: &[u8]) -> SecretBytes {
    SecretBytes::from_slice(b)
}

/// The named curve of an `id-ecPublicKey` algorithm identifier.
fn ec_params_curve(alg: &AlgorithmIdentifierRef<'_>) -> Result<Curve, Error> {
    let params = alg.parameters.ok_or(KeyError::Pem)?;
    curve_from_oid(params.decode_as::<ObjectIdentifier>().map_err(pem_err)?)
}

fn from_pkcs8(der: &[u8]) -> Result<KeyMaterial, Error> {
    let pki = PrivateKeyInfo::from_der(der).map_err(pem_err)?;
    match pki.algorithm.oid {
        RSA_ENCRYPTION => rsa_from_pkcs1_private(pki.private_key),
        EC_PUBLIC_KEY => ec_from_sec1(pki.private_key, Some(ec_params_curve(&pki.algorithm)?)),
        oid if let Some(crv) = okp_curve(oid) => {
            if pki.algorithm.parameters.is_some() {
                return Err(KeyError::Pem.into());
            }
            // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
            let seed = OctetStringRef::from_der(pki.private_key).map_err(pem_err)?;
            let d = seed.as_bytes();
            if d.len() != crv.coordinate_len() {
                return Err(KeyError::InvalidMember { name: "d" }.into());
            }
            let x = match pki.public_key {
                Some(x) => x.to_vec(),
                None => crv.row().ops()?.public(d)?,
            };
            Ok(KeyMaterial::Okp {
                crv,
                x,
                d: Some(secret(d)),
            })
        }
        other => Err(KeyError::UnsupportedKeyType {
            value: other.to_string(),
        }
        .into()),
    }
}

fn from_spki(der: &[u8]) -> Result<KeyMaterial, Error> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(pem_err)?;
    let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::Pem)?;
    match spki.algorithm.oid {
        RSA_ENCRYPTION => rsa_from_pkcs1_public(bits),
        EC_PUBLIC_KEY => {
            let crv = ec_params_curve(&spki.algorithm)?;
            let (x, y) = split_point(crv, bits)?;
            Ok(KeyMaterial::Ec { crv, x, y, d: None })
        }
        oid if let Some(crv) = okp_curve(oid) => {
            if spki.algorithm.parameters.is_some() {
                return Err(KeyError::Pem.into());
            }
            Ok(KeyMaterial::Okp {
                crv,
                x: bits.to_vec(),
                d: None,
            })
        }
        other => Err(KeyError::UnsupportedKeyType {
            value: other.to_string(),
        }
        .into()),
    }
}

fn rsa_from_pkcs1_private(der: &[u8]) -> Result<KeyMaterial, Error> {
    let k = pkcs1::RsaPrivateKey::from_der(der).map_err(pem_err)?;
    if k.other_prime_infos.is_some() {
        return Err(KeyError::InvalidMember { name: "oth" }.into());
    }
    let private = RsaPrivate::new(
        secret(k.private_exponent.as_bytes()),
        secret(k.prime1.as_bytes()),
        secret(k.prime2.as_bytes()),
        secret(k.exponent1.as_bytes()),
        secret(k.exponent2.as_bytes()),
        secret(k.coefficient.as_bytes()),
    );
    Ok(KeyMaterial::Rsa {
        n: k.modulus.as_bytes().to_vec(),
        e: k.public_exponent.as_bytes().to_vec(),
        private: Some(Box::new(private)),
    })
}

fn rsa_from_pkcs1_public(der: &[u8]) -> Result<KeyMaterial, Error> {
    let k = pkcs1::RsaPublicKey::from_der(der).map_err(pem_err)?;
    Ok(KeyMaterial::Rsa {
        n: k.modulus.as_bytes().to_vec(),
        e: k.public_exponent.as_bytes().to_vec(),
        private: None,
    })
}

/// Splits an uncompressed SEC1 point into fixed-length coordinates.
fn split_point(crv: Curve, point: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let len = crv.coordinate_len();
    match point.split_first() {
        Some((0x04, xy)) if Some(xy.len()) == len.checked_mul(2) => {
            let (x, y) = xy.split_at(len);
            Ok((x.to_vec(), y.to_vec()))
        }
        _ => Err(KeyError::InvalidPoint.into()),
    }
}

/// Reads a SEC1 `ECPrivateKey`; `outer` is the curve named by an enclosing PKCS#8 structure.
fn ec_from_sec1(der: &[u8], outer: Option<Curve>) -> Result<KeyMaterial, Error> {
    let k = sec1::EcPrivateKey::from_der(der).map_err(pem_err)?;
    let inner = k
        .parameters
        .map(|p| p.named_curve().ok_or(KeyError::Pem))
        .transpose()?
        .map(curve_from_oid)
        .transpose()?;
    let crv = match (outer, inner) {
        (Some(a), Some(b)) if a != b => return Err(KeyError::Pem.into()),
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(KeyError::Pem.into()),
    };
    let len = crv.coordinate_len();
    // SEC1 fixes the scalar's length; some encoders dropped leading zeros, so pad them back.
    let pad = len
        .checked_sub(k.private_key.len())
        .ok_or(KeyError::InvalidMember { name: "d" })?;
    let mut d = Zeroizing::new(vec![0u8; pad]);
    d.extend_from_slice(k.private_key);
    let point = match k.public_key {
        Some(p) if p.first() == Some(&0x04) => p.to_vec(),
        // Absent, or compressed: derive the uncompressed point from the scalar.
        _ => crv.row().ops()?.public(&d)?,
    };
    let (x, y) = split_point(crv, &point)?;
    Ok(KeyMaterial::Ec {
        crv,
        x,
        y,
        d: Some(SecretBytes::from_slice(&d)),
    })
}

/// Decodes the `d` and uncompressed point of an EC PKCS#8 document (as ring generates them).
#[cfg_attr(
    feature = "aws-lc",
    allow(
        dead_code,
        reason = "used by ring key generation, which aws-lc-rs replaces"
    )
)]
pub(crate) fn ec_from_pkcs8_der(der: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
    match from_pkcs8(der)? {
        KeyMaterial::Ec {
            x, y, d: Some(d), ..
        } => Ok((
            Zeroizing::new(d.expose_secret().to_vec()),
            crate::backend::uncompressed_point(&x, &y),
        )),
        _ => Err(KeyError::Backend.into()),
    }
}

/// Decodes the RSA material of a PKCS#8 document (as aws-lc-rs generates them).
pub(super) fn rsa_from_pkcs8_der(der: &[u8]) -> Result<KeyMaterial, Error> {
    match from_pkcs8(der)? {
        m @ KeyMaterial::Rsa { .. } => Ok(m),
        _ => Err(KeyError::Backend.into()),
    }
}

fn uint(b: &[u8]) -> Result<UintRef<'_>, Error> {
    UintRef::new(b).map_err(pem_err)
}

/// The PKCS #8 `PrivateKeyInfo` DER of private key material, zeroized on drop (RSA through
/// the `pkcs1` encoder).
pub(crate) fn pkcs8_der(m: &KeyMaterial) -> Result<Zeroizing<Vec<u8>>, Error> {
    let (oid, params, inner) = match m {
        KeyMaterial::Rsa {
            n,
            e,
            private: Some(p),
        } => {
            let k = pkcs1::RsaPrivateKey {
                modulus: uint(n)?,
                public_exponent: uint(e)?,
                private_exponent: uint(p.d.expose_secret())?,
                prime1: uint(p.p.expose_secret())?,
                prime2: uint(p.q.expose_secret())?,
                exponent1: uint(p.dp.expose_secret())?,
                exponent2: uint(p.dq.expose_secret())?,
                coefficient: uint(p.qi.expose_secret())?,
                other_prime_infos: None,
            };
            (
                RSA_ENCRYPTION,
                None,
                Zeroizing::new(k.to_der().map_err(pem_err)?),
            )
        }
        KeyMaterial::Ec {
            crv,
            x,
            y,
            d: Some(d),
        } => {
            let point = crate::backend::uncompressed_point(x, y);
            let k = sec1::EcPrivateKey {
                private_key: d.expose_secret(),
                parameters: None,
                public_key: Some(&point),
            };
            (
                EC_PUBLIC_KEY,
                Some(curve_oid(*crv)?),
                Zeroizing::new(k.to_der().map_err(pem_err)?),
            )
        }
        KeyMaterial::Okp {
            crv, d: Some(d), ..
        } => {
            let oid = crv.row().oid;
            let seed = OctetStringRef::new(d.expose_secret()).map_err(pem_err)?;
            (oid, None, Zeroizing::new(seed.to_der().map_err(pem_err)?))
        }
        KeyMaterial::Oct { .. } => {
            return Err(KeyError::UnsupportedKeyType {
                value: "oct".into(),
            }
            .into());
        }
        _ => return Err(KeyError::NotPrivate.into()),
    };
    let pki = PrivateKeyInfo {
        algorithm: algorithm_id(oid, params.as_ref()),
        private_key: &inner,
        public_key: None,
    };
    Ok(Zeroizing::new(pki.to_der().map_err(pem_err)?))
}

fn algorithm_id(
    oid: ObjectIdentifier,
    curve: Option<&ObjectIdentifier>,
) -> AlgorithmIdentifierRef<'_> {
    let parameters = match (oid, curve) {
        (RSA_ENCRYPTION, _) => Some(AnyRef::NULL),
        (_, Some(c)) => Some(AnyRef::from(c)),
        (_, None) => None,
    };
    AlgorithmIdentifierRef { oid, parameters }
}

/// The `SubjectPublicKeyInfo` DER of the public part of key material.
pub(crate) fn spki_der(m: &KeyMaterial) -> Result<Vec<u8>, Error> {
    let (oid, curve, key) = match m {
        KeyMaterial::Rsa { n, e, .. } => {
            let k = pkcs1::RsaPublicKey {
                modulus: uint(n)?,
                public_exponent: uint(e)?,
            };
            (RSA_ENCRYPTION, None, k.to_der().map_err(pem_err)?)
        }
        KeyMaterial::Ec { crv, x, y, .. } => (
            EC_PUBLIC_KEY,
            Some(curve_oid(*crv)?),
            crate::backend::uncompressed_point(x, y),
        ),
        KeyMaterial::Okp { crv, x, .. } => (crv.row().oid, None, x.clone()),
        KeyMaterial::Oct { .. } => {
            return Err(KeyError::UnsupportedKeyType {
                value: "oct".into(),
            }
            .into());
        }
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm: algorithm_id(oid, curve.as_ref()),
        subject_public_key: BitStringRef::from_bytes(&key).map_err(pem_err)?,
    };
    spki.to_der().map_err(pem_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_oids_round_trip() {
        for crv in [Curve::P256, Curve::P384, Curve::P521, Curve::Secp256k1] {
            let oid = curve_oid(crv).unwrap();
            assert_eq!(curve_from_oid(oid), Ok(crv));
        }
        assert_eq!(
            curve_oid(Curve::P384).unwrap(),
            ObjectIdentifier::new_unwrap("1.3.132.0.34")
        );
        assert!(curve_oid(Curve::Ed25519).is_err());
        assert_eq!(okp_curve(Curve::X25519.row().oid), Some(Curve::X25519));
        assert_eq!(
            curve_from_oid(Curve::Ed25519.row().oid),
            Err(KeyError::UnsupportedKeyType {
                value: "1.3.101.112".into()
            }
            .into())
        );
    }

    #[test]
    fn points_must_be_uncompressed_and_exact() {
        let mut point = vec![4u8];
        point.extend([1u8; 64]);
        assert_eq!(
            split_point(Curve::P256, &point),
            Ok((vec![1; 32], vec![1; 32]))
        );
        assert_eq!(
            split_point(Curve::P384, &point),
            Err(KeyError::InvalidPoint.into())
        );
        point[0] = 2;
        assert_eq!(
            split_point(Curve::P256, &point),
            Err(KeyError::InvalidPoint.into())
        );
        assert_eq!(
            split_point(Curve::P256, &[]),
            Err(KeyError::InvalidPoint.into())
        );
        assert_eq!(
            split_point(Curve::P256, &[4]),
            Err(KeyError::InvalidPoint.into())
        );
    }

    #[test]
    fn sec1_scalars_are_padded_to_the_curve_length() {
        // A P-256 key whose scalar was written without its leading zero byte.
        let d = [7u8; 31];
        let ops = Curve::P256.row().ops().unwrap();
        let point = match ops.public(&[[0u8].as_slice(), &d].concat()) {
            Ok(p) => p,
            // ring alone cannot derive the point; nothing more to check there.
            Err(Error::AlgorithmUnavailable { .. }) => return,
            Err(e) => panic!("{e}"),
        };
        let k = sec1::EcPrivateKey {
            private_key: &d,
            parameters: Some(Curve::P256.row().oid.into()),
            public_key: Some(&point),
        };
        let der = k.to_der().unwrap();
        let KeyMaterial::Ec { d: Some(got), .. } = ec_from_sec1(&der, None).unwrap() else {
            panic!("not an EC key");
        };
        assert_eq!(got.expose_secret(), [[0u8].as_slice(), &d].concat());
        // A curve named twice must be named the same.
        assert_eq!(
            ec_from_sec1(&der, Some(Curve::P384)),
            Err(KeyError::Pem.into())
        );
    }
}
