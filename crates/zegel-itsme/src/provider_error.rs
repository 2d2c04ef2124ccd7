//! [`ErrorCode`]: the error codes itsme® answers with, typed, from the "error responses"
//! tables of `_OIDC/authentication.md`, `_OIDC/identification.md` and `_OIDC/confirmation.md`
//! (authorization endpoint, token endpoint, UserInfo endpoint, revocation endpoint).
//!
//! The OpenID Connect layer parses the `error=` callback and the token endpoint's error body;
//! this module says what each itsme® code means and whether trying again can help, so a partner
//! can show the user the right message (`access_denied`: the user said no;
//! `temporary_unavailable`: try later; `invalid_request_object`: a configuration problem).

use core::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $class:ident, $text:literal;)*) => {
        /// An error code documented by itsme®, or [`ErrorCode::Other`].
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code the itsme® documentation does not list.
            Other,
        }

        impl ErrorCode {
            /// Every documented code.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The code with this exact name, or [`ErrorCode::Other`].
            #[must_use]
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    _ => Self::Other,
                }
            }

            /// The code as itsme® sends it (`None` for [`ErrorCode::Other`]).
            #[must_use]
            pub fn code(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($code),)*
                    Self::Other => None,
                }
            }

            /// Who can act on it.
            #[must_use]
            pub fn class(self) -> ErrorClass {
                match self {
                    $(Self::$variant => ErrorClass::$class,)*
                    Self::Other => ErrorClass::Client,
                }
            }

            /// What it means, in a lowercase phrase a person can act on.
            #[must_use]
            pub fn describe(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other => "itsme® answered with an error code it does not document",
                }
            }
        }
    };
}

codes! {
    /// `invalid_request`: a parameter is missing, repeated, invalid, or the OAuth 2.0
    /// parameters do not match the request object.
    InvalidRequest = "invalid_request", Client,
        "the request is malformed, or its parameters do not match the request object";
    /// `access_denied`: the user (or itsme®) refused.
    AccessDenied = "access_denied", User, "the user refused, or itsme® denied the request";
    /// `login_required`: the user must authenticate (after `prompt=none`).
    LoginRequired = "login_required", User, "the user must sign in";
    /// `interaction_required`: the user must interact (after `prompt=none`).
    InteractionRequired = "interaction_required", User, "the user must interact with itsme®";
    /// `unsupported_request`: a parameter itsme® does not support.
    UnsupportedRequest = "unsupported_request", Client,
        "the request contains a parameter itsme® does not support";
    /// `invalid_client_id`.
    InvalidClientId = "invalid_client_id", Client, "the client_id is not valid";
    /// `invalid_redirect_uri`: not one registered for the service (compared exactly).
    InvalidRedirectUri = "invalid_redirect_uri", Client,
        "the redirect URI is not one registered for this service";
    /// `unsupported_grant_type`.
    UnsupportedGrantType = "unsupported_grant_type", Client, "the grant type is not supported";
    /// `invalid_grant`: the code is invalid, expired (3 minutes), already used, or for another
    /// redirect URI.
    InvalidGrant = "invalid_grant", Client,
        "the authorization code is invalid, expired, already used or for another redirect URI";
    /// `invalid_scope`: a scope is unknown or malformed (one `service:` scope is required).
    InvalidScope = "invalid_scope", Client, "a requested scope is invalid, unknown or malformed";
    /// `unsupported_display`: only `page` is supported.
    UnsupportedDisplay = "unsupported_display", Client, "only display=page is supported";
    /// `unauthorized_client`: unknown client, or (token endpoint) an invalid client assertion.
    UnauthorizedClient = "unauthorized_client", Client,
        "the client is not authorized, or its client assertion is invalid";
    /// `unsupported_response_type`: only `code` is supported.
    UnsupportedResponseType = "unsupported_response_type", Client,
        "only response_type=code is supported";
    /// `invalid_request_object`: the `request` parameter is not a valid request object.
    InvalidRequestObject = "invalid_request_object", Client,
        "the request object is invalid (signature, encryption, iss, aud or claims)";
    /// `invalid_request_uri`: the `request_uri` could not be fetched or holds invalid data.
    InvalidRequestUri = "invalid_request_uri", Client,
        "the request_uri could not be fetched or holds an invalid request object";
    /// `temporary_unavailable`: itsme® is overloaded or in maintenance.
    TemporaryUnavailable = "temporary_unavailable", Provider,
        "itsme® is temporarily unavailable; try again later";
    /// `invalid_client` (token endpoint): client authentication failed.
    InvalidClient = "invalid_client", Client, "client authentication failed";
    /// `invalid_token` (UserInfo endpoint): the access token is expired, revoked or malformed.
    InvalidToken = "invalid_token", Client, "the access token is expired, revoked or malformed";
    /// `unsupported_token_type` (revocation endpoint).
    UnsupportedTokenType = "unsupported_token_type", Client,
        "itsme® cannot revoke this kind of token";
}

/// Who can act on an error code.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The user refused or must do something: show them a message, let them start again.
    User,
    /// The client's configuration or request is wrong: retrying the same way will fail again.
    Client,
    /// itsme® is unavailable: retrying later can succeed.
    Provider,
}

impl ErrorCode {
    /// Whether trying again later, unchanged, can succeed.
    #[must_use]
    pub fn is_retryable(self) -> bool {
        self.class() == ErrorClass::Provider
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => write!(f, "{code}: {}", self.describe()),
            None => f.write_str(self.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips() {
        assert_eq!(ErrorCode::ALL.len(), 19);
        for code in ErrorCode::ALL {
            let name = code.code().unwrap();
            assert_eq!(ErrorCode::from_code(name), *code);
            assert!(!code.describe().is_empty());
            assert!(
                code.describe().starts_with(|c: char| c.is_lowercase()),
                "{name}"
            );
        }
    }

    #[test]
    fn codes_are_classified() {
        assert_eq!(
            ErrorCode::from_code("access_denied").class(),
            ErrorClass::User
        );
        assert!(ErrorCode::from_code("temporary_unavailable").is_retryable());
        assert!(!ErrorCode::from_code("invalid_request_object").is_retryable());
        assert_eq!(
            ErrorCode::from_code("invalid_request_object").class(),
            ErrorClass::Client
        );
        assert_eq!(
            ErrorCode::from_code("login_required").to_string(),
            "login_required: the user must sign in"
        );
    }

    #[test]
    fn other_codes_are_other() {
        for code in ["", "ACCESS_DENIED", "server_error", "access_denied "] {
            assert_eq!(ErrorCode::from_code(code), ErrorCode::Other, "{code:?}");
        }
        assert_eq!(ErrorCode::Other.code(), None);
        assert_eq!(ErrorCode::Other.class(), ErrorClass::Client);
        assert_eq!(
            ErrorCode::Other.to_string(),
            "itsme® answered with an error code it does not document"
        );
    }
}
