//! JWK Sets (RFC 7517 §5) and the rules that pick keys out of them.
//!
//! A [`JwkSet`] is a list of validated [`Jwk`]s plus any unknown top-level members, which are
//! preserved on round trip. Parsing is all or nothing: one invalid key makes the whole set an
//! error ([`Error::KeySetMember`] says which), so a set never silently loses a key. The one
//! exception is opt-in: [`KeyPolicy::with_skip_unsupported_keys`] leaves out keys of a type or
//! curve this crate does not support (RFC 7517 §5), never invalid keys of a supported type.
//!
//! [`JwkSet::select`] applies a [`KeyQuery`]: with a `kid`, only keys with exactly that `kid`;
//! a key bound to an `alg` only for that `alg`; `use`/`key_ops` must permit the operation; the
//! key type (and curve) must match. Candidates come in set order, so a verifier can try them in
//! turn during key rotation.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::material::{Curve, KeyType};
use super::params::KeyOp;
use super::parse::zeroize_object;
use super::{Jwk, KeyPolicy};
use crate::error::{Error, KeyError, Part};
use crate::json;

/// A JSON Web Key Set (RFC 7517 §5): validated keys, in order, and unknown top-level members.
///
/// `Debug` shows each key's public summary, never private material.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    other: Map<String, Value>,
}

impl JwkSet {
    /// A set of `keys`, in the order given.
    #[must_use]
    pub fn new(keys: Vec<Jwk>) -> Self {
        Self {
            keys,
            other: Map::new(),
        }
    }

