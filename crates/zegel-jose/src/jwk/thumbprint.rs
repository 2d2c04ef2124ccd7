//! JWK thumbprints (RFC 7638): a hash over the key's required members only, so that the same
//! key gives the same thumbprint whatever metadata it carries.

use zeroize::Zeroizing;

use super::Jwk;
use super::material::KeyMaterial;
use crate::base64url;
use crate::error::Error;
use crate::hash::HashAlg;

impl Jwk {
    /// The RFC 7638 thumbprint of the key: `hash` over the JSON object of the required members
    /// (`crv`, `e`, `k`, `kty`, `n`, `x`, `y` as the key type has them), in lexicographic
    /// order, without whitespace. A private key and its public part have the same thumbprint.
    ///
    /// # Security
    /// The thumbprint of an `oct` key is a hash of the secret: it identifies the key, but a
    /// short or guessable secret can be found from it.
    ///
    /// # Errors
    /// None today: every valid key has a thumbprint. The `Result` leaves room for key types
    /// added later.
    pub fn thumbprint(&self, hash: HashAlg) -> Result<Vec<u8>, Error> {
        Ok(hash.digest(canonical_members(self.material()).as_bytes()))
    }

    /// The base64url SHA-256 thumbprint (RFC 7638 §3.1), the usual `kid` value.
    #[must_use]
    pub fn thumbprint_sha256_b64(&self) -> String {
        base64url::encode(&HashAlg::Sha256.digest(canonical_members(self.material()).as_bytes()))
    }

    /// The JWK thumbprint URI (RFC 9278), e.g.
    /// `urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`.
    #[must_use]
    pub fn thumbprint_uri(&self, hash: HashAlg) -> String {
        let digest = hash.digest(canonical_members(self.material()).as_bytes());
        format!(
            "urn:ietf:params:oauth:jwk-thumbprint:{}:{}",
            hash.name(),
            base64url::encode(&digest)
        )
    }
}

/// The RFC 7638 §3.2 input: required members in lexicographic order, no whitespace. Every
/// value is a member name, a `crv`/`kty` name or base64url, so none needs JSON escaping.
fn canonical_members(m: &KeyMaterial) -> Zeroizing<String> {
    let b = base64url::encode;
    Zeroizing::new(match m {
        KeyMaterial::Rsa { n, e, .. } => {
            format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b(e), b(n))
        }
        KeyMaterial::Ec { crv, x, y, .. } => {
            format!(
                r#"{{"crv":"{crv}","kty":"EC","x":"{}","y":"{}"}}"#,
                b(x),
                b(y)
            )
        }
        KeyMaterial::Okp { crv, x, .. } => {
            format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{}"}}"#, b(x))
        }
        KeyMaterial::Oct { k } => {
            let k = Zeroizing::new(b(k.expose_secret()));
            format!(r#"{{"k":"{}","kty":"oct"}}"#, k.as_str())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_section_3_1() {
        let jwk = Jwk::parse(
            br#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#,
        )
        .unwrap();
        assert_eq!(
            jwk.thumbprint_sha256_b64(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(
            jwk.thumbprint_uri(HashAlg::Sha256),
            "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let sha256 = jwk.thumbprint(HashAlg::Sha256).unwrap();
        assert_eq!(
            base64url::encode(&sha256),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(jwk.thumbprint(HashAlg::Sha384).unwrap().len(), 48);
        assert_eq!(jwk.thumbprint(HashAlg::Sha512).unwrap().len(), 64);
    }

    #[test]
    fn rfc8037_appendix_a3() {
        let jwk = Jwk::parse(
            br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        )
        .unwrap();
        assert_eq!(
            jwk.thumbprint_sha256_b64(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn canonical_input_per_key_type() {
        let ec = Jwk::parse(br#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","kid":"1","use":"enc"}"#).unwrap();
        assert_eq!(
            canonical_members(ec.material()).as_str(),
            r#"{"crv":"P-256","kty":"EC","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}"#
        );
        let oct = Jwk::parse(br#"{"kty":"oct","k":"AAEC","alg":"HS256"}"#).unwrap();
        assert_eq!(
            canonical_members(oct.material()).as_str(),
            r#"{"k":"AAEC","kty":"oct"}"#
        );
    }
}
