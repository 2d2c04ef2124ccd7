//! The provider's JWK Set, cached: fetched once, shared, refreshed on rotation, kept through
//! outages.
//!
//! | event | what happens |
//! |---|---|
//! | hit: the token's `kid` is in the fresh set | the key is used; no lock is taken, nothing is copied |
//! | miss: a `kid` the set lacks | one refresh, unless one ran less than `min_refresh_interval` ago (default 30 s); concurrent misses wait for that one fetch (single-flight) |
//! | the set's age passes its `max-age` | the next lookup refreshes it (`Cache-Control: max-age` clamped to 5 min .. 24 h; `no-store` or none: 5 min) |
//! | rotation: a new `kid` appears | the first token with it causes one fetch; then it is a hit |
//! | rotation: an old `kid` is removed | after the next refresh, tokens signed with it fail with no matching key |
//! | outage: down, 500, bad JSON, an empty set | the last good set keeps serving; the failure goes to the hook (and `tracing`), never to the token check |
//! | no set was ever fetched and the fetch fails | [`Error::JwksUnavailable`]; retried after `min_refresh_interval` |
//!
//! Keys are filtered on load: signature keys are those whose `use`, `key_ops` and `alg` allow
//! verification; keys zegel-jose cannot parse (an unknown `kty`, an `x5c`-only key) are skipped
//! with a note ([`KeySnapshot::skipped`]), private members are dropped.
//!
//! The logic is a state machine driven by `now` ([`CacheState`]); [`JwksCache`] is the thin
//! async wrapper over it.

use core::fmt;
use core::time::Duration;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwapOption;
use futures_util::FutureExt;
use futures_util::future::Shared;
use serde_json::Value;
use zegel_jose::jwk::{KeyPolicy, KeyType};
use zegel_jose::jws::JwsAlgorithm;
use zegel_jose::keys::{KeySource, Keys, Lookup};
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::UnixTime;

use crate::clock::Clock;
use crate::error::{Document, Error, parse_document};
use crate::http::{BoxFuture, HttpClient};

/// The cache's timing rules.
#[derive(Clone, Debug)]
pub struct CachePolicy {
    floor: Duration,
    ceiling: Duration,
    min_refresh_interval: Duration,
    algs: Option<Vec<&'static JwsAlgorithm>>,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            floor: Duration::from_secs(300),
            ceiling: Duration::from_secs(86_400),
            min_refresh_interval: Duration::from_secs(30),
            algs: None,
        }
    }
}

impl CachePolicy {
    /// Floor 5 min, ceiling 24 h, at most one refresh per 30 s.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The shortest time a set is kept (also the time for `no-store` or no header).
    #[must_use]
    pub fn with_floor(mut self, floor: Duration) -> Self {
        self.floor = floor;
        self
    }

    /// The longest time a set is kept, whatever `max-age` says.
    #[must_use]
    pub fn with_ceiling(mut self, ceiling: Duration) -> Self {
        self.ceiling = ceiling;
        self
    }

    /// The least time between two fetches caused by misses or failures.
    #[must_use]
    pub fn with_min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// Keeps only signature keys whose `alg` (when they have one) is one of `algs`.
    #[must_use]
    pub fn with_algorithms(mut self, algs: &[&'static JwsAlgorithm]) -> Self {
        self.algs = Some(algs.to_vec());
        self
    }

    /// How long a response may be kept: `Cache-Control: max-age` clamped to the floor and
    /// ceiling; the floor for `no-store`, `no-cache` or no usable header.
    #[must_use]
    pub fn max_age(&self, headers: &http::HeaderMap) -> Duration {
        let mut age = None;
        for value in headers.get_all(http::header::CACHE_CONTROL) {
            let Ok(text) = value.to_str() else { continue };
            for directive in text.split(',').map(str::trim) {
                let lower = directive.to_ascii_lowercase();
                if lower == "no-store" || lower == "no-cache" {
                    return self.floor;
                }
                if let Some(v) = lower.strip_prefix("max-age=") {
                    age = v
                        .trim_matches('"')
                        .parse::<u64>()
                        .ok()
                        .map(Duration::from_secs);
                }
            }
        }
        age.unwrap_or(self.floor)
            .clamp(self.floor, self.ceiling.max(self.floor))
    }
}

/// A key of the published set that was left out, and why (its error code).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedKey {
    /// Its position in `keys`.
    pub index: usize,
    /// Why: a stable error code (`jose.key`, ...), or `oidc.symmetric_key`.
    pub reason: &'static str,
}

