//! The client side, by hand: keys, the request object, the client assertion, PKCE, HTTP.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use zegel_itsme_provider::{Client, Provider};
use zegel_jose::hash::HashAlg;
use zegel_jose::jwe::{self, Encryptor, Recipient};
use zegel_jose::jwk::KeySpec;
use zegel_jose::jws::{self, SigningKey};
use zegel_jose::{Jwk, JwkSet, base64url};
use zegel_jwt::{Claims, UnixTime};

pub(crate) const CLIENT_ID: &str = "my-client";
pub(crate) const SECRET_CLIENT_ID: &str = "secret-client";
pub(crate) const SECRET: &str = "correct horse battery staple, but longer";
pub(crate) const SERVICE: &str = "MY_SERVICE";
pub(crate) const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A partner's keys: an RSA `sig` key and an RSA `enc` key.
pub(crate) struct PartnerKeys {
    pub(crate) sig: Jwk,
    pub(crate) enc: Jwk,
}

impl PartnerKeys {
    pub(crate) fn generate() -> Self {
        let sig = Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
        let sig = sig
            .clone()
            .with_kid(sig.thumbprint_sha256_b64())
            .with_alg("RS256")
            .with_use("sig");
        let enc = Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
        let enc = enc
            .clone()
            .with_kid(enc.thumbprint_sha256_b64())
            .with_alg("RSA-OAEP-256")
            .with_use("enc");
        Self { sig, enc }
    }

    /// One pair for the whole test binary: RSA key generation is the slow part of a test.
    pub(crate) fn shared() -> &'static Self {
        static KEYS: OnceLock<PartnerKeys> = OnceLock::new();
        KEYS.get_or_init(Self::generate)
    }

    pub(crate) fn public(&self) -> JwkSet {
        JwkSet::new(vec![
            self.sig.to_public().unwrap(),
            self.enc.to_public().unwrap(),
        ])
    }

    pub(crate) fn private(&self) -> JwkSet {
        JwkSet::new(vec![self.sig.clone(), self.enc.clone()])
    }

    pub(crate) fn signer(&self) -> SigningKey {
        SigningKey::new(&self.sig, &jws::RS256).unwrap()
    }
}

/// A provider with a `private_key_jwt` client and a `client_secret_post` client.
pub(crate) async fn provider(keys: &PartnerKeys) -> Provider {
    let (sig, enc) = provider_keys();
    Provider::builder()
        .keys(sig, enc)
        .client(
            Client::private_key_jwt(CLIENT_ID, keys.public())
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .client(
            Client::client_secret_post(SECRET_CLIENT_ID, SECRET)
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .start()
        .await
        .unwrap()
}

/// The provider's keys, generated once for the test binary.
pub(crate) fn provider_keys() -> (Jwk, Jwk) {
    static KEYS: OnceLock<(Jwk, Jwk)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let k = || Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
        (k(), k())
    })
    .clone()
}

pub(crate) fn now() -> UnixTime {
    UnixTime::now().unwrap()
}

