//! The crate's one error type, with structured kinds and stable codes.
//!
//! Every failure in `zegel-jose` is an [`Error`]. Variants carry structured data a caller can
//! match on, never free-form strings, and never secret bytes. Cryptographic failures carry no
//! detail at all: a signature that does not verify is [`Error::InvalidSignature`], and every way a
//! decryption can fail (bad key, bad padding, bad tag, failed unwrap) is the single
//! [`Error::DecryptionFailed`], so that the result is no oracle.
//!
//! Each variant has a [`code`](Error::code), a short dotted string that is stable across
//! releases: log it, match on it from other languages, put it in metrics, and a
//! [`fault`](Error::fault) saying whose the fault is (the input, the configuration, or an
//! unavailable facility), for code that must decide between refusing, reporting and retrying.
//!
//! Errors redact themselves: `Display` never prints a value taken from a token or a key. Names
//! (of parameters, members, algorithms, key types, curves) are printed only when they are names
//! zegel itself defines, and then in zegel's own spelling; any other value stays in the
//! variant's fields, for callers who choose to look at it.

use core::fmt;

/// Whose fault an error is, for code that must decide what to do about it.
///
/// An OpenID Connect client retries [`Unavailable`](Self::Unavailable), reports
/// [`Config`](Self::Config) to its operator, and refuses [`Input`](Self::Input); the `zegel`
/// command line maps them to its exit statuses.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The input (a token, a key or document being judged) is malformed or refused; trying the
    /// same input again gives the same answer.
    Input,
    /// The caller's configuration or arguments are wrong: a key that cannot do the operation,
    /// recipients that cannot go together, an index out of range.
    Config,
    /// A facility is missing or failed: a crypto backend not compiled in, the system random
    /// number generator. Not the input's fault.
    Unavailable,
}

/// Names registered by the JOSE and JWT specifications that an error may print: header
/// parameters (RFC 7515 §4.1, RFC 7516 §4.1, RFC 7518 §4.6-4.8, RFC 7797), JSON serialization
/// members, JWK members (RFC 7517 §4, RFC 7518 §6, RFC 8037) and JWT claims (RFC 7519 §4.1,
/// OpenID Connect Core §2).
const REGISTERED_NAMES: &[&str] = &[
    // JOSE header parameters.
    "alg",
    "enc",
    "zip",
    "jku",
    "jwk",
    "kid",
    "x5u",
    "x5c",
    "x5t",
    "x5t#S256",
    "typ",
    "cty",
    "crit",
    "b64",
    "epk",
    "apu",
    "apv",
    "iv",
    "tag",
    "p2s",
    "p2c",
    // JSON serialization members.
    "protected",
    "header",
    "unprotected",
    "payload",
    "signature",
    "signatures",
    "recipients",
    "encrypted_key",
    "ciphertext",
    "aad",
    // JWK and JWK Set members.
    "kty",
    "use",
    "key_ops",
    "crv",
    "x",
    "y",
    "d",
    "n",
    "e",
    "p",
    "q",
    "dp",
    "dq",
    "qi",
    "oth",
    "r",
    "t",
    "k",
    "ext",
    "keys",
    // JWT claims.
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "nonce",
    "auth_time",
    "azp",
    "at_hash",
    "c_hash",
    "s_hash",
    "acr",
    "amr",
    "sid",
    "cnf",
];

/// `value`'s registered spelling when it is a parameter, member or claim name zegel knows.
fn registered_name(value: &str) -> Option<&'static str> {
    REGISTERED_NAMES.iter().copied().find(|n| *n == value)
}

/// `value`'s spelling in zegel's tables when it names an algorithm, a key type or a curve.
fn known_algorithm_or_key_name(value: &str) -> Option<&'static str> {
    use crate::jwk::{Curve, KeyType};
    crate::jws::by_name(value)
        .map(crate::jws::JwsAlgorithm::name)
        .or_else(|| crate::jwe::by_name(value).map(crate::jwe::KeyManagement::name))
        .or_else(|| crate::jwe::enc_by_name(value).map(crate::jwe::ContentEncryption::name))
        .or_else(|| KeyType::from_name(value).map(KeyType::name))
        .or_else(|| Curve::from_name(value).map(Curve::name))
}

