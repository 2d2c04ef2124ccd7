//! Client authentication at the token endpoint (Core §9, RFC 6749 §2.3.1, RFC 7523).
//!
//! - `private_key_jwt`: a client assertion signed with the client's private key (`iss` = `sub`
//!   = client_id, `aud` = the token endpoint, a 256-bit random `jti`, `iat`, `exp` one minute
//!   ahead); RS256 for RSA keys unless the key names its `alg`.
//! - `client_secret_post`: `client_id` and `client_secret` in the form.
//! - `client_secret_basic`: HTTP Basic with the id and secret form-encoded first (RFC 6749
//!   §2.3.1), so that a `:` or non-ASCII secret survives.
//! - `client_secret_jwt`: an assertion MACed with the secret (HS256).

use core::time::Duration;

use base64ct::Encoding;
use serde_json::Map;
use zegel_jose::Jwk;
use zegel_jose::jws;
use zegel_jwt::{Claims, UnixTime};

use crate::error::Error;
pub use crate::keys::ClientKey;
use crate::secret::ClientSecret;
use crate::{rand, secret_keys};

/// How long a client assertion is valid (at most 5 minutes, by the rule).
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(60);

/// The `client_assertion_type` of RFC 7523.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the client authenticates at the token endpoint.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// `private_key_jwt` with this prepared private key.
    PrivateKeyJwt(ClientKey),
    /// `client_secret_post`.
    ClientSecretPost(ClientSecret),
    /// `client_secret_basic`.
    ClientSecretBasic(ClientSecret),
    /// `client_secret_jwt` (HS256).
    ClientSecretJwt(ClientSecret),
}

impl ClientAuth {
    /// `private_key_jwt` with `key`, signing with its own `alg`, else RS256 (RSA) or the
    /// customary algorithm of its curve.
    ///
    /// # Errors
    /// [`Error::Jose`] / [`Error::Unsupported`] for a key that cannot sign.
    pub fn private_key_jwt(key: &Jwk) -> Result<Self, Error> {
        Ok(Self::PrivateKeyJwt(ClientKey::new(key)?))
    }

    /// The `token_endpoint_auth_method` name.
    #[must_use]
    pub fn method(&self) -> &'static str {
        match self {
            Self::PrivateKeyJwt(_) => "private_key_jwt",
            Self::ClientSecretPost(_) => "client_secret_post",
            Self::ClientSecretBasic(_) => "client_secret_basic",
            Self::ClientSecretJwt(_) => "client_secret_jwt",
        }
    }

    /// The client secret, for the methods that have one.
    #[must_use]
    pub fn secret(&self) -> Option<&ClientSecret> {
        match self {
            Self::PrivateKeyJwt(_) => None,
            Self::ClientSecretPost(s) | Self::ClientSecretBasic(s) | Self::ClientSecretJwt(s) => {
                Some(s)
            }
        }
    }

    /// Adds the authentication to a token request: form parameters and headers.
    pub(crate) fn apply(
        &self,
        client_id: &str,
        token_endpoint: &str,
        now: UnixTime,
        form: &mut url::form_urlencoded::Serializer<'_, String>,
        headers: &mut http::HeaderMap,
    ) -> Result<(), Error> {
        match self {
            Self::PrivateKeyJwt(key) => {
                let assertion = assertion(client_id, token_endpoint, now, key)?;
                form.append_pair("client_id", client_id);
                form.append_pair("client_assertion_type", JWT_BEARER);
                form.append_pair("client_assertion", &assertion);
            }
            Self::ClientSecretJwt(secret) => {
                let key =
                    ClientKey::with_alg(&secret_keys::mac_key(secret, &jws::HS256)?, &jws::HS256)?;
                let assertion = assertion(client_id, token_endpoint, now, &key)?;
                form.append_pair("client_id", client_id);
                form.append_pair("client_assertion_type", JWT_BEARER);
                form.append_pair("client_assertion", &assertion);
            }
            Self::ClientSecretPost(secret) => {
                form.append_pair("client_id", client_id);
                form.append_pair("client_secret", secret.expose_secret());
            }
            Self::ClientSecretBasic(secret) => {
                let mut value = basic_authorization(client_id, secret);
                value.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, value);
            }
        }
        Ok(())
    }
}

/// `Authorization: Basic` with the id and secret form-encoded (RFC 6749 §2.3.1).
fn basic_authorization(client_id: &str, secret: &ClientSecret) -> http::HeaderValue {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = zeroize::Zeroizing::new(format!(
        "{}:{}",
        enc(client_id),
        enc(secret.expose_secret())
    ));
    let b64 = zeroize::Zeroizing::new(base64ct::Base64::encode_string(pair.as_bytes()));
    http::HeaderValue::from_str(&format!("Basic {}", b64.as_str()))
        .unwrap_or_else(|_| http::HeaderValue::from_static("Basic"))
}

/// A client assertion (RFC 7523 §3).
fn assertion(
    client_id: &str,
    token_endpoint: &str,
    now: UnixTime,
    key: &ClientKey,
) -> Result<String, Error> {
    let mut claims = Claims::new(Map::new())
        .with_issuer(client_id)
        .with_subject(client_id)
        .with_audience(token_endpoint)
        .with_lifetime(now, ASSERTION_LIFETIME)?;
    claims.jti = Some(rand::random_b64(32)?);
    key.sign_jwt(&claims, "JWT")
}

#[cfg(test)]
mod tests {
    use zegel_jose::jwk::KeySpec;

    use super::*;

    const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

