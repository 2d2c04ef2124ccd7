//! [`Config`]: an itsme® client's configuration, every rule checked when it is loaded, before
//! any request. The file format is the TOML of the CLI contract (`zegel itsme`, "The itsme®
//! config file"); unknown keys are refused, all named; relative paths are resolved against the
//! file's folder.
//!
//! The rules come from the itsme® documentation: `_OIDC/chapters/authorization_request.md`
//! (`scope` with `openid`, `service:<code>` and `profile`, `email`, `address`, `phone`, `eid`;
//! `redirect_uri` in `https`, without fragment, compared exactly; `ui_locales` from `fr`,
//! `nl`, `de`, `en`; `acr_values` `acr_basic` or `acr_advanced`; PKCE `S256`), and
//! `_OIDC/authentication.md` for the two ways a client authenticates (private key JWT with
//! the partner's JWK Set, or a client secret).

use std::ffi::OsString;
use std::path::Path;

use zegel_jose::jwk::KeyType;
use zegel_jose::{Jwk, JwkSet};
use zegel_oidc::ClientSecret;
use zeroize::Zeroizing;

use crate::claims::{self, Claim, ClaimsRequest, Location};
use crate::environment::Environment;
use crate::error::{ClaimError, ConfigError, KeysProblem, SecretProblem, ValueProblem};
use crate::uri;

/// Every key of the configuration file.
pub const KEYS: &[&str] = &[
    "environment",
    "discovery_url",
    "client_id",
    "service_code",
    "redirect_uri",
    "auth_method",
    "jwks_private",
    "signing_key",
    "encryption_keys",
    "client_secret_env",
    "scopes",
    "id_token_claims",
    "userinfo_claims",
    "acr",
    "ui_locales",
    "request_object",
    "pkce",
    "allow_insecure_loopback",
];

macro_rules! names {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident = $name:expr,)* }) => {
        $(#[$doc])*
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($(#[$vdoc])* $variant,)*
        }

        impl $ty {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];
            const NAMES: &'static [&'static str] = &[$($name),*];

            /// The value's name, as in the configuration file and the request.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The value with this exact name.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }
    };
}

names!(
    /// A scope a client may ask for besides `openid` and `service:<code>`, which are always
    /// sent (`_OIDC/chapters/authorization_request.md`, `scope`).
    Scope {
        /// `profile`: `family_name`, `given_name`, `name`, `gender`, `locale`, `picture`,
        /// `birthdate`.
        Profile = "profile",
        /// `email`: `email`, `email_verified`.
        Email = "email",
        /// `address`: `address`.
        Address = "address",
        /// `phone`: `phone_number`, `phone_number_verified`.
        Phone = "phone",
        /// `eid`: `BENationalNumber`, `BEeidSn`.
        Eid = "eid",
    }
);

names!(
    /// A language of the itsme® sign-in page (`ui_locales`).
    UiLocale {
        /// French.
        Fr = "fr",
        /// Dutch.
        Nl = "nl",
        /// German.
        De = "de",
        /// English.
        En = "en",
    }
);

names!(
    /// How the authorization request is sent.
    RequestObjectMode {
        /// As a request object by value (`request`), signed with the partner's key, then
        /// encrypted to itsme®'s.
        Request = "request",
        /// As plain query parameters.
        None = "none",
    }
);

names!(
    /// How the client authenticates to the token endpoint.
    AuthMethod {
        /// `private_key_jwt`: a client assertion signed with the partner's key.
        PrivateKeyJwt = "private_key_jwt",
        /// `client_secret_post`: the client secret in the request body.
        ClientSecretPost = "client_secret_post",
    }
);

/// The authentication level asked for (`acr_values`): itsme® lets the user choose a
/// fingerprint or the itsme® code at `basic`, and requires the code at `advanced`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Acr {
    /// `http://itsme.services/v2/claim/acr_basic`, itsme®'s default.
    Basic,
    /// `http://itsme.services/v2/claim/acr_advanced`.
    Advanced,
}

