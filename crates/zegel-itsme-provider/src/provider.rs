//! The provider's front door: [`ProviderBuilder`] registers clients and starts the server on
//! 127.0.0.1 (port 0); [`Provider`] tells where it listens and scripts the user, the faults and
//! the clock.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use zegel_jose::jwk::KeyType;
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::UnixTime;

use crate::client::Client;
use crate::error::Error;
use crate::faults::Faults;
use crate::routes;
use crate::state::{Clock, Counters, Keys, Shared, UserAction};

/// Registers clients and options, then [`start`](Self::start)s a [`Provider`].
#[must_use]
pub struct ProviderBuilder {
    clients: Vec<Client>,
    default_action: UserAction,
    interactive: bool,
    clock: Clock,
    keys: Option<(Jwk, Jwk)>,
}

impl fmt::Debug for ProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderBuilder")
            .field("clients", &self.clients)
            .field("interactive", &self.interactive)
            .finish_non_exhaustive()
    }
}

impl ProviderBuilder {
    /// Registers a client.
    pub fn client(mut self, client: Client) -> Self {
        self.clients.push(client);
        self
    }

    /// What the user does when the test scripted nothing for a login: by default, approve
    /// with the [demo identity](crate::demo_identity).
    pub fn default_action(mut self, action: UserAction) -> Self {
        self.default_action = action;
        self
    }

    /// Answers the authorization endpoint with an HTML page whose "Approve" and "Cancel"
    /// buttons post back, for a person (or a browser test) to click.
    pub fn interactive(mut self) -> Self {
        self.interactive = true;
        self
    }

    /// Reads the time from `clock` instead of the system clock (then moved by
    /// [`Provider::advance_clock`]).
    pub fn clock(mut self, clock: impl Fn() -> UnixTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses these private RSA keys instead of generating two at start (to share them between
    /// tests, or to keep them across runs): `signing` becomes the `sig` key (RS256), and
    /// `encryption` the `enc` key, published without `alg` as itsme®'s. A key without `kid`
    /// gets its RFC 7638 thumbprint.
    pub fn keys(mut self, signing: Jwk, encryption: Jwk) -> Self {
        self.keys = Some((signing, encryption));
        self
    }

    /// Generates the provider's keys (unless given), binds 127.0.0.1 on a free port and serves on the
    /// current tokio runtime until the [`Provider`] is dropped.
    ///
    /// # Errors
    /// [`Error::Client`] for a client registered twice or without a redirect URI or service
    /// code; [`Error::Keys`] for given keys that are not private RSA keys; [`Error::Key`] if
    /// key generation or preparation fails; [`Error::Io`] if binding fails.
    pub async fn start(self) -> Result<Provider, Error> {
        for (i, c) in self.clients.iter().enumerate() {
            if self.clients.iter().skip(i + 1).any(|o| o.id == c.id) {
                return Err(Error::Client { field: "client_id" });
            }
            if c.redirect_uris.is_empty() {
                return Err(Error::Client {
                    field: "redirect_uri",
                });
            }
            if c.services.is_empty() {
                return Err(Error::Client { field: "service" });
            }
        }
        let keys = match self.keys {
            Some((sig, enc)) => {
                if sig.key_type() != KeyType::Rsa || enc.key_type() != KeyType::Rsa {
                    return Err(Error::Keys);
                }
                Keys::from_keys(sig, enc)?
            }
            None => Keys::generate()?,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let issuer = format!("http://{addr}{}", routes::ISSUER_PATH);
        let shared = Arc::new(Shared::new(
            issuer,
            keys,
            self.clients,
            self.default_action,
            self.interactive,
            self.clock,
        ));
        let (shutdown, rx) = watch::channel(false);
        tokio::spawn(crate::http::serve(listener, Arc::clone(&shared), rx));
        Ok(Provider {
            shared,
            addr,
            shutdown,
        })
    }
}

/// A running local itsme®-like provider. Dropping it stops the server.
pub struct Provider {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.shared.issuer)
            .finish_non_exhaustive()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        // The server task ends when it sees the change; nobody else listens.
        let _ = self.shutdown.send(true);
    }
}

impl Provider {
    /// A builder with no clients, approving every login with the demo identity.
    pub fn builder() -> ProviderBuilder {
        ProviderBuilder {
            clients: Vec::new(),
            default_action: UserAction::Approve(crate::identity::demo_identity()),
            interactive: false,
            clock: Arc::new(|| UnixTime::now().unwrap_or(UnixTime::EPOCH)),
            keys: None,
        }
    }

    /// The address it listens on (127.0.0.1, a port the system chose).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The issuer: `http://127.0.0.1:PORT/v2`, the `iss` of its tokens and the `aud` of
    /// request objects.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// `{issuer}/.well-known/openid-configuration`.
    #[must_use]
    pub fn discovery_url(&self) -> String {
        self.shared.endpoint(routes::DISCOVERY)
    }

    /// `{issuer}/authorization`.
    #[must_use]
    pub fn authorization_endpoint(&self) -> String {
        self.shared.endpoint(routes::AUTHORIZATION)
    }

    /// `{issuer}/token`: the `aud` of client assertions.
    #[must_use]
    pub fn token_endpoint(&self) -> String {
        self.shared.endpoint(routes::TOKEN)
    }

    /// `{issuer}/userinfo`.
    #[must_use]
    pub fn userinfo_endpoint(&self) -> String {
        self.shared.endpoint(routes::USERINFO)
    }

    /// `{issuer}/jwkSet`.
    #[must_use]
    pub fn jwks_uri(&self) -> String {
        self.shared.endpoint(routes::JWKS)
    }

    /// The provider's public JWK Set: an RSA `sig` key (RS256) and an RSA `enc` key without
    /// `alg`.
    #[must_use]
    pub fn public_jwks(&self) -> &JwkSet {
        &self.shared.keys.public
    }

    /// The user approves the next login (after any already scripted) with these claims.
    pub fn approve_next(&self, identity: Map<String, Value>) {
        self.push(UserAction::Approve(identity));
    }

    /// The user refuses the next login (after any already scripted): `access_denied`.
    pub fn deny_next(&self) {
        self.push(UserAction::Deny);
    }

    fn push(&self, action: UserAction) {
        self.shared.lock().actions.push_back(action);
    }

    /// Makes every following response misbehave as `faults` says ([`Faults::default`] to
    /// stop).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = faults;
    }

    /// How many requests each endpoint has served.
    #[must_use]
    pub fn counters(&self) -> Counters {
        self.shared.counters()
    }

    /// Moves the provider's clock forward (codes expire after 3 minutes, ID tokens after 5).
    pub fn advance_clock(&self, by: Duration) {
        self.shared
            .offset
            .fetch_add(by.as_secs(), Ordering::Relaxed);
    }

    /// The provider's current time.
    #[must_use]
    pub fn now(&self) -> UnixTime {
        self.shared.now()
    }
}
