//! The authorization request (OpenID Connect Core §3.1.2.1, RFC 7636, RFC 9101).
//!
//! [`AuthorizationRequest`] holds what the relying party asks for; [`AuthorizationRequest::build`]
//! draws `state`, `nonce` and the PKCE verifier (256 bits each, from the OS), and returns the
//! URL to send the browser to with the [`PendingLogin`] to keep.
//!
//! - `response_type=code`; `scope` always contains `openid`; PKCE `S256` unless turned off.
//! - The `claims` parameter is typed ([`ClaimsRequest`]).
//! - With a [`RequestObject`], the parameters travel in a signed JWT (`iss` = client_id, `aud`
//!   = the issuer, `client_id`, `iat`, `nbf`, `exp`, `jti`), optionally then encrypted to the
//!   provider, by value (`request`) or by reference (`request_uri`, which the caller hosts).
//!   `client_id`, `response_type`, `scope` and `redirect_uri` are repeated outside, as Core
//!   §6.1 requires.

use core::time::Duration;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::{Url, form_urlencoded};
use zegel_jose::Jwk;
use zegel_jose::jwe::{self, ContentEncryption, KeyManagement};
use zegel_jose::jwk::KeyType;
use zegel_jwt::UnixTime;

use crate::discovery::ProviderMetadata;
use crate::error::Error;
use crate::keys::ClientKey;
use crate::pending::PendingLogin;
use crate::{keys, rand};

/// How long a request object is valid.
pub const REQUEST_OBJECT_LIFETIME: Duration = Duration::from_secs(300);

/// One requested claim (Core §5.5.1): `null` (no member set), or `essential`, `value`,
/// `values`.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// `essential`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<bool>,
    /// `value`: the one value asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `values`: the values asked for, by preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

impl ClaimRequest {
    /// `{"essential": true}`.
    #[must_use]
    pub fn essential() -> Self {
        Self {
            essential: Some(true),
            ..Self::default()
        }
    }

    /// Asks for these values.
    #[must_use]
    pub fn with_values<I: IntoIterator<Item = S>, S: Into<String>>(mut self, values: I) -> Self {
        self.values = Some(
            values
                .into_iter()
                .map(|v| Value::String(v.into()))
                .collect(),
        );
        self
    }

    /// Asks for this one value.
    #[must_use]
    pub fn with_value(mut self, value: impl Into<Value>) -> Self {
        self.value = Some(value.into());
        self
    }
}

/// The `claims` request parameter (Core §5.5): claims asked for in the ID token and from
/// UserInfo. A `None` request serializes as JSON `null` (asked for, default manner).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimsRequest {
    /// Claims for the ID token.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_token: BTreeMap<String, Option<ClaimRequest>>,
    /// Claims for the UserInfo response.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub userinfo: BTreeMap<String, Option<ClaimRequest>>,
}

impl ClaimsRequest {
    /// An empty request.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for `name` in the ID token.
    #[must_use]
    pub fn id_token(mut self, name: impl Into<String>, request: Option<ClaimRequest>) -> Self {
        self.id_token.insert(name.into(), request);
        self
    }

    /// Asks for `name` from UserInfo.
    #[must_use]
    pub fn userinfo(mut self, name: impl Into<String>, request: Option<ClaimRequest>) -> Self {
        self.userinfo.insert(name.into(), request);
        self
    }

    fn is_empty(&self) -> bool {
        self.id_token.is_empty() && self.userinfo.is_empty()
    }
}

/// How a request object is passed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Passing {
    /// In the `request` parameter.
    ByValue,
    /// In the `request_uri` parameter: the caller hosts the object at this URL.
    ByReference(String),
}

/// Encryption of a request object to the provider.
#[derive(Clone, Debug)]
pub struct RequestObjectEncryption {
    key: Jwk,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
}

impl RequestObjectEncryption {
    /// Encrypt to `key` with `alg` and `enc`.
    #[must_use]
    pub fn new(key: Jwk, alg: &'static KeyManagement, enc: &'static ContentEncryption) -> Self {
        Self { key, alg, enc }
    }

    /// The key management algorithm.
    #[must_use]
    pub fn alg(&self) -> &'static KeyManagement {
        self.alg
    }

    /// The content encryption algorithm.
    #[must_use]
    pub fn enc(&self) -> &'static ContentEncryption {
        self.enc
    }
}

