//! [`Client`]: the relying party, tying the sans-IO steps to an [`HttpClient`].
//!
//! discover → [`authorization`](Client::authorization) (URL + [`PendingLogin`]) → the browser
//! goes to the provider and back → [`complete`](Client::complete) (callback, token exchange,
//! ID token) → [`userinfo`](Client::userinfo).

use core::time::Duration;
use std::sync::Arc;

use zegel_jose::Jwk;
use zegel_jose::jwe::{ContentEncryption, Decrypter, KeyManagement};
use zegel_jose::jws::JwsAlgorithm;

use crate::authorize::{self, Authorization, AuthorizationRequest, RequestObject};
use crate::callback::{self, CallbackCheck, DEFAULT_MAX_PENDING_AGE};
use crate::client_auth::ClientAuth;
use crate::clock::Clock;
use crate::discovery::{self, ProviderMetadata, Security};
use crate::error::Error;
use crate::http::HttpClient;
use crate::id_token::{Expected, IdToken, IdTokenValidator};
use crate::jwks::{CachePolicy, FailureHook, JwksCache};
use crate::pending::PendingLogin;
use crate::token::{self, TokenResponse};
use crate::userinfo::{self, UserInfo, UserInfoValidator};

/// Registered response encryption: the accepted key management and content encryption
/// algorithms.
type Encryption = (Vec<&'static KeyManagement>, Vec<&'static ContentEncryption>);

/// What the provider knows of this client: its registration, and the local settings.
#[derive(Clone)]
pub struct Registration {
    client_id: String,
    redirect_uri: String,
    auth: ClientAuth,
    decryption_keys: Vec<Jwk>,
    decrypters: Vec<Arc<dyn Decrypter>>,
    id_token_algs: Vec<&'static JwsAlgorithm>,
    id_token_encryption: Option<Encryption>,
    userinfo_algs: Vec<&'static JwsAlgorithm>,
    userinfo_encryption: Option<Encryption>,
    trusted_audiences: Vec<String>,
    leeway: Duration,
    max_pending_age: Duration,
    cache_policy: CachePolicy,
    security: Security,
    hook: Option<FailureHook>,
}

