//! The crate's one error type, with structured kinds and stable codes.
//!
//! Every failure in `zegel-jose` is an [`Error`]. Variants carry structured data a caller can
//! match on, never free-form strings, and never secret bytes. Cryptographic failures carry no
//! detail at all: a signature that does not verify is [`Error::InvalidSignature`], and every way a
//! decryption can fail (bad key, bad padding, bad tag, failed unwrap) is the single
//! [`Error::DecryptionFailed`], so that the result is no oracle.
//!
//! Each variant has a [`code`](Error::code), a short dotted string that is stable across
//! releases: log it, match on it from other languages, put it in metrics.

use core::fmt;

/// Which part of a JOSE object or document an error is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The whole serialized token or JSON document.
    Token,
    /// A JOSE header (protected or unprotected).
    Header,
    /// The JWS payload.
    Payload,
    /// A JWS signature.
    Signature,
    /// A JWE encrypted key.
    EncryptedKey,
    /// A JWE initialization vector.
    Iv,
    /// A JWE ciphertext.
    Ciphertext,
    /// A JWE authentication tag.
    Tag,
    /// JWE additional authenticated data (`aad`).
    Aad,
    /// A JSON Web Key.
    Jwk,
    /// A JSON Web Key Set.
    JwkSet,
    /// A PEM or DER encoded key.
    Pem,
    /// The decrypted (and possibly decompressed) JWE plaintext.
    Plaintext,
}

impl Part {
    /// A lowercase name for messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
            Self::EncryptedKey => "encrypted key",
            Self::Iv => "initialization vector",
            Self::Ciphertext => "ciphertext",
            Self::Tag => "authentication tag",
            Self::Aad => "additional authenticated data",
            Self::Jwk => "jwk",
            Self::JwkSet => "jwk set",
            Self::Pem => "pem key",
            Self::Plaintext => "plaintext",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a JSON text was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all, or not valid UTF-8: the position is where parsing stopped.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// An object names the same member twice (RFC 7515 §5.2, RFC 7516 §5.2, RFC 7517 §4).
    DuplicateMember {
        /// The repeated member name.
        name: String,
    },
    /// Objects and arrays nest deeper than the limit.
    TooDeep {
        /// The configured maximum depth.
        limit: usize,
    },
    /// The top level is not a JSON object.
    NotAnObject,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, column } => {
                write!(f, "invalid json at line {line}, column {column}")
            }
            Self::DuplicateMember { name } => write!(f, "duplicate member {name:?}"),
            Self::TooDeep { limit } => write!(f, "json nests deeper than {limit} levels"),
            Self::NotAnObject => f.write_str("json is not an object"),
        }
    }
}

/// Why a `crit` header parameter was refused (RFC 7515 §4.1.11).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CritError {
    /// `crit` is present but empty, or not an array of strings.
    Malformed,
    /// `crit` sits in an unprotected header.
    Unprotected,
    /// `crit` names a parameter this implementation (and the caller) do not understand.
    Unknown {
        /// The parameter name.
        name: String,
    },
    /// `crit` names a parameter registered by the JWS/JWE/JWA specifications.
    Registered {
        /// The parameter name.
        name: String,
    },
    /// `crit` names a parameter absent from the header.
    Absent {
        /// The parameter name.
        name: String,
    },
}

