//! [`Error`]: every way a JWT can be refused, each with a stable [`code`](Error::code).
//!
//! Failures of the JOSE layer (parsing, algorithms, keys, signatures, decryption) are wrapped
//! unchanged as [`Error::Jose`], so a caller (or the OpenID Connect layer above) matches on them
//! without losing anything; `code()` passes their `jose.*` code through. Every claim check has a
//! variant of its own carrying what a caller needs to act or to log (`Expired { exp, now }`,
//! `WrongAudience { expected, found }`, ...). Nothing here carries key material, and `Display`
//! prints none of the values taken from the token (dates, issuers, audiences, types): claims
//! may be decrypted plaintext. Each error also says whose [`fault`](Error::fault) it is.

use core::fmt;
use core::time::Duration;

use zegel_jose::error::Fault;

use crate::numeric_date::NumericDate;
use crate::time::UnixTime;

/// Every failure of `zegel-jwt`.
///
/// Match on the variant, its [`code`](Self::code) or its [`fault`](Self::fault). `Display` is a
/// lowercase sentence that prints no value taken from the token (claims may be decrypted
/// plaintext); the values are in the fields.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The JOSE layer refused the token or a key: bad serialization, an algorithm outside the
    /// allowlist, no matching key, an invalid signature, a failed decryption, ...
    Jose(zegel_jose::Error),
    /// A claim the [`Validation`](crate::Validation) requires is absent.
    MissingClaim {
        /// The claim name (`exp`, `iss`, ...).
        name: &'static str,
    },
    /// A registered claim has the wrong JSON type or an impossible value (RFC 7519 §4.1): `exp`
    /// that is not a number, `aud` that is not a string or an array of strings, ...
    InvalidClaim {
        /// The claim name.
        name: &'static str,
    },
    /// When issuing: a registered claim also appears among the extra claims, which would put
    /// the name twice in the claim set.
    DuplicateClaim {
        /// The claim name.
        name: &'static str,
    },
    /// The claims other than the registered ones do not fit the caller's type (a missing or
    /// mistyped member), or the caller's type does not serialize to a JSON object.
    CustomClaims {
        /// serde's description of the mismatch, without the value found (claims may be
        /// decrypted plaintext).
        reason: String,
    },
    /// `exp` is not after `now` (allowing for the leeway): the token has expired
    /// (RFC 7519 §4.1.4).
    Expired {
        /// The token's `exp`.
        exp: NumericDate,
        /// The time of the check.
        now: UnixTime,
    },
    /// `nbf` is after `now` (allowing for the leeway): the token is not valid yet
    /// (RFC 7519 §4.1.5).
    NotYetValid {
        /// The token's `nbf`.
        nbf: NumericDate,
        /// The time of the check.
        now: UnixTime,
    },
    /// `iat` is after `now`, beyond the leeway.
    IssuedInFuture {
        /// The token's `iat`.
        iat: NumericDate,
        /// The time of the check.
        now: UnixTime,
    },
    /// The token was issued longer ago than the configured maximum age (plus the leeway).
    TooOld {
        /// The token's `iat`.
        iat: NumericDate,
        /// The configured maximum age.
        max_age: Duration,
        /// The time of the check.
        now: UnixTime,
    },
    /// `iss` is not the expected issuer (RFC 7519 §4.1.1, RFC 8725 §3.8).
    WrongIssuer {
        /// The expected issuer.
        expected: String,
        /// The token's issuer.
        found: String,
    },
    /// `sub` is not the expected subject (RFC 7519 §4.1.2).
    WrongSubject {
        /// The expected subject.
        expected: String,
        /// The token's subject.
        found: String,
    },
    /// None of the token's audiences is accepted (RFC 7519 §4.1.3, RFC 8725 §3.9).
    WrongAudience {
        /// The accepted audiences.
        expected: Vec<String>,
        /// The token's audiences.
        found: Vec<String>,
    },
    /// The token has an `aud` claim but the validation expects no audience. RFC 7519 §4.1.3:
    /// a principal that does not identify itself with a value in `aud` must reject the token.
    UnexpectedAudience {
        /// The token's audiences.
        found: Vec<String>,
    },
    /// The `typ` header parameter is absent or is not the expected type (RFC 8725 §3.11).
    WrongType {
        /// The expected type.
        expected: String,
        /// The token's `typ`, if any.
        found: Option<String>,
    },
    /// A JWE to be opened as a nested JWT does not say `cty: JWT` (RFC 7519 §5.2).
    WrongContentType {
        /// The JWE's `cty`, if any.
        found: Option<String>,
    },
    /// A JWE carries a claim set without a signature inside, and the caller did not allow it.
    /// Anyone who knows the recipient's public key can make such a token.
    UnsignedNestedToken,
    /// A signed JWT says `cty: JWT`, that is, it wraps another JWT: zegel refuses nesting
    /// beyond one encryption around one signature.
    UnexpectedNesting,
    /// An OpenID Connect hash claim (`at_hash`, `c_hash`, `s_hash`) does not match its value.
    HashMismatch {
        /// The claim name.
        claim: &'static str,
    },
}