/// A PKCE verifier and its S256 challenge.
pub(crate) fn pkce() -> (String, String) {
    let verifier = base64url::encode(&zegel_jose::rand::array::<32>().unwrap());
    let challenge = base64url::encode(&HashAlg::Sha256.digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The authorization parameters of a login.
pub(crate) fn params(challenge: &str) -> Map<String, Value> {
    json!({
        "client_id": CLIENT_ID,
        "response_type": "code",
        "scope": format!("openid profile eid service:{SERVICE}"),
        "redirect_uri": REDIRECT,
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "acr_values": "http://itsme.services/v2/claim/acr_advanced",
        "claims": {
            "id_token": {"http://itsme.services/v2/claim/BENationalNumber": null},
            "userinfo": {"email": null}
        }
    })
    .as_object()
    .unwrap()
    .clone()
}

/// The request object: `params` signed with `signer`, then encrypted to the provider's `enc`
/// key (RSA-OAEP-256, A128CBC-HS256).
pub(crate) fn request_object(
    provider: &Provider,
    signer: &SigningKey,
    params: &Map<String, Value>,
    aud: &str,
) -> String {
    let mut claims = Claims::new(params.clone())
        .with_issuer(CLIENT_ID)
        .with_audience(aud);
    claims = claims
        .with_lifetime(now(), Duration::from_secs(300))
        .unwrap();
    let signed = zegel_jwt::sign(&claims, signer).unwrap();
    encrypt_to_provider(provider, &signed)
}

pub(crate) fn encrypt_to_provider(provider: &Provider, signed: &str) -> String {
    let enc = provider
        .public_jwks()
        .keys()
        .iter()
        .find(|k| k.params().use_.as_deref() == Some("enc"))
        .unwrap();
    zegel_jwt::encrypt_signed(
        signed,
        &Encryptor::new(&jwe::A128CBC_HS256),
        &Recipient::new(enc, &jwe::RSA_OAEP_256),
    )
    .unwrap()
}

/// The authorization URL with a request object and the outer parameters repeated.
pub(crate) fn auth_url(provider: &Provider, params: &Map<String, Value>, request: &str) -> String {
    let mut q = vec![("request".to_owned(), request.to_owned())];
    for name in ["client_id", "response_type", "scope", "redirect_uri"] {
        if let Some(v) = params.get(name).and_then(Value::as_str) {
            q.push((name.to_owned(), v.to_owned()));
        }
    }
    url(&provider.authorization_endpoint(), &q)
}

/// The authorization URL with the plain parameters.
pub(crate) fn plain_url(provider: &Provider, params: &Map<String, Value>) -> String {
    let q: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect();
    url(&provider.authorization_endpoint(), &q)
}

pub(crate) fn url(base: &str, q: &[(String, String)]) -> String {
    let q: Vec<String> = q
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    format!("{base}?{}", q.join("&"))
}

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn dec(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The query of a redirect's `Location`, decoded.
pub(crate) fn redirect_query(resp: &Response) -> HashMap<String, String> {
    assert_eq!(resp.status, 302, "{}", resp.text());
    let location = &resp.headers["location"];
    assert!(location.starts_with(REDIRECT), "{location}");
    let (_, q) = location.split_once('?').unwrap();
    q.split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (dec(k), dec(v))
        })
        .collect()
}

/// A client assertion for the token endpoint.
pub(crate) fn assertion(keys: &PartnerKeys, aud: &str, lifetime: Duration, jti: &str) -> String {
    let claims = Claims::new(Map::new())
        .with_issuer(CLIENT_ID)
        .with_subject(CLIENT_ID)
        .with_audience(aud)
        .with_jti(jti)
        .with_lifetime(now(), lifetime)
        .unwrap();
    zegel_jwt::sign(&claims, &keys.signer()).unwrap()
}

/// A client assertion valid for a minute from `at` (the provider's clock).
pub(crate) fn assertion_at(keys: &PartnerKeys, aud: &str, at: UnixTime, jti: &str) -> String {
    let claims = Claims::new(Map::new())
        .with_issuer(CLIENT_ID)
        .with_subject(CLIENT_ID)
        .with_audience(aud)
        .with_jti(jti)
        .with_lifetime(at, Duration::from_secs(60))
        .unwrap();
    zegel_jwt::sign(&claims, &keys.signer()).unwrap()
}

pub(crate) fn token_form(code: &str, verifier: &str, assertion: &str) -> Vec<(String, String)> {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }
}

/// One HTTP/1.1 request over a new connection.
pub(crate) async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Response {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, _) = rest.split_once('/').unwrap();
    let stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("host", authority);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Response {
        status,
        headers,
        body,
    }
}

pub(crate) async fn get(url: &str) -> Response {
    request("GET", url, &[], Vec::new()).await
}

pub(crate) async fn post_form(url: &str, form: &[(String, String)]) -> Response {
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    request(
        "POST",
        url,
        &[("content-type", "application/x-www-form-urlencoded")],
        body.join("&").into_bytes(),
    )
    .await
}

/// Logs in with a request object: the code and the verifier.
pub(crate) async fn login(provider: &Provider, keys: &PartnerKeys) -> (String, String) {
    let (verifier, challenge) = pkce();
    let p = params(&challenge);
    let url = auth_url(
        provider,
        &p,
        &request_object(provider, &keys.signer(), &p, provider.issuer()),
    );
    let q = redirect_query(&get(&url).await);
    assert_eq!(q["state"], "state-123");
    (q["code"].clone(), verifier)
}

/// Exchanges a code with a fresh client assertion.
pub(crate) async fn exchange(
    provider: &Provider,
    keys: &PartnerKeys,
    code: &str,
    verifier: &str,
) -> Response {
    let a = assertion(
        keys,
        &provider.token_endpoint(),
        Duration::from_secs(60),
        &fresh_jti(),
    );
    post_form(&provider.token_endpoint(), &token_form(code, verifier, &a)).await
}

pub(crate) fn fresh_jti() -> String {
    base64url::encode(&zegel_jose::rand::array::<16>().unwrap())
}