/// One fetched JWK Set, read-only, shared by every lookup until the next refresh.
#[derive(Clone, Debug)]
pub struct KeySnapshot {
    all: Vec<Jwk>,
    verification: Vec<Jwk>,
    skipped: Vec<SkippedKey>,
    fetched_at: UnixTime,
    fresh_until: UnixTime,
}

impl KeySnapshot {
    /// Parses a published JWK Set: keys filtered as the module docs say.
    ///
    /// # Errors
    /// [`Error::Json`]; [`Error::InvalidMember`] (`keys`) when `keys` is missing, not an array,
    /// or holds no usable key.
    pub fn parse(
        body: &[u8],
        policy: &CachePolicy,
        now: UnixTime,
        max_age: Duration,
    ) -> Result<Self, Error> {
        let mut map = parse_document(body, Document::JwkSet)?;
        let bad = || Error::InvalidMember {
            document: Document::JwkSet,
            name: "keys",
        };
        let Some(Value::Array(items)) = map.remove("keys") else {
            return Err(bad());
        };
        let key_policy = KeyPolicy::default();
        if items.len() > key_policy.max_keys {
            return Err(zegel_jose::Error::TooManyKeys {
                limit: key_policy.max_keys,
            }
            .into());
        }
        let mut all = Vec::with_capacity(items.len());
        let mut skipped = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let parsed = match item {
                Value::Object(o) => Jwk::from_object(o, &key_policy).map_err(|e| e.code()),
                _ => Err("jose.key"),
            };
            match parsed {
                Ok(key) if key.key_type() == KeyType::Oct => skipped.push(SkippedKey {
                    index,
                    reason: "oidc.symmetric_key",
                }),
                Ok(key) => match key.to_public() {
                    Some(public) => all.push(public),
                    None => skipped.push(SkippedKey {
                        index,
                        reason: "jose.key",
                    }),
                },
                Err(reason) => skipped.push(SkippedKey { index, reason }),
            }
        }
        let verification: Vec<Jwk> = all
            .iter()
            .filter(|k| verifies(k, policy))
            .cloned()
            .collect();
        if all.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            all,
            verification,
            skipped,
            fetched_at: now,
            fresh_until: now.checked_add(max_age).unwrap_or(now),
        })
    }

    /// Every usable public key, signature and encryption.
    #[must_use]
    pub fn keys(&self) -> &[Jwk] {
        &self.all
    }

    /// The signature verification keys (what [`KeySource`] gives).
    #[must_use]
    pub fn verification_keys(&self) -> &[Jwk] {
        &self.verification
    }

    /// The keys the provider receives encrypted content with (request objects).
    #[must_use]
    pub fn encryption_keys(&self) -> Vec<Jwk> {
        self.all
            .iter()
            .filter(|k| {
                k.params().use_.as_deref().is_none_or(|u| u == "enc")
                    && k.params()
                        .key_ops
                        .as_ref()
                        .is_none_or(|ops| ops.iter().any(|o| o == "encrypt" || o == "wrapKey"))
            })
            .cloned()
            .collect()
    }

    /// The keys that were left out.
    #[must_use]
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// Whether a verification key has this `kid`.
    #[must_use]
    pub fn has_kid(&self, kid: &str) -> bool {
        self.verification.iter().any(|k| k.kid() == Some(kid))
    }

    /// The verification key with this `kid`, if any.
    #[must_use]
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.verification.iter().find(|k| k.kid() == Some(kid))
    }

    /// When it was fetched.
    #[must_use]
    pub fn fetched_at(&self) -> UnixTime {
        self.fetched_at
    }

    /// Whether it is within its `max-age` at `now`.
    #[must_use]
    pub fn is_fresh(&self, now: UnixTime) -> bool {
        now < self.fresh_until
    }

    /// The set as a public JWK Set.
    #[must_use]
    pub fn to_jwk_set(&self) -> JwkSet {
        JwkSet::new(self.all.clone())
    }
}

fn verifies(key: &Jwk, policy: &CachePolicy) -> bool {
    let p = key.params();
    p.use_.as_deref().is_none_or(|u| u == "sig")
        && p.key_ops
            .as_ref()
            .is_none_or(|ops| ops.iter().any(|o| o == "verify"))
        && key.alg().is_none_or(|a| {
            zegel_jose::jws::by_name(a)
                .is_some_and(|alg| policy.algs.as_ref().is_none_or(|l| l.contains(&alg)))
        })
}