/// The key management algorithms for request objects, most preferred first.
pub static REQUEST_OBJECT_ALGS: &[&KeyManagement] = &[
    &jwe::RSA_OAEP_256,
    &jwe::RSA_OAEP,
    &jwe::ECDH_ES_A256KW,
    &jwe::ECDH_ES_A128KW,
    &jwe::ECDH_ES,
];

/// The content encryption algorithms for request objects, most preferred first.
pub static REQUEST_OBJECT_ENCS: &[&ContentEncryption] = &[
    &jwe::A128CBC_HS256,
    &jwe::A256GCM,
    &jwe::A128GCM,
    &jwe::A256CBC_HS512,
];

/// Chooses how to encrypt a request object to the provider: the first `alg` of
/// [`REQUEST_OBJECT_ALGS`] the provider lists and one of its `enc` keys fits (a key's own
/// `alg`, when it has one, must agree: RFC 7517 makes it optional), and the first `enc` of
/// [`REQUEST_OBJECT_ENCS`] it lists.
///
/// # Errors
/// [`Error::Unsupported`] when the provider lists no common algorithm or has no fitting key.
pub fn choose_encryption(
    metadata: &ProviderMetadata,
    provider_keys: &[Jwk],
) -> Result<RequestObjectEncryption, Error> {
    let listed = |list: &Option<Vec<String>>, name: &str| {
        list.as_ref().is_some_and(|l| l.iter().any(|v| v == name))
    };
    let enc = REQUEST_OBJECT_ENCS
        .iter()
        .find(|e| {
            listed(
                &metadata.request_object_encryption_enc_values_supported,
                e.name(),
            )
        })
        .ok_or(Error::Unsupported {
            what: "no request object content encryption in common with the provider",
        })?;
    for alg in REQUEST_OBJECT_ALGS {
        if !listed(
            &metadata.request_object_encryption_alg_values_supported,
            alg.name(),
        ) {
            continue;
        }
        let key = provider_keys.iter().find(|k| {
            k.params().use_.as_deref().is_none_or(|u| u == "enc")
                && k.alg().is_none_or(|a| a == alg.name())
                && k.key_type() != KeyType::Oct
                && alg.fits(k)
        });
        if let Some(key) = key {
            return Ok(RequestObjectEncryption::new(key.clone(), alg, enc));
        }
    }
    Err(Error::Unsupported {
        what: "no provider encryption key fits a request object algorithm in common",
    })
}

/// A request object: signed with the client's key, optionally then encrypted.
#[derive(Clone, Debug)]
pub struct RequestObject {
    key: ClientKey,
    encryption: Option<RequestObjectEncryption>,
    passing: Passing,
}

impl RequestObject {
    /// Signs with `key` (see [`ClientKey::new`] for the algorithm), passed by value, not
    /// encrypted.
    #[must_use]
    pub fn new(key: ClientKey) -> Self {
        Self {
            key,
            encryption: None,
            passing: Passing::ByValue,
        }
    }

    /// Then encrypts (see [`choose_encryption`]).
    #[must_use]
    pub fn with_encryption(mut self, encryption: RequestObjectEncryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// Passes it as `passing` says.
    #[must_use]
    pub fn with_passing(mut self, passing: Passing) -> Self {
        self.passing = passing;
        self
    }

    /// The signed (then encrypted) object for `params`.
    fn make(
        &self,
        mut claims: Map<String, Value>,
        client_id: &str,
        issuer: &str,
        now: UnixTime,
    ) -> Result<String, Error> {
        // The registered claims are set last, so a caller's extra parameter of the same name
        // cannot replace them; the map is serialized once, with no intermediate copy.
        let iat = now.as_secs();
        let exp = now
            .checked_add(REQUEST_OBJECT_LIFETIME)
            .ok_or(zegel_jwt::Error::InvalidClaim { name: "exp" })?
            .as_secs();
        claims.insert("iss".into(), client_id.into());
        claims.insert("aud".into(), issuer.into());
        claims.insert("iat".into(), iat.into());
        claims.insert("nbf".into(), iat.into());
        claims.insert("exp".into(), exp.into());
        claims.insert("jti".into(), zegel_jwt::claims::random_jti()?.into());
        let payload = serde_json::to_vec(&claims).map_err(|_| zegel_jwt::Error::CustomClaims {
            reason: "the request object's parameters do not serialize".into(),
        })?;
        let signed = self.key.sign_payload(&payload, "oauth-authz-req+jwt")?;
        match &self.encryption {
            None => Ok(signed),
            Some(e) => keys::encrypt_jwt(&signed, &e.key, e.alg, e.enc),
        }
    }
}

/// What the relying party asks the provider for.
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    redirect_uri: String,
    scopes: Vec<String>,
    pkce: bool,
    claims: ClaimsRequest,
    acr_values: Vec<String>,
    acr_essential: bool,
    ui_locales: Vec<String>,
    display: Option<String>,
    prompt: Option<String>,
    max_age: Option<Duration>,
    login_hint: Option<String>,
    extra: Vec<(String, String)>,
    request_object: Option<RequestObject>,
}