impl Acr {
    /// The names in the configuration file.
    const NAMES: &'static [&'static str] = &["basic", "advanced"];

    /// The `acr` value, as in `acr_values` and the ID token's `acr` claim.
    #[must_use]
    pub fn uri(self) -> &'static str {
        match self {
            Self::Basic => "http://itsme.services/v2/claim/acr_basic",
            Self::Advanced => "http://itsme.services/v2/claim/acr_advanced",
        }
    }

    /// The level of an `acr` value.
    #[must_use]
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::Basic, Self::Advanced]
            .into_iter()
            .find(|a| a.uri() == uri)
    }

    /// The level of a configuration value, `basic` or `advanced`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "basic" => Some(Self::Basic),
            "advanced" => Some(Self::Advanced),
            _ => None,
        }
    }

    /// Whether a login at this level satisfies a request for `asked`: the same level or a
    /// stronger one.
    #[must_use]
    pub fn satisfies(self, asked: Self) -> bool {
        self >= asked
    }

    /// The level name of the configuration file: `basic` or `advanced`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Advanced => "advanced",
        }
    }

    /// Checks the ID token's `acr` claim against the level asked for (`self`): it must be an
    /// itsme® level, this one or a stronger one. Returns the level of the login.
    ///
    /// # Errors
    /// [`ClaimError::MissingAcr`], [`ClaimError::UnknownAcr`], [`ClaimError::AcrTooWeak`].
    pub fn check_login(self, acr: Option<&str>) -> Result<Self, ClaimError> {
        let found =
            Self::from_uri(acr.ok_or(ClaimError::MissingAcr)?).ok_or(ClaimError::UnknownAcr)?;
        if !found.satisfies(self) {
            return Err(ClaimError::AcrTooWeak { asked: self, found });
        }
        Ok(found)
    }
}

/// The partner's private keys: exactly one RSA signing key (`use` `sig`: client assertions,
/// request objects) and one or more RSA encryption keys (`use` `enc`: itsme® encrypts ID
/// tokens and UserInfo responses to them; several while an encryption key is rotated).
///
/// Encryption keys rotate as `_OIDC/authentication.md` ("Key rotation procedure") asks:
/// [`rotate_encryption_key`](Self::rotate_encryption_key) publishes the new key in place of
/// the old ones, which stay usable for decryption ([`retired_keys`](Self::retired_keys)) while
/// itsme® may still hold the old set in its cache (up to 24 hours, or the `max-age` served);
/// [`decommission`](Self::decommission) then forgets an old key.
#[derive(Clone, Debug)]
pub struct PartnerKeys {
    set: JwkSet,
    signing: usize,
    retired: Vec<Jwk>,
}

/// The shortest `Cache-Control: max-age` itsme® asks for on the partner's JWK Set URI:
/// 30 minutes (`_OIDC/authentication.md`, "Key rotation procedure").
pub const JWKS_MIN_MAX_AGE: core::time::Duration = core::time::Duration::from_secs(1800);

/// The `Cache-Control` value to serve the public JWK Set with: `public, max-age=N`, `N` at
/// least [`JWKS_MIN_MAX_AGE`].
#[must_use]
pub fn jwks_cache_control(max_age: core::time::Duration) -> String {
    format!(
        "public, max-age={}",
        max_age.max(JWKS_MIN_MAX_AGE).as_secs()
    )
}

impl PartnerKeys {
    /// Reads and checks a private JWK Set (the `jwks_private.json` of `zegel jwks generate`).
    ///
    /// # Errors
    /// [`KeysProblem::Invalid`] for a malformed set, or the first rule the keys break.
    pub fn parse(json: &[u8]) -> Result<Self, KeysProblem> {
        let set = JwkSet::parse(json).map_err(KeysProblem::Invalid)?;
        Self::from_set(set)
    }