impl KeySource for KeySnapshot {
    fn keys_for(&self, _lookup: &Lookup<'_>) -> Result<Keys<'_>, zegel_jose::Error> {
        Ok(Keys::Set(&self.verification))
    }
}

/// The GET of `jwks_uri`.
///
/// # Errors
/// [`Error::InvalidUrl`].
pub fn request(jwks_uri: &url::Url) -> Result<http::Request<Vec<u8>>, Error> {
    crate::discovery::get_json(jwks_uri)
}

/// Checks the response to [`request`]: status 200, then [`KeySnapshot::parse`] with the
/// response's `max-age`.
///
/// # Errors
/// [`Error::Status`]; the errors of [`KeySnapshot::parse`].
pub fn from_response(
    url: &str,
    response: &http::Response<Vec<u8>>,
    policy: &CachePolicy,
    now: UnixTime,
) -> Result<KeySnapshot, Error> {
    if response.status() != http::StatusCode::OK {
        return Err(Error::Status {
            url: url.to_owned(),
            status: response.status().as_u16(),
        });
    }
    KeySnapshot::parse(
        response.body(),
        policy,
        now,
        policy.max_age(response.headers()),
    )
}

/// What [`CacheState::decide`] says to do.
#[non_exhaustive]
#[derive(Debug)]
pub enum Decision {
    /// Use the current set (fresh, or stale while refreshes are rate-limited).
    Use(Arc<KeySnapshot>),
    /// Fetch now (the current set, if any, serves if the fetch fails).
    Fetch,
    /// No set, and the last fetch failed too recently to try again.
    Unavailable(Error),
}

/// The cache as a state machine driven by `now`: no I/O, no clock, no locks.
#[derive(Clone, Debug, Default)]
pub struct CacheState {
    current: Option<Arc<KeySnapshot>>,
    last_attempt: Option<UnixTime>,
    last_error: Option<Error>,
}

impl CacheState {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The current set.
    #[must_use]
    pub fn current(&self) -> Option<&Arc<KeySnapshot>> {
        self.current.as_ref()
    }

    fn may_fetch(&self, now: UnixTime, policy: &CachePolicy) -> bool {
        self.last_attempt.is_none_or(|t| {
            now.as_secs().saturating_sub(t.as_secs()) >= policy.min_refresh_interval.as_secs()
        })
    }

    /// What to do for a lookup of `kid` at `now`.
    #[must_use]
    pub fn decide(&self, now: UnixTime, kid: Option<&str>, policy: &CachePolicy) -> Decision {
        let Some(current) = &self.current else {
            return match (&self.last_error, self.may_fetch(now, policy)) {
                (Some(e), false) => Decision::Unavailable(Error::JwksUnavailable {
                    last: Box::new(e.clone()),
                }),
                _ => Decision::Fetch,
            };
        };
        let stale = !current.is_fresh(now);
        let missing = kid.is_some_and(|k| !current.has_kid(k));
        if (stale || missing) && self.may_fetch(now, policy) {
            Decision::Fetch
        } else {
            Decision::Use(Arc::clone(current))
        }
    }

    /// Records that a fetch starts at `now` (the rate limit counts from here).
    pub fn fetch_started(&mut self, now: UnixTime) {
        self.last_attempt = Some(now);
    }

    /// Records a fetch's result: a new set replaces the old; a failure keeps the old one.
    /// Returns the set to use, or the error when there is none.
    ///
    /// # Errors
    /// [`Error::JwksUnavailable`] when the fetch failed and no set was ever had.
    pub fn fetched(
        &mut self,
        result: Result<KeySnapshot, Error>,
    ) -> Result<Arc<KeySnapshot>, Error> {
        match result {
            Ok(snapshot) => {
                let snapshot = Arc::new(snapshot);
                self.current = Some(Arc::clone(&snapshot));
                self.last_error = None;
                Ok(snapshot)
            }
            Err(e) => {
                self.last_error = Some(e.clone());
                self.current
                    .clone()
                    .ok_or(Error::JwksUnavailable { last: Box::new(e) })
            }
        }
    }
}

type Flight = Shared<BoxFuture<'static, Result<Arc<KeySnapshot>, Error>>>;

/// A hook told of every failed refresh (the token checks never see them).
pub type FailureHook = Arc<dyn Fn(&Error) + Send + Sync>;

struct Inner {
    uri: url::Url,
    http: Arc<dyn HttpClient>,
    clock: Arc<dyn Clock>,
    policy: CachePolicy,
    current: ArcSwapOption<KeySnapshot>,
    state: Mutex<(CacheState, Option<Flight>)>,
    hook: Option<FailureHook>,
}

/// The shared, async JWK Set cache of one provider. Cheap to clone.
#[derive(Clone)]
pub struct JwksCache {
    inner: Arc<Inner>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("uri", &self.inner.uri.as_str())
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// A cache of the set at `jwks_uri`, fetched through `http`, timed by `clock`.
    #[must_use]
    pub fn new(
        jwks_uri: url::Url,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
        policy: CachePolicy,
    ) -> Self {
        Self::with_hook(jwks_uri, http, clock, policy, None)
    }