/// The result of [`AuthorizationRequest::build`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Authorization {
    /// The URL to send the browser to: the authorization endpoint with the request's query
    /// appended (`url::Url::parse` reads it back unchanged).
    pub url: String,
    /// What to keep until the callback.
    pub pending: PendingLogin,
    /// For [`Passing::ByReference`]: the object to serve at the `request_uri`.
    pub request_object: Option<String>,
}

impl AuthorizationRequest {
    /// Asks for `openid` with the code flow and PKCE back to `redirect_uri`.
    #[must_use]
    pub fn new(redirect_uri: impl Into<String>) -> Self {
        Self {
            redirect_uri: redirect_uri.into(),
            scopes: vec!["openid".into()],
            pkce: true,
            claims: ClaimsRequest::new(),
            acr_values: Vec::new(),
            acr_essential: false,
            ui_locales: Vec::new(),
            display: None,
            prompt: None,
            max_age: None,
            login_hint: None,
            extra: Vec::new(),
            request_object: None,
        }
    }

    /// Adds a scope (`openid` is always there).
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
        self
    }

    /// Turns PKCE off (for a provider that refuses it).
    #[must_use]
    pub fn without_pkce(mut self) -> Self {
        self.pkce = false;
        self
    }

    /// The `claims` parameter.
    #[must_use]
    pub fn with_claims(mut self, claims: ClaimsRequest) -> Self {
        self.claims = claims;
        self
    }

    /// `acr_values`; with `essential`, also asks for `acr` as an essential ID token claim
    /// with these values, and the ID token must then carry one of them.
    #[must_use]
    pub fn with_acr_values<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        values: I,
        essential: bool,
    ) -> Self {
        self.acr_values = values.into_iter().map(Into::into).collect();
        self.acr_essential = essential;
        self
    }

    /// `ui_locales`.
    #[must_use]
    pub fn with_ui_locales<I: IntoIterator<Item = S>, S: Into<String>>(mut self, l: I) -> Self {
        self.ui_locales = l.into_iter().map(Into::into).collect();
        self
    }

    /// `display`.
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = Some(display.into());
        self
    }

    /// `prompt`.
    #[must_use]
    pub fn with_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// `max_age`: the ID token must then carry an `auth_time` no older.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// `login_hint`.
    #[must_use]
    pub fn with_login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Another parameter (sent inside the request object when there is one).
    #[must_use]
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Sends the parameters in a request object.
    #[must_use]
    pub fn with_request_object(mut self, request_object: RequestObject) -> Self {
        self.request_object = Some(request_object);
        self
    }

    /// Builds the authorization URL on `authorization_endpoint` for `client_id` of the
    /// provider `issuer`, at `now`.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a malformed endpoint or `redirect_uri`; [`Error::Jose`] /
    /// [`Error::Jwt`] when the request object cannot be signed or encrypted;
    /// [`Error::Jose`] when the OS random generator fails.
    pub fn build(
        &self,
        authorization_endpoint: &str,
        client_id: &str,
        issuer: &str,
        now: UnixTime,
    ) -> Result<Authorization, Error> {
        let endpoint = Url::parse(authorization_endpoint)
            .ok()
            // RFC 6749 §3.1: the endpoint URI MUST NOT include a fragment.
            .filter(|u| u.fragment().is_none())
            .ok_or_else(|| Error::InvalidUrl {
                what: "authorization_endpoint".into(),
            })?;
        Url::parse(&self.redirect_uri).map_err(|_| Error::InvalidUrl {
            what: "redirect_uri".into(),
        })?;
        let [state, nonce, verifier] = rand::random_b64_array::<3>(32)?;
        let verifier = self.pkce.then_some(verifier);
        let scope = self.scopes.join(" ");

        let mut claims = self.claims.clone();
        if self.acr_essential && !self.acr_values.is_empty() {
            claims.id_token.insert(
                "acr".into(),
                Some(ClaimRequest::essential().with_values(self.acr_values.iter().cloned())),
            );
        }

        // Every parameter, in order; the four of Core §6.1 first.
        let mut params: Vec<(&str, Value)> = vec![
            ("response_type", "code".into()),
            ("client_id", client_id.into()),
            ("scope", scope.into()),
            ("redirect_uri", self.redirect_uri.clone().into()),
            ("state", state.clone().into()),
            ("nonce", nonce.clone().into()),
        ];
        if let Some(v) = &verifier {
            params.push(("code_challenge", pkce_challenge(v).into()));
            params.push(("code_challenge_method", "S256".into()));
        }
        if !claims.is_empty() {
            params.push(("claims", serde_json::to_value(&claims).unwrap_or_default()));
        }
        if !self.acr_values.is_empty() {
            params.push(("acr_values", self.acr_values.join(" ").into()));
        }
        if !self.ui_locales.is_empty() {
            params.push(("ui_locales", self.ui_locales.join(" ").into()));
        }
        for (name, value) in [
            ("display", &self.display),
            ("prompt", &self.prompt),
            ("login_hint", &self.login_hint),
        ] {
            if let Some(v) = value {
                params.push((name, v.clone().into()));
            }
        }
        if let Some(max_age) = self.max_age {
            params.push(("max_age", max_age.as_secs().into()));
        }
        for (name, value) in &self.extra {
            params.push((name, value.clone().into()));
        }

        // The query is written straight after the endpoint as form-encoded text, and the URL
        // handed back as text: a `Url` would be parsed again character by character after every
        // change (`set_query` on a 3 KB request object cost about 59k instructions, 2 to 3 % of
        // the whole build; callgrind, `benches/oidc.rs`).
        let mut out = String::with_capacity(endpoint.as_str().len() + 512);
        out.push_str(endpoint.as_str());
        if endpoint.query().is_none() {
            out.push('?');
        }
        let start = out.len() - endpoint.query().map_or(0, str::len);
        let mut request_object = None;
        let mut by_value = None;
        {
            let mut query = form_urlencoded::Serializer::for_suffix(&mut out, start);
            match &self.request_object {
                None => {
                    for (name, value) in &params {
                        query.append_pair(name, &as_param(value));
                    }
                }
                Some(ro) => {
                    for (name, value) in params.iter().take(4) {
                        query.append_pair(name, &as_param(value));
                    }
                    let map: Map<String, Value> =
                        params.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
                    let object = ro.make(map, client_id, issuer, now)?;
                    match &ro.passing {
                        Passing::ByValue => by_value = Some(object),
                        Passing::ByReference(uri) => {
                            query.append_pair("request_uri", uri);
                            request_object = Some(object);
                        }
                    }
                }
            }
        }
        if let Some(object) = &by_value {
            append_token(&mut out, start, "request", object);
        }
        let pending = PendingLogin {
            state,
            nonce,
            code_verifier: verifier,
            redirect_uri: self.redirect_uri.clone(),
            max_age: self.max_age.map(|d| d.as_secs()),
            acr_values: self.acr_values.clone(),
            acr_essential: self.acr_essential,
            created_at: now.as_secs(),
        };
        Ok(Authorization {
            url: out,
            pending,
            request_object,
        })
    }
}

