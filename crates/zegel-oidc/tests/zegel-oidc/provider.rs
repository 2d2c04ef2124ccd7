//! A small OpenID provider for tests: discovery, JWK Set, authorize (with request objects),
//! token (private_key_jwt, client_secret_post, PKCE), userinfo. It signs its ID tokens with
//! RS256 and encrypts them (RSA-OAEP-256 to the client's key, or `dir` with the client-secret
//! key), and answers UserInfo signed then encrypted. Faults are switched on per test.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use zegel_jose::jwe::{self, Encryptor, Recipient};
use zegel_jose::jwk::KeySpec;
use zegel_jose::jws::{self, JwsHeader, SigningKey};
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::{Claims, Decryption, UnixTime, Validation};
use zegel_oidc::ClientSecret;
use zegel_oidc::clock::Clock;

/// Keys generated once for the whole test binary.
pub(crate) struct Keys {
    pub op_sig1: Jwk,
    pub op_sig2: Jwk,
    pub op_enc: Jwk,
    pub client_sig: Jwk,
    pub client_enc: Jwk,
}

pub(crate) fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = |kid: &str| {
            Jwk::generate(&KeySpec::Rsa { bits: 2048 })
                .unwrap()
                .with_kid(kid)
        };
        Keys {
            op_sig1: rsa("op-sig-1").with_use("sig"),
            op_sig2: rsa("op-sig-2").with_use("sig"),
            op_enc: rsa("op-enc").with_use("enc"),
            client_sig: rsa("rp-sig"),
            client_enc: rsa("rp-enc").with_use("enc"),
        }
    })
}

pub(crate) const SECRET: &str = "a client secret of at least thirty-two bytes";

#[derive(Clone)]
pub(crate) enum RegAuth {
    Key(Box<Jwk>),
    Secret(String),
}

#[derive(Clone)]
pub(crate) struct ClientReg {
    pub auth: RegAuth,
    pub encrypt_to: Option<Jwk>,
}

struct Grant {
    client_id: String,
    nonce: Option<String>,
    challenge: Option<String>,
    redirect_uri: String,
}

/// Switchable misbehaviour.
#[derive(Clone, Default)]
pub(crate) struct Faults {
    pub discovery_body: Option<String>,
    pub delay: Option<Duration>,
    pub jwks_status: Option<u16>,
    pub jwks_body: Option<String>,
    pub huge_discovery: bool,
    /// Sign ID tokens with this key (published or not) instead of the first published one.
    pub sign_with: Option<Jwk>,
}

pub(crate) struct State {
    pub issuer: String,
    pub published: Mutex<Vec<Jwk>>,
    pub clients: Mutex<HashMap<String, ClientReg>>,
    grants: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, String>>,
    pub faults: Mutex<Faults>,
    pub jwks_fetches: AtomicUsize,
    pub token_requests: AtomicUsize,
    pub huge_chunks_sent: AtomicUsize,
    pub user_agents: Mutex<Vec<String>>,
    counter: AtomicU64,
}

pub(crate) struct Provider {
    pub state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl Provider {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            issuer: format!("http://{addr}"),
            published: Mutex::new(vec![keys().op_sig1.clone()]),
            clients: Mutex::new(HashMap::new()),
            grants: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            faults: Mutex::new(Faults::default()),
            jwks_fetches: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
            huge_chunks_sent: AtomicUsize::new(0),
            user_agents: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
        });
        state.clients.lock().unwrap().insert(
            "rp-key".into(),
            ClientReg {
                auth: RegAuth::Key(Box::new(keys().client_sig.to_public().unwrap())),
                encrypt_to: Some(keys().client_enc.to_public().unwrap()),
            },
        );
        state.clients.lock().unwrap().insert(
            "rp-secret".into(),
            ClientReg {
                auth: RegAuth::Secret(SECRET.into()),
                encrypt_to: None,
            },
        );
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let st = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&st), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { state, task }
    }

    pub(crate) fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.state.issuer)
    }

    pub(crate) fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.state.faults.lock().unwrap()
    }

    /// Mints an ID token for `client_id` as the token endpoint would.
    pub(crate) fn mint_id_token(&self, client_id: &str, nonce: &str) -> String {
        self.state.id_token(client_id, "alice", Some(nonce), None)
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn full(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "max-age=300")
        .body(Full::new(body.into()).boxed())
        .unwrap()
}