impl core::fmt::Debug for Registration {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("auth", &self.auth.method())
            .field("decryption_keys", &self.decryption_keys.len())
            .field("decrypters", &self.decrypters.len())
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// The client `client_id`, authenticating with `auth`, called back at `redirect_uri`;
    /// ID tokens signed with RS256, encryption optional.
    #[must_use]
    pub fn new(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        auth: ClientAuth,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            auth,
            decryption_keys: Vec::new(),
            decrypters: Vec::new(),
            id_token_algs: vec![&zegel_jose::jws::RS256],
            id_token_encryption: None,
            userinfo_algs: vec![&zegel_jose::jws::RS256],
            userinfo_encryption: None,
            trusted_audiences: Vec::new(),
            leeway: crate::id_token::DEFAULT_LEEWAY,
            max_pending_age: DEFAULT_MAX_PENDING_AGE,
            cache_policy: CachePolicy::new(),
            security: Security::HttpsOnly,
            hook: None,
        }
    }

    /// The client's private keys that open encrypted ID tokens and UserInfo responses (several
    /// during a rotation, chosen by `kid`).
    #[must_use]
    pub fn with_decryption_keys(mut self, keys: Vec<Jwk>) -> Self {
        self.decryption_keys = keys;
        self
    }

    /// The client's decryption keys as [`Decrypter`]s (keys kept in an HSM or a PKCS #11
    /// token), chosen by the JWE's `kid`; when given, they are used instead of
    /// [`with_decryption_keys`](Self::with_decryption_keys).
    #[must_use]
    pub fn with_decrypters(mut self, decrypters: Vec<Arc<dyn Decrypter>>) -> Self {
        self.decrypters = decrypters;
        self
    }

    /// `id_token_signed_response_alg` (default RS256).
    #[must_use]
    pub fn with_id_token_algorithms(mut self, algs: &[&'static JwsAlgorithm]) -> Self {
        self.id_token_algs = algs.to_vec();
        self
    }

    /// `id_token_encrypted_response_alg`/`_enc`: plain JWS ID tokens are then refused.
    #[must_use]
    pub fn with_id_token_encryption(
        mut self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
    ) -> Self {
        self.id_token_encryption = Some((vec![alg], vec![enc]));
        self
    }

    /// ID tokens and UserInfo responses always encrypted, with any of `algs` and `encs` (a
    /// provider that chooses per client key, as itsme® does): plain JWS ID tokens and
    /// unencrypted UserInfo responses are then refused.
    #[must_use]
    pub fn with_required_encryption(
        mut self,
        algs: &[&'static KeyManagement],
        encs: &[&'static ContentEncryption],
    ) -> Self {
        self.id_token_encryption = Some((algs.to_vec(), encs.to_vec()));
        self.userinfo_encryption = Some((algs.to_vec(), encs.to_vec()));
        self
    }

    /// `userinfo_signed_response_alg` (default RS256).
    #[must_use]
    pub fn with_userinfo_algorithms(mut self, algs: &[&'static JwsAlgorithm]) -> Self {
        self.userinfo_algs = algs.to_vec();
        self
    }

    /// `userinfo_encrypted_response_alg`/`_enc`: unencrypted responses are then refused.
    #[must_use]
    pub fn with_userinfo_encryption(
        mut self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
    ) -> Self {
        self.userinfo_encryption = Some((vec![alg], vec![enc]));
        self
    }

    /// Another ID token audience the client trusts.
    #[must_use]
    pub fn with_trusted_audience(mut self, aud: impl Into<String>) -> Self {
        self.trusted_audiences.push(aud.into());
        self
    }

    /// The clock leeway (default 30 s).
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The maximum age of a pending login (default 10 min).
    #[must_use]
    pub fn with_max_pending_age(mut self, age: Duration) -> Self {
        self.max_pending_age = age;
        self
    }

    /// The JWK Set cache's rules.
    #[must_use]
    pub fn with_cache_policy(mut self, policy: CachePolicy) -> Self {
        self.cache_policy = policy;
        self
    }

    /// Which URL schemes the provider may use.
    #[must_use]
    pub fn with_security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Told of every failed JWK Set refresh.
    #[must_use]
    pub fn with_failure_hook(mut self, hook: FailureHook) -> Self {
        self.hook = Some(hook);
        self
    }
}

/// A completed login: the validated ID token and the token response.
#[derive(Debug)]
#[non_exhaustive]
pub struct Login {
    /// The validated ID token.
    pub id_token: IdToken,
    /// The token response (access token, refresh token).
    pub tokens: TokenResponse,
}

/// An OpenID Connect relying party for one provider. Cheap to clone; share it.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    metadata: ProviderMetadata,
    registration: Registration,
    http: Arc<dyn HttpClient>,
    clock: Arc<dyn Clock>,
    jwks: JwksCache,
    id_tokens: IdTokenValidator,
    userinfo: UserInfoValidator,
}

/// Fetches and checks the discovery document at `discovery_url`.
///
/// # Errors
/// The transport errors of `http`; the errors of [`discovery::from_response`].
pub async fn discover(
    http: &dyn HttpClient,
    discovery_url: &str,
    security: Security,
) -> Result<ProviderMetadata, Error> {
    let request = discovery::request(discovery_url, security)?;
    let response = http.send(request).await?;
    discovery::from_response(discovery_url, &response, security)
}

impl Client {
    /// Discovers the provider at `discovery_url` with the default HTTP client and the system
    /// clock.
    ///
    /// # Errors
    /// As [`discover_with`](Self::discover_with).
    #[cfg(feature = "http")]
    pub async fn discover(discovery_url: &str, registration: Registration) -> Result<Self, Error> {
        let http = Arc::new(crate::http::HyperClient::new(
            crate::http::HttpConfig::new(),
        )?);
        Self::discover_with(
            discovery_url,
            registration,
            http,
            Arc::new(crate::clock::SystemClock),
        )
        .await
    }

    /// Discovers the provider with `http` and `clock`.
    ///
    /// # Errors
    /// The transport errors; the discovery checks; [`Error::InvalidMember`] when the provider
    /// publishes no `authorization_endpoint` or `token_endpoint`.
    pub async fn discover_with(
        discovery_url: &str,
        registration: Registration,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let metadata = discover(&*http, discovery_url, registration.security).await?;
        Self::from_metadata(metadata, registration, http, clock)
    }

    /// A client for already-checked metadata.
    ///
    /// # Errors
    /// [`Error::InvalidMember`] when the metadata lacks an endpoint the code flow needs.
    pub fn from_metadata(
        metadata: ProviderMetadata,
        registration: Registration,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        metadata.endpoint("authorization_endpoint")?;
        metadata.endpoint("token_endpoint")?;
        let jwks_uri = discovery::check_url(
            metadata.endpoint("jwks_uri")?,
            "jwks_uri",
            registration.security,
        )?;
        let jwks = JwksCache::with_hook(
            jwks_uri,
            Arc::clone(&http),
            Arc::clone(&clock),
            registration.cache_policy.clone(),
            registration.hook.clone(),
        );
        let mut id_tokens = IdTokenValidator::new(&metadata.issuer, &registration.client_id)
            .with_algorithms(&registration.id_token_algs)
            .with_leeway(registration.leeway);
        if let Some((algs, encs)) = &registration.id_token_encryption {
            id_tokens = id_tokens.with_encryption_algorithms(algs, encs);
        }
        for aud in &registration.trusted_audiences {
            id_tokens = id_tokens.with_trusted_audience(aud);
        }
        let mut userinfo = UserInfoValidator::new(&metadata.issuer, &registration.client_id)
            .with_algorithms(&registration.userinfo_algs);
        if let Some((algs, encs)) = &registration.userinfo_encryption {
            userinfo = userinfo.with_encryption_algorithms(algs, encs);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                metadata,
                registration,
                http,
                clock,
                jwks,
                id_tokens,
                userinfo,
            }),
        })
    }

    /// The provider's metadata.
    #[must_use]
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.inner.metadata
    }

    /// The provider's JWK Set cache.
    #[must_use]
    pub fn jwks(&self) -> &JwksCache {
        &self.inner.jwks
    }

    /// An authorization request back to the registered `redirect_uri`, to complete with
    /// options.
    #[must_use]
    pub fn authorization_request(&self) -> AuthorizationRequest {
        AuthorizationRequest::new(&self.inner.registration.redirect_uri)
    }

    /// A request object signed with the client's `private_key_jwt` key (or, for
    /// `client_secret_*`, HS256 with the secret), and with `encrypt`, encrypted to the
    /// provider's `enc` key with `alg`/`enc` chosen from the discovery document.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when no key signs or no encryption fits;
    /// [`Error::JwksUnavailable`] when the provider's keys cannot be had.
    pub async fn request_object(&self, encrypt: bool) -> Result<RequestObject, Error> {
        let mut ro = match &self.inner.registration.auth {
            ClientAuth::PrivateKeyJwt(key) => RequestObject::new(key.clone()),
            other => {
                let secret = other.secret().ok_or(Error::Unsupported {
                    what: "a request object without a signing key",
                })?;
                let key = crate::secret_keys::mac_key(secret, &zegel_jose::jws::HS256)?;
                RequestObject::new(crate::keys::ClientKey::with_alg(
                    &key,
                    &zegel_jose::jws::HS256,
                )?)
            }
        };
        if encrypt {
            let snapshot = self.inner.jwks.keys_for(None).await?;
            let enc =
                authorize::choose_encryption(&self.inner.metadata, &snapshot.encryption_keys())?;
            ro = ro.with_encryption(enc);
        }
        Ok(ro)
    }

    /// Builds the authorization URL and the pending login to keep.
    ///
    /// # Errors
    /// As [`AuthorizationRequest::build`].
    pub fn authorization(&self, request: &AuthorizationRequest) -> Result<Authorization, Error> {
        request.build(
            self.inner.metadata.endpoint("authorization_endpoint")?,
            &self.inner.registration.client_id,
            &self.inner.metadata.issuer,
            self.inner.clock.now(),
        )
    }

    /// Completes the login from the URL the browser was sent back to: checks the callback
    /// (no request is made when it is refused), exchanges the code, validates the ID token.
    ///
    /// # Errors
    /// [`Error::Callback`], [`Error::Authorization`]; the token exchange's errors
    /// ([`Error::Token`], transport); the ID token's ([`Error::Jose`], [`Error::Jwt`],
    /// [`Error::Check`]).
    pub async fn complete(
        &self,
        pending: PendingLogin,
        callback_url: &str,
    ) -> Result<Login, Error> {
        let inner = &*self.inner;
        let check = CallbackCheck {
            issuer: &inner.metadata.issuer,
            iss_required: inner
                .metadata
                .authorization_response_iss_parameter_supported
                == Some(true),
            max_age: inner.registration.max_pending_age,
            now: inner.clock.now(),
        };
        let code = callback::parse(callback_url, &pending, &check)?;
        let token_endpoint = inner.metadata.endpoint("token_endpoint")?;
        let request = token::request(
            token_endpoint,
            &inner.registration.client_id,
            &inner.registration.auth,
            &code,
            &pending.redirect_uri,
            pending.code_verifier.as_deref(),
            inner.clock.now(),
        )?;
        let response = inner.http.send(request).await?;
        let tokens = token::from_response(token_endpoint, &response, true)?;
        let raw = tokens.id_token().ok_or(Error::InvalidMember {
            document: crate::error::Document::TokenResponse,
            name: "id_token",
        })?;
        let secret = inner.registration.auth.secret();
        let registration = &inner.registration;
        let opened = if registration.decrypters.is_empty() {
            inner
                .id_tokens
                .open(raw, &registration.decryption_keys, secret)?
        } else {
            inner
                .id_tokens
                .open_with_decrypters(raw, &registration.decrypters, secret)?
        };
        let expected = Expected {
            nonce: &pending.nonce,
            max_age: pending.max_age(),
            acr_values: &pending.acr_values,
            acr_essential: pending.acr_essential,
            access_token: Some(tokens.access_token()),
            code: Some(code.expose_secret()),
        };
        let now = inner.clock.now();
        let id_token = if opened.uses_client_secret() {
            opened.validate(
                &inner.id_tokens,
                &zegel_jose::JwkSet::default(),
                secret,
                &expected,
                now,
            )?
        } else {
            let keys = inner.jwks.keys_for(opened.kid()).await?;
            opened.validate(&inner.id_tokens, &*keys, secret, &expected, now)?
        };
        Ok(Login { id_token, tokens })
    }

    /// Fetches UserInfo with the login's access token and checks it (`sub` must be the ID
    /// token's).
    ///
    /// # Errors
    /// [`Error::InvalidMember`] when the provider has no `userinfo_endpoint`; transport
    /// errors; the errors of [`UserInfoValidator`].
    pub async fn userinfo(&self, login: &Login) -> Result<UserInfo, Error> {
        let inner = &*self.inner;
        let endpoint = inner.metadata.endpoint("userinfo_endpoint")?;
        let response = inner
            .http
            .send(userinfo::request(endpoint, login.tokens.access_token())?)
            .await?;
        let body = userinfo::from_response(endpoint, &response)?;
        let secret = inner.registration.auth.secret();
        let registration = &inner.registration;
        let opened = if registration.decrypters.is_empty() {
            inner
                .userinfo
                .open(body, &registration.decryption_keys, secret)?
        } else {
            inner
                .userinfo
                .open_with_decrypters(body, &registration.decrypters, secret)?
        };
        let keys = match opened.kid() {
            Some(kid) => Some(inner.jwks.keys_for(Some(kid)).await?),
            None if matches!(opened, userinfo::OpenedUserInfo::Signed { .. }) => {
                Some(inner.jwks.keys_for(None).await?)
            }
            None => None,
        };
        match keys {
            Some(keys) => inner
                .userinfo
                .validate(opened, &*keys, secret, login.id_token.subject()),
            None => inner.userinfo.validate(
                opened,
                &zegel_jose::JwkSet::default(),
                secret,
                login.id_token.subject(),
            ),
        }
    }
}
