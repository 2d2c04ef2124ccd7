//! The OpenID Connect hash claims: `at_hash`, `c_hash` and `s_hash`.
//!
//! OpenID Connect Core §3.1.3.6 and §3.3.2.11 (and FAPI for `s_hash`): hash the ASCII octets of
//! the value with the hash function of the ID token's JWS `alg`, keep the left-most half of the
//! digest, and base64url-encode it. For `EdDSA`, the OpenID Connect Core errata set 2 (§3.1.3.6)
//! fixes the hash by curve: SHA-512 for Ed25519, the only EdDSA curve zegel signs with.
//!
//! The hash of each algorithm is data in its row of the JWS algorithm table
//! ([`JwsAlgorithm::hash_alg`]): `*256` and `ES256K` use SHA-256, `*384` SHA-384, `*512` and
//! `EdDSA` SHA-512.

use subtle::ConstantTimeEq;

use crate::error::Error;
use zegel_jose::jws::JwsAlgorithm;

/// The left half of the hash of `value`, base64url-encoded, for the JWS algorithm `alg`.
#[must_use]
pub fn oidc_hash(value: &str, alg: &JwsAlgorithm) -> String {
    let full = alg.hash_alg().digest(value.as_bytes());
    let half = full.get(..full.len() / 2).unwrap_or(&full);
    zegel_jose::base64url::encode(half)
}

/// `at_hash`: the hash of an access token (OpenID Connect Core §3.1.3.6, §3.2.2.9).
#[must_use]
pub fn at_hash(access_token: &str, alg: &JwsAlgorithm) -> String {
    oidc_hash(access_token, alg)
}

/// `c_hash`: the hash of an authorization code (OpenID Connect Core §3.3.2.11).
#[must_use]
pub fn c_hash(code: &str, alg: &JwsAlgorithm) -> String {
    oidc_hash(code, alg)
}

/// `s_hash`: the hash of the `state` value (FAPI 1.0 Advanced §5.1).
#[must_use]
pub fn s_hash(state: &str, alg: &JwsAlgorithm) -> String {
    oidc_hash(state, alg)
}

/// Checks a hash claim named `claim` (`"at_hash"`, `"c_hash"`, `"s_hash"`) against `value`.
///
/// # Errors
/// [`Error::HashMismatch`] when it does not match.
pub fn check_oidc_hash(
    claim: &'static str,
    found: &str,
    value: &str,
    alg: &JwsAlgorithm,
) -> Result<(), Error> {
    let expected = oidc_hash(value, alg);
    if bool::from(expected.as_bytes().ct_eq(found.as_bytes())) {
        Ok(())
    } else {
        Err(Error::HashMismatch { claim })
    }
}

#[cfg(test)]
mod tests {
    use zegel_jose::jws;

    use super::*;

    #[test]
    fn half_of_the_algorithms_hash() {
        for (algs, len) in [
            (
                &[
                    &jws::HS256,
                    &jws::RS256,
                    &jws::PS256,
                    &jws::ES256,
                    &jws::ES256K,
                ][..],
                32,
            ),
            (&[&jws::HS384, &jws::RS384, &jws::PS384, &jws::ES384], 48),
            (
                &[
                    &jws::HS512,
                    &jws::RS512,
                    &jws::PS512,
                    &jws::ES512,
                    &jws::EDDSA,
                ],
                64,
            ),
        ] {
            for alg in algs {
                // base64url of half the digest, unpadded.
                let want: usize = (len / 2 * 4_usize).div_ceil(3);
                assert_eq!(oidc_hash("x", alg).len(), want, "{alg}");
            }
        }
        // Computed with Python's hashlib: base64url(sha256(value)[..16]).
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNMQ", &jws::RS256),
            "ZZ8uIMYDf04UhGhOAu4-fQ"
        );
    }
}
