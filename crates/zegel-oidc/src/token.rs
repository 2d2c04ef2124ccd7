//! The token exchange (Core §3.1.3.1-3.1.3.4, RFC 6749 §4.1.3, §5.1, §5.2).
//!
//! [`request`] builds the POST: `grant_type=authorization_code`, the code, the `redirect_uri`,
//! the PKCE verifier, and the client authentication. [`from_response`] checks the answer: a 200
//! with a JSON body (strict: duplicates refused) whose `token_type` is `Bearer` (compared
//! case-insensitively) and, for an `openid` request, an `id_token`; any other status is parsed
//! as an RFC 6749 §5.2 error ([`Error::Token`]) when it is one, else [`Error::Status`].

use core::fmt;

use serde_json::{Map, Value};
use zegel_jwt::UnixTime;
use zeroize::Zeroizing;

use crate::callback::AuthorizationCode;
use crate::client_auth::ClientAuth;
use crate::error::{Document, Error, parse_document};

/// The request to exchange `code` at `token_endpoint`.
///
/// # Errors
/// The errors of [`ClientAuth`] (signing the assertion); [`Error::InvalidUrl`] for a malformed
/// endpoint.
pub fn request(
    token_endpoint: &str,
    client_id: &str,
    auth: &ClientAuth,
    code: &AuthorizationCode,
    redirect_uri: &str,
    code_verifier: Option<&str>,
    now: UnixTime,
) -> Result<http::Request<Vec<u8>>, Error> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code");
    form.append_pair("code", code.expose_secret());
    form.append_pair("redirect_uri", redirect_uri);
    if let Some(v) = code_verifier {
        form.append_pair("code_verifier", v);
    }
    let mut headers = http::HeaderMap::new();
    auth.apply(client_id, token_endpoint, now, &mut form, &mut headers)?;
    let body = Zeroizing::new(form.finish());
    let mut request = http::Request::post(token_endpoint)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json")
        .body(body.as_bytes().to_vec())
        .map_err(|_| Error::InvalidUrl {
            what: "token_endpoint".into(),
        })?;
    request.headers_mut().extend(headers);
    Ok(request)
}

/// A successful token response.
#[derive(Clone)]
pub struct TokenResponse {
    access_token: Zeroizing<String>,
    token_type: String,
    expires_in: Option<u64>,
    refresh_token: Option<Zeroizing<String>>,
    scope: Option<String>,
    id_token: Option<Zeroizing<String>>,
    other: Map<String, Value>,
}

impl TokenResponse {
    /// The access token.
    ///
    /// # Security
    /// A bearer credential: do not log it.
    #[must_use]
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// `token_type` as sent (`Bearer`, any case).
    #[must_use]
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// `expires_in`, in seconds.
    #[must_use]
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// The refresh token, if sent.
    ///
    /// # Security
    /// A long-lived credential: store it like a password.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref().map(String::as_str)
    }

    /// `scope`, if sent.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The ID token, not yet validated (see [`id_token`](crate::id_token)).
    #[must_use]
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_deref().map(String::as_str)
    }

    /// The other members.
    #[must_use]
    pub fn other(&self) -> &Map<String, Value> {
        &self.other
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Checks the token endpoint's answer (`url` names it in errors); with `openid`, an `id_token`
/// is required.
///
/// # Errors
/// [`Error::Token`] for an RFC 6749 §5.2 error; [`Error::Status`] for another non-200 answer;
/// [`Error::Json`]; [`Error::InvalidMember`] for a missing or wrongly typed member, a
/// `token_type` other than `Bearer`, or no `id_token`.
pub fn from_response(
    url: &str,
    response: &http::Response<Vec<u8>>,
    openid: bool,
) -> Result<TokenResponse, Error> {
    if response.status() != http::StatusCode::OK {
        return Err(error_response(url, response));
    }
    let doc = Document::TokenResponse;
    let mut map = parse_document(response.body(), doc)?;
    let mut string = |name: &'static str, required: bool| -> Result<Option<String>, Error> {
        match map.remove(name) {
            Some(Value::String(s)) => Ok(Some(s)),
            None if !required => Ok(None),
            _ => Err(Error::InvalidMember {
                document: doc,
                name,
            }),
        }
    };
    let access_token = Zeroizing::new(string("access_token", true)?.unwrap_or_default());
    let token_type = string("token_type", true)?.unwrap_or_default();
    let refresh_token = string("refresh_token", false)?.map(Zeroizing::new);
    let scope = string("scope", false)?;
    let id_token = string("id_token", openid)?.map(Zeroizing::new);
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(Error::InvalidMember {
            document: doc,
            name: "token_type",
        });
    }
    let expires_in = match map.remove("expires_in") {
        None => None,
        Some(Value::Number(n)) => Some(n.as_u64().ok_or(Error::InvalidMember {
            document: doc,
            name: "expires_in",
        })?),
        Some(_) => {
            return Err(Error::InvalidMember {
                document: doc,
                name: "expires_in",
            });
        }
    };
    Ok(TokenResponse {
        access_token,
        token_type,
        expires_in,
        refresh_token,
        scope,
        id_token,
        other: map,
    })
}

