//! The crate's one error type, with structured kinds and stable codes.
//!
//! Every failure of `zegel-oidc` is an [`Error`]. Failures of the layers below stay matchable
//! inside [`Error::Jose`] and [`Error::Jwt`]. Each variant has a [`code`](Error::code), a short
//! dotted string (`oidc.*`, or the lower layer's code) that is stable across releases.
//!
//! `Display` is a lowercase sentence that names what did not fit: the URL asked, the HTTP
//! status, the limit hit, the member or parameter. It never contains a client secret, a token,
//! an authorization code, or a value taken from a token; values the provider sent are kept in
//! fields for callers who want them.

use core::fmt;
use core::time::Duration;
use std::sync::Arc;

/// A JSON document the provider sent.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Document {
    /// The discovery document (`/.well-known/openid-configuration`).
    Discovery,
    /// The JWK Set at `jwks_uri`.
    JwkSet,
    /// A token endpoint response.
    TokenResponse,
    /// An error response (RFC 6749 §5.2).
    ErrorResponse,
    /// A UserInfo response.
    UserInfo,
    /// A pending login stored by the caller.
    PendingLogin,
}

impl Document {
    /// A lowercase name for messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Discovery => "discovery document",
            Self::JwkSet => "jwk set",
            Self::TokenResponse => "token response",
            Self::ErrorResponse => "error response",
            Self::UserInfo => "userinfo response",
            Self::PendingLogin => "pending login",
        }
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a callback (the redirect back from the provider) was refused. No token request is made
/// for any of these.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallbackError {
    /// The redirect URL could not be parsed.
    MalformedUrl,
    /// The redirect URL is not the `redirect_uri` of the pending login.
    WrongRedirectUri,
    /// No `state` parameter.
    MissingState,
    /// `state` is not the pending login's.
    StateMismatch,
    /// A parameter appears more than once.
    RepeatedParameter {
        /// The parameter name.
        name: &'static str,
    },
    /// Both `code` and `error`.
    CodeAndError,
    /// Neither `code` nor `error`.
    MissingCode,
    /// `iss` (RFC 9207) is missing although the provider says it sends it.
    MissingIssuer,
    /// `iss` (RFC 9207) is not the provider's issuer.
    WrongIssuer,
    /// The pending login is older than the configured maximum age.
    Expired,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedUrl => f.write_str("the callback url is malformed"),
            Self::WrongRedirectUri => f.write_str("the callback url is not the redirect_uri"),
            Self::MissingState => f.write_str("the callback has no \"state\""),
            Self::StateMismatch => f.write_str("the callback's \"state\" is not the pending one"),
            Self::RepeatedParameter { name } => {
                write!(f, "the callback repeats the parameter {name:?}")
            }
            Self::CodeAndError => f.write_str("the callback has both \"code\" and \"error\""),
            Self::MissingCode => f.write_str("the callback has neither \"code\" nor \"error\""),
            Self::MissingIssuer => f.write_str("the callback has no \"iss\" (rfc 9207)"),
            Self::WrongIssuer => f.write_str("the callback's \"iss\" is not the provider's"),
            Self::Expired => f.write_str("the pending login is older than the maximum age"),
        }
    }
}

/// Why an ID token (or a signed UserInfo response) was refused, beyond the checks of
/// [`zegel_jwt`] (signature, `iss`, `aud`, `exp`, `iat`), which stay in [`Error::Jwt`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenCheck {
    /// A plain JWS although the client registered ID token (or UserInfo) encryption.
    NotEncrypted,
    /// An audience other than the client that the client does not trust.
    UntrustedAudience,
    /// Several audiences and no `azp`.
    MissingAzp,
    /// `azp` is not the client's id.
    WrongAzp,
    /// No `nonce`.
    MissingNonce,
    /// `nonce` is not the pending login's.
    WrongNonce,
    /// No `acr` although it was requested as essential.
    MissingAcr,
    /// `acr` is not one of the requested values.
    WrongAcr,
    /// No `auth_time` although `max_age` was sent.
    MissingAuthTime,
    /// `auth_time` is older than `max_age` allows.
    AuthTooOld,
    /// A member of the claims has the wrong JSON type.
    InvalidClaim {
        /// The claim name.
        name: &'static str,
    },
    /// The UserInfo `sub` is not the ID token's.
    SubjectMismatch,
}

impl fmt::Display for TokenCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotEncrypted => f.write_str("the token is not encrypted, as registered"),
            Self::UntrustedAudience => f.write_str("the token has an audience that is not trusted"),
            Self::MissingAzp => f.write_str("the token has several audiences and no \"azp\""),
            Self::WrongAzp => f.write_str("the token's \"azp\" is not the client"),
            Self::MissingNonce => f.write_str("the token has no \"nonce\""),
            Self::WrongNonce => f.write_str("the token's \"nonce\" is not the pending one"),
            Self::MissingAcr => f.write_str("the token has no \"acr\", requested as essential"),
            Self::WrongAcr => f.write_str("the token's \"acr\" is not one requested"),
            Self::MissingAuthTime => f.write_str("the token has no \"auth_time\" (max_age sent)"),
            Self::AuthTooOld => f.write_str("the authentication is older than max_age"),
            Self::InvalidClaim { name } => write!(f, "the claim {name:?} has the wrong type"),
            Self::SubjectMismatch => f.write_str("the userinfo \"sub\" is not the id token's"),
        }
    }
}