/// Why a key (JWK, JWK Set, PEM) was refused, or does not fit its use.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// A required member is missing.
    MissingMember {
        /// The member name.
        name: &'static str,
    },
    /// A member has the wrong JSON type or an invalid value.
    InvalidMember {
        /// The member name.
        name: &'static str,
    },
    /// `kty` (or `crv`) names a key type or curve this crate does not know.
    UnsupportedKeyType {
        /// The `kty` or `crv` value.
        value: String,
    },
    /// An RSA modulus is shorter than the configured minimum.
    RsaTooSmall {
        /// The modulus size in bits.
        bits: usize,
        /// The minimum accepted.
        min_bits: usize,
    },
    /// An elliptic-curve point is not on its curve, or a coordinate has the wrong length.
    InvalidPoint,
    /// An Ed25519 or X25519 public key is a point of small order (RFC 7748 §6.1, RFC 8032
    /// §5.1.7): it would agree on a predictable secret, or verify forged signatures.
    SmallOrderPoint,
    /// The private part does not match the public part, or is otherwise invalid.
    InvalidPrivateKey,
    /// A symmetric key has the wrong length for the algorithm.
    WrongLength {
        /// Expected length in bytes.
        expected: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// The operation needs a private (or secret) key, and this key is public.
    NotPrivate,
    /// The key's type or curve does not fit the algorithm.
    WrongKeyType {
        /// The algorithm name.
        alg: &'static str,
    },
    /// The key names another algorithm in its `alg` member.
    AlgMismatch {
        /// The key's own `alg`.
        key_alg: String,
        /// The algorithm asked for.
        alg: &'static str,
    },
    /// The key's `use` or `key_ops` forbid this operation.
    UsageNotPermitted,
    /// A PEM or DER structure could not be read.
    Pem,
    /// The key could not be generated or loaded by the crypto backend.
    Backend,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingMember { name } => write!(f, "missing member {name:?}"),
            Self::InvalidMember { name } => write!(f, "invalid member {name:?}"),
            Self::UnsupportedKeyType { value } => {
                write!(f, "unsupported key type or curve {value:?}")
            }
            Self::RsaTooSmall { bits, min_bits } => {
                write!(
                    f,
                    "rsa modulus of {bits} bits is below the minimum of {min_bits}"
                )
            }
            Self::InvalidPoint => f.write_str("the point is not on the curve"),
            Self::SmallOrderPoint => f.write_str("the public key is a point of small order"),
            Self::InvalidPrivateKey => f.write_str("the private key is invalid"),
            Self::WrongLength { expected, actual } => {
                write!(f, "the key is {actual} bytes long, expected {expected}")
            }
            Self::NotPrivate => f.write_str("a private key is needed, this key is public"),
            Self::WrongKeyType { alg } => write!(f, "the key's type does not fit {alg}"),
            Self::AlgMismatch { key_alg, alg } => {
                write!(f, "the key is bound to {key_alg}, not {alg}")
            }
            Self::UsageNotPermitted => f.write_str("the key's \"use\" or \"key_ops\" forbid this"),
            Self::Pem => f.write_str("the pem or der structure could not be read"),
            Self::Backend => f.write_str("the crypto backend refused the key"),
        }
    }
}

/// Every failure of `zegel-jose`.
///
/// Match on the variant, or on its [`code`](Self::code). `Display` is a lowercase sentence a
/// person can act on; it never contains key material or plaintext.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The input is larger than the configured limit.
    TooLarge {
        /// What was too large.
        part: Part,
        /// The limit in bytes.
        limit: usize,
    },
    /// A part is not canonical unpadded base64url (RFC 7515 §2).
    Base64 {
        /// The part.
        part: Part,
    },
    /// A part is not acceptable JSON.
    Json {
        /// The part.
        part: Part,
        /// Why.
        reason: JsonError,
    },
    /// The serialization is not a JWS or JWE of any known form.
    Structure {
        /// What was expected of the structure.
        expected: &'static str,
    },
    /// A required header parameter or member is missing.
    MissingParameter {
        /// The parameter name.
        name: &'static str,
    },
    /// A header parameter or member has the wrong type or value.
    InvalidParameter {
        /// The parameter name.
        name: String,
    },
    /// A header parameter appears in more than one header of the same signature or recipient.
    DuplicateParameter {
        /// The parameter name.
        name: String,
    },
    /// The `crit` header parameter was refused.
    Crit(CritError),
    /// A key was refused.
    Key(KeyError),
    /// The algorithm name is not one this crate knows (`none` included).
    UnknownAlgorithm {
        /// The name as given.
        name: String,
    },
    /// The algorithm is known but is not in the caller's allowlist.
    AlgNotAllowed {
        /// The algorithm named by the input.
        alg: String,
    },
    /// The algorithm is known but the crypto backend compiled in cannot do it.
    AlgorithmUnavailable {
        /// The algorithm.
        alg: &'static str,
    },
    /// No key in the set fits the token (`kid`, `alg`, `use`, `kty`).
    NoMatchingKey,
    /// The signature does not verify.
    InvalidSignature,
    /// The JWE could not be decrypted. Deliberately says nothing more.
    DecryptionFailed,
    /// The PBES2 iteration count (`p2c`) is above the configured ceiling.
    Pbes2CountTooHigh {
        /// The count in the header.
        p2c: u64,
        /// The ceiling.
        limit: u32,
    },
    /// The operation needs more recipients or signatures than allowed, or fewer.
    RecipientCount {
        /// What the rule is.
        rule: &'static str,
    },
    /// The system random number generator failed.
    Random,
    /// A key of a JWK Set was refused; `index` is its 0-based position in `keys`.
    KeySetMember {
        /// The position of the key in the set's `keys` array.
        index: usize,
        /// Why the key was refused.
        reason: KeyError,
    },
    /// A JWK Set holds more keys than the configured limit.
    TooManyKeys {
        /// The maximum number of keys.
        limit: usize,
    },
}

