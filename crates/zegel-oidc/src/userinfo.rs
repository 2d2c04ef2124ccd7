//! UserInfo (Core §5.3): the bearer request and the response, JSON or `application/jwt`.
//!
//! A JWT response may be signed, encrypted, or both (signed then encrypted); it is opened with
//! the rules of the ID token: decrypted with the client's keys or the client-secret key, the
//! signature checked with the provider's keys (or the secret for `HS*`) and a registered `alg`;
//! `iss` and `aud` are checked when present. In every form, `sub` must equal the ID token's
//! (Core §5.3.2). When the client registered UserInfo encryption, a response that is not
//! encrypted is refused.

use serde_json::{Map, Value};
use zegel_jose::Jwk;
use zegel_jose::jwe::{self, ContentEncryption, Decrypter, KeyManagement};
use zegel_jose::jws::{self, JwsAlgorithm};
use zegel_jose::keys::KeySource;

use crate::error::{Document, Error, TokenCheck, parse_document};
use crate::id_token::DEFAULT_KEY_MANAGEMENT;
use crate::keys;
use crate::secret::ClientSecret;
use crate::secret_keys;

/// The bearer GET of `userinfo_endpoint`.
///
/// # Errors
/// [`Error::InvalidUrl`] for a malformed endpoint.
pub fn request(
    userinfo_endpoint: &str,
    access_token: &str,
) -> Result<http::Request<Vec<u8>>, Error> {
    let mut auth =
        http::HeaderValue::from_str(&format!("Bearer {access_token}")).map_err(|_| {
            Error::InvalidMember {
                document: Document::TokenResponse,
                name: "access_token",
            }
        })?;
    auth.set_sensitive(true);
    http::Request::get(userinfo_endpoint)
        .header(http::header::AUTHORIZATION, auth)
        .header(http::header::ACCEPT, "application/json, application/jwt")
        .body(Vec::new())
        .map_err(|_| Error::InvalidUrl {
            what: "userinfo_endpoint".into(),
        })
}

/// The body of a UserInfo response, not yet checked. `Debug` shows its kind only.
#[non_exhaustive]
pub enum Body {
    /// `application/json`.
    Json(Map<String, Value>),
    /// `application/jwt`: a JWS, a JWE, or a JWS inside a JWE.
    Jwt(zeroize::Zeroizing<String>),
}

impl core::fmt::Debug for Body {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Json(_) => "Body::Json([redacted])",
            Self::Jwt(_) => "Body::Jwt([redacted])",
        })
    }
}

/// Reads the response (`url` names it in errors).
///
/// # Errors
/// [`Error::Status`] (or [`Error::Token`] for an RFC 6750 error body) for a status other than
/// 200; [`Error::WrongContentType`]; [`Error::Json`].
pub fn from_response(url: &str, response: &http::Response<Vec<u8>>) -> Result<Body, Error> {
    if response.status() != http::StatusCode::OK {
        return Err(crate::token::error_response(url, response));
    }
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match content_type.as_deref() {
        Some("application/json") => Ok(Body::Json(parse_document(
            response.body(),
            Document::UserInfo,
        )?)),
        Some("application/jwt") => {
            let text = std::str::from_utf8(response.body())
                .map_err(|_| Error::WrongContentType {
                    document: Document::UserInfo,
                })?
                .trim();
            Ok(Body::Jwt(zeroize::Zeroizing::new(text.to_owned())))
        }
        _ => Err(Error::WrongContentType {
            document: Document::UserInfo,
        }),
    }
}

/// How UserInfo responses of this client are checked.
#[derive(Clone, Debug)]
pub struct UserInfoValidator {
    issuer: String,
    client_id: String,
    algs: Vec<&'static JwsAlgorithm>,
    encryption_required: bool,
    key_management: Vec<&'static KeyManagement>,
    content_encryption: Vec<&'static ContentEncryption>,
}

