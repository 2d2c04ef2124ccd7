//! Registered clients (partners), configured in code: `client_id`, service codes, redirect URIs
//! (compared exactly), and how the client authenticates.

use std::fmt;

use zegel_jose::JwkSet;
use zeroize::Zeroizing;

/// Where a `private_key_jwt` client's public keys come from.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub enum ClientKeys {
    /// The public JWK Set, given directly.
    Set(JwkSet),
    /// Its `jwks_uri` (`http://` only: the provider is a local test server), fetched on first
    /// use and then kept.
    Uri(String),
}

/// How a client authenticates at the token endpoint.
#[non_exhaustive]
#[derive(Clone)]
pub enum ClientAuth {
    /// `private_key_jwt`: a client assertion signed with the client's `sig` key; ID tokens and
    /// UserInfo responses are encrypted to its `enc` key.
    PrivateKeyJwt(ClientKeys),
    /// `client_secret_post`: the secret in the form body; ID tokens and UserInfo responses are
    /// encrypted with `dir` and a key derived from the secret (OpenID Connect Core §10.2).
    ClientSecretPost(Zeroizing<String>),
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PrivateKeyJwt(keys) => f.debug_tuple("PrivateKeyJwt").field(keys).finish(),
            Self::ClientSecretPost(_) => f.write_str("ClientSecretPost([redacted])"),
        }
    }
}

/// A registered client.
///
/// ```
/// # use zegel_itsme_provider::Client;
/// # let public_jwks = zegel_jose::JwkSet::new(vec![]);
/// let client = Client::private_key_jwt("my-client", public_jwks)
///     .redirect_uri("http://127.0.0.1:8080/callback")
///     .service("MY_SERVICE");
/// # let _ = client;
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) id: String,
    pub(crate) auth: ClientAuth,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) services: Vec<String>,
    pub(crate) request_object: bool,
    pub(crate) pkce_required: bool,
}

impl Client {
    /// A `private_key_jwt` client with its public JWK Set (one RSA `sig` key, one or more RSA
    /// `enc` keys). It must send the signed-then-encrypted request object.
    #[must_use]
    pub fn private_key_jwt(id: impl Into<String>, public_jwks: JwkSet) -> Self {
        Self::new(
            id,
            ClientAuth::PrivateKeyJwt(ClientKeys::Set(public_jwks)),
            true,
        )
    }

    /// A `private_key_jwt` client whose public JWK Set is served at `jwks_uri` (`http://`).
    #[must_use]
    pub fn private_key_jwt_uri(id: impl Into<String>, jwks_uri: impl Into<String>) -> Self {
        Self::new(
            id,
            ClientAuth::PrivateKeyJwt(ClientKeys::Uri(jwks_uri.into())),
            true,
        )
    }

    /// A `client_secret_post` client. It sends the plain authorization parameters.
    #[must_use]
    pub fn client_secret_post(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self::new(
            id,
            ClientAuth::ClientSecretPost(Zeroizing::new(secret.into())),
            false,
        )
    }

    fn new(id: impl Into<String>, auth: ClientAuth, request_object: bool) -> Self {
        Self {
            id: id.into(),
            auth,
            redirect_uris: Vec::new(),
            services: Vec::new(),
            request_object,
            pkce_required: true,
        }
    }

    /// Registers a redirect URI (compared exactly, as itsme® does).
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Registers a service code (asked for as the scope `service:CODE`).
    #[must_use]
    pub fn service(mut self, code: impl Into<String>) -> Self {
        self.services.push(code.into());
        self
    }

    /// Lets a `private_key_jwt` client send the plain parameters instead of a request object
    /// (`request_object = "none"` in the zegel configuration).
    #[must_use]
    pub fn with_plain_parameters(mut self) -> Self {
        self.request_object = false;
        self
    }

    /// Makes PKCE optional for this client, as for an itsme® client registered without PKCE
    /// enforcement: a login without `code_challenge` is accepted, and its token request must
    /// then carry no `code_verifier` (a downgrade is refused). A `code_challenge`, when sent,
    /// is still checked. By default PKCE (`S256`) is required.
    #[must_use]
    pub fn with_optional_pkce(mut self) -> Self {
        self.pkce_required = false;
        self
    }

    /// The `client_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
}
