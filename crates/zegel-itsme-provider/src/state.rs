//! The provider's shared state: its keys, the registered clients, the scripted user, the codes
//! and access tokens it issued, the client assertion `jti`s it saw, counters, clock and faults.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value};
use zegel_jose::jwk::KeySpec;
use zegel_jose::jws::{self, SigningKey};
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::UnixTime;

use crate::client::Client;
use crate::faults::{Endpoint, Faults};

/// How long an authorization code is valid: 3 minutes, as itsme®'s.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(180);
/// How long an access token is valid.
pub(crate) const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// How long an ID token is valid: 5 minutes, as in itsme®'s examples.
pub(crate) const ID_TOKEN_LIFETIME: Duration = Duration::from_secs(300);
/// The furthest in the future a client assertion's `exp` may be.
pub(crate) const MAX_ASSERTION_LIFETIME: Duration = Duration::from_secs(600);
/// The RSA modulus size of the keys the provider generates.
const RSA_BITS: usize = 2048;

/// What the scripted user does at the next login.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum UserAction {
    /// Approves, sharing these claims (keyed by claim name; only those the client asked for
    /// are released).
    Approve(Map<String, Value>),
    /// Refuses: the client gets `error=access_denied`.
    Deny,
}

/// How many requests each endpoint served.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Discovery document requests.
    pub discovery: u64,
    /// JWK Set requests.
    pub jwks: u64,
    /// Authorization requests (GET and the interactive page's POST).
    pub authorization: u64,
    /// Token requests.
    pub token: u64,
    /// UserInfo requests.
    pub userinfo: u64,
}

/// The provider's keys: an RSA `sig` key (RS256, `kid`), an RSA `enc` key without `alg` (as
/// itsme®'s), and the wrong key of [`Faults::wrong_signing_key`], made on first use.
pub(crate) struct Keys {
    pub(crate) signing: SigningKey,
    wrong_signing: OnceLock<Option<SigningKey>>,
    pub(crate) encryption: Jwk,
    pub(crate) public: JwkSet,
}

impl Keys {
    /// Generates both keys.
    pub(crate) fn generate() -> Result<Self, zegel_jose::Error> {
        let sig = Jwk::generate(&KeySpec::Rsa { bits: RSA_BITS })?;
        let enc = Jwk::generate(&KeySpec::Rsa { bits: RSA_BITS })?;
        Self::from_keys(sig, enc)
    }

    /// Takes the given private RSA keys; each gets its thumbprint as `kid` unless it has one,
    /// `use`, and the `sig` key `alg: RS256`. The `enc` key keeps no `alg`, as itsme®'s.
    pub(crate) fn from_keys(sig: Jwk, enc: Jwk) -> Result<Self, zegel_jose::Error> {
        let with_kid = |k: Jwk| match k.kid() {
            Some(_) => k,
            None => {
                let kid = k.thumbprint_sha256_b64();
                k.with_kid(kid)
            }
        };
        let sig = with_kid(sig).with_alg("RS256").with_use("sig");
        let enc = with_kid(enc);
        let mut params = enc.params().clone();
        params.alg = None;
        params.use_ = Some("enc".to_owned());
        let enc = enc.with_params(params)?;
        let public = JwkSet::new(
            [&sig, &enc]
                .into_iter()
                .filter_map(Jwk::to_public)
                .collect(),
        );
        Ok(Self {
            signing: SigningKey::new(&sig, &jws::RS256)?,
            wrong_signing: OnceLock::new(),
            encryption: enc,
            public,
        })
    }

    /// Another RSA key under the `sig` key's `kid`, for [`Faults::wrong_signing_key`].
    pub(crate) fn wrong_signing(&self) -> Option<&SigningKey> {
        self.wrong_signing
            .get_or_init(|| {
                let mut key = Jwk::generate(&KeySpec::Rsa { bits: RSA_BITS })
                    .ok()?
                    .with_alg("RS256")
                    .with_use("sig");
                if let Some(kid) = self.signing.kid() {
                    key = key.with_kid(kid);
                }
                SigningKey::new(&key, &jws::RS256).ok()
            })
            .as_ref()
    }
}

/// An authorization request the provider accepted, waiting for the user (interactive mode) or
/// turned into a code.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: String,
    pub(crate) nonce: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) acr: &'static str,
    pub(crate) claims: Map<String, Value>,
}

/// A code or access token and what it grants.
#[derive(Clone, Debug)]
pub(crate) struct Issued {
    pub(crate) grant: Grant,
    pub(crate) identity: Map<String, Value>,
    pub(crate) auth_time: UnixTime,
    pub(crate) issued_at: UnixTime,
    pub(crate) used: bool,
}

/// The state behind the lock.
#[derive(Default)]
pub(crate) struct Inner {
    pub(crate) actions: VecDeque<UserAction>,
    pub(crate) pending: HashMap<String, (Grant, UnixTime)>,
    pub(crate) codes: HashMap<String, Issued>,
    pub(crate) access_tokens: HashMap<String, Issued>,
    /// Client assertion `jti`s seen, by client, with the assertion's `exp`.
    pub(crate) jtis: HashMap<(String, String), i64>,
    pub(crate) fetched_jwks: HashMap<String, JwkSet>,
    pub(crate) faults: Faults,
}