impl Error {
    /// A short, stable, dotted code for this error, for logs, metrics and other languages.
    /// JOSE errors keep their own `jose.*` code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Jose(e) => e.code(),
            Self::MissingClaim { .. } => "jwt.missing_claim",
            Self::InvalidClaim { .. } => "jwt.invalid_claim",
            Self::DuplicateClaim { .. } => "jwt.duplicate_claim",
            Self::CustomClaims { .. } => "jwt.custom_claims",
            Self::Expired { .. } => "jwt.expired",
            Self::NotYetValid { .. } => "jwt.not_yet_valid",
            Self::IssuedInFuture { .. } => "jwt.issued_in_future",
            Self::TooOld { .. } => "jwt.too_old",
            Self::WrongIssuer { .. } => "jwt.wrong_issuer",
            Self::WrongSubject { .. } => "jwt.wrong_subject",
            Self::WrongAudience { .. } => "jwt.wrong_audience",
            Self::UnexpectedAudience { .. } => "jwt.unexpected_audience",
            Self::WrongType { .. } => "jwt.wrong_type",
            Self::WrongContentType { .. } => "jwt.wrong_content_type",
            Self::UnsignedNestedToken => "jwt.unsigned_nested_token",
            Self::UnexpectedNesting => "jwt.unexpected_nesting",
            Self::HashMismatch { .. } => "jwt.hash_mismatch",
        }
    }

    /// Whose fault this error is (see [`zegel_jose::error::Fault`]): JOSE errors keep their
    /// own; a claim set being issued with a registered claim twice is the caller's; every
    /// refused claim is the input's.
    #[must_use]
    pub const fn fault(&self) -> Fault {
        match self {
            Self::Jose(e) => e.fault(),
            Self::DuplicateClaim { .. } => Fault::Config,
            Self::MissingClaim { .. }
            | Self::InvalidClaim { .. }
            | Self::CustomClaims { .. }
            | Self::Expired { .. }
            | Self::NotYetValid { .. }
            | Self::IssuedInFuture { .. }
            | Self::TooOld { .. }
            | Self::WrongIssuer { .. }
            | Self::WrongSubject { .. }
            | Self::WrongAudience { .. }
            | Self::UnexpectedAudience { .. }
            | Self::WrongType { .. }
            | Self::WrongContentType { .. }
            | Self::UnsignedNestedToken
            | Self::UnexpectedNesting
            | Self::HashMismatch { .. } => Fault::Input,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values that came from the token (dates, issuers, audiences, types: all of them may be
        // decrypted plaintext) stay in the fields; only names zegel defines are printed.
        match self {
            Self::Jose(e) => e.fmt(f),
            Self::MissingClaim { name } => write!(f, "the required claim {name:?} is missing"),
            Self::InvalidClaim { name } => write!(f, "the claim {name:?} has an invalid value"),
            Self::DuplicateClaim { name } => {
                write!(
                    f,
                    "the claim {name:?} is both a registered and an extra claim"
                )
            }
            Self::CustomClaims { .. } => f.write_str("the claims do not fit the expected type"),
            Self::Expired { .. } => f.write_str("the token has expired"),
            Self::NotYetValid { .. } => f.write_str("the token is not valid yet"),
            Self::IssuedInFuture { .. } => f.write_str("the token was issued in the future"),
            Self::TooOld { max_age, .. } => write!(
                f,
                "the token was issued more than {} s ago",
                max_age.as_secs()
            ),
            Self::WrongIssuer { .. } => f.write_str("the issuer is not the expected one"),
            Self::WrongSubject { .. } => f.write_str("the subject is not the expected one"),
            Self::WrongAudience { .. } => {
                f.write_str("the audience contains none of the expected ones")
            }
            Self::UnexpectedAudience { .. } => {
                f.write_str("the token carries an audience, and no audience is expected")
            }
            Self::WrongType { found: Some(_), .. } => {
                f.write_str("the token type is not the expected one")
            }
            Self::WrongType { found: None, .. } => {
                f.write_str("the token has no type, and one is expected")
            }
            Self::WrongContentType { found: Some(_) } => {
                f.write_str("the encrypted content type is not \"JWT\"")
            }
            Self::WrongContentType { found: None } => {
                f.write_str("the encrypted token has no content type, expected \"JWT\"")
            }
            Self::UnsignedNestedToken => {
                f.write_str("the encrypted token holds claims without a signature")
            }
            Self::UnexpectedNesting => f.write_str("the signed token wraps another token"),
            Self::HashMismatch { claim } => write!(f, "{claim} does not match"),
        }
    }
}

/// `Jose` is transparent: its `Display` is the JOSE error's, so its source is the JOSE error's
/// source (none), never the JOSE error itself, which would print the same sentence twice.
impl std::error::Error for Error {}

impl From<zegel_jose::Error> for Error {
    fn from(e: zegel_jose::Error) -> Self {
        Self::Jose(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let e = Error::Expired {
            exp: NumericDate::from_secs(10),
            now: UnixTime::from_secs(50),
        };
        assert_eq!(e.code(), "jwt.expired");
        assert_eq!(e.to_string(), "the token has expired");
        let e = Error::from(zegel_jose::Error::InvalidSignature);
        assert_eq!(e.code(), "jose.invalid_signature");
        assert_eq!(e.to_string(), "invalid signature");
        // Transparent: the JOSE error's sentence is printed once, not again as a source.
        assert!(std::error::Error::source(&e).is_none());
        let e = Error::WrongType {
            expected: "at+jwt".into(),
            found: None,
        };
        assert_eq!(e.to_string(), "the token has no type, and one is expected");
    }
}
