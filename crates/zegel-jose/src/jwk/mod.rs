//! JSON Web Keys (RFC 7517), their key types (RFC 7518 §6, RFC 8037, RFC 8812) and sets.
//!
//! A [`Jwk`] is always valid: parsing checks every member (lengths exact, points on their curve,
//! RSA modulus at least [`KeyPolicy::min_rsa_bits`], a private part that matches its public part),
//! and the only way to build one is through that check. The key material is kept in
//! [`KeyMaterial`]; private parts are [`SecretBytes`], zeroized on drop and never printed. The
//! registered metadata members (`use`, `key_ops`, `alg`, `kid`, `x5u`, `x5c`, `x5t`, `x5t#S256`)
//! are plain data in [`JwkParams`], and unknown members are kept there too and written back on
//! export. `x5c` and friends are never used to choose or trust a key.
//!
//! Around the key itself:
//! - [`JwkSet`] and [`KeyQuery`]: sets, and the rules that pick a key by `kid`, `alg`, `kty`,
//!   curve and operation;
//! - [`Jwk::thumbprint`] and [`Jwk::thumbprint_sha256_b64`]: RFC 7638 thumbprints;
//! - [`Jwk::generate`] with a [`KeySpec`]: new keys of every type;
//! - [`Jwk::from_pem`], [`Jwk::to_pem_private`], [`Jwk::to_pem_public`]: PKCS#8, SPKI, PKCS#1
//!   and SEC1.
//!
//! # What validation costs
//! Public keys are cheap: lengths, for `EC` one decoding of the point (which checks it is on
//! the curve), and for Ed25519 and X25519 a comparison with the encodings of the points of
//! small order, which are refused ([`KeyError::SmallOrderPoint`]). Private keys are loaded once
//! by the crypto backend, which checks them against their public part: `d` against `x`/`y`, the Ed25519 seed and X25519 scalar against `x`, and the
//! RSA members against each other (aws-lc checks `d` too; ring never uses `d`, and signs once to
//! check the CRT members). RSA private keys outside the sizes the backend can load (2048 to 8192
//! bits with aws-lc, 2048 to 4096 with ring) are refused with [`KeyError::Backend`].
//!
//! # Without the `aws-lc` feature
//! ring cannot decode P-521 or secp256k1 points, load X25519 private keys or generate RSA keys:
//! those keys are refused with [`Error::AlgorithmUnavailable`] (naming the curve, or `RSA`), and
//! X25519 public keys are accepted after the length and small-order checks. Checking a P-256/P-384 public point
//! costs one ECDH with a throwaway key.
//!
//! [`KeyError::Backend`]: crate::error::KeyError::Backend
//! [`KeyError::SmallOrderPoint`]: crate::error::KeyError::SmallOrderPoint
//! [`SecretBytes`]: crate::SecretBytes

mod backend;
pub(crate) mod curve;
mod generate;
mod material;
mod params;
mod parse;
pub(crate) mod pem;
mod roca;
mod set;
mod thumbprint;
mod validate;

/// The hash of a thumbprint ([`Jwk::thumbprint`]), here for convenience.
pub use generate::{KeySpec, MAX_OCT_BYTES};
pub use material::{Curve, KeyMaterial, KeyType, RsaPrivate};
pub use params::{JwkParams, KeyOp};
pub use set::{JwkSet, KeyQuery};

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::{Error, KeyError, Part};
use crate::json;
use crate::secret::SecretBytes;

/// The default minimum RSA modulus size accepted on import, in bits.
pub const DEFAULT_MIN_RSA_BITS: usize = 2048;

/// The default maximum number of keys in a JWK Set.
pub const DEFAULT_MAX_KEYS: usize = 256;

/// What keys are accepted on import.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyPolicy {
    /// The smallest RSA modulus accepted, in bits (default 2048).
    pub min_rsa_bits: usize,
    /// The maximum JSON nesting depth of a JWK or JWK Set.
    pub max_json_depth: usize,
    /// The maximum size of a serialized JWK or JWK Set, in bytes.
    pub max_len: usize,
    /// The maximum number of keys in a JWK Set (default 256).
    pub max_keys: usize,
    /// Whether a JWK Set may leave out keys of a type or curve this crate does not support
    /// (RFC 7517 §5 "SHOULD ignore"), instead of refusing the whole set (default `false`).
    /// Keys of a supported type that are invalid always make the set an error.
    pub skip_unsupported_keys: bool,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self {
            min_rsa_bits: DEFAULT_MIN_RSA_BITS,
            max_json_depth: json::DEFAULT_MAX_DEPTH,
            max_len: 1024 * 1024,
            max_keys: DEFAULT_MAX_KEYS,
            skip_unsupported_keys: false,
        }
    }
}

impl KeyPolicy {
    /// Accepts RSA keys from `bits` bits (for legacy keys and test vectors; below 2048 is weak).
    #[must_use]
    pub fn with_min_rsa_bits(mut self, bits: usize) -> Self {
        self.min_rsa_bits = bits;
        self
    }

