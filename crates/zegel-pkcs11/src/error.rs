//! The crate's error type: what is wrong with the module, the token, the PIN, the key or the
//! URI, with stable `pkcs11.*` codes, never a secret.

use core::fmt;

use zegel_jose::error::{Fault, KeyError};

use crate::uri::UriError;

/// Everything that can go wrong talking to a PKCS #11 token.
///
/// `Display` names what is wrong (the module path, the token or key label the caller
/// configured, the PKCS #11 return value's name) and never a PIN or key material.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pkcs11Error {
    /// No module path was given and `ZEGEL_PKCS11_MODULE` is not set.
    NoModulePath,
    /// The PKCS #11 module is missing or could not be loaded or initialized.
    ModuleNotLoadable {
        /// The path that was tried.
        path: String,
    },
    /// No slot holds a token with this label (or the slot id is unknown).
    TokenNotFound {
        /// The token label or slot that was looked for.
        token: String,
    },
    /// The PIN could not be obtained (environment variable unset, callback failed).
    PinUnavailable {
        /// Where the PIN was to come from (`env:NAME` or `callback`), never the PIN.
        source: String,
    },
    /// The token refused the PIN.
    WrongPin,
    /// The token's user PIN is locked after too many wrong attempts.
    PinLocked,
    /// No object of the token matches the key label or id.
    KeyNotFound {
        /// The label or id (hex) that was looked for.
        key: String,
    },
    /// More than one object matches the key label or id.
    AmbiguousKey {
        /// The label or id (hex) that was looked for.
        key: String,
    },
    /// The key's type or curve does not fit the algorithm.
    WrongKeyType {
        /// The JOSE algorithm.
        alg: &'static str,
    },
    /// A key with this label or id exists already (key generation).
    KeyExists {
        /// The label or id (hex).
        key: String,
    },
    /// A key size or curve the generator does not make.
    KeySize {
        /// The size in bits asked for.
        bits: u32,
    },
    /// The key's PKCS #11 attributes forbid the operation (`CKA_SIGN`, `CKA_DECRYPT` or
    /// `CKA_DERIVE` false): a decryption key used to sign, or the other way round.
    KeyNotPermitted {
        /// The label or id (hex).
        key: String,
        /// The operation (`sign`, `decrypt`, `derive`).
        operation: &'static str,
    },
    /// The key's public part could not be read (or is not one zegel accepts).
    PublicKeyUnreadable,
    /// The token does not offer the mechanism the algorithm needs.
    MechanismUnsupported {
        /// The PKCS #11 mechanism (`CKM_...`).
        mechanism: &'static str,
    },
    /// The session was lost (token removed, HSM restarted, library finalized): the pool is
    /// dropped and the next call opens a new session and logs in again.
    SessionLost {
        /// The PKCS #11 return value's name.
        rv: String,
    },
    /// The token refused the operation.
    Device {
        /// The PKCS #11 function that failed.
        function: String,
        /// Its return value's name.
        rv: String,
    },
    /// The PKCS #11 URI was refused.
    Uri(UriError),
}

