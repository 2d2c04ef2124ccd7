//! [`ItsmeClient`]: the itsme® login flow on `zegel-oidc`.
//!
//! [`discover`](ItsmeClient::discover) → [`authorization`](ItsmeClient::authorization) (the URL
//! and the [`PendingLogin`] to keep, sealable for a cookie) → the browser goes to itsme® and
//! back → [`complete`](ItsmeClient::complete) (`state` first, the itsme® error codes typed, the
//! code exchanged, the ID token decrypted, verified and read as an [`Identity`]) →
//! [`userinfo`](ItsmeClient::userinfo).
//!
//! The itsme® rules it adds to OpenID Connect (`_OIDC/authentication.md`, `_Appendix/JOSE.md`):
//! the request object signed with the partner's `sig` key then encrypted to itsme®'s `enc` key
//! (or, with `request_object = "none"`, the same parameters in the query); the scope
//! `openid service:CODE ...`; the ID token and the UserInfo response always encrypted (a plain
//! signed one is refused), with the partner's `enc` keys chosen by `kid` or, for
//! `client_secret_post`, the key derived from the secret; the `acr` of the login the one asked
//! for or a stronger one.

use core::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};
use zegel_jose::jwe::{self, ContentEncryption, Decrypter, KeyManagement};
use zegel_jose::jws::Signer;
use zegel_oidc::clock::Clock;
use zegel_oidc::http::HttpClient;
use zegel_oidc::id_token::IdToken;
use zegel_oidc::{Registration, Security};

use crate::claims::{ClaimsRequest, Identity};
use crate::config::{Acr, ClientAuth, Config, RequestObjectMode};
use crate::error::ClaimError;
use crate::pending::PendingLogin;
use crate::provider_error::ErrorCode;

/// The key management algorithms itsme® encrypts to a partner's RSA `enc` key with.
static RSA_ALGS: &[&KeyManagement] = &[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP];
/// The key management of a client-secret client: `dir` with the key derived from the secret.
static SECRET_ALGS: &[&KeyManagement] = &[&jwe::DIR];

/// Why a login could not be completed.
#[non_exhaustive]
#[derive(Debug)]
pub enum FlowError {
    /// itsme® answered the authorization request with `error=` (the user said no, the request
    /// object was refused, ...).
    Provider {
        /// The code, typed.
        code: ErrorCode,
    },
    /// The token endpoint refused the code (`invalid_grant` for a replayed or expired code,
    /// `invalid_client`, ...).
    Token {
        /// The code, typed.
        code: ErrorCode,
    },
    /// The ID token is refused: not encrypted, not decryptable with the partner's keys, its
    /// signature, algorithm, `iss`, `aud`, `exp`, `nonce` (or itsme®'s keys cannot be had).
    IdToken(zegel_oidc::Error),
    /// The UserInfo response is refused: as for the ID token, and its `sub`.
    UserInfo(zegel_oidc::Error),
    /// The OpenID Connect layer refused: discovery, the callback (`state`), transport.
    Oidc(zegel_oidc::Error),
    /// The verified claims break an itsme® rule (`acr` weaker than asked, a claim's shape).
    Claim(ClaimError),
}

impl FlowError {
    /// A short, stable, dotted code: `itsme.flow.provider_error`, `itsme.flow.token_error`, or
    /// the code of the error inside.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Provider { .. } => "itsme.flow.provider_error",
            Self::Token { .. } => "itsme.flow.token_error",
            Self::IdToken(e) | Self::UserInfo(e) | Self::Oidc(e) => e.code(),
            Self::Claim(e) => e.code(),
        }
    }

    /// Files a token check failure of zegel-oidc under `document` (`IdToken` or `UserInfo`).
    fn token(e: zegel_oidc::Error, document: fn(zegel_oidc::Error) -> Self) -> Self {
        if matches!(
            e,
            zegel_oidc::Error::Jose(_)
                | zegel_oidc::Error::Jwt(_)
                | zegel_oidc::Error::Check(_)
                | zegel_oidc::Error::JwksUnavailable { .. }
        ) {
            document(e)
        } else {
            Self::from(e)
        }
    }

    /// The itsme® error code, for an answer of the authorization or token endpoint.
    #[must_use]
    pub fn provider_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Provider { code } | Self::Token { code } => Some(*code),
            _ => None,
        }
    }
}

