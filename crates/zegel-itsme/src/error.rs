//! The errors of `zegel-itsme`: [`Error`] and the kind enums it wraps, each with a stable
//! `code()`.
//!
//! A configuration mistake is a [`ConfigError`] naming the key of the TOML file (or the
//! environment variable, or the key file) at fault, found before any request is made. None
//! of these errors carries a secret (the client secret, key material) or a claim value.

use core::fmt;
use std::io;
use std::path::PathBuf;

use crate::uri::UrlProblem;

/// Every failure of `zegel-itsme`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The configuration is refused.
    Config(ConfigError),
    /// A claim set does not have the documented shapes.
    Claim(ClaimError),
    /// A confirmation template would be refused by itsme®.
    Confirmation(ConfirmationError),
    /// A sealed pending login cannot be opened.
    Pending(PendingError),
}

impl Error {
    /// A short, stable, dotted code (`itsme.config.unknown_keys`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(e) => e.code(),
            Self::Claim(e) => e.code(),
            Self::Confirmation(e) => e.code(),
            Self::Pending(e) => e.code(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(e) => e.fmt(f),
            Self::Claim(e) => e.fmt(f),
            Self::Confirmation(e) => e.fmt(f),
            Self::Pending(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Config(e) => Some(e),
            Self::Claim(e) => Some(e),
            Self::Confirmation(e) => Some(e),
            Self::Pending(e) => Some(e),
        }
    }
}

macro_rules! wrap {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Self::$variant(e)
            }
        }
    )*};
}
wrap!(
    Config(ConfigError),
    Claim(ClaimError),
    Confirmation(ConfirmationError),
    Pending(PendingError)
);

/// A configuration the client refuses to start with, naming what is wrong.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The configuration file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        kind: io::ErrorKind,
    },
    /// The file is not valid TOML.
    Syntax {
        /// The line (from 1) of the mistake, when known.
        line: Option<usize>,
        /// The TOML parser's message (without the line's text).
        message: String,
    },
    /// Keys the configuration does not have: every one of them, sorted.
    UnknownKeys {
        /// The unknown keys.
        keys: Vec<String>,
    },
    /// A required key is missing.
    Missing {
        /// The key.
        key: &'static str,
    },
    /// A key has a value of the wrong TOML type.
    WrongType {
        /// The key.
        key: &'static str,
        /// The type it must have (`"a string"`, `"an array of strings"`, `"a boolean"`).
        expected: &'static str,
    },
    /// A key's value is refused.
    Invalid {
        /// The key.
        key: &'static str,
        /// Why.
        problem: ValueProblem,
    },
    /// Two keys cannot be used together (`environment` and `discovery_url`; `jwks_private`
    /// with `client_secret_post`; ...).
    Conflict {
        /// The key that is refused.
        key: &'static str,
        /// The key it conflicts with.
        with: &'static str,
    },
    /// The environment variable that `client_secret_env` names does not hold a usable secret.
    SecretVariable {
        /// The variable's name.
        variable: String,
        /// Why.
        problem: SecretProblem,
    },
    /// The partner's private JWK Set (`jwks_private`) is refused.
    PartnerKeys {
        /// The file.
        path: PathBuf,
        /// Why.
        problem: KeysProblem,
    },
}