impl Pkcs11Error {
    /// A short, stable, dotted code for this error, for logs, metrics and other languages.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoModulePath => "pkcs11.no_module_path",
            Self::ModuleNotLoadable { .. } => "pkcs11.module_not_loadable",
            Self::TokenNotFound { .. } => "pkcs11.token_not_found",
            Self::PinUnavailable { .. } => "pkcs11.pin_unavailable",
            Self::WrongPin => "pkcs11.wrong_pin",
            Self::PinLocked => "pkcs11.pin_locked",
            Self::KeyNotFound { .. } => "pkcs11.key_not_found",
            Self::AmbiguousKey { .. } => "pkcs11.ambiguous_key",
            Self::WrongKeyType { .. } => "pkcs11.wrong_key_type",
            Self::KeyExists { .. } => "pkcs11.key_exists",
            Self::KeyNotPermitted { .. } => "pkcs11.key_not_permitted",
            Self::KeySize { .. } => "pkcs11.key_size",
            Self::PublicKeyUnreadable => "pkcs11.public_key_unreadable",
            Self::MechanismUnsupported { .. } => "pkcs11.mechanism_unsupported",
            Self::SessionLost { .. } => "pkcs11.session_lost",
            Self::Device { .. } => "pkcs11.device",
            Self::Uri(e) => e.code(),
        }
    }

    /// Whose fault the error is: the configuration (module, token, PIN, key, URI), or an
    /// unavailable token (session lost, device failure), worth retrying.
    #[must_use]
    pub fn fault(&self) -> Fault {
        match self {
            Self::SessionLost { .. } | Self::Device { .. } => Fault::Unavailable,
            _ => Fault::Config,
        }
    }

    /// The [`zegel_jose::Error`] this becomes behind the [`Signer`](zegel_jose::jws::Signer)
    /// and [`Decrypter`](zegel_jose::jwe::Decrypter) traits: a wrong key type stays one, a lost
    /// session or device failure is [`zegel_jose::Error::AlgorithmUnavailable`] (fault
    /// `Unavailable`: retry), anything else [`KeyError::Backend`].
    #[must_use]
    pub fn to_jose(&self, alg: &'static str) -> zegel_jose::Error {
        match self {
            Self::WrongKeyType { alg } => KeyError::WrongKeyType { alg }.into(),
            Self::SessionLost { .. } | Self::Device { .. } | Self::MechanismUnsupported { .. } => {
                zegel_jose::Error::AlgorithmUnavailable { alg }
            }
            _ => KeyError::Backend.into(),
        }
    }
}

impl fmt::Display for Pkcs11Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoModulePath => f.write_str(
                "no pkcs #11 module path: give module-path in the uri or set ZEGEL_PKCS11_MODULE",
            ),
            Self::ModuleNotLoadable { path } => {
                write!(
                    f,
                    "the pkcs #11 module {path:?} is missing or cannot be loaded"
                )
            }
            Self::TokenNotFound { token } => write!(f, "no pkcs #11 token {token:?}"),
            Self::PinUnavailable { source } => {
                write!(f, "the pkcs #11 pin could not be read from {source}")
            }
            Self::WrongPin => f.write_str("the pkcs #11 token refused the pin"),
            Self::PinLocked => f.write_str("the pkcs #11 token's user pin is locked"),
            Self::KeyNotFound { key } => write!(f, "no key {key:?} on the pkcs #11 token"),
            Self::AmbiguousKey { key } => {
                write!(f, "more than one key {key:?} on the pkcs #11 token")
            }
            Self::WrongKeyType { alg } => {
                write!(f, "the pkcs #11 key's type does not fit {alg}")
            }
            Self::KeyExists { key } => {
                write!(f, "a key {key:?} exists on the pkcs #11 token already")
            }
            Self::KeyNotPermitted { key, operation } => {
                write!(f, "the pkcs #11 key {key:?} may not {operation}")
            }
            Self::KeySize { bits } => write!(
                f,
                "rsa keys of {bits} bits are not generated (2048, 3072 or 4096)"
            ),
            Self::PublicKeyUnreadable => {
                f.write_str("the public part of the pkcs #11 key cannot be read")
            }
            Self::MechanismUnsupported { mechanism } => {
                write!(f, "the pkcs #11 token does not support {mechanism}")
            }
            Self::SessionLost { rv } => write!(
                f,
                "the pkcs #11 session was lost ({rv}); the next call opens a new one"
            ),
            Self::Device { function, rv } => {
                write!(f, "the pkcs #11 token refused {function} ({rv})")
            }
            Self::Uri(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Pkcs11Error {}

impl From<UriError> for Pkcs11Error {
    fn from(e: UriError) -> Self {
        Self::Uri(e)
    }
}