    /// Accepts JWKs, JWK Sets and PEM texts of at most `len` bytes.
    #[must_use]
    pub fn with_max_len(mut self, len: usize) -> Self {
        self.max_len = len;
        self
    }

    /// Accepts JSON nested at most `depth` levels deep.
    #[must_use]
    pub fn with_max_json_depth(mut self, depth: usize) -> Self {
        self.max_json_depth = depth;
        self
    }

    /// Accepts JWK Sets of at most `n` keys.
    #[must_use]
    pub fn with_max_keys(mut self, n: usize) -> Self {
        self.max_keys = n;
        self
    }

    /// Lets JWK Sets leave out keys whose `kty` or `crv` this crate does not support (or that
    /// the backend compiled in cannot handle), as RFC 7517 §5 suggests, instead of refusing the
    /// whole set. Use it for sets published by others (an OpenID provider's `jwks_uri`), where a
    /// new key type must not break sign-in. Left-out keys are not kept on export.
    #[must_use]
    pub fn with_skip_unsupported_keys(mut self, skip: bool) -> Self {
        self.skip_unsupported_keys = skip;
        self
    }
}

/// A validated JSON Web Key.
///
/// `Debug` shows the public members and `kid`, never private material.
///
/// # `oct` keys should carry `alg`
/// A symmetric secret must serve one algorithm only: a key used for both `A128GCMKW` and `dir`,
/// say, lets one algorithm's output be replayed as the other's input. Give `oct` keys an `alg`
/// ([`with_alg`](Self::with_alg)); a JWE decryptor binds a key without one to the single
/// accepted algorithm its length fits, and refuses it when several do (see
/// [`jwe::Decryptor`](crate::jwe::Decryptor)).
#[derive(Clone)]
pub struct Jwk {
    material: KeyMaterial,
    params: JwkParams,
    /// Backend keys prepared from `material` (filled by JWS/JWE on first use).
    prepared: crate::jws::KeyCache,
}

impl Jwk {
    /// Builds a key from its material and metadata, validating it with the default policy.
    ///
    /// # Errors
    /// [`Error::Key`] when the material is invalid (see [`KeyPolicy`]).
    pub fn new(material: KeyMaterial, params: JwkParams) -> Result<Self, Error> {
        Self::new_with(material, params, &KeyPolicy::default())
    }

    /// Builds a key from its material and metadata, validating it with `policy`.
    ///
    /// # Errors
    /// [`Error::Key`] when the material is invalid.
    pub fn new_with(
        material: KeyMaterial,
        params: JwkParams,
        policy: &KeyPolicy,
    ) -> Result<Self, Error> {
        validate::material(&material, policy)?;
        validate::params(&material, &params)?;
        Ok(Self {
            material,
            params,
            prepared: crate::jws::KeyCache::default(),
        })
    }

    /// A symmetric (`oct`) key holding a copy of `secret`: an HMAC key or a `dir`/key-wrap key,
    /// without writing it as a JWK first. Bind it to one algorithm with
    /// [`with_alg`](Self::with_alg) (`"HS256"`, `"dir"`...): an `oct` key without `alg` fits
    /// every algorithm its length allows.
    ///
    /// ```
    /// # use zegel_jose::Jwk;
    /// let key = Jwk::from_secret_bytes(&[7; 32])?.with_alg("HS256");
    /// assert_eq!(key.alg(), Some("HS256"));
    /// assert!(Jwk::from_secret_bytes(&[]).is_err());
    /// # Ok::<(), zegel_jose::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Key`] for an empty secret.
    pub fn from_secret_bytes(secret: &[u8]) -> Result<Self, Error> {
        Self::new(
            KeyMaterial::Oct {
                k: SecretBytes::from_slice(secret),
            },
            JwkParams::default(),
        )
    }

