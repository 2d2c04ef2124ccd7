//! The authorization code flow against the loopback provider: private_key_jwt and
//! client_secret_post, with and without request objects and PKCE; encrypted ID tokens and
//! UserInfo responses.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use zegel_jose::jwe;
use zegel_oidc::authorize::Passing;
use zegel_oidc::client_auth::ClientAuth;
use zegel_oidc::clock::SystemClock;
use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};
use zegel_oidc::{Client, ClientSecret, PendingLogin, Registration, Security};

use crate::provider::{Provider, SECRET, keys};

pub(crate) fn http() -> Arc<HyperClient> {
    Arc::new(HyperClient::new(HttpConfig::new()).unwrap())
}

pub(crate) fn key_registration() -> Registration {
    Registration::new(
        "rp-key",
        "https://rp.example/cb",
        ClientAuth::private_key_jwt(&keys().client_sig).unwrap(),
    )
    .with_decryption_keys(vec![keys().client_enc.clone()])
    .with_id_token_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256)
    .with_userinfo_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256)
    .with_security(Security::AllowInsecureLoopback)
}

pub(crate) fn secret_registration() -> Registration {
    Registration::new(
        "rp-secret",
        "https://rp.example/cb",
        ClientAuth::ClientSecretPost(ClientSecret::new(SECRET)),
    )
    .with_security(Security::AllowInsecureLoopback)
}

/// The browser: follows the authorization URL to the provider, returns the redirect.
pub(crate) async fn browse(http: &dyn HttpClient, url: &str) -> String {
    let r = http
        .send(http::Request::get(url).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "{}", String::from_utf8_lossy(r.body()));
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn login(
    provider: &Provider,
    registration: Registration,
    request_object: Option<bool>,
    pkce: bool,
) {
    let http = http();
    let client = Client::discover_with(
        &provider.discovery_url(),
        registration,
        http.clone(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    assert_eq!(
        client.metadata().other["end_session_endpoint"],
        format!("{}/logout", provider.state.issuer)
    );
    let mut request = client
        .authorization_request()
        .with_scope("email")
        .with_ui_locales(["nl"]);
    if !pkce {
        request = request.without_pkce();
    }
    if let Some(encrypt) = request_object {
        request = request.with_request_object(client.request_object(encrypt).await.unwrap());
    }
    let auth = client.authorization(&request).unwrap();
    let url = url::Url::parse(&auth.url).unwrap();
    assert_eq!(url.as_str(), auth.url, "the URL reads back unchanged");
    let names: Vec<String> = url.query_pairs().map(|(n, _)| n.into_owned()).collect();
    if request_object.is_some() {
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
        let object = url
            .query_pairs()
            .find(|(n, _)| n == "request")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(
            object.matches('.').count(),
            if request_object == Some(true) { 4 } else { 2 }
        );
    } else {
        assert_eq!(names.contains(&"code_challenge".to_owned()), pkce);
    }
    // The pending login survives storage.
    let stored = auth.pending.to_json();
    let pending = PendingLogin::from_json(stored.as_bytes()).unwrap();

    let callback = browse(&*http, &auth.url).await;
    let login = client.complete(pending, &callback).await.unwrap();
    assert_eq!(login.id_token.subject(), "alice");
    assert_eq!(
        login.id_token.claims().iss.as_deref(),
        Some(provider.state.issuer.as_str())
    );
    assert!(login.id_token.claims().extra.contains_key("at_hash"));
    let info = client.userinfo(&login).await.unwrap();
    assert_eq!(info.subject(), "alice");
    assert_eq!(info.claims()["email"], "alice@example.be");
}

#[tokio::test]
async fn private_key_jwt_with_encrypted_request_object_and_pkce() {
    let p = Provider::start().await;
    login(&p, key_registration(), Some(true), true).await;
    assert_eq!(p.state.token_requests.load(Ordering::SeqCst), 1);
    // Discovery's jwks fetch for the request object key, then hits.
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 1);
    let agents = p.state.user_agents.lock().unwrap().clone();
    assert!(agents.len() >= 5, "{agents:?}");
    assert!(
        agents
            .iter()
            .all(|a| *a == format!("zegel/{}", env!("CARGO_PKG_VERSION"))),
        "{agents:?}"
    );
}

#[tokio::test]
async fn private_key_jwt_signed_request_object_without_pkce() {
    let p = Provider::start().await;
    login(&p, key_registration(), Some(false), false).await;
}

#[tokio::test]
async fn private_key_jwt_plain() {
    let p = Provider::start().await;
    login(&p, key_registration(), None, true).await;
}

#[tokio::test]
async fn client_secret_post_with_request_object_and_pkce() {
    let p = Provider::start().await;
    login(&p, secret_registration(), Some(true), true).await;
}

#[tokio::test]
async fn client_secret_post_plain_without_pkce() {
    let p = Provider::start().await;
    login(&p, secret_registration(), None, false).await;
}

#[tokio::test]
async fn request_object_by_reference_is_returned_to_host() {
    let p = Provider::start().await;
    let client = Client::discover_with(
        &p.discovery_url(),
        key_registration(),
        http(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    let ro = client
        .request_object(true)
        .await
        .unwrap()
        .with_passing(Passing::ByReference("https://rp.example/ro/1".into()));
    let auth = client
        .authorization(&client.authorization_request().with_request_object(ro))
        .unwrap();
    assert_eq!(
        url::Url::parse(&auth.url)
            .unwrap()
            .query_pairs()
            .find(|(n, _)| n == "request_uri")
            .unwrap()
            .1,
        "https://rp.example/ro/1"
    );
    assert_eq!(auth.request_object.unwrap().matches('.').count(), 4);
}

#[tokio::test]
async fn the_provider_refuses_a_wrong_pkce_verifier() {
    let p = Provider::start().await;
    let http = http();
    let client = Client::discover_with(
        &p.discovery_url(),
        secret_registration(),
        http.clone(),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    let auth = client
        .authorization(&client.authorization_request())
        .unwrap();
    let callback = browse(&*http, &auth.url).await;
    // Another login's pending state with the same state value is impossible to forge; use a
    // tampered copy whose verifier differs.
    let mut json: serde_json::Value = serde_json::from_str(&auth.pending.to_json()).unwrap();
    json["code_verifier"] = "x".repeat(43).into();
    let tampered = PendingLogin::from_json(json.to_string().as_bytes()).unwrap();
    match client.complete(tampered, &callback).await {
        Err(zegel_oidc::Error::Token { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("{other:?}"),
    }
}