impl UserInfoValidator {
    /// Responses of `issuer` for `client_id`: signed ones with RS256, encryption optional.
    #[must_use]
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            algs: vec![&jws::RS256],
            encryption_required: false,
            key_management: DEFAULT_KEY_MANAGEMENT.to_vec(),
            content_encryption: jwe::ALL_ENC.to_vec(),
        }
    }

    /// The registered signing algorithm(s).
    #[must_use]
    pub fn with_algorithms(mut self, algs: &[&'static JwsAlgorithm]) -> Self {
        self.algs = algs.to_vec();
        self
    }

    /// Registered encryption: an unencrypted response is then refused.
    #[must_use]
    pub fn with_encryption(
        self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
    ) -> Self {
        self.with_encryption_algorithms(&[alg], &[enc])
    }

    /// Registered encryption with any of `algs` and `encs`: an unencrypted response is then
    /// refused, and only these algorithms are accepted.
    #[must_use]
    pub fn with_encryption_algorithms(
        mut self,
        algs: &[&'static KeyManagement],
        encs: &[&'static ContentEncryption],
    ) -> Self {
        self.encryption_required = true;
        self.key_management = algs.to_vec();
        self.content_encryption = encs.to_vec();
        self
    }

    /// Decrypts a JWT body if it is a JWE; says which key signed what is inside.
    ///
    /// # Errors
    /// [`TokenCheck::NotEncrypted`] when encryption is registered and the body is not a JWE;
    /// decryption errors.
    pub fn open(
        &self,
        body: Body,
        client_keys: &[Jwk],
        secret: Option<&ClientSecret>,
    ) -> Result<OpenedUserInfo, Error> {
        self.open_keys(body, keys::ClientKeys::Jwks(client_keys), secret)
    }

    /// [`open`](Self::open) with the client's keys as [`Decrypter`]s (keys kept in an HSM or a
    /// PKCS #11 token), the one with the JWE's `kid` chosen.
    ///
    /// # Errors
    /// As [`open`](Self::open); [`zegel_jose::Error::UnknownKid`] when no decrypter has the
    /// JWE's `kid`.
    pub fn open_with_decrypters(
        &self,
        body: Body,
        decrypters: &[std::sync::Arc<dyn Decrypter>],
        secret: Option<&ClientSecret>,
    ) -> Result<OpenedUserInfo, Error> {
        self.open_keys(body, keys::ClientKeys::Decrypters(decrypters), secret)
    }

    fn open_keys(
        &self,
        body: Body,
        client_keys: keys::ClientKeys<'_>,
        secret: Option<&ClientSecret>,
    ) -> Result<OpenedUserInfo, Error> {
        let token = match body {
            Body::Json(map) => {
                if self.encryption_required {
                    return Err(TokenCheck::NotEncrypted.into());
                }
                return Ok(OpenedUserInfo::Json(map));
            }
            Body::Jwt(token) => token,
        };
        if token.bytes().filter(|b| *b == b'.').count() != 4 {
            if self.encryption_required {
                return Err(TokenCheck::NotEncrypted.into());
            }
            return signed(token.as_bytes());
        }
        let (alg, enc) = keys::jwe_algorithms(&token)?;
        let (header, plaintext) = match secret {
            Some(secret) if alg.is_direct() || alg.key_type() == zegel_jose::jwk::KeyType::Oct => {
                let key = secret_keys::encryption_key(secret, alg, enc)?;
                keys::decrypt_raw(
                    token.as_bytes(),
                    &self.key_management,
                    &self.content_encryption,
                    keys::ClientKeys::Jwks(core::slice::from_ref(&key)),
                )?
            }
            _ => keys::decrypt_raw(
                token.as_bytes(),
                &self.key_management,
                &self.content_encryption,
                client_keys,
            )?,
        };
        let inner = plaintext.expose_secret();
        let is_json = inner.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if is_json && header.cty.is_none() {
            return Ok(OpenedUserInfo::Json(parse_document(
                inner,
                Document::UserInfo,
            )?));
        }
        signed(inner)
    }

    /// Verifies a signed response with `provider_keys` (or the secret for `HS*`), checks
    /// `iss`/`aud` when present, and `sub` against `id_token_sub`.
    ///
    /// # Errors
    /// [`Error::Jose`] (signature, `alg`), [`Error::Jwt`] / [`Error::Check`] for the claims.
    pub fn validate(
        &self,
        opened: OpenedUserInfo,
        provider_keys: &(impl KeySource + ?Sized),
        secret: Option<&ClientSecret>,
        id_token_sub: &str,
    ) -> Result<UserInfo, Error> {
        let claims = match opened {
            OpenedUserInfo::Json(map) => map,
            OpenedUserInfo::Signed { jws, alg, .. } => {
                let payload = match (alg.as_deref().filter(|a| a.starts_with("HS")), secret) {
                    (Some(alg), Some(secret)) => {
                        let alg = jws::by_name(alg).ok_or(zegel_jose::Error::NoMatchingKey)?;
                        let key = secret_keys::mac_key(secret, alg)?;
                        keys::verify_raw(&jws, &self.algs, &key)?
                    }
                    _ => keys::verify_raw(&jws, &self.algs, provider_keys)?,
                };
                let map = parse_document(&payload, Document::UserInfo)?;
                self.check_signed(&map)?;
                map
            }
        };
        match claims.get("sub") {
            Some(Value::String(sub)) if sub == id_token_sub => Ok(UserInfo { claims }),
            Some(Value::String(_)) => Err(TokenCheck::SubjectMismatch.into()),
            _ => Err(Error::InvalidMember {
                document: Document::UserInfo,
                name: "sub",
            }),
        }
    }

    fn check_signed(&self, map: &Map<String, Value>) -> Result<(), Error> {
        match map.get("iss") {
            None => {}
            Some(Value::String(iss)) if *iss == self.issuer => {}
            Some(Value::String(iss)) => {
                return Err(zegel_jwt::Error::WrongIssuer {
                    expected: self.issuer.clone(),
                    found: iss.clone(),
                }
                .into());
            }
            Some(_) => return Err(TokenCheck::InvalidClaim { name: "iss" }.into()),
        }
        let aud_ok = match map.get("aud") {
            None => true,
            Some(Value::String(a)) => *a == self.client_id,
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(&self.client_id)),
            Some(_) => false,
        };
        if !aud_ok {
            return Err(zegel_jwt::Error::WrongAudience {
                expected: vec![self.client_id.clone()],
                found: Vec::new(),
            }
            .into());
        }
        Ok(())
    }
}

fn signed(jws: &[u8]) -> Result<OpenedUserInfo, Error> {
    let (kid, alg) = keys::jws_kid_alg(jws)?;
    Ok(OpenedUserInfo::Signed {
        jws: zeroize::Zeroizing::new(jws.to_vec()),
        kid,
        alg: Some(alg),
    })
}

/// A UserInfo response decrypted, its signature (if any) not yet verified. `Debug` shows the
/// `kid` and `alg` only.
#[non_exhaustive]
pub enum OpenedUserInfo {
    /// Plain JSON (possibly decrypted): nothing to verify.
    Json(Map<String, Value>),
    /// A JWS.
    Signed {
        /// The compact JWS.
        jws: zeroize::Zeroizing<Vec<u8>>,
        /// Its `kid`, unverified.
        kid: Option<String>,
        /// Its `alg`, unverified.
        alg: Option<String>,
    },
}

impl core::fmt::Debug for OpenedUserInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Json(_) => f.write_str("OpenedUserInfo::Json([redacted])"),
            Self::Signed { kid, alg, .. } => f
                .debug_struct("OpenedUserInfo::Signed")
                .field("kid", kid)
                .field("alg", alg)
                .finish_non_exhaustive(),
        }
    }
}

