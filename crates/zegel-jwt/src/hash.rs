//! The OpenID Connect hash claims: `at_hash`, `c_hash` and `s_hash`.
//!
//! OpenID Connect Core §3.1.3.6 and §3.3.2.11 (and FAPI for `s_hash`): hash the ASCII octets of
//! the value with the hash function of the ID token's JWS `alg`, keep the left-most half of the
//! digest, and base64url-encode it. For `EdDSA`, the OpenID Connect Core errata set 2 (§3.1.3.6)
//! fixes the hash by curve: SHA-512 for Ed25519, the only EdDSA curve zegel signs with.
//!
//! The hash of each algorithm is chosen in one place, a private `digest_for`, by the algorithm's RFC
//! name (`zegel_jose::jws` does not expose its hash): `*256` and `ES256K` use SHA-256, `*384`
//! SHA-384, `*512` and `EdDSA` SHA-512.

use ring::digest;
use subtle::ConstantTimeEq;

use crate::error::Error;
use zegel_jose::jws::JwsAlgorithm;

/// The hash of the OpenID Connect hash claims for the JWS algorithm named `alg`, or `None` for a
/// name that has none. The one place mapping algorithms to hashes.
fn digest_for(alg: &str) -> Option<&'static digest::Algorithm> {
    Some(match alg {
        "HS256" | "RS256" | "PS256" | "ES256" | "ES256K" => &digest::SHA256,
        "HS384" | "RS384" | "PS384" | "ES384" => &digest::SHA384,
        "HS512" | "RS512" | "PS512" | "ES512" | "EdDSA" | "Ed25519" => &digest::SHA512,
        _ => return None,
    })
}

/// The left half of the hash of `value`, base64url-encoded, for the JWS algorithm `alg`.
///
/// # Errors
/// [`Error::UnsupportedHash`] for an algorithm with no hash defined.
pub fn oidc_hash(value: &str, alg: &JwsAlgorithm) -> Result<String, Error> {
    hash_named(value, alg.name())
}

fn hash_named(value: &str, name: &'static str) -> Result<String, Error> {
    let hash = digest_for(name).ok_or(Error::UnsupportedHash { alg: name })?;
    let d = digest::digest(hash, value.as_bytes());
    let full = d.as_ref();
    let half = full.get(..full.len() / 2).unwrap_or(full);
    Ok(zegel_jose::base64url::encode(half))
}

/// `at_hash`: the hash of an access token (OpenID Connect Core §3.1.3.6, §3.2.2.9).
///
/// # Errors
/// [`Error::UnsupportedHash`] for an algorithm with no hash defined.
pub fn at_hash(access_token: &str, alg: &JwsAlgorithm) -> Result<String, Error> {
    oidc_hash(access_token, alg)
}

/// `c_hash`: the hash of an authorization code (OpenID Connect Core §3.3.2.11).
///
/// # Errors
/// [`Error::UnsupportedHash`] for an algorithm with no hash defined.
pub fn c_hash(code: &str, alg: &JwsAlgorithm) -> Result<String, Error> {
    oidc_hash(code, alg)
}

/// `s_hash`: the hash of the `state` value (FAPI 1.0 Advanced §5.1).
///
/// # Errors
/// [`Error::UnsupportedHash`] for an algorithm with no hash defined.
pub fn s_hash(state: &str, alg: &JwsAlgorithm) -> Result<String, Error> {
    oidc_hash(state, alg)
}

/// Checks a hash claim named `claim` (`"at_hash"`, `"c_hash"`, `"s_hash"`) against `value`.
///
/// # Errors
/// [`Error::HashMismatch`] when it does not match; [`Error::UnsupportedHash`].
pub fn check_oidc_hash(
    claim: &'static str,
    found: &str,
    value: &str,
    alg: &JwsAlgorithm,
) -> Result<(), Error> {
    let expected = oidc_hash(value, alg)?;
    if bool::from(expected.as_bytes().ct_eq(found.as_bytes())) {
        Ok(())
    } else {
        Err(Error::HashMismatch { claim })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_by_name() {
        for (names, len) in [
            (&["HS256", "RS256", "PS256", "ES256", "ES256K"][..], 32),
            (&["HS384", "RS384", "PS384", "ES384"], 48),
            (&["HS512", "RS512", "PS512", "ES512", "EdDSA"], 64),
        ] {
            for name in names {
                assert_eq!(
                    digest_for(name).map(|d| d.output_len()),
                    Some(len),
                    "{name}"
                );
            }
        }
        assert!(digest_for("none").is_none());
        assert_eq!(
            hash_named("x", "Ed448"),
            Err(Error::UnsupportedHash { alg: "Ed448" })
        );
        assert!(digest_for("rs256").is_none());
    }
}