/// The code as itsme® documents it, or a phrase for an undocumented one (whose text, coming
/// from the callback URL, is not echoed).
fn code_name(code: ErrorCode) -> &'static str {
    code.code().unwrap_or("an undocumented code")
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Provider { code } => write!(
                f,
                "itsme® answered the authorization request with {}: {}",
                code_name(*code),
                code.describe()
            ),
            Self::Token { code } => write!(
                f,
                "itsme®'s token endpoint answered {}: {}",
                code_name(*code),
                code.describe()
            ),
            Self::IdToken(e) => write!(f, "the ID token is refused: {e}"),
            Self::UserInfo(e) => write!(f, "the UserInfo response is refused: {e}"),
            Self::Oidc(e) => e.fmt(f),
            Self::Claim(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FlowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::IdToken(e) | Self::UserInfo(e) | Self::Oidc(e) => Some(e),
            Self::Claim(e) => Some(e),
            _ => None,
        }
    }
}

impl From<zegel_oidc::Error> for FlowError {
    fn from(e: zegel_oidc::Error) -> Self {
        match e {
            zegel_oidc::Error::Authorization { error, .. } => Self::Provider {
                code: ErrorCode::from_code(&error),
            },
            zegel_oidc::Error::Token { error, .. } => Self::Token {
                code: ErrorCode::from_code(&error),
            },
            other => Self::Oidc(other),
        }
    }
}

impl From<ClaimError> for FlowError {
    fn from(e: ClaimError) -> Self {
        Self::Claim(e)
    }
}

/// An authorization URL and what to keep until the callback.
#[derive(Debug)]
#[non_exhaustive]
pub struct Authorization {
    /// The URL to send the browser to.
    pub url: String,
    /// The pending login: keep it ([`PendingLogin::seal`] for a cookie) and give it back to
    /// [`ItsmeClient::complete`].
    pub pending: PendingLogin,
}

/// A completed itsme® login.
#[derive(Debug)]
pub struct Login {
    identity: Identity,
    acr: Acr,
    inner: zegel_oidc::Login,
}

impl Login {
    /// The verified claims of the ID token, typed.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The level of the login (the one asked for, or stronger).
    #[must_use]
    pub fn acr(&self) -> Acr {
        self.acr
    }

    /// The validated ID token (its claims, header `alg` and `kid`).
    #[must_use]
    pub fn id_token(&self) -> &IdToken {
        &self.inner.id_token
    }

    /// The token response (the access token for UserInfo).
    #[must_use]
    pub fn tokens(&self) -> &zegel_oidc::token::TokenResponse {
        &self.inner.tokens
    }
}

/// The partner's private keys kept outside the process (an HSM, a PKCS #11 token, a cloud
/// KMS): the `sig` key as a [`Signer`] (client assertions, request objects) and the `enc`
/// keys as [`Decrypter`]s (ID tokens, UserInfo responses; chosen by `kid`). They take the
/// place of the private keys of the configuration's `jwks_private` file.
#[derive(Clone)]
pub struct ExternalKeys {
    signer: Arc<dyn Signer>,
    decrypters: Vec<Arc<dyn Decrypter>>,
}

impl ExternalKeys {
    /// The signing key and the decryption keys (several during a rotation).
    #[must_use]
    pub fn new(signer: Arc<dyn Signer>, decrypters: Vec<Arc<dyn Decrypter>>) -> Self {
        Self { signer, decrypters }
    }
}

impl fmt::Debug for ExternalKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalKeys")
            .field("signer_kid", &self.signer.kid())
            .field("decrypters", &self.decrypters.len())
            .finish()
    }
}