/// Every failure of `zegel-oidc`.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub enum Error {
    /// From `zegel-jose`: keys, signatures, decryption, JSON.
    Jose(zegel_jose::Error),
    /// From `zegel-jwt`: claim validation (`iss`, `aud`, `exp`, `iat`, hashes).
    Jwt(zegel_jwt::Error),
    /// A URL (given by the caller or found in a document) is malformed.
    InvalidUrl {
        /// What the URL is (`"discovery url"`, a member name).
        what: String,
    },
    /// A URL is not `https` (and not an allowed loopback `http`).
    InsecureUrl {
        /// What the URL is.
        what: String,
    },
    /// The connection failed (refused, reset, TLS).
    Connect {
        /// The URL asked.
        url: String,
        /// The transport's error.
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },
    /// The request took longer than the limit (connecting, or in total).
    Timeout {
        /// The URL asked.
        url: String,
        /// The limit.
        limit: Duration,
    },
    /// The response body is larger than the cap; the rest was not read.
    TooLarge {
        /// The URL asked.
        url: String,
        /// The cap in bytes.
        limit: usize,
    },
    /// An HTTP status other than the expected one (redirects are not followed).
    Status {
        /// The URL asked.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A document is not acceptable JSON (syntax, a duplicate member, not an object).
    Json {
        /// Which document.
        document: Document,
        /// Why, from the strict parser.
        reason: zegel_jose::error::JsonError,
    },
    /// A document lacks a required member, or a member has the wrong type or value.
    InvalidMember {
        /// Which document.
        document: Document,
        /// The member name.
        name: &'static str,
    },
    /// The discovery document's `issuer` is not the expected one.
    WrongIssuer {
        /// The issuer expected (from the discovery URL).
        expected: String,
        /// The issuer found (the provider's value).
        found: String,
    },
    /// A `Content-Type` other than the ones accepted.
    WrongContentType {
        /// Which document.
        document: Document,
    },
    /// The provider or the client configuration cannot do what was asked (no
    /// `userinfo_endpoint`, no common encryption algorithm, no key to sign with).
    Unsupported {
        /// What is missing.
        what: &'static str,
    },
    /// The callback was refused before any request was made.
    Callback(CallbackError),
    /// The provider answered the authorization request with `error=` (RFC 6749 §4.1.2.1).
    Authorization {
        /// The `error` code.
        error: String,
        /// `error_description`, if sent.
        description: Option<String>,
        /// `error_uri`, if sent.
        uri: Option<String>,
    },
    /// The token endpoint answered with an error (RFC 6749 §5.2): `invalid_grant`,
    /// `invalid_client`, ...
    Token {
        /// The `error` code.
        error: String,
        /// `error_description`, if sent.
        description: Option<String>,
        /// `error_uri`, if sent.
        uri: Option<String>,
    },
    /// An ID token or UserInfo check of OpenID Connect Core failed.
    Check(TokenCheck),
    /// No JWK Set could be had: never fetched, and the last attempt failed (the failure is
    /// inside). While a good set is cached, a failed refresh never shows as an error.
    JwksUnavailable {
        /// Why the last fetch failed.
        last: Box<Self>,
    },
}

impl Error {
    /// A short, stable, dotted code for this error. The lower layers' errors keep their codes
    /// (`jose.*`, `jwt.*`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Jose(e) => e.code(),
            Self::Jwt(e) => e.code(),
            Self::InvalidUrl { .. } => "oidc.invalid_url",
            Self::InsecureUrl { .. } => "oidc.insecure_url",
            Self::Connect { .. } => "oidc.connect",
            Self::Timeout { .. } => "oidc.timeout",
            Self::TooLarge { .. } => "oidc.too_large",
            Self::Status { .. } => "oidc.status",
            Self::Json { .. } => "oidc.json",
            Self::InvalidMember { .. } => "oidc.invalid_member",
            Self::WrongIssuer { .. } => "oidc.wrong_issuer",
            Self::WrongContentType { .. } => "oidc.wrong_content_type",
            Self::Unsupported { .. } => "oidc.unsupported",
            Self::Callback(_) => "oidc.callback",
            Self::Authorization { .. } => "oidc.authorization_error",
            Self::Token { .. } => "oidc.token_error",
            Self::Check(_) => "oidc.check",
            Self::JwksUnavailable { .. } => "oidc.jwks_unavailable",
        }
    }

    /// Whether the provider (or the network) failed, so that trying again later may help, as
    /// opposed to bad input or a wrong configuration.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. }
                | Self::Timeout { .. }
                | Self::JwksUnavailable { .. }
                | Self::Status {
                    status: 500..=599,
                    ..
                }
        )
    }
}