fn json_response(status: u16, v: &Value) -> Response<Body> {
    full(status, "application/json", v.to_string())
}

fn oauth_error(error: &str) -> Response<Body> {
    json_response(
        400,
        &json!({"error": error, "error_description": "refused by the test provider"}),
    )
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let faults = state.faults.lock().unwrap().clone();
    if let Some(d) = faults.delay {
        tokio::time::sleep(d).await;
    }
    if let Some(ua) = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
    {
        state.user_agents.lock().unwrap().push(ua.to_owned());
    }
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let auth_header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Ok(match path.as_str() {
        "/.well-known/openid-configuration" => {
            if faults.huge_discovery {
                return Ok(huge(Arc::clone(&state)));
            }
            match faults.discovery_body {
                Some(b) => full(200, "application/json", b),
                None => json_response(200, &state.discovery()),
            }
        }
        "/jwks" => {
            state.jwks_fetches.fetch_add(1, Ordering::SeqCst);
            match (faults.jwks_status, faults.jwks_body) {
                (Some(s), _) => full(s, "text/plain", "down"),
                (None, Some(body)) => full(200, "application/json", body),
                (None, None) => json_response(200, &state.jwks()),
            }
        }
        "/authorize" => state.authorize(&query),
        "/token" => {
            state.token_requests.fetch_add(1, Ordering::SeqCst);
            state.token(&body)
        }
        "/userinfo" => state.userinfo(auth_header.as_deref()),
        _ => full(404, "text/plain", "not found"),
    })
}