    /// Checks a private JWK Set: every key RSA, private, with a `kid` of its own and a `use`
    /// of `sig` or `enc`; exactly one `sig` key; at least one `enc` key.
    ///
    /// # Errors
    /// The first rule the keys break.
    pub fn from_set(set: JwkSet) -> Result<Self, KeysProblem> {
        let mut signing = None;
        let mut encryption = 0usize;
        for (index, key) in set.keys().iter().enumerate() {
            if key.key_type() != KeyType::Rsa {
                return Err(KeysProblem::NotRsa { index });
            }
            if !key.is_private() {
                return Err(KeysProblem::NotPrivate { index });
            }
            let kid = key.kid().ok_or(KeysProblem::NoKid { index })?;
            if set.keys()[..index].iter().any(|k| k.kid() == Some(kid)) {
                return Err(KeysProblem::DuplicateKid { index });
            }
            match key.params().use_.as_deref() {
                Some("sig") if signing.is_some() => return Err(KeysProblem::SeveralSigningKeys),
                Some("sig") => signing = Some(index),
                Some("enc") => encryption += 1,
                _ => return Err(KeysProblem::NoUse { index }),
            }
        }
        let signing = signing.ok_or(KeysProblem::NoSigningKey)?;
        if encryption == 0 {
            return Err(KeysProblem::NoEncryptionKey);
        }
        Ok(Self {
            set,
            signing,
            retired: Vec::new(),
        })
    }

    /// Step one of an encryption key rotation: `new` (an RSA private key with `use` `enc` and
    /// a `kid` of its own) replaces the current encryption keys in the published set; they are
    /// retired, still used to decrypt.
    ///
    /// # Errors
    /// The rule `new` breaks ([`KeysProblem::NotRsa`], [`KeysProblem::NotPrivate`],
    /// [`KeysProblem::NoUse`], [`KeysProblem::NoKid`], [`KeysProblem::DuplicateKid`] when the
    /// `kid` is taken by a current or retired key); `index` 1 is the new key.
    pub fn rotate_encryption_key(self, new: Jwk) -> Result<Self, KeysProblem> {
        self.check_new_encryption_key(&new)?;
        let signing = self.signing_key().clone();
        let mut next = Self::from_set(JwkSet::new(vec![signing, new]))?;
        let Self { set, retired, .. } = self;
        next.retired = retired;
        next.retired.extend(
            set.keys()
                .iter()
                .filter(|k| k.params().use_.as_deref() == Some("enc"))
                .cloned(),
        );
        Ok(next)
    }

    /// Last step of an encryption key rotation: forgets the retired key with this `kid`, once
    /// itsme® can no longer encrypt to it (24 hours after the rotation, or the `max-age` the
    /// set was served with).
    ///
    /// # Errors
    /// [`KeysProblem::NotRetired`] when no retired key has this `kid` (a published key is
    /// rotated out first).
    pub fn decommission(mut self, kid: &str) -> Result<Self, KeysProblem> {
        let before = self.retired.len();
        self.retired.retain(|k| k.kid() != Some(kid));
        if self.retired.len() == before {
            return Err(KeysProblem::NotRetired);
        }
        Ok(self)
    }

    /// Adds retired encryption keys (read back from where the caller keeps them after a
    /// rotation), each checked like a key of the set.
    ///
    /// # Errors
    /// As [`rotate_encryption_key`](Self::rotate_encryption_key), for the first key refused.
    pub fn with_retired(
        mut self,
        keys: impl IntoIterator<Item = Jwk>,
    ) -> Result<Self, KeysProblem> {
        for key in keys {
            self.check_new_encryption_key(&key)?;
            self.retired.push(key);
        }
        Ok(self)
    }

    /// Checks a key to add beside this set's: an encryption key that would pass
    /// [`from_set`](Self::from_set) as the set's only one (index 1), with a `kid` no current or
    /// retired key has.
    fn check_new_encryption_key(&self, key: &Jwk) -> Result<(), KeysProblem> {
        if key.params().use_.as_deref() != Some("enc") {
            return Err(KeysProblem::NoUse { index: 1 });
        }
        let taken = self
            .set
            .keys()
            .iter()
            .chain(&self.retired)
            .any(|k| key.kid().is_some() && k.kid() == key.kid());
        if taken {
            return Err(KeysProblem::DuplicateKid { index: 1 });
        }
        Self::from_set(JwkSet::new(vec![self.signing_key().clone(), key.clone()])).map(drop)
    }