/// Writes `"name"` when `known` found it, else `unknown` (the value is never printed).
fn name_or(f: &mut fmt::Formatter<'_>, known: Option<&'static str>, unknown: &str) -> fmt::Result {
    match known {
        Some(name) => write!(f, "{name:?}"),
        None => f.write_str(unknown),
    }
}

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
        /// The repeated member name, as found (not printed unless registered).
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
            Self::DuplicateMember { name } => {
                f.write_str("duplicate member ")?;
                name_or(
                    f,
                    registered_name(name),
                    "(an unregistered name, not shown)",
                )
            }
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
        /// The parameter name, as found (not printed).
        name: String,
    },
    /// `crit` names a parameter registered by the JWS/JWE/JWA specifications.
    Registered {
        /// The parameter name, as found (printed: it is a registered name).
        name: String,
    },
    /// `crit` names a parameter absent from the header.
    Absent {
        /// The parameter name, as found (not printed unless registered).
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
    /// `kty` (or `crv`) names a key type or curve this crate does not know (or this build cannot
    /// use).
    UnsupportedKeyType {
        /// The `kty` or `crv` value, as found (not printed unless zegel knows the name).
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
        /// The key's own `alg`, as found (not printed unless zegel knows the name).
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
    /// The RSA modulus carries the ROCA fingerprint (CVE-2017-15361): it was made by a flawed
    /// key generator (Infineon's, 2012–2017) and can be factored. Generate a new key.
    RocaWeak,
    /// Two keys of a set have the token's `kid`, the same key type and the same `use`, so the
    /// `kid` does not say which one is meant (RFC 7517 §4.5). The `kid` is not repeated here.
    DuplicateKid,
    /// A verification key set mixes `oct` secrets with RSA, EC or OKP public keys, which
    /// invites algorithm confusion; [`jws::Verifier::with_mixed_key_set`] opts in.
    ///
    /// [`jws::Verifier::with_mixed_key_set`]: crate::jws::Verifier::with_mixed_key_set
    MixedKeySet,
    /// An `oct` key without `alg` fits more than one of the key management algorithms the
    /// decryptor accepts, so one secret could serve two algorithms; give the key an `alg`.
    UnboundSymmetricKey,
    /// An `oct` key would be used as a PBES2 password, and the caller did not opt in
    /// ([`jwe::Decryptor::with_oct_keys_as_passwords`]).
    ///
    /// [`jwe::Decryptor::with_oct_keys_as_passwords`]: crate::jwe::Decryptor::with_oct_keys_as_passwords
    NotAPassword,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingMember { name } => write!(f, "missing member {name:?}"),
            Self::InvalidMember { name } => write!(f, "invalid member {name:?}"),
            Self::UnsupportedKeyType { value } => {
                f.write_str("unsupported key type or curve")?;
                match known_algorithm_or_key_name(value) {
                    Some(name) => write!(f, " {name:?}"),
                    None => Ok(()),
                }
            }
            Self::RsaTooSmall { min_bits, .. } => {
                write!(
                    f,
                    "the rsa modulus is shorter than the minimum of {min_bits} bits"
                )
            }
            Self::InvalidPoint => f.write_str("the point is not on the curve"),
            Self::SmallOrderPoint => f.write_str("the public key is a point of small order"),
            Self::InvalidPrivateKey => f.write_str("the private key is invalid"),
            Self::WrongLength { expected, .. } => {
                write!(f, "the key has the wrong length, expected {expected} bytes")
            }
            Self::NotPrivate => f.write_str("a private key is needed, this key is public"),
            Self::WrongKeyType { alg } => write!(f, "the key's type does not fit {alg}"),
            Self::AlgMismatch { key_alg, alg } => match known_algorithm_or_key_name(key_alg) {
                Some(key_alg) => write!(f, "the key is bound to {key_alg}, not {alg}"),
                None => write!(f, "the key is bound to another algorithm than {alg}"),
            },
            Self::UsageNotPermitted => f.write_str("the key's \"use\" or \"key_ops\" forbid this"),
            Self::Pem => f.write_str("the pem or der structure could not be read"),
            Self::Backend => f.write_str("the crypto backend refused the key"),
            Self::RocaWeak => f.write_str(
                "the rsa modulus has the roca fingerprint (CVE-2017-15361) and can be factored; \
                 generate a new key",
            ),
            Self::DuplicateKid => f.write_str(
                "two keys of the set have the token's kid, the same key type and the same use",
            ),
            Self::MixedKeySet => f.write_str(
                "the verification key set mixes symmetric secrets with public keys, \
                 which invites algorithm confusion",
            ),
            Self::UnboundSymmetricKey => f.write_str(
                "the oct key has no alg and fits several accepted key management algorithms",
            ),
            Self::NotAPassword => {
                f.write_str("the oct key may not be used as a pbes2 password unless allowed")
            }
        }
    }
}