/// 50 chunks of 1 MiB, produced lazily (counted as they are pulled).
fn huge(state: Arc<State>) -> Response<Body> {
    static MIB: [u8; 1 << 20] = [b' '; 1 << 20];
    let stream = futures_util::stream::iter(0..50).map(move |_| {
        state.huge_chunks_sent.fetch_add(1, Ordering::SeqCst);
        Ok::<_, Infallible>(Frame::data(Bytes::from_static(&MIB)))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(BodyExt::boxed(StreamBody::new(stream)))
        .unwrap()
}

use futures_util::StreamExt;

impl State {
    fn discovery(&self) -> Value {
        let i = &self.issuer;
        json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "userinfo_endpoint": format!("{i}/userinfo"),
            "jwks_uri": format!("{i}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "id_token_encryption_alg_values_supported": ["RSA-OAEP-256", "dir"],
            "id_token_encryption_enc_values_supported": ["A128CBC-HS256"],
            "request_object_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256"],
            "request_object_encryption_enc_values_supported": ["A128CBC-HS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "end_session_endpoint": format!("{i}/logout"),
        })
    }

    fn jwks(&self) -> Value {
        let mut keys: Vec<Value> = self
            .published
            .lock()
            .unwrap()
            .iter()
            .map(|k| Value::Object(k.to_public_object().unwrap()))
            .collect();
        keys.push(Value::Object(keys_enc_public()));
        // A key of a type nobody knows yet: skipped by the client, not fatal.
        keys.push(json!({"kty": "PQC", "kid": "future", "use": "sig"}));
        json!({ "keys": keys })
    }

    fn next(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    fn authorize(&self, query: &str) -> Response<Body> {
        let outer: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let Some(client_id) = outer.get("client_id") else {
            return oauth_error("invalid_request");
        };
        let Some(reg) = self.clients.lock().unwrap().get(client_id).cloned() else {
            return oauth_error("unauthorized_client");
        };
        let params: HashMap<String, String> = match outer.get("request") {
            None => outer.clone(),
            Some(object) => match self.open_request_object(object, client_id, &reg) {
                Some(inner) => {
                    // Core §6.1: the repeated parameters must agree.
                    for name in ["client_id", "response_type", "redirect_uri"] {
                        if inner.get(name) != outer.get(name) {
                            return oauth_error("invalid_request_object");
                        }
                    }
                    inner
                }
                None => return oauth_error("invalid_request_object"),
            },
        };
        if params.get("response_type").map(String::as_str) != Some("code")
            || !params
                .get("scope")
                .is_some_and(|s| s.split(' ').any(|x| x == "openid"))
        {
            return oauth_error("invalid_request");
        }
        let Some(redirect_uri) = params.get("redirect_uri").cloned() else {
            return oauth_error("invalid_request");
        };
        if params.contains_key("code_challenge")
            && params.get("code_challenge_method").map(String::as_str) != Some("S256")
        {
            return oauth_error("invalid_request");
        }
        let code = self.next("code");
        self.grants.lock().unwrap().insert(
            code.clone(),
            Grant {
                client_id: client_id.clone(),
                nonce: params.get("nonce").cloned(),
                challenge: params.get("code_challenge").cloned(),
                redirect_uri: redirect_uri.clone(),
            },
        );
        let mut location = url::Url::parse(&redirect_uri).unwrap();
        location
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair(
                "state",
                params.get("state").map(String::as_str).unwrap_or_default(),
            )
            .append_pair("iss", &self.issuer);
        Response::builder()
            .status(302)
            .header("location", location.as_str())
            .body(Full::new(Bytes::new()).boxed())
            .unwrap()
    }

    fn open_request_object(
        &self,
        object: &str,
        client_id: &str,
        reg: &ClientReg,
    ) -> Option<HashMap<String, String>> {
        let now = UnixTime::from_secs(now());
        let (verify_key, alg) = match &reg.auth {
            RegAuth::Key(k) => ((**k).clone(), &jws::RS256),
            RegAuth::Secret(s) => (
                zegel_oidc::secret_keys::mac_key(&ClientSecret::new(s.clone()), &jws::HS256)
                    .ok()?,
                &jws::HS256,
            ),
        };
        let validation = Validation::new(&[alg])
            .issuer(client_id)
            .audience(&self.issuer)
            .typ("oauth-authz-req+jwt")
            .require(zegel_jwt::Claim::Jti)
            .require(zegel_jwt::Claim::Nbf);
        let verified: zegel_jwt::Verified = if object.matches('.').count() == 4 {
            let decryption = Decryption::new(
                &[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP],
                &[&jwe::A128CBC_HS256],
            );
            zegel_jwt::open(
                object,
                &decryption,
                &validation,
                zegel_jwt::OpenKeys {
                    recipient: &keys().op_enc,
                    issuer: &verify_key,
                },
                now,
            )
            .ok()?
        } else {
            zegel_jwt::verify(object, &verify_key, &validation, now).ok()?
        };
        Some(
            verified
                .claims()
                .extra
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect(),
        )
    }

    fn token(&self, body: &[u8]) -> Response<Body> {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
            return oauth_error("unsupported_grant_type");
        }
        let Some(client_id) = form.get("client_id") else {
            return oauth_error("invalid_client");
        };
        let Some(reg) = self.clients.lock().unwrap().get(client_id).cloned() else {
            return oauth_error("invalid_client");
        };
        let authenticated = match &reg.auth {
            RegAuth::Key(key) => form.get("client_assertion").is_some_and(|a| {
                form.get("client_assertion_type").map(String::as_str)
                    == Some(zegel_oidc::client_auth::JWT_BEARER)
                    && zegel_jwt::verify_as::<Map<String, Value>>(
                        a,
                        &**key,
                        &Validation::new(&[&jws::RS256])
                            .issuer(client_id)
                            .subject(client_id)
                            .audience(format!("{}/token", self.issuer))
                            .require(zegel_jwt::Claim::Jti)
                            // The rotation test runs the client's clock minutes ahead.
                            .leeway(Duration::from_secs(3600)),
                        UnixTime::from_secs(now()),
                    )
                    .is_ok()
            }),
            RegAuth::Secret(s) => form.get("client_secret") == Some(s),
        };
        if !authenticated {
            return json_response(401, &json!({"error": "invalid_client"}));
        }
        let Some(code) = form.get("code") else {
            return oauth_error("invalid_request");
        };
        let Some(grant) = self.grants.lock().unwrap().remove(code) else {
            return oauth_error("invalid_grant");
        };
        if grant.client_id != *client_id || Some(&grant.redirect_uri) != form.get("redirect_uri") {
            return oauth_error("invalid_grant");
        }
        match (&grant.challenge, form.get("code_verifier")) {
            (Some(c), Some(v)) if *c == zegel_oidc::authorize::pkce_challenge(v) => {}
            (None, None) => {}
            _ => return oauth_error("invalid_grant"),
        }
        let access = self.next("access");
        self.tokens
            .lock()
            .unwrap()
            .insert(access.clone(), client_id.clone());
        let id_token = self.id_token(client_id, "alice", grant.nonce.as_deref(), Some(&access));
        json_response(
            200,
            &json!({
                "access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token,
            }),
        )
    }

    fn signing_key(&self) -> Jwk {
        let faults = self.faults.lock().unwrap();
        faults
            .sign_with
            .clone()
            .unwrap_or_else(|| self.published.lock().unwrap()[0].clone())
    }

    pub(crate) fn id_token(
        &self,
        client_id: &str,
        sub: &str,
        nonce: Option<&str>,
        access: Option<&str>,
    ) -> String {
        let now = now();
        let mut extra = Map::new();
        if let Some(n) = nonce {
            extra.insert("nonce".into(), n.into());
        }
        extra.insert("auth_time".into(), now.into());
        if let Some(a) = access {
            extra.insert(
                "at_hash".into(),
                zegel_jwt::hash::at_hash(a, &jws::RS256).into(),
            );
        }
        let claims = Claims::new(extra)
            .with_issuer(&self.issuer)
            .with_subject(sub)
            .with_audience(client_id)
            .with_lifetime(UnixTime::from_secs(now), Duration::from_secs(3600))
            .unwrap();
        let key = self.signing_key();
        let signed =
            zegel_jwt::sign(&claims, &SigningKey::new(&key, &jws::RS256).unwrap()).unwrap();
        self.encrypt_for(client_id, &signed)
    }

    fn encrypt_for(&self, client_id: &str, signed: &str) -> String {
        let reg = self
            .clients
            .lock()
            .unwrap()
            .get(client_id)
            .cloned()
            .unwrap();
        match (&reg.encrypt_to, &reg.auth) {
            (Some(key), _) => zegel_jwt::encrypt_signed(
                signed,
                &Encryptor::new(&jwe::A128CBC_HS256),
                &Recipient::new(key, &jwe::RSA_OAEP_256),
            )
            .unwrap(),
            (None, RegAuth::Secret(s)) => {
                let key = zegel_oidc::secret_keys::encryption_key(
                    &ClientSecret::new(s.clone()),
                    &jwe::DIR,
                    &jwe::A128CBC_HS256,
                )
                .unwrap();
                zegel_jwt::encrypt_signed(
                    signed,
                    &Encryptor::new(&jwe::A128CBC_HS256),
                    &Recipient::new(&key, &jwe::DIR),
                )
                .unwrap()
            }
            (None, RegAuth::Key(_)) => signed.to_owned(),
        }
    }

    fn userinfo(&self, authorization: Option<&str>) -> Response<Body> {
        let Some(token) = authorization.and_then(|a| a.strip_prefix("Bearer ")) else {
            return json_response(401, &json!({"error": "invalid_token"}));
        };
        let Some(client_id) = self.tokens.lock().unwrap().get(token).cloned() else {
            return json_response(401, &json!({"error": "invalid_token"}));
        };
        let claims = json!({"sub": "alice", "email": "alice@example.be", "iss": self.issuer, "aud": client_id});
        if client_id == "rp-secret" {
            return json_response(200, &claims);
        }
        let key = self.signing_key();
        let signed = jws::sign_compact(
            claims.to_string().as_bytes(),
            &SigningKey::new(&key, &jws::RS256).unwrap(),
            &JwsHeader::new().with_kid(key.kid().unwrap()),
        )
        .unwrap();
        full(
            200,
            "application/jwt",
            self.encrypt_for(&client_id, &signed),
        )
    }
}

fn keys_enc_public() -> Map<String, Value> {
    keys().op_enc.to_public_object().unwrap()
}

/// A clock `offset` seconds ahead of the system's.
#[derive(Debug, Default)]
pub(crate) struct OffsetClock(pub AtomicU64);

impl Clock for OffsetClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(now() + self.0.load(Ordering::SeqCst))
    }
}

#[allow(dead_code)]
pub(crate) fn public_set(keys: &[&Jwk]) -> JwkSet {
    JwkSet::new(keys.iter().map(|k| k.to_public().unwrap()).collect())
}
