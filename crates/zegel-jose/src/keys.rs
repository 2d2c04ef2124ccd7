//! [`KeySource`]: where the keys to verify or decrypt a token come from, and the one set of
//! rules that narrows them.
//!
//! Verification ([`jws::Verifier`](crate::jws::Verifier)) and decryption
//! ([`jwe::Decryptor`](crate::jwe::Decryptor)) take their keys from the caller, never from the
//! token: `jwk`, `jku`, `x5u` and `x5c` header parameters are never used (RFC 8725 §3.10). A
//! source answers a [`Lookup`] (the token's `kid` and `alg`, and the operation) with either one
//! key, used whatever `kid` the token names, or a set, which is narrowed by these rules:
//!
//! 1. A token with a `kid` is tried only with keys of exactly that `kid` (a key without `kid`
//!    is no fallback). When the set holds none, the answer is [`Error::UnknownKid`]: the set
//!    may be out of date, and a source that caches a remote JWK Set may refresh it and call
//!    again.
//! 2. Two keys with the token's `kid`, of the same key type and the same `use` (RFC 7517 §4.5:
//!    `kid`s SHOULD differ within a set) make the set ambiguous:
//!    [`KeyError::DuplicateKid`]. Keys that share a `kid`
//!    across key types (an `RSA` and an `EC` key rotated under one name) are allowed, and only
//!    the one whose type fits the token's algorithm is ever tried: never across key types.
//! 3. The remaining keys are filtered by their own `alg`, their type (and curve) and their
//!    `use`/`key_ops`, and tried in set order. When none fits, the answer is
//!    [`Error::NoMatchingKey`]: the keys exist but do not fit, and refreshing will not help.
//!
//! [`Jwk`], [`JwkSet`], `[Jwk]` and `Vec<Jwk>` are sources, and so are `&T` and `Arc<T>` of
//! any source. A cache of a remote JWK Set implements [`KeySource`] for its current snapshot
//! (an `Arc<JwkSet>`, say) without copying keys per token, and may answer a lookup whose `kid`
//! it has never seen with [`Error::UnknownKid`] before fetching.
//!
//! ```
//! use zegel_jose::keys::{KeySource, Keys, Lookup};
//! use zegel_jose::jwk::KeyOp;
//! use zegel_jose::{Error, Jwk, JwkSet};
//!
//! /// A snapshot of a remote JWK Set that knows when it must refresh.
//! struct Snapshot(std::sync::Arc<JwkSet>);
//!
//! impl KeySource for Snapshot {
//!     fn keys_for(&self, lookup: &Lookup<'_>) -> Result<Keys<'_>, Error> {
//!         if let Some(kid) = lookup.kid()
//!             && !self.0.keys().iter().any(|k| k.kid() == Some(kid))
//!         {
//!             return Err(Error::UnknownKid { kid: kid.to_owned() });
//!         }
//!         Ok(Keys::Set(self.0.keys()))
//!     }
//! }
//! # let set = JwkSet::new(vec![]);
//! # let snapshot = Snapshot(std::sync::Arc::new(set));
//! # let lookup = Lookup::new(Some("k1"), "ES256", KeyOp::Verify);
//! # assert!(matches!(snapshot.keys_for(&lookup), Err(Error::UnknownKid { .. })));
//! ```

use std::sync::Arc;

use crate::error::{Error, KeyError};
use crate::jwk::{Jwk, JwkSet, KeyOp, KeyType};

/// What a token asks of a [`KeySource`]: its `kid` (if any), its algorithm, and the operation.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lookup<'a> {
    kid: Option<&'a str>,
    alg: &'a str,
    op: KeyOp,
}

impl<'a> Lookup<'a> {
    /// A lookup for a token naming `kid` and `alg` (the JWS `alg`, or the JWE key management
    /// `alg`), for `op` ([`KeyOp::Verify`] or [`KeyOp::Decrypt`]).
    #[must_use]
    pub const fn new(kid: Option<&'a str>, alg: &'a str, op: KeyOp) -> Self {
        Self { kid, alg, op }
    }

    /// The token's `kid`, taken from the token: never trust it beyond narrowing a set.
    #[must_use]
    pub const fn kid(&self) -> Option<&'a str> {
        self.kid
    }

    /// The algorithm the token names (already checked against the caller's allowlist).
    #[must_use]
    pub const fn alg(&self) -> &'a str {
        self.alg
    }

    /// The operation the key is wanted for.
    #[must_use]
    pub const fn op(&self) -> KeyOp {
        self.op
    }
}