impl KeyError {
    /// A short, stable, dotted code for this reason, for logs, metrics and other languages
    /// (the [`Error`] that carries it has its own: `jose.key` or `jose.key_set_member`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingMember { .. } => "jose.key.missing_member",
            Self::InvalidMember { .. } => "jose.key.invalid_member",
            Self::UnsupportedKeyType { .. } => "jose.key.unsupported_key_type",
            Self::RsaTooSmall { .. } => "jose.key.rsa_too_small",
            Self::InvalidPoint => "jose.key.invalid_point",
            Self::InvalidPrivateKey => "jose.key.invalid_private_key",
            Self::WrongLength { .. } => "jose.key.wrong_length",
            Self::NotPrivate => "jose.key.not_private",
            Self::WrongKeyType { .. } => "jose.key.wrong_key_type",
            Self::AlgMismatch { .. } => "jose.key.alg_mismatch",
            Self::UsageNotPermitted => "jose.key.usage_not_permitted",
            Self::Pem => "jose.key.pem",
            Self::Backend => "jose.key.backend",
            Self::RocaWeak => "jose.key.roca_weak",
            Self::SmallOrderPoint => "jose.key.small_order_point",
            Self::DuplicateKid => "jose.key.duplicate_kid",
            Self::MixedKeySet => "jose.key.mixed_key_set",
            Self::UnboundSymmetricKey => "jose.key.unbound_symmetric_key",
            Self::NotAPassword => "jose.key.not_a_password",
        }
    }
}

/// What a serialization should have looked like, in [`Error::Structure`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// A compact JWS: three `.`-separated parts.
    CompactJws,
    /// A compact JWE: five base64url parts separated by dots.
    CompactJwe,
    /// The compact serialization, where a JSON serialization was given.
    Compact,
    /// A compact JWS or JWE, or a JWS or JWE JSON serialization.
    AnyToken,
    /// The general or the flattened JSON serialization, not a mix of both.
    GeneralOrFlattened,
    /// A JWE JSON serialization's `header` and `encrypted_key` inside `recipients`.
    RecipientMembersInside,
    /// A payload, where the token's is detached (RFC 7515 Appendix F): pass it separately.
    DetachedPayload,
    /// No payload in a token verified as detached.
    NoEmbeddedPayload,
    /// An unencoded payload (RFC 7797) that is UTF-8.
    Utf8UnencodedPayload,
    /// An unencoded payload in the compact serialization without `.` (RFC 7797 §5.2).
    UnencodedPayloadWithoutDot,
    /// Output that is valid UTF-8 JSON (an internal failure to serialize).
    Serializable,
    /// No unprotected header and no `aad` in the compact JWE serialization.
    CompactJweHeaderOnly,
    /// An initialization vector of the length the content encryption requires.
    IvLength,
    /// An authentication tag of the length the content encryption requires.
    TagLength,
    /// A complete raw DEFLATE stream (RFC 1951) in a JWE with `"zip": "DEF"`.
    Deflate,
}