/// How long the interactive page waits for its answer.
pub(crate) const PENDING_LIFETIME: Duration = Duration::from_secs(600);

impl Inner {
    /// Forgets what can no longer be used, so that a long-running demo does not grow: long
    /// expired codes (a spent or expired code and an unknown one get the same `invalid_grant`), expired
    /// access tokens, unanswered pages, and `jti`s whose assertion has expired (an expired
    /// assertion is refused anyway).
    pub(crate) fn prune(&mut self, now: UnixTime) {
        let live = |at: UnixTime, lifetime| now.saturating_duration_since(at) <= lifetime;
        // Codes are kept twice their lifetime, to say "expired" rather than "unknown".
        self.codes
            .retain(|_, i| live(i.issued_at, CODE_LIFETIME.saturating_mul(2)));
        self.access_tokens
            .retain(|_, i| live(i.issued_at, ACCESS_TOKEN_LIFETIME));
        self.pending
            .retain(|_, (_, at)| live(*at, PENDING_LIFETIME));
        let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        self.jtis.retain(|_, exp| *exp >= now_secs);
    }
}

/// The clock the provider reads.
pub(crate) type Clock = Arc<dyn Fn() -> UnixTime + Send + Sync>;

pub(crate) struct Shared {
    pub(crate) issuer: String,
    pub(crate) keys: Keys,
    pub(crate) clients: Vec<Client>,
    pub(crate) default_action: UserAction,
    pub(crate) interactive: bool,
    pub(crate) clock: Clock,
    pub(crate) offset: AtomicU64,
    inner: Mutex<Inner>,
    counters: [AtomicU64; 5],
}

impl Shared {
    pub(crate) fn new(
        issuer: String,
        keys: Keys,
        clients: Vec<Client>,
        default_action: UserAction,
        interactive: bool,
        clock: Clock,
    ) -> Self {
        Self {
            issuer,
            keys,
            clients,
            default_action,
            interactive,
            clock,
            offset: AtomicU64::new(0),
            inner: Mutex::new(Inner::default()),
            counters: Default::default(),
        }
    }

    /// The state, even after a panic elsewhere poisoned the lock (nothing in it is left half
    /// written by a panic).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> UnixTime {
        (self.clock)().saturating_add(Duration::from_secs(self.offset.load(Ordering::Relaxed)))
    }

    pub(crate) fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    pub(crate) fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    pub(crate) fn count(&self, endpoint: Endpoint) {
        self.counters[index(endpoint)].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn counters(&self) -> Counters {
        let get = |e| self.counters[index(e)].load(Ordering::Relaxed);
        Counters {
            discovery: get(Endpoint::Discovery),
            jwks: get(Endpoint::Jwks),
            authorization: get(Endpoint::Authorization),
            token: get(Endpoint::Token),
            userinfo: get(Endpoint::UserInfo),
        }
    }

    /// The next scripted action, or the default one.
    pub(crate) fn next_action(&self) -> UserAction {
        self.lock()
            .actions
            .pop_front()
            .unwrap_or_else(|| self.default_action.clone())
    }
}

fn index(e: Endpoint) -> usize {
    match e {
        Endpoint::Discovery => 0,
        Endpoint::Jwks => 1,
        Endpoint::Authorization => 2,
        Endpoint::Token => 3,
        Endpoint::UserInfo => 4,
    }
}

/// A random, URL-safe identifier of 32 bytes (codes, access tokens, interactive page ids).
pub(crate) fn random_id() -> Result<String, zegel_jose::Error> {
    Ok(zegel_jose::base64url::encode(
        &zegel_jose::rand::array::<32>()?,
    ))
}

/// A random authorization code of 36 characters, as itsme®'s (27 bytes, base64url).
pub(crate) fn random_code() -> Result<String, zegel_jose::Error> {
    Ok(zegel_jose::base64url::encode(
        &zegel_jose::rand::array::<27>()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(at: UnixTime) -> Issued {
        Issued {
            grant: Grant {
                client_id: "c".into(),
                redirect_uri: "r".into(),
                state: "s".into(),
                nonce: "n".into(),
                code_challenge: None,
                scopes: vec![],
                acr: "a",
                claims: Map::new(),
            },
            identity: Map::new(),
            auth_time: at,
            issued_at: at,
            used: false,
        }
    }

    #[test]
    fn prune_forgets_only_what_can_no_longer_be_used() {
        let t0 = UnixTime::from_secs(1_000_000);
        let mut inner = Inner::default();
        inner.codes.insert("code".into(), issued(t0));
        inner.access_tokens.insert("at".into(), issued(t0));
        inner.jtis.insert(("c".into(), "j".into()), 1_000_060);
        inner.prune(t0 + Duration::from_secs(60));
        assert_eq!(
            (
                inner.codes.len(),
                inner.access_tokens.len(),
                inner.jtis.len()
            ),
            (1, 1, 1)
        );
        inner.prune(t0 + Duration::from_secs(361));
        assert_eq!(
            (
                inner.codes.len(),
                inner.access_tokens.len(),
                inner.jtis.len()
            ),
            (0, 1, 0)
        );
        inner.prune(t0 + Duration::from_secs(3601));
        assert!(inner.access_tokens.is_empty());
    }
}