    fn apply(auth: &ClientAuth) -> (Vec<(String, String)>, http::HeaderMap) {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        let mut headers = http::HeaderMap::new();
        auth.apply(
            "my client",
            "https://op.example/token",
            NOW,
            &mut form,
            &mut headers,
        )
        .unwrap();
        let body = form.finish();
        let pairs = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        (pairs, headers)
    }

    #[test]
    fn private_key_jwt_assertion() {
        let key = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_kid("k1");
        let auth = ClientAuth::private_key_jwt(&key).unwrap();
        assert_eq!(auth.method(), "private_key_jwt");
        assert!(auth.secret().is_none());
        let (form, headers) = apply(&auth);
        assert!(headers.is_empty());
        assert_eq!(form[0], ("client_id".into(), "my client".into()));
        assert_eq!(form[1], ("client_assertion_type".into(), JWT_BEARER.into()));
        let validation = zegel_jwt::Validation::new(&[&jws::RS256])
            .issuer("my client")
            .subject("my client")
            .audience("https://op.example/token");
        let v: zegel_jwt::Verified =
            zegel_jwt::verify(&form[2].1, &key.to_public().unwrap(), &validation, NOW).unwrap();
        assert_eq!(v.header().unwrap().kid.as_deref(), Some("k1"));
        assert_eq!(v.claims().jti.as_ref().map(String::len), Some(43));
        assert_eq!(
            v.claims().exp.unwrap().secs() - v.claims().iat.unwrap().secs(),
            60
        );
        // Another audience does not verify.
        let other = zegel_jwt::Validation::new(&[&jws::RS256]).audience("https://evil/token");
        assert!(
            zegel_jwt::verify_as::<Map<_, _>>(&form[2].1, &key.to_public().unwrap(), &other, NOW)
                .is_err()
        );
    }

    /// A signer outside zegel-jose (as an HSM's would be): counts its signatures.
    struct External {
        inner: jws::SigningKey,
        calls: std::sync::atomic::AtomicUsize,
    }

    impl jws::Signer for External {
        fn alg(&self) -> &'static jws::JwsAlgorithm {
            self.inner.alg()
        }
        fn kid(&self) -> Option<&str> {
            Some("hsm-1")
        }
        fn public_jwk(&self) -> Option<&Jwk> {
            None
        }
        fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, zegel_jose::Error> {
            self.calls
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            jws::Signer::sign(&self.inner, signing_input)
        }
    }

    #[test]
    fn private_key_jwt_with_an_external_signer() {
        let key = Jwk::generate(&KeySpec::Ec(zegel_jose::jwk::Curve::P256)).unwrap();
        let external = std::sync::Arc::new(External {
            inner: jws::SigningKey::new(&key, &jws::ES256).unwrap(),
            calls: std::sync::atomic::AtomicUsize::new(0),
        });
        let auth = ClientAuth::PrivateKeyJwt(ClientKey::from_signer(external.clone()));
        assert_eq!(auth.method(), "private_key_jwt");
        let (form, _) = apply(&auth);
        assert_eq!(external.calls.load(std::sync::atomic::Ordering::Relaxed), 1);
        let validation = zegel_jwt::Validation::new(&[&jws::ES256])
            .issuer("my client")
            .audience("https://op.example/token");
        let v: zegel_jwt::Verified =
            zegel_jwt::verify(&form[2].1, &key.to_public().unwrap(), &validation, NOW).unwrap();
        assert_eq!(v.header().unwrap().kid.as_deref(), Some("hsm-1"));
        assert_eq!(v.header().unwrap().alg, "ES256");
        // Another key does not verify it.
        let other = Jwk::generate(&KeySpec::Ec(zegel_jose::jwk::Curve::P256)).unwrap();
        assert!(
            zegel_jwt::verify_as::<Map<_, _>>(
                &form[2].1,
                &other.to_public().unwrap(),
                &validation,
                NOW
            )
            .is_err()
        );
    }

    #[test]
    fn secret_methods() {
        let secret = ClientSecret::new("s:e cr€t");
        let (form, headers) = apply(&ClientAuth::ClientSecretPost(secret.clone()));
        assert_eq!(
            form,
            [
                ("client_id".into(), "my client".into()),
                ("client_secret".into(), "s:e cr€t".into())
            ]
        );
        assert!(headers.is_empty());

        let (form, headers) = apply(&ClientAuth::ClientSecretBasic(secret.clone()));
        assert!(form.is_empty());
        let value = headers[http::header::AUTHORIZATION].to_str().unwrap();
        let decoded = base64ct::Base64::decode_vec(value.strip_prefix("Basic ").unwrap()).unwrap();
        assert_eq!(decoded, b"my+client:s%3Ae+cr%E2%82%ACt");
        assert!(headers[http::header::AUTHORIZATION].is_sensitive());
        assert!(!format!("{:?}", ClientAuth::ClientSecretBasic(secret)).contains("cr€t"));

        let long = ClientSecret::new("0123456789abcdef0123456789abcdef");
        let (form, _) = apply(&ClientAuth::ClientSecretJwt(long.clone()));
        let key = secret_keys::mac_key(&long, &jws::HS256).unwrap();
        let validation =
            zegel_jwt::Validation::new(&[&jws::HS256]).audience("https://op.example/token");
        assert!(zegel_jwt::verify_as::<Map<_, _>>(&form[2].1, &key, &validation, NOW).is_ok());
        // A secret too short for HS256 is refused, not padded.
        let mut f = url::form_urlencoded::Serializer::new(String::new());
        assert!(
            ClientAuth::ClientSecretJwt(ClientSecret::new("short"))
                .apply("c", "t", NOW, &mut f, &mut http::HeaderMap::new())
                .is_err()
        );
    }
}