/// An itsme® relying party, built from a checked [`Config`]. Cheap to clone; share it.
#[derive(Clone, Debug)]
pub struct ItsmeClient {
    config: Arc<Config>,
    oidc: zegel_oidc::Client,
    http: Arc<dyn HttpClient>,
    security: Security,
}

/// The ID picture: what the `picture` claim's URL served to the access token.
#[non_exhaustive]
pub struct Picture {
    /// Its media type (`image/...`).
    pub content_type: String,
    /// The image.
    pub bytes: zeroize::Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Picture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Picture")
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl ItsmeClient {
    /// Discovers itsme® (the environment of `config`) with the default HTTP client and the
    /// system clock.
    ///
    /// # Errors
    /// As [`discover_with`](Self::discover_with).
    #[cfg(feature = "http")]
    pub async fn discover(config: Config) -> Result<Self, FlowError> {
        let http = Arc::new(zegel_oidc::http::HyperClient::new(
            zegel_oidc::http::HttpConfig::new(),
        )?);
        Self::discover_with(config, http, Arc::new(zegel_oidc::clock::SystemClock)).await
    }

    /// Discovers itsme® with `http` and `clock`.
    ///
    /// # Errors
    /// [`FlowError::Oidc`]: transport, the discovery checks (the `issuer`, `http` only to a
    /// loopback address with `allow_insecure_loopback`), the partner's keys unusable.
    pub async fn discover_with(
        config: Config,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, FlowError> {
        Self::discover_with_keys(config, None, http, clock).await
    }

    /// Discovers itsme® with `http` and `clock`, signing and decrypting with `keys` (kept in
    /// an HSM, ...) instead of the private keys of the configuration's file.
    ///
    /// # Errors
    /// As [`discover_with`](Self::discover_with); [`FlowError::Oidc`] with
    /// [`zegel_oidc::Error::Unsupported`] for external keys with `client_secret_post`.
    pub async fn discover_with_keys(
        config: Config,
        keys: Option<ExternalKeys>,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, FlowError> {
        let security = if config.allow_insecure_loopback() {
            Security::AllowInsecureLoopback
        } else {
            Security::HttpsOnly
        };
        let metadata =
            zegel_oidc::discover(&*http, &config.environment().discovery_url(), security).await?;
        let registration = registration(&config, keys, security)?;
        let oidc =
            zegel_oidc::Client::from_metadata(metadata, registration, Arc::clone(&http), clock)?;
        Ok(Self {
            config: Arc::new(config),
            oidc,
            http,
            security,
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The OpenID Connect client underneath (metadata, JWK Set cache).
    #[must_use]
    pub fn oidc(&self) -> &zegel_oidc::Client {
        &self.oidc
    }

    /// The authorization URL asking for the claims of the configuration.
    ///
    /// # Errors
    /// As [`authorization_with`](Self::authorization_with).
    pub async fn authorization(&self) -> Result<Authorization, FlowError> {
        self.authorization_with(&self.config.claims_request()).await
    }

    /// The authorization URL asking for `claims` (the configuration's, with a
    /// [`Confirmation`](crate::Confirmation) added, ...).
    ///
    /// # Errors
    /// [`FlowError::Oidc`]: itsme®'s keys cannot be had or none fits the request object's
    /// encryption; the request object cannot be signed or encrypted.
    pub async fn authorization_with(
        &self,
        claims: &ClaimsRequest,
    ) -> Result<Authorization, FlowError> {
        let config = &*self.config;
        let mut request = self.oidc.authorization_request();
        for scope in config.scope().split(' ') {
            request = request.with_scope(scope);
        }
        if !config.pkce() {
            request = request.without_pkce();
        }
        let claims: zegel_oidc::authorize::ClaimsRequest = serde_json::from_value(claims.to_json())
            .map_err(|_| zegel_oidc::Error::Unsupported {
                what: "a claims request of this shape",
            })?;
        request = request
            .with_claims(claims)
            .with_acr_values([config.acr().uri()], false);
        if let Some(locales) = config.ui_locales_param() {
            request = request.with_ui_locales(locales.split(' '));
        }
        if config.request_object() == RequestObjectMode::Request {
            request = request.with_request_object(self.oidc.request_object(true).await?);
        }
        let built = self.oidc.authorization(&request)?;
        let p = &built.pending;
        let pending = PendingLogin::new(
            p.state().to_owned(),
            p.nonce().to_owned(),
            p.code_verifier().map(str::to_owned),
            p.redirect_uri().to_owned(),
            config.acr(),
            p.created_at(),
        );
        Ok(Authorization {
            url: built.url,
            pending,
        })
    }

    /// Completes the login from the URL the browser was sent back to: `state` first (a
    /// mismatch makes no request), then the code exchanged, the ID token decrypted and
    /// verified, its `acr` checked against the level asked for.
    ///
    /// # Errors
    /// [`FlowError::Provider`] for an `error=` callback; [`FlowError::Token`] when the code is
    /// refused (replayed, expired); [`FlowError::Oidc`] for the callback and transport;
    /// [`FlowError::IdToken`] for the ID token checks;
    /// [`FlowError::Claim`] for an `acr` weaker than asked or a claim of the wrong shape.
    pub async fn complete(
        &self,
        pending: &PendingLogin,
        callback_url: &str,
    ) -> Result<Login, FlowError> {
        let inner = self
            .oidc
            .complete(oidc_pending(pending), callback_url)
            .await
            .map_err(|e| FlowError::token(e, FlowError::IdToken))?;
        let claims = claims_map(inner.id_token.claims())?;
        let acr = pending
            .acr()
            .check_login(claims.get("acr").and_then(Value::as_str))?;
        let identity = Identity::from_claims(claims)?;
        Ok(Login {
            identity,
            acr,
            inner,
        })
    }

    /// Fetches the UserInfo response with the login's access token: decrypted, verified, its
    /// `sub` the ID token's, read as an [`Identity`].
    ///
    /// # Errors
    /// [`FlowError::Oidc`] for transport; [`FlowError::UserInfo`] for the checks;
    /// [`FlowError::Claim`] for a claim of the wrong shape.
    pub async fn userinfo(&self, login: &Login) -> Result<Identity, FlowError> {
        let userinfo = self
            .oidc
            .userinfo(&login.inner)
            .await
            .map_err(|e| FlowError::token(e, FlowError::UserInfo))?;
        Ok(Identity::from_claims(userinfo.claims().clone())?)
    }
}

impl ItsmeClient {
    /// Fetches the ID picture at `identity`'s `picture` claim (from the ID token or UserInfo)
    /// with the login's access token. The URL must be on itsme®'s own origin (the issuer's
    /// scheme, host and port): the access token is never sent elsewhere.
    ///
    /// # Errors
    /// [`FlowError::Oidc`]: [`zegel_oidc::Error::InvalidMember`] without a `picture` claim;
    /// [`zegel_oidc::Error::InvalidUrl`] / [`zegel_oidc::Error::InsecureUrl`] for a URL that
    /// is malformed, not `https`, or outside the issuer's origin (no request is made);
    /// transport errors; [`zegel_oidc::Error::Status`] for another status than 200 (`403`
    /// when the picture was not granted); [`zegel_oidc::Error::Unsupported`] for a body that
    /// is not an image.
    pub async fn picture(&self, login: &Login, identity: &Identity) -> Result<Picture, FlowError> {
        let url = identity.picture().ok_or(zegel_oidc::Error::InvalidMember {
            document: zegel_oidc::error::Document::UserInfo,
            name: "picture",
        })?;
        let parsed = zegel_oidc::discovery::check_url(url, "picture", self.security)?;
        let issuer = zegel_oidc::discovery::check_url(
            &self.oidc.metadata().issuer,
            "issuer",
            self.security,
        )?;
        if parsed.origin() != issuer.origin() {
            return Err(zegel_oidc::Error::InvalidUrl {
                what: "picture (outside the issuer's origin)".into(),
            }
            .into());
        }
        let mut request =
            zegel_oidc::userinfo::request(parsed.as_str(), login.tokens().access_token())?;
        request.headers_mut().insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("image/*"),
        );
        let response = self.http.send(request).await?;
        if response.status() != http::StatusCode::OK {
            return Err(zegel_oidc::Error::Status {
                url: parsed.as_str().to_owned(),
                status: response.status().as_u16(),
            }
            .into());
        }
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if !content_type.starts_with("image/") {
            return Err(zegel_oidc::Error::Unsupported {
                what: "a picture that is not an image",
            }
            .into());
        }
        Ok(Picture {
            content_type,
            bytes: zeroize::Zeroizing::new(response.into_body()),
        })
    }
}

/// Checks only the callback's `state` against `pending` (in constant time), with no client and
/// no request: for a caller that starts cold (a command line) and must refuse a stray callback
/// before discovering itsme®. [`ItsmeClient::complete`] does this check first as well.
///
/// # Errors
/// [`FlowError::Oidc`] with [`zegel_oidc::error::CallbackError`]: `MalformedUrl`,
/// `RepeatedParameter`, `MissingState`, `StateMismatch`.
pub fn check_state(pending: &PendingLogin, callback_url: &str) -> Result<(), FlowError> {
    Ok(zegel_oidc::callback::check_state(
        callback_url,
        &oidc_pending(pending),
    )?)
}

/// The pending login as zegel-oidc keeps it.
fn oidc_pending(pending: &PendingLogin) -> zegel_oidc::PendingLogin {
    zegel_oidc::PendingLogin::new(
        pending.state().to_owned(),
        pending.nonce().to_owned(),
        pending.code_verifier().map(str::to_owned),
        pending.redirect_uri().to_owned(),
        pending.created_at(),
    )
}

/// The claims of a validated ID token as a JSON object.
fn claims_map<T: serde::Serialize>(claims: &T) -> Result<Map<String, Value>, FlowError> {
    match serde_json::to_value(claims) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(FlowError::Oidc(zegel_oidc::Error::Unsupported {
            what: "ID token claims that are not a JSON object",
        })),
    }
}

/// What itsme® knows of the partner, and the itsme® rules for the responses.
fn registration(
    config: &Config,
    external: Option<ExternalKeys>,
    security: Security,
) -> Result<Registration, FlowError> {
    let encs: &[&ContentEncryption] = jwe::ALL_ENC;
    let registration = match (config.auth(), external) {
        (ClientAuth::PrivateKeyJwt(_) | ClientAuth::ExternalKeys(_), Some(external)) => {
            Registration::new(
                config.client_id(),
                config.redirect_uri(),
                zegel_oidc::client_auth::ClientAuth::PrivateKeyJwt(
                    zegel_oidc::client_auth::ClientKey::from_signer(external.signer),
                ),
            )
            .with_decrypters(external.decrypters)
            .with_required_encryption(RSA_ALGS, encs)
        }
        (ClientAuth::ExternalKeys(_), None) => {
            return Err(FlowError::Oidc(zegel_oidc::Error::Unsupported {
                what: "keys named by PKCS #11 URIs without the keys opened (discover_with_keys)",
            }));
        }
        (ClientAuth::ClientSecretPost(_), Some(_)) => {
            return Err(FlowError::Oidc(zegel_oidc::Error::Unsupported {
                what: "external keys with client_secret_post",
            }));
        }
        (ClientAuth::PrivateKeyJwt(keys), None) => Registration::new(
            config.client_id(),
            config.redirect_uri(),
            zegel_oidc::client_auth::ClientAuth::private_key_jwt(keys.signing_key())?,
        )
        .with_decryption_keys(keys.decryption_keys().cloned().collect())
        .with_required_encryption(RSA_ALGS, encs),
        (ClientAuth::ClientSecretPost(secret), None) => Registration::new(
            config.client_id(),
            config.redirect_uri(),
            zegel_oidc::client_auth::ClientAuth::ClientSecretPost(secret.clone()),
        )
        .with_required_encryption(SECRET_ALGS, encs),
    };
    Ok(registration.with_security(security))
}