/// Appends `name=token` to the query that starts at `start` in `url`. `token` is a compact
/// serialization zegel wrote (base64url segments joined by dots), which needs no
/// form-encoding: it is copied as it is (a 3 KB request object would otherwise be
/// percent-encoded byte by byte; checking each byte again cost 15k instructions per URL).
fn append_token(url: &mut String, start: usize, name: &'static str, token: &str) {
    debug_assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    );
    if url.len() > start {
        url.push('&');
    }
    url.push_str(name);
    url.push('=');
    url.push_str(token);
}

/// A parameter value as a query string: strings as they are, other JSON compact.
fn as_param(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The PKCE `S256` challenge of `verifier` (RFC 7636 §4.2).
#[must_use]
pub fn pkce_challenge(verifier: &str) -> String {
    zegel_jose::base64url::encode(&zegel_jose::hash::HashAlg::Sha256.digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use zegel_jose::jwk::KeySpec;

    use super::*;

    const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

    /// The query of `url`, which must read back unchanged as a `Url`.
    fn query(url: &str) -> Vec<(String, String)> {
        let parsed = Url::parse(url).unwrap();
        assert_eq!(parsed.as_str(), url);
        parsed
            .query_pairs()
            .map(|(a, b)| (a.into_owned(), b.into_owned()))
            .collect()
    }

    fn get<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
        q.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn tokens_are_appended_verbatim() {
        let append = |url: &str, start: usize, token: &str| {
            let mut url = url.to_owned();
            append_token(&mut url, start, "request", token);
            url
        };
        assert_eq!(
            append("https://op.example/auth?", 24, "eyJh.b-c_d.e"),
            "https://op.example/auth?request=eyJh.b-c_d.e"
        );
        assert_eq!(
            append("https://op.example/auth?x=1", 24, "eyJh.b-c_d.e"),
            "https://op.example/auth?x=1&request=eyJh.b-c_d.e"
        );
    }

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn plain_request() {
        let req = AuthorizationRequest::new("https://rp.example/cb")
            .with_scope("profile")
            .with_scope("openid")
            .with_acr_values(["basic"], true)
            .with_ui_locales(["fr", "nl"])
            .with_max_age(Duration::from_secs(600))
            .with_login_hint("x")
            .with_param("service", "S")
            .with_claims(ClaimsRequest::new().userinfo("email", None));
        let a = req
            .build(
                "https://op.example/auth?x=1",
                "cid",
                "https://op.example",
                NOW,
            )
            .unwrap();
        let q = query(&a.url);
        assert_eq!(get(&q, "x"), Some("1"));
        assert_eq!(get(&q, "response_type"), Some("code"));
        assert_eq!(get(&q, "client_id"), Some("cid"));
        assert_eq!(get(&q, "scope"), Some("openid profile"));
        assert_eq!(get(&q, "redirect_uri"), Some("https://rp.example/cb"));
        assert_eq!(get(&q, "state"), Some(a.pending.state()));
        assert_eq!(get(&q, "nonce"), Some(a.pending.nonce.as_str()));
        assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
        let verifier = a.pending.code_verifier.clone().unwrap();
        assert_eq!(verifier.len(), 43);
        assert_eq!(
            get(&q, "code_challenge"),
            Some(pkce_challenge(&verifier).as_str())
        );
        assert_eq!(get(&q, "acr_values"), Some("basic"));
        assert_eq!(get(&q, "ui_locales"), Some("fr nl"));
        assert_eq!(get(&q, "max_age"), Some("600"));
        assert_eq!(get(&q, "service"), Some("S"));
        assert_eq!(
            get(&q, "claims"),
            Some(
                r#"{"id_token":{"acr":{"essential":true,"values":["basic"]}},"userinfo":{"email":null}}"#
            )
        );
        assert_eq!(a.pending.state().len(), 43);
        assert_eq!(a.pending.created_at(), NOW);
        assert!(a.request_object.is_none());
    }

    #[test]
    fn without_pkce_and_bad_urls() {
        let req = AuthorizationRequest::new("https://rp.example/cb").without_pkce();
        let a = req
            .build("https://op.example/auth", "cid", "https://op.example", NOW)
            .unwrap();
        assert!(get(&query(&a.url), "code_challenge").is_none());
        assert!(a.pending.code_verifier.is_none());
        assert!(matches!(
            req.build("not a url", "cid", "i", NOW),
            Err(Error::InvalidUrl { .. })
        ));
        assert!(matches!(
            AuthorizationRequest::new("relative").build("https://op/a", "c", "i", NOW),
            Err(Error::InvalidUrl { .. })
        ));
        // RFC 6749 §3.1: no fragment on the endpoint (an empty one included).
        for endpoint in ["https://op.example/auth#f", "https://op.example/auth?x=1#"] {
            assert!(
                matches!(
                    req.build(endpoint, "cid", "i", NOW),
                    Err(Error::InvalidUrl { what }) if what == "authorization_endpoint"
                ),
                "{endpoint}"
            );
        }
        // An empty query is kept as the start of the new one.
        let a = req
            .build("https://op.example/auth?", "cid", "i", NOW)
            .unwrap();
        assert!(
            a.url
                .starts_with("https://op.example/auth?response_type=code&client_id=cid&")
        );
        query(&a.url);
    }

    #[test]
    fn signed_and_encrypted_request_objects() {
        let client = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_kid("c1");
        let op = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_use("enc");
        let metadata = ProviderMetadata {
            request_object_encryption_alg_values_supported: Some(vec![
                "RSA-OAEP".into(),
                "RSA-OAEP-256".into(),
            ]),
            request_object_encryption_enc_values_supported: Some(vec![
                "A256GCM".into(),
                "A128CBC-HS256".into(),
            ]),
            ..ProviderMetadata::default()
        };
        let public_op = op.to_public().unwrap();
        let enc = choose_encryption(&metadata, std::slice::from_ref(&public_op)).unwrap();
        assert_eq!(enc.alg().name(), "RSA-OAEP-256");
        assert_eq!(enc.enc().name(), "A128CBC-HS256");

        let ro = RequestObject::new(ClientKey::new(&client).unwrap()).with_encryption(enc);
        let req = AuthorizationRequest::new("https://rp.example/cb").with_request_object(ro);
        let a = req
            .build("https://op.example/auth", "cid", "https://op.example", NOW)
            .unwrap();
        let q = query(&a.url);
        let names: Vec<&str> = q.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "response_type",
                "client_id",
                "scope",
                "redirect_uri",
                "request"
            ]
        );
        let object = get(&q, "request").unwrap();
        assert_eq!(object.matches('.').count(), 4);

        // The provider opens it.
        let decryption = zegel_jwt::Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
        let validation = zegel_jwt::Validation::new(&[&zegel_jose::jws::RS256])
            .issuer("cid")
            .audience("https://op.example")
            .typ("oauth-authz-req+jwt");
        let issuer = client.to_public().unwrap();
        let verified: zegel_jwt::Verified = zegel_jwt::open(
            object,
            &decryption,
            &validation,
            zegel_jwt::OpenKeys {
                recipient: &op,
                issuer: &issuer,
            },
            NOW,
        )
        .unwrap();
        let c = verified.claims();
        assert_eq!(c.extra["client_id"], "cid");
        assert_eq!(c.extra["state"], a.pending.state());
        assert_eq!(c.extra["code_challenge_method"], "S256");
        assert_eq!(c.jti.as_ref().map(String::len), Some(22));
        assert_eq!(c.nbf.map(|n| n.secs()), Some(1_700_000_000));
        assert_eq!(c.exp.map(|n| n.secs()), Some(1_700_000_300));

        // By reference: the object is returned to host, the URL names it.
        let ro = RequestObject::new(ClientKey::new(&client).unwrap())
            .with_passing(Passing::ByReference("https://rp.example/ro/1".into()));
        let a = AuthorizationRequest::new("https://rp.example/cb")
            .with_request_object(ro)
            .build("https://op.example/auth", "cid", "https://op.example", NOW)
            .unwrap();
        assert_eq!(
            get(&query(&a.url), "request_uri"),
            Some("https://rp.example/ro/1")
        );
        assert_eq!(a.request_object.unwrap().matches('.').count(), 2);
    }

    #[test]
    fn encryption_choice_refusals() {
        let op = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_alg("RSA-OAEP");
        let mut metadata = ProviderMetadata {
            request_object_encryption_alg_values_supported: Some(vec!["RSA-OAEP-256".into()]),
            request_object_encryption_enc_values_supported: Some(vec!["A128CBC-HS256".into()]),
            ..ProviderMetadata::default()
        };
        // The only key is bound to another alg.
        assert!(matches!(
            choose_encryption(&metadata, std::slice::from_ref(&op)),
            Err(Error::Unsupported { .. })
        ));
        metadata.request_object_encryption_enc_values_supported = None;
        assert!(matches!(
            choose_encryption(&metadata, &[]),
            Err(Error::Unsupported { .. })
        ));
    }
}