impl ConfigError {
    /// A short, stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Read { .. } => "itsme.config.read",
            Self::Syntax { .. } => "itsme.config.syntax",
            Self::UnknownKeys { .. } => "itsme.config.unknown_keys",
            Self::Missing { .. } => "itsme.config.missing",
            Self::WrongType { .. } => "itsme.config.wrong_type",
            Self::Invalid { .. } => "itsme.config.invalid",
            Self::Conflict { .. } => "itsme.config.conflict",
            Self::SecretVariable { .. } => "itsme.config.secret_variable",
            Self::PartnerKeys { .. } => "itsme.config.partner_keys",
        }
    }

    /// The configuration key at fault, when there is one.
    #[must_use]
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Self::Missing { key }
            | Self::WrongType { key, .. }
            | Self::Invalid { key, .. }
            | Self::Conflict { key, .. } => Some(key),
            Self::SecretVariable { .. } => Some("client_secret_env"),
            Self::PartnerKeys { .. } => Some("jwks_private"),
            Self::Read { .. } | Self::Syntax { .. } | Self::UnknownKeys { .. } => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, kind } => {
                write!(
                    f,
                    "cannot read the configuration file {}: {kind}",
                    path.display()
                )
            }
            Self::Syntax {
                line: Some(line),
                message,
            } => write!(
                f,
                "the configuration file is not valid TOML (line {line}): {message}"
            ),
            Self::Syntax {
                line: None,
                message,
            } => write!(f, "the configuration file is not valid TOML: {message}"),
            Self::UnknownKeys { keys } => {
                write!(f, "unknown configuration key")?;
                if keys.len() > 1 {
                    write!(f, "s")?;
                }
                write!(f, ": {}", keys.join(", "))
            }
            Self::Missing { key } => write!(f, "the configuration key {key} is missing"),
            Self::WrongType { key, expected } => {
                write!(f, "the configuration key {key} must be {expected}")
            }
            Self::Invalid { key, problem } => write!(f, "{key}: {problem}"),
            Self::Conflict { key, with } => {
                write!(f, "the configuration key {key} cannot be used with {with}")
            }
            Self::SecretVariable { variable, problem } => {
                write!(
                    f,
                    "client_secret_env: the environment variable {variable} {problem}"
                )
            }
            Self::PartnerKeys { path, problem } => {
                write!(f, "jwks_private ({}): {problem}", path.display())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Why a configuration value is refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    /// The value is empty.
    Empty,
    /// A URL (`redirect_uri`, `discovery_url`) is refused.
    Url(UrlProblem),
    /// The value is not one of those allowed.
    NotAllowed {
        /// The value given.
        value: String,
        /// The values allowed.
        allowed: &'static [&'static str],
    },
    /// A claim name that is not an itsme® claim.
    UnknownClaim {
        /// The name given.
        value: String,
    },
    /// A value appears twice in a list.
    Duplicate {
        /// The value.
        value: String,
    },
    /// `openid` or a `service:` scope in `scopes`: the client always adds them.
    AddedAutomatically {
        /// The value.
        value: String,
    },
    /// Whitespace, control characters, or characters a scope token cannot hold
    /// (RFC 6749 §3.3).
    ForbiddenCharacter,
    /// `signing_key` or `encryption_keys` is not a PKCS #11 URI (`pkcs11:...`). The value is
    /// not echoed (a URI may carry a PIN).
    NotPkcs11Uri,
    /// A PKCS #11 URI holds the PIN itself (`pin-value`): it would sit in the file, the
    /// configuration's `Debug` and logs. Name a variable instead (`pin-source=env:VAR`).
    PinInUri,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("it must not be empty"),
            Self::Url(p) => f.write_str(p.describe()),
            Self::NotAllowed { value, allowed } => {
                write!(f, "{value:?} is not one of {}", allowed.join(", "))
            }
            Self::UnknownClaim { value } => write!(f, "{value:?} is not an itsme® claim"),
            Self::Duplicate { value } => write!(f, "{value:?} is listed twice"),
            Self::AddedAutomatically { value } => {
                write!(f, "{value:?} is always added; leave it out")
            }
            Self::ForbiddenCharacter => {
                f.write_str("it holds whitespace, control or other forbidden characters")
            }
            Self::NotPkcs11Uri => f.write_str("it is not a PKCS #11 URI (pkcs11:...)"),
            Self::PinInUri => {
                f.write_str("it holds the PIN (pin-value); name a variable (pin-source=env:VAR)")
            }
        }
    }
}

/// Why the client secret's environment variable is refused. Never carries the value.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretProblem {
    /// The variable is not set.
    Unset,
    /// The variable is empty.
    Empty,
    /// The variable is not valid Unicode.
    NotUnicode,
}