    /// The retired encryption keys: no longer published, still used to decrypt.
    #[must_use]
    pub fn retired_keys(&self) -> &[Jwk] {
        &self.retired
    }

    /// The signing key.
    #[must_use]
    pub fn signing_key(&self) -> &Jwk {
        &self.set.keys()[self.signing]
    }

    /// The current (published) encryption keys, in set order.
    pub fn encryption_keys(&self) -> impl Iterator<Item = &Jwk> {
        self.set
            .keys()
            .iter()
            .filter(|k| k.params().use_.as_deref() == Some("enc"))
    }

    /// The encryption key with this `kid`, current or retired, to decrypt a token itsme®
    /// encrypted to it.
    #[must_use]
    pub fn encryption_key(&self, kid: &str) -> Option<&Jwk> {
        self.decryption_keys().find(|k| k.kid() == Some(kid))
    }

    /// Every key a token may be encrypted to: the current encryption keys, then the retired
    /// ones.
    pub fn decryption_keys(&self) -> impl Iterator<Item = &Jwk> {
        self.encryption_keys().chain(&self.retired)
    }

    /// The current private set (without the retired keys).
    #[must_use]
    pub fn set(&self) -> &JwkSet {
        &self.set
    }

    /// The public JWK Set to publish at the partner's JWK Set URI (without the retired keys),
    /// served with [`jwks_cache_control`] (as [`JwksEndpoint`](crate::jwks::JwksEndpoint) does).
    #[must_use]
    pub fn public_set(&self) -> JwkSet {
        self.set.to_public()
    }
}

/// How the client authenticates, with its credentials.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// `private_key_jwt`, with the partner's keys.
    PrivateKeyJwt(PartnerKeys),
    /// `client_secret_post`, with the secret.
    ClientSecretPost(ClientSecret),
    /// `private_key_jwt` with the partner's keys outside the process (an extension of the
    /// configuration contract: `signing_key` and `encryption_keys`, PKCS #11 URIs, instead of
    /// `jwks_private`). The caller opens them and hands them to
    /// [`ItsmeClient::discover_with_keys`](crate::ItsmeClient::discover_with_keys).
    ExternalKeys(KeyUris),
}

/// The PKCS #11 URIs (RFC 7512) of the partner's keys, as the configuration names them; only
/// their `pkcs11:` scheme is checked here (the PKCS #11 layer parses and opens them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUris {
    signing: String,
    encryption: Vec<String>,
}

impl KeyUris {
    /// The `sig` key's URI (`signing_key`).
    #[must_use]
    pub fn signing(&self) -> &str {
        &self.signing
    }

    /// The `enc` keys' URIs (`encryption_keys`, at least one; several during a rotation).
    #[must_use]
    pub fn encryption(&self) -> &[String] {
        &self.encryption
    }
}

impl ClientAuth {
    /// The method.
    #[must_use]
    pub fn method(&self) -> AuthMethod {
        match self {
            Self::PrivateKeyJwt(_) | Self::ExternalKeys(_) => AuthMethod::PrivateKeyJwt,
            Self::ClientSecretPost(_) => AuthMethod::ClientSecretPost,
        }
    }
}

/// A checked itsme® client configuration.
///
/// Loaded with [`Config::load`] (a TOML file) or [`Config::from_toml`]; every value has passed
/// the itsme® rules, so a flow built from it fails only on what the provider or the user does.
#[derive(Clone, Debug)]
pub struct Config {
    environment: Environment,
    client_id: String,
    service_code: String,
    redirect_uri: String,
    auth: ClientAuth,
    scopes: Vec<Scope>,
    id_token_claims: Vec<Claim>,
    userinfo_claims: Vec<Claim>,
    acr: Acr,
    ui_locales: Vec<UiLocale>,
    request_object: RequestObjectMode,
    pkce: bool,
    allow_insecure_loopback: bool,
}

