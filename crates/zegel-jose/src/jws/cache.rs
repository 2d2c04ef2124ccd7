//! A per-key cache of prepared backend keys, so that a [`Jwk`](crate::Jwk) used again and again
//! to verify is parsed by the backend once.
//!
//! Each `Jwk` carries one [`KeyCache`] slot. The first algorithm that prepares the key fills it;
//! a later call with the same tag reads it without locking; a call with another tag (the same
//! RSA key used for RS256 and then PS256) prepares a fresh key and does not cache it. JWE may
//! use the same slot with tags of its own (the tag names the family and the algorithm).

use core::any::Any;
use core::fmt;
use core::ops::Deref;
use std::sync::{Arc, OnceLock};

use crate::error::Error;

/// One lazily-filled slot holding a prepared key and the tag it was prepared for.
#[derive(Clone, Default)]
pub(crate) struct KeyCache(OnceLock<(&'static str, Arc<dyn Any + Send + Sync>)>);

/// A prepared key, borrowed from the cache or freshly made.
pub(crate) enum Prepared<'a, T> {
    Cached(&'a T),
    Fresh(T),
}

impl<T> Deref for Prepared<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Self::Cached(t) => t,
            Self::Fresh(t) => t,
        }
    }
}

impl KeyCache {
    /// The key prepared for `tag`, from the cache if it holds one, else made by `make` (and
    /// cached if the slot is still empty).
    pub(crate) fn get_or_try_init<T: Any + Send + Sync>(
        &self,
        tag: &'static str,
        make: impl Fn() -> Result<T, Error>,
    ) -> Result<Prepared<'_, T>, Error> {
        if let Some((t, v)) = self.0.get() {
            if *t == tag
                && let Some(v) = v.downcast_ref::<T>()
            {
                return Ok(Prepared::Cached(v));
            }
            return make().map(Prepared::Fresh);
        }
        let made = make()?;
        let arc: Arc<dyn Any + Send + Sync> = Arc::new(made);
        let (t, v) = self.0.get_or_init(|| (tag, arc));
        match v.downcast_ref::<T>() {
            Some(v) if *t == tag => Ok(Prepared::Cached(v)),
            // Another thread filled the slot first, for another tag.
            _ => make().map(Prepared::Fresh),
        }
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyCache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_the_first_tag_only() {
        let cache = KeyCache::default();
        let calls = core::cell::Cell::new(0);
        for _ in 0..3 {
            let v = cache
                .get_or_try_init("a", || {
                    calls.set(calls.get() + 1);
                    Ok(7_u32)
                })
                .unwrap();
            assert_eq!(*v, 7);
        }
        assert_eq!(calls.get(), 1);
        let v = cache.get_or_try_init("b", || Ok(8_u32)).unwrap();
        assert!(matches!(v, Prepared::Fresh(8)));
        assert!(
            cache
                .get_or_try_init::<u32>("c", || Err(Error::Random))
                .is_err()
        );
        assert!(
            KeyCache::default()
                .get_or_try_init::<u32>("a", || Err(Error::Random))
                .is_err()
        );
    }
}