impl Error {
    /// A short, stable, dotted code for this error, for logs, metrics and other languages.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "jose.too_large",
            Self::Base64 { .. } => "jose.base64",
            Self::Json { .. } => "jose.json",
            Self::Structure { .. } => "jose.structure",
            Self::MissingParameter { .. } => "jose.missing_parameter",
            Self::InvalidParameter { .. } => "jose.invalid_parameter",
            Self::DuplicateParameter { .. } => "jose.duplicate_parameter",
            Self::Crit(_) => "jose.crit",
            Self::Key(_) => "jose.key",
            Self::UnknownAlgorithm { .. } => "jose.unknown_algorithm",
            Self::AlgNotAllowed { .. } => "jose.alg_not_allowed",
            Self::AlgorithmUnavailable { .. } => "jose.algorithm_unavailable",
            Self::NoMatchingKey => "jose.no_matching_key",
            Self::InvalidSignature => "jose.invalid_signature",
            Self::DecryptionFailed => "jose.decryption_failed",
            Self::Pbes2CountTooHigh { .. } => "jose.pbes2_count_too_high",
            Self::RecipientCount { .. } => "jose.recipient_count",
            Self::Random => "jose.random",
            Self::KeySetMember { .. } => "jose.key_set_member",
            Self::TooManyKeys { .. } => "jose.too_many_keys",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { part, limit } => write!(f, "the {part} is larger than {limit} bytes"),
            Self::Base64 { part } => write!(f, "the {part} is not canonical base64url"),
            Self::Json { part, reason } => write!(f, "the {part} is not acceptable json: {reason}"),
            Self::Structure { expected } => write!(f, "malformed structure: expected {expected}"),
            Self::MissingParameter { name } => write!(f, "missing parameter {name:?}"),
            Self::InvalidParameter { name } => write!(f, "invalid parameter {name:?}"),
            Self::DuplicateParameter { name } => {
                write!(f, "parameter {name:?} appears in more than one header")
            }
            Self::Crit(CritError::Malformed) => {
                f.write_str("\"crit\" must be a non-empty array of strings")
            }
            Self::Crit(CritError::Unprotected) => {
                f.write_str("\"crit\" must be in the protected header")
            }
            Self::Crit(CritError::Unknown { name }) => {
                write!(f, "\"crit\" names {name:?}, which is not understood")
            }
            Self::Crit(CritError::Registered { name }) => {
                write!(f, "\"crit\" names the registered parameter {name:?}")
            }
            Self::Crit(CritError::Absent { name }) => {
                write!(f, "\"crit\" names {name:?}, which is not in the header")
            }
            Self::Key(reason) => write!(f, "key refused: {reason}"),
            Self::UnknownAlgorithm { name } => write!(f, "unknown algorithm {name:?}"),
            Self::AlgNotAllowed { alg } => write!(f, "algorithm {alg:?} is not allowed"),
            Self::AlgorithmUnavailable { alg } => {
                write!(
                    f,
                    "algorithm {alg} needs a crypto backend that is not compiled in"
                )
            }
            Self::NoMatchingKey => f.write_str("no key fits the token"),
            Self::InvalidSignature => f.write_str("invalid signature"),
            Self::DecryptionFailed => f.write_str("decryption failed"),
            Self::Pbes2CountTooHigh { p2c, limit } => {
                write!(f, "pbes2 count {p2c} is above the limit of {limit}")
            }
            Self::RecipientCount { rule } => write!(f, "wrong number of recipients: {rule}"),
            Self::Random => f.write_str("the system random number generator failed"),
            Self::KeySetMember { index, reason } => {
                write!(f, "key {index} of the jwk set refused: {reason}")
            }
            Self::TooManyKeys { limit } => write!(f, "the jwk set has more than {limit} keys"),
        }
    }
}

impl std::error::Error for Error {}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}

impl From<CritError> for Error {
    fn from(e: CritError) -> Self {
        Self::Crit(e)
    }
}