/// The provider's `error` code, printed only when it is made of the characters RFC 6749 §5.2
/// allows (so that it cannot forge log lines).
fn printable_code(code: &str) -> &str {
    if !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7e))
    {
        code
    } else {
        "(unprintable)"
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Jose(e) => e.fmt(f),
            Self::Jwt(e) => e.fmt(f),
            Self::InvalidUrl { what } => write!(f, "the {what} is not a valid url"),
            Self::InsecureUrl { what } => write!(
                f,
                "the {what} is not https (http is allowed only for loopback, when asked)"
            ),
            Self::Connect { url, .. } => write!(f, "cannot connect to {url}"),
            Self::Timeout { url, limit } => {
                write!(f, "{url} did not answer within {} ms", limit.as_millis())
            }
            Self::TooLarge { url, limit } => {
                write!(f, "the response of {url} is larger than {limit} bytes")
            }
            Self::Status { url, status } => write!(f, "{url} answered with http status {status}"),
            Self::Json { document, reason } => {
                write!(f, "the {document} is not acceptable json: {reason}")
            }
            Self::InvalidMember { document, name } => {
                write!(f, "the {document} has no valid {name:?}")
            }
            Self::WrongIssuer { expected, .. } => {
                write!(f, "the provider's issuer is not the expected {expected}")
            }
            Self::WrongContentType { document } => {
                write!(f, "the {document} has an unexpected content type")
            }
            Self::Unsupported { what } => write!(f, "unsupported: {what}"),
            Self::Callback(e) => e.fmt(f),
            Self::Authorization { error, .. } => write!(
                f,
                "the provider refused the authorization: {}",
                printable_code(error)
            ),
            Self::Token { error, .. } => write!(
                f,
                "the token endpoint refused the request: {}",
                printable_code(error)
            ),
            Self::Check(e) => e.fmt(f),
            Self::JwksUnavailable { last } => write!(f, "no jwk set is available: {last}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect {
                source: Some(s), ..
            } => Some(&**s),
            _ => None,
        }
    }
}

impl From<zegel_jose::Error> for Error {
    fn from(e: zegel_jose::Error) -> Self {
        Self::Jose(e)
    }
}

impl From<zegel_jwt::Error> for Error {
    fn from(e: zegel_jwt::Error) -> Self {
        match e {
            // One layer of wrapping, not two: a jose error is matchable as Error::Jose.
            zegel_jwt::Error::Jose(e) => Self::Jose(e),
            e => Self::Jwt(e),
        }
    }
}

impl From<CallbackError> for Error {
    fn from(e: CallbackError) -> Self {
        Self::Callback(e)
    }
}

impl From<TokenCheck> for Error {
    fn from(e: TokenCheck) -> Self {
        Self::Check(e)
    }
}

/// Wipes the strings of a JSON value (decrypted claims) before it is freed.
pub(crate) fn zeroize_value(v: &mut serde_json::Value) {
    use zeroize::Zeroize;
    match v {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(zeroize_value),
        serde_json::Value::Object(map) => map.values_mut().for_each(zeroize_value),
        _ => {}
    }
}

/// Parses a provider document strictly: duplicate members, deep nesting and a non-object top
/// level are refused.
pub(crate) fn parse_document(
    body: &[u8],
    document: Document,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    zegel_jose::json::parse_value(body, zegel_jose::json::DEFAULT_MAX_DEPTH)
        .map_err(|reason| Error::Json { document, reason })
        .and_then(|v| match v {
            serde_json::Value::Object(map) => Ok(map),
            _ => Err(Error::Json {
                document,
                reason: zegel_jose::error::JsonError::NotAnObject,
            }),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let e = Error::Token {
            error: "invalid_grant".into(),
            description: Some("secret detail".into()),
            uri: None,
        };
        assert_eq!(e.code(), "oidc.token_error");
        assert_eq!(
            e.to_string(),
            "the token endpoint refused the request: invalid_grant"
        );
        let forged = Error::Authorization {
            error: "x\ny".into(),
            description: None,
            uri: None,
        };
        assert_eq!(
            forged.to_string(),
            "the provider refused the authorization: (unprintable)"
        );
        let wrong = Error::WrongIssuer {
            expected: "https://a".into(),
            found: "https://evil".into(),
        };
        assert!(!wrong.to_string().contains("evil"));
        assert_eq!(
            Error::from(zegel_jwt::Error::Jose(zegel_jose::Error::InvalidSignature)).code(),
            "jose.invalid_signature"
        );
        assert!(
            Error::Status {
                url: "u".into(),
                status: 503
            }
            .is_unavailable()
        );
        assert!(
            !Error::Status {
                url: "u".into(),
                status: 404
            }
            .is_unavailable()
        );
    }

    #[test]
    fn strict_documents() {
        assert!(parse_document(br#"{"a":1}"#, Document::Discovery).is_ok());
        assert!(matches!(
            parse_document(br#"{"a":1,"a":2}"#, Document::Discovery),
            Err(Error::Json {
                document: Document::Discovery,
                reason: zegel_jose::error::JsonError::DuplicateMember { .. }
            })
        ));
        assert!(matches!(
            parse_document(b"[]", Document::JwkSet),
            Err(Error::Json {
                reason: zegel_jose::error::JsonError::NotAnObject,
                ..
            })
        ));
    }
}