    /// As [`new`](Self::new), telling `hook` of each failed refresh.
    #[must_use]
    pub fn with_hook(
        jwks_uri: url::Url,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
        policy: CachePolicy,
        hook: Option<FailureHook>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                uri: jwks_uri,
                http,
                clock,
                policy,
                current: ArcSwapOption::empty(),
                state: Mutex::new((CacheState::new(), None)),
                hook,
            }),
        }
    }

    /// Calls `f` with the current set if it is fresh and (when `kid` is given) holds `kid`:
    /// the hit path, with no lock and no reference count touched.
    pub fn with_fresh<R>(&self, kid: Option<&str>, f: impl FnOnce(&KeySnapshot) -> R) -> Option<R> {
        let guard = self.inner.current.load();
        let snapshot = guard.as_deref()?;
        if !snapshot.is_fresh(self.inner.clock.now()) || kid.is_some_and(|k| !snapshot.has_kid(k)) {
            return None;
        }
        Some(f(snapshot))
    }

    /// The set to verify a token whose signature names `kid`: the cached one on a hit; else
    /// after one (rate-limited, single-flight) refresh; the last good set when that fails.
    ///
    /// # Errors
    /// [`Error::JwksUnavailable`] when no set was ever fetched and fetching fails.
    pub async fn keys_for(&self, kid: Option<&str>) -> Result<Arc<KeySnapshot>, Error> {
        if let Some(hit) = self
            .with_fresh(kid, |_| ())
            .and_then(|()| self.inner.current.load_full())
        {
            return Ok(hit);
        }
        let flight = {
            let now = self.inner.clock.now();
            let mut guard = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let (state, flight) = &mut *guard;
            match flight {
                Some(f) => f.clone(),
                None => match state.decide(now, kid, &self.inner.policy) {
                    Decision::Use(s) => return Ok(s),
                    Decision::Unavailable(e) => return Err(e),
                    Decision::Fetch => {
                        state.fetch_started(now);
                        let f = Self::flight(Arc::clone(&self.inner));
                        *flight = Some(f.clone());
                        f
                    }
                },
            }
        };
        flight.await
    }

    /// Fetches now, unless a fetch ran less than `min_refresh_interval` ago (for a caller
    /// that wants the set warm before the first token).
    ///
    /// # Errors
    /// As [`keys_for`](Self::keys_for).
    pub async fn refresh(&self) -> Result<Arc<KeySnapshot>, Error> {
        self.keys_for(Some("\u{0}never a kid")).await
    }

    fn flight(inner: Arc<Inner>) -> Flight {
        async move {
            let now = inner.clock.now();
            let result = fetch(&inner, now).await;
            if let Err(e) = &result {
                report(&inner, e);
            }
            let mut guard = inner.state.lock().unwrap_or_else(PoisonError::into_inner);
            let (state, flight) = &mut *guard;
            *flight = None;
            let out = state.fetched(result);
            inner.current.store(state.current().cloned());
            out
        }
        .boxed()
        .shared()
    }
}

/// Tells the hook (and `tracing`) of a failed refresh.
fn report(inner: &Inner, e: &Error) {
    if let Some(hook) = &inner.hook {
        hook(e);
    }
    #[cfg(feature = "tracing")]
    tracing::warn!(code = e.code(), error = %e, "jwk set refresh failed; the last good set stays");
}

async fn fetch(inner: &Inner, now: UnixTime) -> Result<KeySnapshot, Error> {
    let response = inner.http.send(request(&inner.uri)?).await?;
    from_response(inner.uri.as_str(), &response, &inner.policy, now)
}

#[cfg(test)]
mod tests;