/// The answer of a [`KeySource`] to a [`Lookup`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub enum Keys<'a> {
    /// One key the caller chose: used whatever `kid` the token names.
    One(&'a Jwk),
    /// A set: narrowed by the token's `kid`, then by `alg`, key type and `use`/`key_ops`, and
    /// tried in order (see the [module](self) rules).
    Set(&'a [Jwk]),
}

/// Anything that holds the keys to verify or decrypt a token: one key, a set, or a cache of a
/// remote set.
///
/// Object safe: `&dyn KeySource` is a source too.
pub trait KeySource {
    /// The keys for `lookup`.
    ///
    /// # Errors
    /// Whatever the source cannot answer: a cache of a remote set may return
    /// [`Error::UnknownKid`] for a `kid` it must fetch first. The in-memory sources never fail.
    fn keys_for(&self, lookup: &Lookup<'_>) -> Result<Keys<'_>, Error>;
}

impl KeySource for Jwk {
    fn keys_for(&self, _: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        Ok(Keys::One(self))
    }
}

impl KeySource for JwkSet {
    fn keys_for(&self, _: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        Ok(Keys::Set(Self::keys(self)))
    }
}

impl KeySource for [Jwk] {
    fn keys_for(&self, _: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        Ok(Keys::Set(self))
    }
}

impl KeySource for Vec<Jwk> {
    fn keys_for(&self, _: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        Ok(Keys::Set(self))
    }
}

impl<T: KeySource + ?Sized> KeySource for &T {
    fn keys_for(&self, lookup: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        (**self).keys_for(lookup)
    }
}

impl<T: KeySource + ?Sized> KeySource for Arc<T> {
    fn keys_for(&self, lookup: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        (**self).keys_for(lookup)
    }
}

/// The keys of `set` with the token's `kid` (all of them when the token names none), after
/// rules 1 and 2 of the [module](self): [`Error::UnknownKid`] when the `kid` is not in the set,
/// [`KeyError::DuplicateKid`] when two of them share a key type and `use`.
pub(crate) fn by_kid<'k>(
    set: &'k [Jwk],
    kid: Option<&str>,
) -> Result<impl Iterator<Item = &'k Jwk> + Clone, Error> {
    if let Some(kid) = kid {
        let mut same = set.iter().filter(|k| k.kid() == Some(kid));
        let Some(first) = same.next() else {
            return Err(Error::UnknownKid {
                kid: kid.to_owned(),
            });
        };
        // Rule 2, only where a `kid` chose: at most a few keys share one.
        let mut seen: Vec<(KeyType, Option<&str>)> = vec![(first.key_type(), key_use(first))];
        for key in same {
            let this = (key.key_type(), key_use(key));
            if seen.contains(&this) {
                return Err(KeyError::DuplicateKid.into());
            }
            seen.push(this);
        }
    }
    Ok(set
        .iter()
        .filter(move |k| kid.is_none_or(|kid| k.kid() == Some(kid))))
}

fn key_use(key: &Jwk) -> Option<&str> {
    key.params().use_.as_deref()
}

/// Whether `set` mixes `oct` secrets with public-key types (RSA, EC, OKP): a verification set
/// like that is almost always a mistake (an HMAC secret beside the keys a token's `alg` could
/// be confused with).
pub(crate) fn mixes_symmetry(set: &[Jwk]) -> bool {
    let mut oct = false;
    let mut public = false;
    for key in set {
        if key.key_type() == KeyType::Oct {
            oct = true;
        } else {
            public = true;
        }
        if oct && public {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oct(kid: &str) -> Jwk {
        Jwk::parse(br#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#)
            .unwrap()
            .with_kid(kid)
    }

    #[test]
    fn every_source_gives_its_keys() {
        let lookup = Lookup::new(Some("a"), "HS256", KeyOp::Verify);
        let key = oct("a");
        assert!(matches!(key.keys_for(&lookup), Ok(Keys::One(k)) if k.kid() == Some("a")));
        let set = JwkSet::new(vec![key.clone(), key.clone()]);
        assert!(matches!(KeySource::keys_for(&set, &lookup), Ok(Keys::Set(s)) if s.len() == 2));
        let vec = vec![key.clone()];
        assert!(matches!(KeySource::keys_for(&vec, &lookup), Ok(Keys::Set(s)) if s.len() == 1));
        assert!(matches!(
            KeySource::keys_for(vec.as_slice(), &lookup),
            Ok(Keys::Set(s)) if s.len() == 1
        ));
        let shared: Arc<JwkSet> = Arc::new(set);
        assert!(matches!(KeySource::keys_for(&shared, &lookup), Ok(Keys::Set(s)) if s.len() == 2));
        let dynamic: &dyn KeySource = &key;
        assert!(matches!((&dynamic).keys_for(&lookup), Ok(Keys::One(_))));
    }

    #[test]
    fn kid_rules() {
        let set = [oct("a"), oct("b")];
        let kids = |kid| {
            by_kid(&set, kid).map(|it| it.map(|k| k.kid().unwrap_or_default()).collect::<Vec<_>>())
        };
        assert_eq!(kids(Some("b")), Ok(vec!["b"]));
        assert_eq!(kids(None), Ok(vec!["a", "b"]));
        assert_eq!(kids(Some("c")), Err(Error::UnknownKid { kid: "c".into() }));
        let twice = [oct("a"), oct("a")];
        assert!(matches!(
            by_kid(&twice, Some("a")).map(|_| ()),
            Err(Error::Key(KeyError::DuplicateKid))
        ));
        // Without a kid in the token nothing is chosen by kid: no ambiguity.
        assert_eq!(by_kid(&twice, None).map(Iterator::count), Ok(2));
        // The same kid with different uses is two keys.
        let uses = [oct("a").with_use("sig"), oct("a").with_use("enc")];
        assert_eq!(by_kid(&uses, Some("a")).map(Iterator::count), Ok(2));
    }
}