impl OpenedUserInfo {
    /// The `kid` to look up, for a signed response.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        match self {
            Self::Signed { kid, .. } => kid.as_deref(),
            Self::Json(_) => None,
        }
    }
}

/// Checked UserInfo claims: wiped on drop, not shown by `Debug`.
#[derive(Clone)]
pub struct UserInfo {
    claims: Map<String, Value>,
}

impl core::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("UserInfo([redacted])")
    }
}

impl Drop for UserInfo {
    fn drop(&mut self) {
        self.claims
            .values_mut()
            .for_each(crate::error::zeroize_value);
    }
}

impl UserInfo {
    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// `sub`.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use zegel_jose::JwkSet;
    use zegel_jose::jwk::KeySpec;
    use zegel_jose::jws::{JwsHeader, SigningKey};

    use super::*;

    fn resp(ct: &str, body: &[u8]) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(200)
            .header("content-type", ct)
            .body(body.to_vec())
            .unwrap()
    }

    fn sign(op: &Jwk, claims: &Value) -> String {
        jws::sign_compact(
            claims.to_string().as_bytes(),
            &SigningKey::new(op, &jws::RS256).unwrap(),
            &JwsHeader::new().with_kid("op1"),
        )
        .unwrap()
    }

    #[test]
    fn request_is_bearer() {
        let r = request("https://op.example/userinfo", "tok").unwrap();
        assert_eq!(r.headers()[http::header::AUTHORIZATION], "Bearer tok");
        assert!(r.headers()[http::header::AUTHORIZATION].is_sensitive());
        assert!(request("https://op.example/userinfo", "bad\ntoken").is_err());
    }

    #[test]
    fn json_responses() {
        let v = UserInfoValidator::new("https://op", "cid");
        let body = from_response(
            "u",
            &resp(
                "application/json; charset=utf-8",
                br#"{"sub":"alice","email":"a@x"}"#,
            ),
        )
        .unwrap();
        let opened = v.open(body, &[], None).unwrap();
        let info = v
            .validate(opened, &JwkSet::default(), None, "alice")
            .unwrap();
        assert_eq!(info.subject(), "alice");
        assert_eq!(info.claims()["email"], "a@x");
        assert_eq!(format!("{info:?}"), "UserInfo([redacted])");
        let body = from_response("u", &resp("application/json", br#"{"sub":"bob"}"#)).unwrap();
        assert!(matches!(
            v.validate(
                v.open(body, &[], None).unwrap(),
                &JwkSet::default(),
                None,
                "alice"
            ),
            Err(Error::Check(TokenCheck::SubjectMismatch))
        ));
        let body = from_response("u", &resp("application/json", br#"{"name":"x"}"#)).unwrap();
        assert!(matches!(
            v.validate(
                v.open(body, &[], None).unwrap(),
                &JwkSet::default(),
                None,
                "alice"
            ),
            Err(Error::InvalidMember { name: "sub", .. })
        ));
        assert!(matches!(
            from_response("u", &resp("text/html", b"<html>")),
            Err(Error::WrongContentType { .. })
        ));
        assert!(matches!(
            from_response("u", &resp("application/json", br#"{"sub":"a","sub":"b"}"#)),
            Err(Error::Json { .. })
        ));
        let enc = v.with_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256);
        let body = from_response("u", &resp("application/json", br#"{"sub":"alice"}"#)).unwrap();
        assert!(matches!(
            enc.open(body, &[], None),
            Err(Error::Check(TokenCheck::NotEncrypted))
        ));
    }

    #[test]
    fn signed_encrypted_and_both() {
        let op = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_kid("op1");
        let client = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_kid("c1");
        let op_set = JwkSet::new(vec![op.to_public().unwrap()]);
        let v = UserInfoValidator::new("https://op", "cid");
        let claims = json!({"sub": "alice", "iss": "https://op", "aud": "cid"});
        let jws_text = sign(&op, &claims);

        let run = |body: &str, v: &UserInfoValidator| {
            let b = from_response("u", &resp("application/jwt", body.as_bytes()))?;
            let opened = v.open(b, std::slice::from_ref(&client), None)?;
            v.validate(opened, &op_set, None, "alice")
        };
        assert_eq!(run(&jws_text, &v).unwrap().subject(), "alice");
        let both = zegel_jwt::encrypt_signed(
            &jws_text,
            &jwe::Encryptor::new(&jwe::A128CBC_HS256),
            &jwe::Recipient::new(&client.to_public().unwrap(), &jwe::RSA_OAEP_256),
        )
        .unwrap();
        let enc_v = v
            .clone()
            .with_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256);
        assert_eq!(run(&both, &enc_v).unwrap().subject(), "alice");
        assert!(matches!(
            run(&jws_text, &enc_v),
            Err(Error::Check(TokenCheck::NotEncrypted))
        ));
        let only_enc = jwe::Encryptor::new(&jwe::A128CBC_HS256)
            .encrypt_compact(
                br#"{"sub":"alice"}"#,
                &jwe::Recipient::new(&client.to_public().unwrap(), &jwe::RSA_OAEP_256),
            )
            .unwrap();
        assert_eq!(run(&only_enc, &v).unwrap().subject(), "alice");

        // Refusals: another signer, another issuer, another audience.
        let impostor = Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
        assert!(matches!(
            run(&sign(&impostor, &claims), &v),
            Err(Error::Jose(zegel_jose::Error::InvalidSignature))
        ));
        let evil = sign(&op, &json!({"sub": "alice", "iss": "https://evil"}));
        assert!(matches!(
            run(&evil, &v),
            Err(Error::Jwt(zegel_jwt::Error::WrongIssuer { .. }))
        ));
        let other_aud = sign(&op, &json!({"sub": "alice", "aud": ["x"]}));
        assert!(matches!(
            run(&other_aud, &v),
            Err(Error::Jwt(zegel_jwt::Error::WrongAudience { .. }))
        ));
        let no_iss = sign(&op, &json!({"sub": "alice"}));
        assert!(run(&no_iss, &v).is_ok());
    }
}