    /// Parses and validates a JWK Set with the default [`KeyPolicy`].
    ///
    /// # Errors
    /// [`Error::TooLarge`] past [`KeyPolicy::max_len`], [`Error::Json`] for malformed JSON or
    /// duplicate members, [`Error::MissingParameter`] / [`Error::InvalidParameter`] when `keys`
    /// is missing or not an array, [`Error::TooManyKeys`] past [`KeyPolicy::max_keys`], and
    /// [`Error::KeySetMember`] for the first key that is not a valid JWK.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        Self::parse_with(json, &KeyPolicy::default())
    }

    /// Parses and validates a JWK Set with `policy`.
    ///
    /// # Errors
    /// As [`JwkSet::parse`].
    pub fn parse_with(json: &[u8], policy: &KeyPolicy) -> Result<Self, Error> {
        if json.len() > policy.max_len {
            return Err(Error::TooLarge {
                part: Part::JwkSet,
                limit: policy.max_len,
            });
        }
        let obj = json::parse_object(json, Part::JwkSet, policy.max_json_depth)?;
        Self::from_object(obj, policy)
    }

    /// Builds a set from an already-parsed JSON object.
    ///
    /// # Errors
    /// As [`JwkSet::parse`], except for the size and JSON checks.
    pub fn from_object(mut obj: Map<String, Value>, policy: &KeyPolicy) -> Result<Self, Error> {
        let items = match obj.remove("keys") {
            None => return Err(Error::MissingParameter { name: "keys" }),
            Some(Value::Array(items)) => items,
            Some(mut other) => {
                super::parse::zeroize_value(&mut other);
                return Err(Error::InvalidParameter {
                    name: "keys".into(),
                });
            }
        };
        if items.len() > policy.max_keys {
            let mut items = Value::Array(items);
            super::parse::zeroize_value(&mut items);
            return Err(Error::TooManyKeys {
                limit: policy.max_keys,
            });
        }
        let mut keys = Vec::with_capacity(items.len());
        let mut items = items.into_iter().enumerate();
        while let Some((index, item)) = items.next() {
            let result = match item {
                Value::Object(o) => Jwk::from_object(o, policy),
                mut other => {
                    super::parse::zeroize_value(&mut other);
                    Err(KeyError::InvalidMember { name: "keys" }.into())
                }
            };
            match result {
                Ok(key) => keys.push(key),
                Err(
                    Error::Key(KeyError::UnsupportedKeyType { .. })
                    | Error::AlgorithmUnavailable { .. },
                ) if policy.skip_unsupported_keys => {}
                Err(e) => {
                    // The rest may hold private members: wipe them before they are freed.
                    for (_, mut rest) in items {
                        super::parse::zeroize_value(&mut rest);
                    }
                    return Err(match e {
                        Error::Key(reason) => Error::KeySetMember { index, reason },
                        other => other,
                    });
                }
            }
        }
        Ok(Self { keys, other: obj })
    }

    /// The keys, in set order.
    #[must_use]
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The set's unknown top-level members (everything but `keys`), kept on round trip.
    #[must_use]
    pub fn other(&self) -> &Map<String, Value> {
        &self.other
    }

    /// The unknown top-level members, to change them.
    pub fn other_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.other
    }

    /// Appends a key.
    pub fn push(&mut self, key: Jwk) {
        self.keys.push(key);
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys that fit `query`, in set order (see [`KeyQuery`] for the rules).
    pub fn select<'s, 'q>(
        &'s self,
        query: &KeyQuery<'q>,
    ) -> impl Iterator<Item = &'s Jwk> + use<'s, 'q> {
        let query = *query;
        self.keys.iter().filter(move |k| query.matches(k))
    }

    /// The public set: every key's public part (see [`Jwk::to_public`]), `oct` keys and
    /// unknown top-level members left out (in a private set they may hold anything).
    #[must_use]
    pub fn to_public(&self) -> Self {
        Self {
            keys: self.keys.iter().filter_map(Jwk::to_public).collect(),
            other: Map::new(),
        }
    }

    /// The public set as JSON text (`oct` keys left out).
    #[must_use]
    pub fn to_public_json(&self) -> String {
        let keys = self
            .keys
            .iter()
            .filter_map(Jwk::to_public_object)
            .map(Value::Object)
            .collect();
        let mut o = Map::new();
        o.insert("keys".into(), Value::Array(keys));
        Value::Object(o).to_string()
    }

    /// The whole set, private members included, as JSON text zeroized on drop.
    ///
    /// # Security
    /// The text holds every private and secret key of the set.
    #[must_use]
    pub fn to_private_json(&self) -> Zeroizing<String> {
        let keys = self
            .keys
            .iter()
            .map(|k| Value::Object(k.to_private_object()))
            .collect();
        let mut obj = self.object_with(keys);
        let text = Zeroizing::new(serde_json::to_string(&obj).unwrap_or_default());
        zeroize_object(&mut obj);
        text
    }

    fn object_with(&self, keys: Vec<Value>) -> Map<String, Value> {
        let mut o = Map::new();
        o.insert("keys".into(), Value::Array(keys));
        for (k, v) in &self.other {
            o.entry(k.clone()).or_insert_with(|| v.clone());
        }
        o
    }
}

impl From<Vec<Jwk>> for JwkSet {
    fn from(keys: Vec<Jwk>) -> Self {
        Self::new(keys)
    }
}

impl<'a> IntoIterator for &'a JwkSet {
    type Item = &'a Jwk;
    type IntoIter = core::slice::Iter<'a, Jwk>;

    fn into_iter(self) -> Self::IntoIter {
        self.keys.iter()
    }
}

/// What a key must be to be selected from a [`JwkSet`]. Every criterion left `None` matches
/// any key.
///
/// - `kid`: the key's `kid` must be exactly this; keys without a `kid` never match.
/// - `alg`: a key bound to an algorithm (its own `alg`) matches only that algorithm; a key
///   without `alg` matches any.
/// - `kty` / `crv`: the key's type (and curve) must be this.
/// - `op`: the key's `use` and `key_ops` must permit this operation (RFC 7517 §4.2, §4.3).
/// - `use_`: the key's `use` and `key_ops` must permit this intended use (`sig`, `enc`).
///
/// Selection never considers header `jwk`, `jku`, `x5u` or `x5c`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyQuery<'a> {
    /// The `kid` the key must have.
    pub kid: Option<&'a str>,
    /// The algorithm the key will be used with.
    pub alg: Option<&'a str>,
    /// The key type the key must have.
    pub kty: Option<KeyType>,
    /// The curve the key must be on.
    pub crv: Option<Curve>,
    /// The operation the key must permit.
    pub op: Option<KeyOp>,
    /// The intended use (`sig` or `enc`) the key must permit.
    pub use_: Option<&'a str>,
}