impl Config {
    /// Loads a configuration file: relative paths in it are resolved against its folder, and
    /// the client secret (for `client_secret_post`) is read from the environment.
    ///
    /// # Errors
    /// [`ConfigError::Read`] when the file cannot be read; otherwise as
    /// [`from_toml`](Self::from_toml).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            kind: e.kind(),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::from_toml(&text, base, |name| std::env::var_os(name))
    }

    /// Reads a configuration from TOML text. `base_dir` is the folder relative paths are
    /// resolved against; `env` looks an environment variable up (the client secret's).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first mistake: all unknown keys at once, then the keys
    /// in the order of the contract.
    pub fn from_toml(
        text: &str,
        base_dir: &Path,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, ConfigError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            ConfigError::Syntax {
                line,
                message: e.message().to_owned(),
            }
        })?;
        let mut unknown: Vec<String> = table
            .keys()
            .filter(|k| !KEYS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            unknown.sort();
            return Err(ConfigError::UnknownKeys { keys: unknown });
        }
        let t = Table(&table);

        let allow_insecure_loopback = t.bool("allow_insecure_loopback")?.unwrap_or(false);
        let environment = match (t.str("environment")?, t.str("discovery_url")?) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Conflict {
                    key: "discovery_url",
                    with: "environment",
                });
            }
            (Some(name), None) => {
                Environment::from_name(name).ok_or_else(|| ConfigError::Invalid {
                    key: "environment",
                    problem: ValueProblem::NotAllowed {
                        value: name.to_owned(),
                        allowed: &["e2e", "prd"],
                    },
                })?
            }
            (None, Some(url)) => {
                Environment::discovery(url, allow_insecure_loopback).map_err(|p| {
                    ConfigError::Invalid {
                        key: "discovery_url",
                        problem: ValueProblem::Url(p),
                    }
                })?
            }
            (None, None) => return Err(ConfigError::Missing { key: "environment" }),
        };

        let client_id = t.required_str("client_id")?;
        check_token(client_id, "client_id", |c| {
            c.is_ascii_graphic() || !c.is_ascii()
        })?;
        let service_code = t.required_str("service_code")?;
        // A scope token (RFC 6749 §3.3): %x21 / %x23-5B / %x5D-7E.
        check_token(service_code, "service_code", |c| {
            c.is_ascii_graphic() && c != '"' && c != '\\'
        })?;

        let redirect_uri = t.required_str("redirect_uri")?;
        uri::check_url(redirect_uri, allow_insecure_loopback).map_err(|p| {
            ConfigError::Invalid {
                key: "redirect_uri",
                problem: ValueProblem::Url(p),
            }
        })?;

        let method = t.required_str("auth_method")?;
        let method = AuthMethod::from_name(method).ok_or_else(|| ConfigError::Invalid {
            key: "auth_method",
            problem: ValueProblem::NotAllowed {
                value: method.to_owned(),
                allowed: AuthMethod::NAMES,
            },
        })?;
        let auth = match method {
            AuthMethod::PrivateKeyJwt => {
                if t.0.contains_key("client_secret_env") {
                    return Err(ConfigError::Conflict {
                        key: "client_secret_env",
                        with: "auth_method = \"private_key_jwt\"",
                    });
                }
                if let Some(uris) = key_uris(&t)? {
                    if t.0.contains_key("jwks_private") {
                        return Err(ConfigError::Conflict {
                            key: "jwks_private",
                            with: "signing_key",
                        });
                    }
                    ClientAuth::ExternalKeys(uris)
                } else {
                    let file = t.required_str("jwks_private")?;
                    if file.is_empty() {
                        return Err(ConfigError::Invalid {
                            key: "jwks_private",
                            problem: ValueProblem::Empty,
                        });
                    }
                    let path = base_dir.join(file);
                    let json = Zeroizing::new(std::fs::read(&path).map_err(|e| {
                        ConfigError::PartnerKeys {
                            path: path.clone(),
                            problem: KeysProblem::Read(e.kind()),
                        }
                    })?);
                    let keys = PartnerKeys::parse(&json)
                        .map_err(|problem| ConfigError::PartnerKeys { path, problem })?;
                    ClientAuth::PrivateKeyJwt(keys)
                }
            }
            AuthMethod::ClientSecretPost => {
                for key in ["jwks_private", "signing_key", "encryption_keys"] {
                    if t.0.contains_key(key) {
                        return Err(ConfigError::Conflict {
                            key,
                            with: "auth_method = \"client_secret_post\"",
                        });
                    }
                }
                let variable = t.required_str("client_secret_env")?;
                check_token(variable, "client_secret_env", |c| {
                    c.is_ascii_alphanumeric() || c == '_'
                })?;
                let secret_problem = |problem| ConfigError::SecretVariable {
                    variable: variable.to_owned(),
                    problem,
                };
                let value = env(variable).ok_or_else(|| secret_problem(SecretProblem::Unset))?;
                let value = value
                    .into_string()
                    .map_err(|_| secret_problem(SecretProblem::NotUnicode))?;
                let secret = ClientSecret::new(value);
                if secret.expose_secret().is_empty() {
                    return Err(secret_problem(SecretProblem::Empty));
                }
                ClientAuth::ClientSecretPost(secret)
            }
        };

        let scopes = t.list("scopes", |s| {
            if s == "openid" || s.starts_with("service:") {
                return Err(ValueProblem::AddedAutomatically {
                    value: s.to_owned(),
                });
            }
            Scope::from_name(s).ok_or_else(|| ValueProblem::NotAllowed {
                value: s.to_owned(),
                allowed: Scope::NAMES,
            })
        })?;
        let claim = |s: &str| {
            claims::by_name(s).ok_or_else(|| ValueProblem::UnknownClaim {
                value: s.to_owned(),
            })
        };
        let id_token_claims = t.list("id_token_claims", claim)?;
        let userinfo_claims = t.list("userinfo_claims", claim)?;
        let acr = match t.str("acr")? {
            None => Acr::Basic,
            Some(name) => Acr::from_name(name).ok_or_else(|| ConfigError::Invalid {
                key: "acr",
                problem: ValueProblem::NotAllowed {
                    value: name.to_owned(),
                    allowed: Acr::NAMES,
                },
            })?,
        };
        let ui_locales = t.list("ui_locales", |s| {
            UiLocale::from_name(s).ok_or_else(|| ValueProblem::NotAllowed {
                value: s.to_owned(),
                allowed: UiLocale::NAMES,
            })
        })?;
        let request_object = match t.str("request_object")? {
            None => RequestObjectMode::Request,
            Some(name) => {
                RequestObjectMode::from_name(name).ok_or_else(|| ConfigError::Invalid {
                    key: "request_object",
                    problem: ValueProblem::NotAllowed {
                        value: name.to_owned(),
                        allowed: RequestObjectMode::NAMES,
                    },
                })?
            }
        };
        let pkce = t.bool("pkce")?.unwrap_or(true);

        Ok(Self {
            environment,
            client_id: client_id.to_owned(),
            service_code: service_code.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            auth,
            scopes,
            id_token_claims,
            userinfo_claims,
            acr,
            ui_locales,
            request_object,
            pkce,
            allow_insecure_loopback,
        })
    }

    /// The provider.
    #[must_use]
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The itsme® service code.
    #[must_use]
    pub fn service_code(&self) -> &str {
        &self.service_code
    }

    /// The redirect URI, exactly as configured (itsme® compares it character for character).
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The client authentication and its credentials.
    #[must_use]
    pub fn auth(&self) -> &ClientAuth {
        &self.auth
    }

    /// The scopes asked for besides `openid` and `service:<code>`.
    #[must_use]
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The `scope` parameter: `openid service:<code>`, then the configured scopes.
    #[must_use]
    pub fn scope(&self) -> String {
        let mut scope = format!("openid service:{}", self.service_code);
        for s in &self.scopes {
            scope.push(' ');
            scope.push_str(s.name());
        }
        scope
    }

    /// The claims asked for in the ID token.
    #[must_use]
    pub fn id_token_claims(&self) -> &[Claim] {
        &self.id_token_claims
    }

    /// The claims asked for in the UserInfo response.
    #[must_use]
    pub fn userinfo_claims(&self) -> &[Claim] {
        &self.userinfo_claims
    }

    /// The `claims` request of the configured claims (voluntary, each in its place).
    #[must_use]
    pub fn claims_request(&self) -> ClaimsRequest {
        let request = self
            .id_token_claims
            .iter()
            .fold(ClaimsRequest::new(), |r, c| r.with(c, Location::IdToken));
        self.userinfo_claims
            .iter()
            .fold(request, |r, c| r.with(c, Location::UserInfo))
    }

    /// The authentication level asked for.
    #[must_use]
    pub fn acr(&self) -> Acr {
        self.acr
    }

    /// The sign-in page's languages, by preference.
    #[must_use]
    pub fn ui_locales(&self) -> &[UiLocale] {
        &self.ui_locales
    }

    /// The `ui_locales` parameter (space separated), or `None` when no language is set.
    #[must_use]
    pub fn ui_locales_param(&self) -> Option<String> {
        (!self.ui_locales.is_empty()).then(|| {
            self.ui_locales
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    /// How the authorization request is sent.
    #[must_use]
    pub fn request_object(&self) -> RequestObjectMode {
        self.request_object
    }

    /// Whether PKCE (`S256`) is used; on unless the file says `pkce = false`.
    #[must_use]
    pub fn pkce(&self) -> bool {
        self.pkce
    }

    /// Whether `http` to 127.0.0.1 and `[::1]` is allowed (local tests only).
    #[must_use]
    pub fn allow_insecure_loopback(&self) -> bool {
        self.allow_insecure_loopback
    }
}

/// Checks a non-empty value of allowed characters only.
fn check_token(
    value: &str,
    key: &'static str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::Invalid {
            key,
            problem: ValueProblem::Empty,
        });
    }
    if !value
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && allowed(c))
    {
        return Err(ConfigError::Invalid {
            key,
            problem: ValueProblem::ForbiddenCharacter,
        });
    }
    Ok(())
}

