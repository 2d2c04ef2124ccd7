//! Checks every key on import: sizes, lengths, points on their curves, private parts that
//! match their public parts, metadata of the right shape.

use super::KeyPolicy;
use super::backend;
use super::material::{KeyMaterial, KeyType, bit_len};
use super::params::{JwkParams, KeyOp};
use super::roca;
use crate::error::{Error, KeyError};

/// The largest RSA modulus accepted, in bits.
const MAX_RSA_BITS: usize = 16384;

/// Validates key material against `policy`.
///
/// Public keys cost little: lengths, and for `EC` one point decoding. Private keys are loaded
/// once by the backend, which checks that they match their public part.
pub(super) fn material(m: &KeyMaterial, policy: &KeyPolicy) -> Result<(), Error> {
    match m {
        KeyMaterial::Rsa { n, e, private } => {
            if n.first().is_none_or(|&b| b == 0) || n.last().is_none_or(|&b| b & 1 == 0) {
                return Err(KeyError::InvalidMember { name: "n" }.into());
            }
            // e: odd, at least 3, at most 32 bits, minimal encoding.
            if e.first().is_none_or(|&b| b == 0)
                || e.len() > 4
                || e.last().is_none_or(|&b| b & 1 == 0)
                || e.as_slice() == [1]
            {
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
            if bits > MAX_RSA_BITS {
                return Err(KeyError::InvalidMember { name: "n" }.into());
            }
            if roca::is_weak(n) {
                return Err(KeyError::RocaWeak.into());
            }
            if let Some(p) = private {
                backend::rsa_check(n, e, p, bits)?;
            }
            Ok(())
        }
        KeyMaterial::Ec { crv, x, y, d } => crv.row().check_key(
            KeyType::Ec,
            x,
            Some(y),
            d.as_ref().map(|d| d.expose_secret()),
        ),
        KeyMaterial::Okp { crv, x, d } => {
            crv.row()
                .check_key(KeyType::Okp, x, None, d.as_ref().map(|d| d.expose_secret()))
        }
        KeyMaterial::Oct { k } => {
            if k.is_empty() {
                return Err(KeyError::InvalidMember { name: "k" }.into());
            }
            Ok(())
        }
    }
}

/// The members RFC 7517 §4, RFC 7518 §6 and RFC 8037 register for a JWK.
const REGISTERED_MEMBERS: &[&str] = &[
    "kty", "use", "key_ops", "alg", "kid", "x5u", "x5c", "x5t", "x5t#S256", "crv", "x", "y", "d",
    "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k",
];

/// Validates the metadata members: no registered name among the unknown members, no repeated
/// operation in `key_ops`, and `use` and `key_ops` consistent when both are present
/// (RFC 7517 §4.3).
pub(super) fn params(_m: &KeyMaterial, p: &JwkParams) -> Result<(), Error> {
    // Unknown members are unknown: a registered name there (a private `d`, a second `kty`)
    // would be written out beside, or over, the real one.
    if let Some(name) = REGISTERED_MEMBERS
        .iter()
        .find(|name| p.other.contains_key(**name))
    {
        return Err(KeyError::InvalidMember { name }.into());
    }
    if let Some(ops) = &p.key_ops {
        for (i, op) in ops.iter().enumerate() {
            if ops.iter().take(i).any(|o| o == op) {
                return Err(KeyError::InvalidMember { name: "key_ops" }.into());
            }
            if let Some(u) = &p.use_
                && let Some(known) = KeyOp::from_name(op)
                && known.use_value() != u
            {
                return Err(KeyError::InvalidMember { name: "key_ops" }.into());
            }
        }
    }
    Ok(())
}
