//! Exit statuses, and how failures map to them.
//!
//! The contract (`spec/cli.md`): `0` success, `1` the input was rejected (bad signature, failed
//! decryption, malformed token, claim check failed, disallowed algorithm), `2` usage or
//! configuration error (unknown flag, unreadable key file, unsupported algorithm name). On `1`
//! and `2` exactly one line goes to standard error, starting with `error: `.
//!
//! Library errors are classified by their kind, never by their text: [`input`] for errors raised
//! while judging the input (a token being verified or decrypted, a claims set), [`config`] for
//! errors raised while preparing keys and options.

use std::fmt;
use std::process::ExitCode;

use zegel_jose::Error;
use zegel_jose::error::KeyError;

/// Why the command did not succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Exit status 1: the input was rejected.
    Rejected,
    /// Exit status 2: usage or configuration error.
    Usage,
}

impl Status {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Rejected => 1,
            Self::Usage => 2,
        }
    }
}

/// A failed command: its status and a one-line, secret-free message for a person.
#[derive(Debug)]
pub(crate) struct Failure {
    status: Status,
    message: String,
}

impl Failure {
    /// Exit status 2: a usage or configuration error.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            status: Status::Usage,
            message: message.into(),
        }
    }

    /// Exit status 1: the input was rejected.
    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        Self {
            status: Status::Rejected,
            message: message.into(),
        }
    }

    /// The status.
    #[cfg(test)]
    pub(crate) fn status(&self) -> Status {
        self.status
    }

    /// Adds advice after the message, on the same line.
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        self.message.push_str(" (");
        self.message.push_str(hint);
        self.message.push(')');
        self
    }

    /// Prints the one `error: ` line to standard error and returns the exit code.
    pub(crate) fn report(&self) -> ExitCode {
        eprintln!("{self}");
        ExitCode::from(self.status.code())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Exactly one line, whatever the message holds.
        let one_line: String = self
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        write!(f, "error: {}", one_line.trim())
    }
}

/// A library error raised while judging the input (verifying, decrypting, parsing a token).
///
/// Everything about the token is a rejection (exit 1); what says the key, the build or the
/// machine is wrong is a configuration error (exit 2).
pub(crate) fn input(context: &str, e: &Error) -> Failure {
    let status = match e {
        Error::AlgorithmUnavailable { .. }
        | Error::Random
        | Error::Key(KeyError::NotPrivate | KeyError::Backend) => Status::Usage,
        _ => Status::Rejected,
    };
    with_context(status, context, &Redacted(e))
}

/// A library error about a key read from the input (`jwk public`, `jwk thumbprint`): the input
/// is rejected, exit 1.
pub(crate) fn key_input(context: &str, e: &Error) -> Failure {
    with_context(Status::Rejected, context, &Redacted(e))
}

/// A library error raised while preparing keys and options, or producing output: exit 2,
/// except an input that is too large, which is a rejection of the input.
pub(crate) fn config(context: &str, e: &Error) -> Failure {
    let status = match e {
        Error::TooLarge {
            part: zegel_jose::error::Part::Payload | zegel_jose::error::Part::Plaintext,
            ..
        } => Status::Rejected,
        _ => Status::Usage,
    };
    with_context(status, context, &Redacted(e))
}

/// A `zegel-jwt` error raised while judging a token: claim checks are rejections (exit 1);
/// JOSE errors are classified as by [`input`].
pub(crate) fn jwt_input(context: &str, e: &zegel_jwt::Error) -> Failure {
    match e {
        zegel_jwt::Error::Jose(e) => input(context, e),
        _ => with_context(Status::Rejected, context, e),
    }
}

/// A `zegel-jwt` error raised while preparing a token: exit 2.
pub(crate) fn jwt_config(context: &str, e: &zegel_jwt::Error) -> Failure {
    match e {
        zegel_jwt::Error::Jose(e) => config(context, e),
        _ => with_context(Status::Usage, context, e),
    }
}

/// A library error's text, without the values it echoes from a key (`kty`, `crv`, `alg`) unless
/// they are known names: a key file whose members are out of place (a private `d` pasted as
/// `crv`) must not have its key material printed.
struct Redacted<'a>(&'a Error);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::Key(reason) if hides_value(reason) => {
                write!(f, "key refused: {}", RedactedKey(reason))
            }
            Error::KeySetMember { index, reason } if hides_value(reason) => {
                write!(
                    f,
                    "key {index} of the jwk set refused: {}",
                    RedactedKey(reason)
                )
            }
            e => e.fmt(f),
        }
    }
}

/// Whether a key error echoes a value that is not a known name.
fn hides_value(reason: &KeyError) -> bool {
    match reason {
        KeyError::UnsupportedKeyType { value } => !is_known_name(value),
        KeyError::AlgMismatch { key_alg, .. } => !is_known_name(key_alg),
        _ => false,
    }
}

/// A key type, curve or algorithm name the library knows.
fn is_known_name(value: &str) -> bool {
    use zegel_jose::jwk::{Curve, KeyType};
    use zegel_jose::{jwe, jws};
    KeyType::from_name(value).is_some()
        || Curve::from_name(value).is_some()
        || jws::by_name(value).is_some()
        || jwe::by_name(value).is_some()
        || jwe::enc_by_name(value).is_some()
}

/// A key error that echoes an unknown value, with the value left out.
struct RedactedKey<'a>(&'a KeyError);

impl fmt::Display for RedactedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            KeyError::UnsupportedKeyType { .. } => f.write_str(
                "unsupported key type or curve (not a known name; the value is not shown)",
            ),
            KeyError::AlgMismatch { alg, .. } => write!(
                f,
                "the key is bound to another algorithm than {alg} (its \"alg\" is not a known \
                 name; the value is not shown)"
            ),
            other => other.fmt(f),
        }
    }
}

fn with_context(status: Status, context: &str, e: &dyn fmt::Display) -> Failure {
    let message = if context.is_empty() {
        e.to_string()
    } else {
        format!("{context}: {e}")
    };
    Failure { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_kind() {
        assert_eq!(
            input("v", &Error::InvalidSignature).status(),
            Status::Rejected
        );
        assert_eq!(
            input(
                "v",
                &Error::AlgNotAllowed {
                    alg: "HS256".into()
                }
            )
            .status(),
            Status::Rejected
        );
        assert_eq!(
            input("v", &Error::DecryptionFailed).status(),
            Status::Rejected
        );
        assert_eq!(
            input("v", &Error::Key(KeyError::WrongKeyType { alg: "HS256" })).status(),
            Status::Rejected
        );
        assert_eq!(
            input("v", &Error::Key(KeyError::NotPrivate)).status(),
            Status::Usage
        );
        assert_eq!(
            input("v", &Error::AlgorithmUnavailable { alg: "ES256K" }).status(),
            Status::Usage
        );
        assert_eq!(
            config("k", &Error::Key(KeyError::Pem)).status(),
            Status::Usage
        );
        assert_eq!(config("k", &Error::NoMatchingKey).status(), Status::Usage);
    }

    #[test]
    fn one_line_with_prefix() {
        let f = Failure::rejected("bad\nthing\r");
        assert_eq!(f.to_string(), "error: bad thing");
        let f = input("cannot verify", &Error::InvalidSignature);
        assert_eq!(f.to_string(), "error: cannot verify: invalid signature");
    }
}
