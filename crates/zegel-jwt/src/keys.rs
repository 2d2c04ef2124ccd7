//! [`KeySource`]: where the keys to verify or decrypt a token come from.
//!
//! Verification and decryption take their keys from the caller, never from the token: the
//! token's `kid` only narrows the caller's set, and `jwk`, `jku`, `x5u` and `x5c` header
//! parameters are never used (RFC 8725 §3.10). A source is either one key, used whatever the
//! token's `kid`, or a set: a token with a `kid` is tried only with the keys of that exact
//! `kid`, and the remaining candidates (by `alg`, key type, `use`/`key_ops`) are tried in turn,
//! which is what key rotation needs.
//!
//! [`Jwk`], [`JwkSet`], `[Jwk]` and `Vec<Jwk>` are sources. A cache of a remote JWK Set (the
//! OpenID Connect layer) implements [`KeySource`] for its current snapshot; on
//! [`zegel_jose::Error::NoMatchingKey`] it may refresh and call again.

use zegel_jose::Jwk;
use zegel_jose::jwk::JwkSet;

/// The keys of a [`KeySource`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub enum Keys<'a> {
    /// One key, used whatever the token's `kid`.
    One(&'a Jwk),
    /// A set: selected by the token's `kid` (exactly), then tried in order.
    Set(&'a [Jwk]),
}

/// Anything that holds the keys to verify or decrypt a token: one key, or a set.
pub trait KeySource {
    /// The keys.
    fn keys(&self) -> Keys<'_>;
}

impl KeySource for Jwk {
    fn keys(&self) -> Keys<'_> {
        Keys::One(self)
    }
}

impl KeySource for JwkSet {
    fn keys(&self) -> Keys<'_> {
        Keys::Set(Self::keys(self))
    }
}

impl KeySource for [Jwk] {
    fn keys(&self) -> Keys<'_> {
        Keys::Set(self)
    }
}

impl KeySource for Vec<Jwk> {
    fn keys(&self) -> Keys<'_> {
        Keys::Set(self)
    }
}

impl<T: KeySource + ?Sized> KeySource for &T {
    fn keys(&self) -> Keys<'_> {
        (**self).keys()
    }
}

impl<T: KeySource + ?Sized> KeySource for std::sync::Arc<T> {
    fn keys(&self) -> Keys<'_> {
        (**self).keys()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn every_source_gives_its_keys() {
        let key = Jwk::parse(
            br#"{"kty":"oct","kid":"a","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#,
        )
        .unwrap();
        assert!(matches!(key.keys(), Keys::One(k) if k.kid() == Some("a")));
        let set = JwkSet::new(vec![key.clone(), key.clone()]);
        assert!(matches!(KeySource::keys(&set), Keys::Set(s) if s.len() == 2));
        let vec = vec![key.clone()];
        assert!(matches!(KeySource::keys(&vec), Keys::Set(s) if s.len() == 1));
        assert!(matches!(KeySource::keys(vec.as_slice()), Keys::Set(s) if s.len() == 1));
        let shared: Arc<JwkSet> = Arc::new(set);
        assert!(matches!(KeySource::keys(&shared), Keys::Set(s) if s.len() == 2));
        let dynamic: &dyn KeySource = &key;
        assert!(matches!((&dynamic).keys(), Keys::One(_)));
    }
}