impl fmt::Display for SecretProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unset => "is not set",
            Self::Empty => "is empty",
            Self::NotUnicode => "is not valid Unicode",
        })
    }
}

/// Why a partner JWK Set is refused: itsme® needs one RSA signing key and one or more RSA
/// encryption keys (`_OIDC/authentication.md`, "Public-private key pair and JWKSet URI";
/// `_Appendix/JOSE.md`), all private, each with its own `kid`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeysProblem {
    /// The file cannot be read.
    Read(io::ErrorKind),
    /// The file is not a valid JWK Set.
    Invalid(zegel_jose::Error),
    /// No key has `use` `sig`.
    NoSigningKey,
    /// More than one key has `use` `sig`: the one to sign with would be a guess.
    SeveralSigningKeys,
    /// No key has `use` `enc`.
    NoEncryptionKey,
    /// The key at this index (from 0) is not an RSA key.
    NotRsa {
        /// Its index in `keys`.
        index: usize,
    },
    /// The key at this index is a public key.
    NotPrivate {
        /// Its index in `keys`.
        index: usize,
    },
    /// The key at this index has no `use`, or one other than `sig` and `enc`.
    NoUse {
        /// Its index in `keys`.
        index: usize,
    },
    /// The key at this index has no `kid`.
    NoKid {
        /// Its index in `keys`.
        index: usize,
    },
    /// The key at this index has the `kid` of an earlier key.
    DuplicateKid {
        /// Its index in `keys`.
        index: usize,
    },
    /// No retired key has the `kid` to decommission.
    NotRetired,
}

impl fmt::Display for KeysProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(kind) => write!(f, "cannot read the file: {kind}"),
            Self::Invalid(e) => write!(f, "not a valid JWK Set: {e}"),
            Self::NoSigningKey => f.write_str("no key has \"use\": \"sig\""),
            Self::SeveralSigningKeys => f.write_str("more than one key has \"use\": \"sig\""),
            Self::NoEncryptionKey => f.write_str("no key has \"use\": \"enc\""),
            Self::NotRsa { index } => write!(f, "key {index} is not an RSA key"),
            Self::NotPrivate { index } => write!(f, "key {index} is not a private key"),
            Self::NoUse { index } => write!(f, "key {index} has no \"use\" of sig or enc"),
            Self::NoKid { index } => write!(f, "key {index} has no \"kid\""),
            Self::DuplicateKid { index } => {
                write!(f, "key {index} has the \"kid\" of an earlier key")
            }
            Self::NotRetired => f.write_str("no retired key has this \"kid\""),
        }
    }
}

/// A claim set whose claims do not have the documented shapes.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimError {
    /// The claim is not of the documented JSON type or format (the value is not carried).
    WrongShape {
        /// The claim's name.
        claim: String,
    },
    /// The ID token has no `acr` claim, though an authentication level was asked for.
    MissingAcr,
    /// The ID token's `acr` is not one of itsme®'s levels.
    UnknownAcr,
    /// The ID token's `acr` is weaker than the level asked for.
    AcrTooWeak {
        /// The level asked for.
        asked: crate::config::Acr,
        /// The level of the login.
        found: crate::config::Acr,
    },
    /// The UserInfo response and the ID token are not about the same user (`sub` differs or is
    /// missing; OpenID Connect Core §5.3.2).
    SubjectMismatch,
}

impl ClaimError {
    /// A short, stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongShape { .. } => "itsme.claim.wrong_shape",
            Self::MissingAcr => "itsme.claim.missing_acr",
            Self::UnknownAcr => "itsme.claim.unknown_acr",
            Self::AcrTooWeak { .. } => "itsme.claim.acr_too_weak",
            Self::SubjectMismatch => "itsme.claim.subject_mismatch",
        }
    }
}