    /// Parses and validates a JWK from its JSON text, with the default [`KeyPolicy`].
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or duplicate members, [`Error::Key`] for an invalid
    /// key, [`Error::TooLarge`] past the policy's size limit.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        Self::parse_with(json, &KeyPolicy::default())
    }

    /// Parses and validates a JWK from its JSON text, with `policy`.
    ///
    /// # Errors
    /// As [`Jwk::parse`].
    pub fn parse_with(json: &[u8], policy: &KeyPolicy) -> Result<Self, Error> {
        if json.len() > policy.max_len {
            return Err(Error::TooLarge {
                part: Part::Jwk,
                limit: policy.max_len,
            });
        }
        let obj = json::parse_object(json, Part::Jwk, policy.max_json_depth)?;
        Self::from_object(obj, policy)
    }

    /// Builds a key from an already-parsed JSON object (for example a member of a JWK Set).
    ///
    /// # Errors
    /// [`Error::Key`] for an invalid key.
    pub fn from_object(obj: Map<String, Value>, policy: &KeyPolicy) -> Result<Self, Error> {
        let (material, params) = parse::from_object(obj)?;
        Self::new_with(material, params, policy)
    }

    /// The key material.
    #[must_use]
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// The metadata members (`use`, `key_ops`, `alg`, `kid`, `x5*`, and unknown members).
    #[must_use]
    pub fn params(&self) -> &JwkParams {
        &self.params
    }

    /// The key with other metadata members, checked against the material as
    /// [`Jwk::new`] checks them (`use`, `key_ops` and `alg` must fit the key). The key material
    /// cannot be changed.
    ///
    /// # Errors
    /// [`Error::Key`] when the metadata does not fit the key.
    pub fn with_params(self, params: JwkParams) -> Result<Self, Error> {
        validate::params(&self.material, &params)?;
        Ok(Self {
            material: self.material,
            params,
            prepared: crate::jws::KeyCache::default(),
        })
    }

    /// The key type (`kty`).
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.material.key_type()
    }

    /// The curve, for `EC` and `OKP` keys.
    #[must_use]
    pub fn curve(&self) -> Option<Curve> {
        self.material.curve()
    }

    /// The key id (`kid`), if any.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.params.kid.as_deref()
    }

    /// The algorithm the key is bound to (`alg`), if any.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.params.alg.as_deref()
    }

    /// Whether the key holds private (or secret, for `oct`) material.
    #[must_use]
    pub fn is_private(&self) -> bool {
        self.material.is_private()
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.params.kid = Some(kid.into());
        self
    }

    /// Binds the key to an algorithm (`alg`).
    #[must_use]
    pub fn with_alg(mut self, alg: impl Into<String>) -> Self {
        self.params.alg = Some(alg.into());
        self
    }

    /// Sets the intended use (`use`: `sig` or `enc`).
    #[must_use]
    pub fn with_use(mut self, use_: impl Into<String>) -> Self {
        self.params.use_ = Some(use_.into());
        self
    }

    /// The public part of the key, with its registered metadata members (`key_ops` reduced to
    /// the public operations). Members this crate does not know are left out: in a private JWK
    /// they may hold anything, private material included. `None` for `oct` keys, which have no
    /// public part.
    #[must_use]
    pub fn to_public(&self) -> Option<Self> {
        let material = self.material.public()?;
        let mut params = self.params.clone();
        params.other = Map::new();
        if let Some(ops) = &mut params.key_ops {
            ops.retain(|op| matches!(op.as_str(), "verify" | "encrypt" | "wrapKey"));
        }
        Some(Self {
            material,
            params,
            prepared: crate::jws::KeyCache::default(),
        })
    }

    /// The key as a JSON object, public members only. `None` for `oct` keys.
    #[must_use]
    pub fn to_public_object(&self) -> Option<Map<String, Value>> {
        let public = self.to_public()?;
        Some(parse::to_object(&public.material, &public.params, false))
    }

    /// The public key as JSON text. `None` for `oct` keys.
    #[must_use]
    pub fn to_public_json(&self) -> Option<String> {
        self.to_public_object()
            .map(|o| Value::Object(o).to_string())
    }

    /// Exports the whole key, private members included, as a JSON object.
    ///
    /// # Security
    /// The object holds the private key in clear text. Prefer
    /// [`to_private_json`](Self::to_private_json), whose buffer is zeroized on drop.
    #[must_use]
    pub fn to_private_object(&self) -> Map<String, Value> {
        parse::to_object(&self.material, &self.params, true)
    }

    /// Exports the whole key, private members included, as JSON text zeroized on drop.
    ///
    /// # Security
    /// The text is the private key: write it only where a private key may be kept (a file with
    /// mode 0600, a secret store).
    #[must_use]
    pub fn to_private_json(&self) -> Zeroizing<String> {
        let mut obj = self.to_private_object();
        let text = Zeroizing::new(serde_json::to_string(&obj).unwrap_or_default());
        parse::zeroize_object(&mut obj);
        text
    }

    /// The cache of backend keys prepared from this key's material.
    pub(crate) fn prepared(&self) -> &crate::jws::KeyCache {
        &self.prepared
    }

    /// Checks that the key may be used for `op` according to its `use` and `key_ops` members
    /// (RFC 7517 §4.2, §4.3). Keys without either member permit every operation.
    ///
    /// # Errors
    /// [`KeyError::UsageNotPermitted`].
    pub fn check_op(&self, op: KeyOp) -> Result<(), Error> {
        if self.params.permits(op) {
            Ok(())
        } else {
            Err(KeyError::UsageNotPermitted.into())
        }
    }
}

impl core::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.key_type())
            .field("crv", &self.curve())
            .field("kid", &self.params.kid)
            .field("alg", &self.params.alg)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Jwk {
    /// Two keys are equal when their material and metadata are equal (secret parts compared in
    /// constant time).
    fn eq(&self, other: &Self) -> bool {
        self.material == other.material && self.params == other.params
    }
}