/// An RFC 6749 §5.2 error when the body is one, else the status.
pub(crate) fn error_response(url: &str, response: &http::Response<Vec<u8>>) -> Error {
    let status = Error::Status {
        url: url.to_owned(),
        status: response.status().as_u16(),
    };
    let Ok(mut map) = parse_document(response.body(), Document::ErrorResponse) else {
        return status;
    };
    let mut take = |name| match map.remove(name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    match take("error") {
        Some(error) => Error::Token {
            error,
            description: take("error_description"),
            uri: take("error_uri"),
        },
        None => status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ClientSecret;

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn builds_the_request() {
        let code = AuthorizationCode::for_tests("the code");
        let auth = ClientAuth::ClientSecretPost(ClientSecret::new("sec"));
        let r = request(
            "https://op.example/token",
            "cid",
            &auth,
            &code,
            "https://rp.example/cb",
            Some("verifier"),
            UnixTime::from_secs(1),
        )
        .unwrap();
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(
            r.headers()[http::header::CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            std::str::from_utf8(r.body()).unwrap(),
            "grant_type=authorization_code&code=the+code&redirect_uri=https%3A%2F%2Frp.example%2Fcb&code_verifier=verifier&client_id=cid&client_secret=sec"
        );
        let basic = request(
            "https://op.example/token",
            "cid",
            &ClientAuth::ClientSecretBasic(ClientSecret::new("sec")),
            &code,
            "https://rp.example/cb",
            None,
            UnixTime::from_secs(1),
        )
        .unwrap();
        assert!(basic.headers().contains_key(http::header::AUTHORIZATION));
        assert!(
            !std::str::from_utf8(basic.body())
                .unwrap()
                .contains("code_verifier")
        );
    }

    #[test]
    fn accepts_bearer_any_case() {
        let r = from_response(
            "t",
            &response(200, r#"{"access_token":"at","token_type":"bEaReR","expires_in":60,"id_token":"x.y.z","refresh_token":"rt","scope":"openid","extra":1}"#),
            true,
        )
        .unwrap();
        assert_eq!(r.access_token(), "at");
        assert_eq!(r.id_token(), Some("x.y.z"));
        assert_eq!(r.expires_in(), Some(60));
        assert_eq!(r.refresh_token(), Some("rt"));
        assert_eq!(r.scope(), Some("openid"));
        assert_eq!(r.other()["extra"], 1);
        let debug = format!("{r:?}");
        assert!(!debug.contains("at\"") && !debug.contains("x.y.z") && !debug.contains("rt"));
    }

    #[test]
    fn refuses_bad_responses() {
        let member = |body: &str, openid| match from_response("t", &response(200, body), openid) {
            Err(Error::InvalidMember { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            member(
                r#"{"access_token":"a","token_type":"mac","id_token":"x"}"#,
                true
            ),
            "token_type"
        );
        assert_eq!(
            member(r#"{"access_token":"a","token_type":"Bearer"}"#, true),
            "id_token"
        );
        assert_eq!(member(r#"{"token_type":"Bearer"}"#, false), "access_token");
        assert_eq!(
            member(
                r#"{"access_token":"a","token_type":"Bearer","expires_in":"1"}"#,
                false
            ),
            "expires_in"
        );
        assert!(
            from_response(
                "t",
                &response(200, r#"{"access_token":"a","token_type":"Bearer"}"#),
                false
            )
            .is_ok()
        );
        assert!(matches!(
            from_response(
                "t",
                &response(200, r#"{"access_token":"a","access_token":"b"}"#),
                false
            ),
            Err(Error::Json { .. })
        ));
    }

    #[test]
    fn error_responses() {
        match from_response(
            "t",
            &response(
                400,
                r#"{"error":"invalid_grant","error_description":"used"}"#,
            ),
            true,
        ) {
            Err(Error::Token {
                error,
                description,
                uri,
            }) => {
                assert_eq!(error, "invalid_grant");
                assert_eq!(description.as_deref(), Some("used"));
                assert_eq!(uri, None);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            from_response("https://op/token", &response(502, "<html>"), true),
            Err(Error::Status { status: 502, url }) if url == "https://op/token"
        ));
        assert!(matches!(
            from_response("t", &response(401, r#"{"message":"no"}"#), true),
            Err(Error::Status { status: 401, .. })
        ));
    }
}