impl fmt::Display for ClaimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongShape { claim } => {
                write!(f, "the claim {claim} does not have the documented shape")
            }
            Self::MissingAcr => f.write_str("the ID token has no acr claim"),
            Self::UnknownAcr => f.write_str("the ID token's acr is not an itsme® level"),
            Self::AcrTooWeak { asked, found } => write!(
                f,
                "the login was at the {} level, {} was asked for",
                found.name(),
                asked.name()
            ),
            Self::SubjectMismatch => {
                f.write_str("the UserInfo response is not about the ID token's subject")
            }
        }
    }
}

impl std::error::Error for ClaimError {}

/// A confirmation (WYSIWYS) template itsme® would refuse (`_OIDC/confirmation.md`, "WYSIWYS
/// template"). Carries no part of the text or the account number.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmationError {
    /// The currency is not an ISO 4217 code (three capital letters).
    Currency,
    /// The IBAN does not have an IBAN's shape (country code, two check digits, up to 30
    /// letters or digits, the length of its country in the IBAN registry).
    IbanShape,
    /// The IBAN's check digits do not match (ISO 13616, mod 97).
    IbanCheckDigits,
    /// The free text is empty.
    EmptyText,
    /// The free text is longer than the template allows.
    TextTooLong {
        /// The maximum, in characters.
        max: usize,
    },
    /// A character outside ISO-8859-15 (or a control character other than a line break or tab).
    NotLatin9 {
        /// Its position, in characters from 0.
        position: usize,
    },
    /// An HTML tag other than `<b>`, `<i>`, `<u>`, `<br>` (and their closing forms), or a `<`
    /// that does not open one.
    Tag {
        /// Its position, in characters from 0.
        position: usize,
    },
}

impl ConfirmationError {
    /// A short, stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Currency => "itsme.confirmation.currency",
            Self::IbanShape => "itsme.confirmation.iban_shape",
            Self::IbanCheckDigits => "itsme.confirmation.iban_check_digits",
            Self::EmptyText => "itsme.confirmation.empty_text",
            Self::TextTooLong { .. } => "itsme.confirmation.text_too_long",
            Self::NotLatin9 { .. } => "itsme.confirmation.not_latin9",
            Self::Tag { .. } => "itsme.confirmation.tag",
        }
    }
}

impl fmt::Display for ConfirmationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Currency => f.write_str("the currency is not an ISO 4217 code"),
            Self::IbanShape => f.write_str("the account number is not an IBAN"),
            Self::IbanCheckDigits => f.write_str("the IBAN's check digits do not match"),
            Self::EmptyText => f.write_str("the confirmation text is empty"),
            Self::TextTooLong { max } => {
                write!(f, "the confirmation text is longer than {max} characters")
            }
            Self::NotLatin9 { position } => write!(
                f,
                "the confirmation text has a character outside ISO-8859-15 at position {position}"
            ),
            Self::Tag { position } => write!(
                f,
                "the confirmation text has an HTML tag other than <b>, <i>, <u>, <br> at position {position}"
            ),
        }
    }
}

impl std::error::Error for ConfirmationError {}

/// A sealed pending login that cannot be opened. Deliberately coarse: a tampered token and
/// one sealed under another key are the same failure.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PendingError {
    /// Not a sealed pending login under this key: malformed, tampered with, sealed under
    /// another key, or with other algorithms.
    Invalid,
    /// The pending login expired.
    Expired {
        /// Its expiry, in seconds since the epoch.
        exp: u64,
        /// The time of the check.
        now: u64,
    },
    /// Sealing failed in the JOSE layer.
    Seal(zegel_jose::Error),
}

impl PendingError {
    /// A short, stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "itsme.pending.invalid",
            Self::Expired { .. } => "itsme.pending.expired",
            Self::Seal(_) => "itsme.pending.seal",
        }
    }
}

impl fmt::Display for PendingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid => f.write_str("the pending login is not valid under this key"),
            Self::Expired { exp, now } => {
                write!(f, "the pending login expired at {exp} (now {now})")
            }
            Self::Seal(e) => write!(f, "cannot seal the pending login: {e}"),
        }
    }
}

impl std::error::Error for PendingError {}
