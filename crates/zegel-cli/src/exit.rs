//! Exit statuses, and how failures map to them.
//!
//! The contract (`spec/cli.md`): `0` success, `1` the input was rejected (bad signature, failed
//! decryption, malformed token, claim check failed, disallowed algorithm), `2` usage or
//! configuration error (unknown flag, unreadable key file, unsupported algorithm name). On `1`
//! and `2` exactly one line goes to standard error, starting with `error: `.
//!
//! Library errors are classified by their kind, never by their text: [`input`] for errors raised
//! while judging the input (a token being verified or decrypted, a claims set), by the library's
//! own [`Fault`]; [`config`] for errors raised while preparing keys and options. Their messages
//! are printed as the libraries write them: the libraries never put a value taken from a token
//! or a key into a message, so there is nothing to redact here.

use std::fmt;
use std::process::ExitCode;

use zegel_jose::Error;
#[cfg(test)]
use zegel_jose::error::KeyError;
use zegel_jose::error::{Fault, Part};

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

/// The status for a library error raised while judging the input (verifying, decrypting,
/// parsing a token): the library says whose [`fault`](Error::fault) it is. The input's fault is
/// a rejection (exit 1); the configuration's, or a facility's that is missing, is exit 2.
fn judged(fault: Fault) -> Status {
    match fault {
        Fault::Input => Status::Rejected,
        _ => Status::Usage,
    }
}

/// A library error raised while judging the input (verifying, decrypting, parsing a token).
pub(crate) fn input(context: &str, e: &Error) -> Failure {
    with_context(judged(e.fault()), context, e)
}

/// A library error about a key read from the input (`jwk public`, `jwk thumbprint`): the key is
/// the input, so every key error rejects it (exit 1).
pub(crate) fn key_input(context: &str, e: &Error) -> Failure {
    with_context(Status::Rejected, context, e)
}

/// A library error raised while preparing keys and options, or producing output: the keys and
/// options are the configuration (exit 2), except an input (payload, plaintext) that the
/// library refuses as too large, which is a rejection of the input (exit 1).
pub(crate) fn config(context: &str, e: &Error) -> Failure {
    let status = match e {
        Error::TooLarge {
            part: Part::Payload | Part::Plaintext,
            ..
        } => Status::Rejected,
        _ => Status::Usage,
    };
    with_context(status, context, e)
}

/// A `zegel-jwt` error raised while judging a token, classified by its fault as by [`input`].
pub(crate) fn jwt_input(context: &str, e: &zegel_jwt::Error) -> Failure {
    with_context(judged(e.fault()), context, e)
}

/// A `zegel-jwt` error raised while preparing a token: as by [`config`].
pub(crate) fn jwt_config(context: &str, e: &zegel_jwt::Error) -> Failure {
    match e {
        zegel_jwt::Error::Jose(e) => config(context, e),
        _ => with_context(Status::Usage, context, e),
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