impl<'a> KeyQuery<'a> {
    /// A query that matches every key.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            kid: None,
            alg: None,
            kty: None,
            crv: None,
            op: None,
            use_: None,
        }
    }

    /// Only keys with exactly this `kid`.
    #[must_use]
    pub const fn with_kid(mut self, kid: &'a str) -> Self {
        self.kid = Some(kid);
        self
    }

    /// Only keys usable with the algorithm named `alg` (keys bound to another `alg` are out).
    #[must_use]
    pub const fn with_alg(mut self, alg: &'a str) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Only keys of type `kty`.
    #[must_use]
    pub const fn with_kty(mut self, kty: KeyType) -> Self {
        self.kty = Some(kty);
        self
    }

    /// Only keys on curve `crv`.
    #[must_use]
    pub const fn with_crv(mut self, crv: Curve) -> Self {
        self.crv = Some(crv);
        self
    }

    /// Only keys whose `use` and `key_ops` permit `op`.
    #[must_use]
    pub const fn with_op(mut self, op: KeyOp) -> Self {
        self.op = Some(op);
        self
    }

    /// Only keys whose `use` and `key_ops` permit the intended use `use_` (`sig` or `enc`).
    #[must_use]
    pub const fn with_use(mut self, use_: &'a str) -> Self {
        self.use_ = Some(use_);
        self
    }

    /// Whether `key` fits this query.
    #[must_use]
    pub fn matches(&self, key: &Jwk) -> bool {
        if let Some(kid) = self.kid
            && key.kid() != Some(kid)
        {
            return false;
        }
        if let (Some(alg), Some(own)) = (self.alg, key.alg())
            && alg != own
        {
            return false;
        }
        if let Some(kty) = self.kty
            && key.key_type() != kty
        {
            return false;
        }
        if let Some(crv) = self.crv
            && key.curve() != Some(crv)
        {
            return false;
        }
        if let Some(op) = self.op
            && !key.params().permits(op)
        {
            return false;
        }
        if let Some(use_) = self.use_
            && !key.params().permits_use(use_)
        {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC: &str = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}"#;

    fn ec(extra: &str) -> Jwk {
        let json = format!("{},{extra}}}", EC.trim_end_matches('}'));
        Jwk::parse(json.as_bytes()).unwrap()
    }

    fn oct(kid: &str) -> Jwk {
        Jwk::parse(
            format!(r#"{{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw","kid":"{kid}"}}"#).as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn select_by_kid_alg_kty_op_in_order() {
        let set = JwkSet::new(vec![
            ec(r#""kid":"a","alg":"ES256","use":"sig""#),
            ec(r#""kid":"b","use":"enc""#),
            ec(r#""kid":"a""#),
            oct("a"),
            Jwk::parse(EC.as_bytes()).unwrap(),
        ]);
        let pick = |q: KeyQuery<'_>| {
            set.select(&q)
                .map(|k| set.keys().iter().position(|x| core::ptr::eq(x, k)).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(pick(KeyQuery::new()), [0, 1, 2, 3, 4]);
        // A kid never falls back to kid-less keys.
        assert_eq!(pick(KeyQuery::new().with_kid("a")), [0, 2, 3]);
        assert_eq!(pick(KeyQuery::new().with_kid("c")), [] as [usize; 0]);
        // A key bound to ES256 is not offered for ES384; keys without alg are.
        assert_eq!(pick(KeyQuery::new().with_alg("ES384")), [1, 2, 3, 4]);
        assert_eq!(pick(KeyQuery::new().with_alg("ES256")), [0, 1, 2, 3, 4]);
        assert_eq!(pick(KeyQuery::new().with_kty(KeyType::Oct)), [3]);
        assert_eq!(pick(KeyQuery::new().with_crv(Curve::P256)), [0, 1, 2, 4]);
        assert_eq!(
            pick(KeyQuery::new().with_crv(Curve::P384)),
            [] as [usize; 0]
        );
        assert_eq!(pick(KeyQuery::new().with_op(KeyOp::Verify)), [0, 2, 3, 4]);
        assert_eq!(
            pick(
                KeyQuery::new()
                    .with_kid("a")
                    .with_op(KeyOp::Verify)
                    .with_kty(KeyType::Ec)
            ),
            [0, 2]
        );
    }

    #[test]
    fn parse_keeps_unknown_members_and_reports_bad_index() {
        let json = format!(r#"{{"keys":[{EC},{{"kty":"oct","k":"AQ"}}],"issuer":"x","n":[1]}}"#);
        let set = JwkSet::parse(json.as_bytes()).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.other()["issuer"], "x");
        let back = JwkSet::parse(set.to_private_json().as_bytes()).unwrap();
        assert_eq!(back, set);
        let public = JwkSet::parse(set.to_public_json().as_bytes()).unwrap();
        assert_eq!(public.len(), 1);
        // The public set leaves the unknown top-level members out.
        assert!(public.other().is_empty());
        assert_eq!(public, set.to_public());

        let bad = format!(r#"{{"keys":[{EC},{{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}]}}"#);
        assert_eq!(
            JwkSet::parse(bad.as_bytes()),
            Err(Error::KeySetMember {
                index: 1,
                reason: KeyError::InvalidMember { name: "x" }
            })
        );
        assert_eq!(
            JwkSet::parse(br#"{"keys":[1]}"#),
            Err(Error::KeySetMember {
                index: 0,
                reason: KeyError::InvalidMember { name: "keys" }
            })
        );
        assert_eq!(
            JwkSet::parse(br#"{"key":[]}"#),
            Err(Error::MissingParameter { name: "keys" })
        );
        assert_eq!(
            JwkSet::parse(br#"{"keys":{}}"#),
            Err(Error::InvalidParameter {
                name: "keys".into()
            })
        );
        assert!(matches!(
            JwkSet::parse(br#"{"keys":[],"keys":[]}"#),
            Err(Error::Json {
                part: Part::JwkSet,
                ..
            })
        ));
        assert_eq!(JwkSet::parse(br#"{"keys":[]}"#).unwrap().len(), 0);
    }

    #[test]
    fn unsupported_keys_are_skipped_only_on_request() {
        let json = format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed448","x":"AA"}},{EC},{{"kty":"AKP","alg":"ML-DSA-44"}}]}}"#
        );
        assert_eq!(
            JwkSet::parse(json.as_bytes()),
            Err(Error::KeySetMember {
                index: 0,
                reason: KeyError::UnsupportedKeyType {
                    value: "Ed448".into()
                }
            })
        );
        let lenient = KeyPolicy::default().with_skip_unsupported_keys(true);
        let set = JwkSet::parse_with(json.as_bytes(), &lenient).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.keys()[0].curve(), Some(Curve::P256));
        // An invalid key of a supported type is still an error.
        let bad = format!(r#"{{"keys":[{EC},{{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}]}}"#);
        assert_eq!(
            JwkSet::parse_with(bad.as_bytes(), &lenient),
            Err(Error::KeySetMember {
                index: 1,
                reason: KeyError::InvalidMember { name: "x" }
            })
        );
    }

    #[test]
    fn sizes_are_bounded() {
        let policy = KeyPolicy::default().with_max_keys(1);
        let two = format!(r#"{{"keys":[{EC},{EC}]}}"#);
        assert_eq!(
            JwkSet::parse_with(two.as_bytes(), &policy),
            Err(Error::TooManyKeys { limit: 1 })
        );
        let policy = KeyPolicy {
            max_len: 10,
            ..KeyPolicy::default()
        };
        assert_eq!(
            JwkSet::parse_with(two.as_bytes(), &policy),
            Err(Error::TooLarge {
                part: Part::JwkSet,
                limit: 10
            })
        );
    }
}