impl Shape {
    /// The expectation in words, for messages.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::CompactJws => "three '.'-separated parts",
            Self::CompactJwe => "five base64url parts separated by dots",
            Self::Compact => "the compact serialization",
            Self::AnyToken => {
                "a JWS (3 parts) or JWE (5 parts) compact token, or a JWS/JWE JSON serialization"
            }
            Self::GeneralOrFlattened => "either the general or the flattened json serialization",
            Self::RecipientMembersInside => {
                "\"header\" and \"encrypted_key\" inside \"recipients\""
            }
            Self::DetachedPayload => "a payload (the token's is detached: pass it separately)",
            Self::NoEmbeddedPayload => "no payload in a token verified as detached",
            Self::Utf8UnencodedPayload => "an unencoded payload that is utf-8",
            Self::UnencodedPayloadWithoutDot => "an unencoded compact payload without '.'",
            Self::Serializable => "output that serializes to utf-8 json",
            Self::CompactJweHeaderOnly => {
                "no unprotected header and no aad in the compact serialization"
            }
            Self::IvLength => "an initialization vector of the length enc requires",
            Self::TagLength => "an authentication tag of the length enc requires",
            Self::Deflate => "a complete raw DEFLATE stream",
        }
    }

    /// Whose fault a structure of the wrong shape is.
    const fn fault(self) -> Fault {
        match self {
            Self::CompactJweHeaderOnly => Fault::Config,
            _ => Fault::Input,
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Which rule on the number of signatures or recipients was broken, in
/// [`Error::RecipientCount`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CountRule {
    /// A JWS JSON serialization with no signature.
    NoSignature,
    /// A JWS JSON serialization with more signatures than the configured limits allow.
    TooManySignatures,
    /// A JWE with no recipient, or more than the configured limits allow.
    RecipientsOutOfRange,
    /// A JWE where `dir` or `ECDH-ES` shares the token with other recipients.
    DirectNotAlone,
    /// Signing was asked for with no signer.
    NoSigner,
    /// Encryption was asked for with no recipient.
    NoRecipient,
    /// Encryption was asked for with `dir` or `ECDH-ES` beside other recipients.
    DirectWithOthers,
    /// A recipient index past the token's recipients.
    NoSuchRecipient,
}

impl CountRule {
    /// The rule in words, for messages.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::NoSignature => "a jws needs at least one signature",
            Self::TooManySignatures => "at most the configured maximum of signatures",
            Self::RecipientsOutOfRange => "between one and the configured maximum of recipients",
            Self::DirectNotAlone | Self::DirectWithOthers => {
                "dir and ECDH-ES allow exactly one recipient"
            }
            Self::NoSigner => "signing needs at least one signer",
            Self::NoRecipient => "encryption needs at least one recipient",
            Self::NoSuchRecipient => "no such recipient",
        }
    }

    /// Whose fault breaking the rule is: the token's, or the caller's.
    const fn fault(self) -> Fault {
        match self {
            Self::NoSignature
            | Self::TooManySignatures
            | Self::RecipientsOutOfRange
            | Self::DirectNotAlone => Fault::Input,
            Self::NoSigner | Self::NoRecipient | Self::DirectWithOthers | Self::NoSuchRecipient => {
                Fault::Config
            }
        }
    }
}