/// `signing_key` and `encryption_keys` (the extension naming keys outside the process), both
/// or neither.
fn key_uris(t: &Table<'_>) -> Result<Option<KeyUris>, ConfigError> {
    let signing = t.str("signing_key")?;
    let read = |s: &str| {
        if !s.starts_with("pkcs11:") {
            Err(ValueProblem::NotPkcs11Uri)
        } else if s.to_ascii_lowercase().contains("pin-value") {
            Err(ValueProblem::PinInUri)
        } else {
            Ok(s.to_owned())
        }
    };
    let encryption = t.list("encryption_keys", read)?;
    match (signing, encryption.is_empty()) {
        (None, true) if !t.0.contains_key("encryption_keys") => Ok(None),
        (None, _) => Err(ConfigError::Missing { key: "signing_key" }),
        (Some(_), true) => Err(ConfigError::Missing {
            key: "encryption_keys",
        }),
        (Some(signing), false) => {
            let signing = read(signing).map_err(|problem| ConfigError::Invalid {
                key: "signing_key",
                problem,
            })?;
            Ok(Some(KeyUris {
                signing,
                encryption,
            }))
        }
    }
}

/// Typed reads of the TOML table, each error naming its key.
struct Table<'a>(&'a toml::Table);

impl Table<'_> {
    fn str(&self, key: &'static str) -> Result<Option<&str>, ConfigError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ConfigError::WrongType {
                key,
                expected: "a string",
            }),
        }
    }

    fn required_str(&self, key: &'static str) -> Result<&str, ConfigError> {
        self.str(key)?.ok_or(ConfigError::Missing { key })
    }

    fn bool(&self, key: &'static str) -> Result<Option<bool>, ConfigError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(_) => Err(ConfigError::WrongType {
                key,
                expected: "a boolean",
            }),
        }
    }

    /// An array of strings, each read by `read`, no value twice.
    fn list<T: PartialEq>(
        &self,
        key: &'static str,
        read: impl Fn(&str) -> Result<T, ValueProblem>,
    ) -> Result<Vec<T>, ConfigError> {
        let wrong_type = ConfigError::WrongType {
            key,
            expected: "an array of strings",
        };
        let items = match self.0.get(key) {
            None => return Ok(Vec::new()),
            Some(toml::Value::Array(items)) => items,
            Some(_) => return Err(wrong_type),
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let s = item.as_str().ok_or_else(|| wrong_type.clone())?;
            let value = read(s).map_err(|problem| ConfigError::Invalid { key, problem })?;
            if out.contains(&value) {
                return Err(ConfigError::Invalid {
                    key,
                    problem: ValueProblem::Duplicate {
                        value: s.to_owned(),
                    },
                });
            }
            out.push(value);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acr_levels_are_ordered() {
        assert!(Acr::Advanced.satisfies(Acr::Basic));
        assert!(Acr::Advanced.satisfies(Acr::Advanced));
        assert!(Acr::Basic.satisfies(Acr::Basic));
        assert!(!Acr::Basic.satisfies(Acr::Advanced));
        assert_eq!(
            Acr::from_uri("http://itsme.services/v2/claim/acr_advanced"),
            Some(Acr::Advanced)
        );
        assert_eq!(Acr::Basic.uri(), "http://itsme.services/v2/claim/acr_basic");
        assert_eq!(Acr::from_uri("acr_advanced"), None);
        assert_eq!(Acr::from_name("advanced"), Some(Acr::Advanced));
        assert_eq!(Acr::from_name("Advanced"), None);
        for acr in [Acr::Basic, Acr::Advanced] {
            assert_eq!(Acr::from_name(acr.name()), Some(acr));
        }
    }

    #[test]
    fn the_login_level_is_the_one_asked_for_or_stronger() {
        let basic = Some("http://itsme.services/v2/claim/acr_basic");
        let advanced = Some("http://itsme.services/v2/claim/acr_advanced");
        assert_eq!(Acr::Basic.check_login(basic), Ok(Acr::Basic));
        assert_eq!(Acr::Basic.check_login(advanced), Ok(Acr::Advanced));
        assert_eq!(Acr::Advanced.check_login(advanced), Ok(Acr::Advanced));
        let weak = Acr::Advanced.check_login(basic).unwrap_err();
        assert_eq!(
            weak,
            ClaimError::AcrTooWeak {
                asked: Acr::Advanced,
                found: Acr::Basic
            }
        );
        assert_eq!(
            weak.to_string(),
            "the login was at the basic level, advanced was asked for"
        );
        assert_eq!(Acr::Basic.check_login(None), Err(ClaimError::MissingAcr));
        assert_eq!(
            Acr::Basic.check_login(Some("acr_basic")),
            Err(ClaimError::UnknownAcr)
        );
        assert_eq!(
            Acr::Basic.check_login(Some("urn:other:loa:high")),
            Err(ClaimError::UnknownAcr)
        );
    }

    #[test]
    fn names_round_trip() {
        for s in Scope::ALL {
            assert_eq!(Scope::from_name(s.name()), Some(*s));
        }
        for l in UiLocale::ALL {
            assert_eq!(UiLocale::from_name(l.name()), Some(*l));
        }
        assert_eq!(
            Scope::NAMES,
            ["profile", "email", "address", "phone", "eid"]
        );
        assert_eq!(UiLocale::NAMES, ["fr", "nl", "de", "en"]);
        assert_eq!(Scope::from_name("openid"), None);
        assert_eq!(UiLocale::from_name("FR"), None);
    }

    #[test]
    fn the_secret_is_never_in_debug() {
        let secret = ClientSecret::new("hunter2-very-secret".to_owned());
        assert_eq!(format!("{secret:?}"), "ClientSecret([redacted])");
        assert_eq!(secret.expose_secret(), "hunter2-very-secret");
        let auth = ClientAuth::ClientSecretPost(secret);
        assert!(!format!("{auth:?}").contains("hunter2"));
    }
}