impl fmt::Display for CountRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Every failure of `zegel-jose`.
///
/// Match on the variant, its [`code`](Self::code) or its [`fault`](Self::fault). `Display` is a
/// lowercase sentence a person can act on; it never contains key material, plaintext or any
/// other value taken from a token or key (names zegel registers excepted), so any layer may
/// print it as it is.
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
        expected: Shape,
    },
    /// A required header parameter or member is missing.
    MissingParameter {
        /// The parameter name.
        name: &'static str,
    },
    /// A header parameter or member has the wrong type or value.
    InvalidParameter {
        /// The parameter name, as found (not printed unless registered).
        name: String,
    },
    /// A header parameter appears in more than one header of the same signature or recipient.
    DuplicateParameter {
        /// The parameter name, as found (not printed unless registered).
        name: String,
    },
    /// The `crit` header parameter was refused.
    Crit(CritError),
    /// A key was refused.
    Key(KeyError),
    /// The algorithm name is not one this crate knows (`none` included).
    UnknownAlgorithm {
        /// The name as given (never printed).
        name: String,
    },
    /// The algorithm is known but is not in the caller's allowlist.
    AlgNotAllowed {
        /// The algorithm named by the input, as found (printed in zegel's spelling: only known
        /// algorithms are refused this way).
        alg: String,
    },
    /// The algorithm is known but the crypto backend compiled in cannot do it.
    AlgorithmUnavailable {
        /// The algorithm.
        alg: &'static str,
    },
    /// Keys exist (with the token's `kid`, if it names one), but none fits its `alg`, key type
    /// or `use`/`key_ops`: refreshing the key set will not help (compare
    /// [`Error::UnknownKid`]).
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
    /// A header has more members than the configured limit (counted over the headers that
    /// make up one recipient's JOSE header).
    TooManyMembers {
        /// The header.
        part: Part,
        /// The limit, in members.
        limit: usize,
    },
    /// The operation needs more recipients or signatures than allowed, or fewer.
    RecipientCount {
        /// The rule that was broken.
        rule: CountRule,
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
    /// No key of the set has the token's `kid`: the set may be out of date, and refreshing
    /// it may help (unlike [`Error::NoMatchingKey`]). `Display` does not repeat the `kid`.
    UnknownKid {
        /// The `kid` the token names (public, but taken from the token).
        kid: String,
    },
    /// Verifying or decrypting the token would take more key operations (signatures or
    /// recipients, times candidate keys) than the configured budget.
    KeyOperationBudget {
        /// The budget.
        limit: usize,
    },
    /// `dir` was used without `alg` and `enc` in a non-empty protected header, which would let
    /// a wrapped key be replayed as a `dir` ciphertext under the same key.
    Unprotected {
        /// The parameter that must be protected.
        name: &'static str,
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
            Self::TooManyMembers { .. } => "jose.too_many_members",
            Self::RecipientCount { .. } => "jose.recipient_count",
            Self::Random => "jose.random",
            Self::KeySetMember { .. } => "jose.key_set_member",
            Self::TooManyKeys { .. } => "jose.too_many_keys",
            Self::UnknownKid { .. } => "jose.unknown_kid",
            Self::KeyOperationBudget { .. } => "jose.key_operation_budget",
            Self::Unprotected { .. } => "jose.unprotected",
        }
    }

    /// Whose fault this error is: the input's, the caller's configuration's, or a facility's
    /// that is missing or failed.
    ///
    /// Key errors are the input's (a key being parsed or judged), except a key that cannot do
    /// what was asked of it at all ([`KeyError::NotPrivate`]) or that the crypto backend refuses
    /// to load ([`KeyError::Backend`]), and a key set the caller put together badly (duplicate
    /// kids, mixed secrets and public keys, an unbound or password `oct` key), which are
    /// configuration. A caller that knows the key
    /// came from its own configuration treats every key error as [`Fault::Config`].
    #[must_use]
    pub const fn fault(&self) -> Fault {
        match self {
            Self::Structure { expected } => expected.fault(),
            Self::RecipientCount { rule } => rule.fault(),
            Self::Key(
                KeyError::NotPrivate
                | KeyError::Backend
                | KeyError::DuplicateKid
                | KeyError::MixedKeySet
                | KeyError::UnboundSymmetricKey
                | KeyError::NotAPassword,
            ) => Fault::Config,
            Self::AlgorithmUnavailable { .. } | Self::Random => Fault::Unavailable,
            Self::TooLarge { .. }
            | Self::Base64 { .. }
            | Self::Json { .. }
            | Self::MissingParameter { .. }
            | Self::InvalidParameter { .. }
            | Self::DuplicateParameter { .. }
            | Self::Crit(_)
            | Self::Key(_)
            | Self::UnknownAlgorithm { .. }
            | Self::AlgNotAllowed { .. }
            | Self::NoMatchingKey
            | Self::UnknownKid { .. }
            | Self::TooManyMembers { .. }
            | Self::KeyOperationBudget { .. }
            | Self::Unprotected { .. }
            | Self::InvalidSignature
            | Self::DecryptionFailed
            | Self::Pbes2CountTooHigh { .. }
            | Self::KeySetMember { .. }
            | Self::TooManyKeys { .. } => Fault::Input,
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
            Self::InvalidParameter { name } => {
                f.write_str("invalid parameter ")?;
                name_or(
                    f,
                    registered_name(name),
                    "(an unregistered name, not shown)",
                )
            }
            Self::DuplicateParameter { name } => {
                f.write_str("parameter ")?;
                name_or(
                    f,
                    registered_name(name),
                    "(an unregistered name, not shown)",
                )?;
                f.write_str(" appears in more than one header")
            }
            Self::Crit(CritError::Malformed) => {
                f.write_str("\"crit\" must be a non-empty array of strings")
            }
            Self::Crit(CritError::Unprotected) => {
                f.write_str("\"crit\" must be in the protected header")
            }
            Self::Crit(CritError::Unknown { name }) => {
                f.write_str("\"crit\" names ")?;
                name_or(f, registered_name(name), "a parameter")?;
                f.write_str(" that is not understood")
            }
            Self::Crit(CritError::Registered { name }) => {
                f.write_str("\"crit\" names the registered parameter ")?;
                name_or(f, registered_name(name), "(not shown)")
            }
            Self::Crit(CritError::Absent { name }) => {
                f.write_str("\"crit\" names ")?;
                name_or(f, registered_name(name), "a parameter")?;
                f.write_str(" that is not in the header")
            }
            Self::Key(reason) => write!(f, "key refused: {reason}"),
            Self::UnknownAlgorithm { .. } => f.write_str("unknown algorithm"),
            Self::AlgNotAllowed { alg } => {
                f.write_str("algorithm ")?;
                name_or(f, known_algorithm_or_key_name(alg), "(not shown)")?;
                f.write_str(" is not allowed")
            }
            Self::AlgorithmUnavailable { alg } => {
                write!(
                    f,
                    "algorithm {alg} needs a crypto backend that is not compiled in"
                )
            }
            Self::NoMatchingKey => f.write_str("keys exist, but none fits the token"),
            Self::InvalidSignature => f.write_str("invalid signature"),
            Self::DecryptionFailed => f.write_str("decryption failed"),
            Self::Pbes2CountTooHigh { limit, .. } => {
                write!(f, "the pbes2 count is above the limit of {limit}")
            }
            Self::TooManyMembers { part, limit } => {
                write!(f, "the {part} has more than {limit} members")
            }
            Self::RecipientCount { rule } => write!(f, "wrong number of recipients: {rule}"),
            Self::Random => f.write_str("the system random number generator failed"),
            Self::KeySetMember { index, reason } => {
                write!(f, "key {index} of the jwk set refused: {reason}")
            }
            Self::TooManyKeys { limit } => write!(f, "the jwk set has more than {limit} keys"),
            Self::UnknownKid { .. } => f.write_str("no key has the token's kid"),
            Self::KeyOperationBudget { limit } => write!(
                f,
                "the token needs more than the budget of {limit} key operations"
            ),
            Self::Unprotected { name } => {
                write!(f, "parameter {name:?} must be in the protected header")
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message, with values planted where a token or key would put them.
    #[test]
    fn display_never_prints_planted_values() {
        let s = |v: &str| v.to_owned();
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::Json {
                    part: Part::Header,
                    reason: JsonError::DuplicateMember { name: s("SECRET") },
                },
                "the header is not acceptable json: duplicate member (an unregistered name, not shown)",
            ),
            (
                Error::Json {
                    part: Part::Header,
                    reason: JsonError::DuplicateMember { name: s("kid") },
                },
                "the header is not acceptable json: duplicate member \"kid\"",
            ),
            (
                Error::InvalidParameter { name: s("SECRET") },
                "invalid parameter (an unregistered name, not shown)",
            ),
            (
                Error::InvalidParameter { name: s("epk") },
                "invalid parameter \"epk\"",
            ),
            (
                Error::DuplicateParameter { name: s("SECRET") },
                "parameter (an unregistered name, not shown) appears in more than one header",
            ),
            (
                Error::DuplicateParameter { name: s("alg") },
                "parameter \"alg\" appears in more than one header",
            ),
            (
                Error::Crit(CritError::Unknown { name: s("SECRET") }),
                "\"crit\" names a parameter that is not understood",
            ),
            (
                Error::Crit(CritError::Registered { name: s("alg") }),
                "\"crit\" names the registered parameter \"alg\"",
            ),
            (
                Error::Crit(CritError::Absent { name: s("SECRET") }),
                "\"crit\" names a parameter that is not in the header",
            ),
            (
                Error::UnknownAlgorithm { name: s("EVILALG") },
                "unknown algorithm",
            ),
            (
                Error::AlgNotAllowed { alg: s("HS256") },
                "algorithm \"HS256\" is not allowed",
            ),
            (
                Error::AlgNotAllowed { alg: s("EVILALG") },
                "algorithm (not shown) is not allowed",
            ),
            (
                Error::Key(KeyError::UnsupportedKeyType { value: s("SECRET") }),
                "key refused: unsupported key type or curve",
            ),
            (
                Error::Key(KeyError::UnsupportedKeyType { value: s("X448") }),
                "key refused: unsupported key type or curve",
            ),
            (
                Error::Key(KeyError::UnsupportedKeyType {
                    value: s("Ed25519"),
                }),
                "key refused: unsupported key type or curve \"Ed25519\"",
            ),
            (
                Error::KeySetMember {
                    index: 2,
                    reason: KeyError::AlgMismatch {
                        key_alg: s("SECRET"),
                        alg: "RS256",
                    },
                },
                "key 2 of the jwk set refused: the key is bound to another algorithm than RS256",
            ),
            (
                Error::Key(KeyError::AlgMismatch {
                    key_alg: s("ES256"),
                    alg: "RS256",
                }),
                "key refused: the key is bound to ES256, not RS256",
            ),
            (
                Error::Key(KeyError::RsaTooSmall {
                    bits: 1001,
                    min_bits: 2048,
                }),
                "key refused: the rsa modulus is shorter than the minimum of 2048 bits",
            ),
            (
                Error::Key(KeyError::WrongLength {
                    expected: 16,
                    actual: 1001,
                }),
                "key refused: the key has the wrong length, expected 16 bytes",
            ),
            (
                Error::Pbes2CountTooHigh {
                    p2c: 9_999_999,
                    limit: 310_000,
                },
                "the pbes2 count is above the limit of 310000",
            ),
            (
                Error::Structure {
                    expected: Shape::CompactJws,
                },
                "malformed structure: expected three '.'-separated parts",
            ),
            (
                Error::RecipientCount {
                    rule: CountRule::DirectNotAlone,
                },
                "wrong number of recipients: dir and ECDH-ES allow exactly one recipient",
            ),
        ];
        for (e, text) in cases {
            let shown = e.to_string();
            assert_eq!(shown, text);
            for planted in ["SECRET", "EVILALG", "X448", "1001", "9999999"] {
                assert!(!shown.contains(planted), "{shown}");
            }
        }
    }

    #[test]
    fn faults() {
        assert_eq!(Error::InvalidSignature.fault(), Fault::Input);
        assert_eq!(Error::DecryptionFailed.fault(), Fault::Input);
        assert_eq!(Error::NoMatchingKey.fault(), Fault::Input);
        assert_eq!(
            Error::AlgNotAllowed {
                alg: "HS256".into()
            }
            .fault(),
            Fault::Input
        );
        assert_eq!(
            Error::Key(KeyError::WrongKeyType { alg: "RS256" }).fault(),
            Fault::Input
        );
        assert_eq!(Error::Key(KeyError::NotPrivate).fault(), Fault::Config);
        assert_eq!(Error::Key(KeyError::Backend).fault(), Fault::Config);
        assert_eq!(
            Error::RecipientCount {
                rule: CountRule::NoSuchRecipient
            }
            .fault(),
            Fault::Config
        );
        assert_eq!(
            Error::RecipientCount {
                rule: CountRule::RecipientsOutOfRange
            }
            .fault(),
            Fault::Input
        );
        assert_eq!(
            Error::Structure {
                expected: Shape::CompactJweHeaderOnly
            }
            .fault(),
            Fault::Config
        );
        assert_eq!(
            Error::AlgorithmUnavailable { alg: "ES256K" }.fault(),
            Fault::Unavailable
        );
        assert_eq!(Error::Random.fault(), Fault::Unavailable);
    }
}
