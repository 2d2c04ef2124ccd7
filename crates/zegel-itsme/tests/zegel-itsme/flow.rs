//! The itsme® flow against the local itsme®-like provider: the whole login for both client
//! authentication methods, with and without PKCE, request object by value and `none`; and
//! each reject path on a real server.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use zegel_itsme::config::Acr;
use zegel_itsme::pending::SealingKey;
use zegel_itsme::provider_error::ErrorCode;
use zegel_itsme::{Config, FlowError, ItsmeClient, PendingLogin};
use zegel_itsme_provider::{Client, DEMO_NATIONAL_NUMBER, Faults, Provider};
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::UnixTime;
use zegel_oidc::error::{CallbackError, TokenCheck};
use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};

use crate::support::rsa_keys;

const REDIRECT: &str = "http://127.0.0.1:8080/callback";
const SECRET: &str = "a-client-secret-of-at-least-32-bytes-long";

/// The partner's keys: `sig` (key 0) and `enc` (key 1) of the test keys.
fn partner_keys() -> (Jwk, Jwk) {
    let [a, b, _] = rsa_keys();
    (
        a.clone()
            .with_kid("partner-sig")
            .with_use("sig")
            .with_alg("RS256"),
        b.clone().with_kid("partner-enc").with_use("enc"),
    )
}

fn public_set() -> JwkSet {
    let (s, e) = partner_keys();
    JwkSet::new(vec![s.to_public().unwrap(), e.to_public().unwrap()])
}

/// The partner's private JWK Set, written once to a file the configurations name.
fn jwks_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let (s, e) = partner_keys();
        let dir = std::env::temp_dir().join(format!("zegel-itsme-flow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jwks_private.json");
        let set = JwkSet::new(vec![s, e]);
        std::fs::write(&path, set.to_private_json().as_bytes()).unwrap();
        path
    })
}

/// A provider with one client per mode.
async fn provider() -> Provider {
    let [_, b, c] = rsa_keys();
    let client = |c: Client| c.redirect_uri(REDIRECT).service("MY_SERVICE");
    Provider::builder()
        .keys(c.clone(), b.clone())
        .client(client(Client::private_key_jwt("pkjwt", public_set())))
        .client(client(
            Client::private_key_jwt("pkjwt-plain", public_set())
                .with_plain_parameters()
                .with_optional_pkce(),
        ))
        .client(client(Client::client_secret_post("secret", SECRET)))
        .client(client(
            Client::client_secret_post("secret-nopkce", SECRET).with_optional_pkce(),
        ))
        .start()
        .await
        .unwrap()
}

fn config(provider: &Provider, client_id: &str, request_object: &str, pkce: bool) -> Config {
    config_with(provider, client_id, request_object, pkce, "advanced")
}

fn config_with(
    provider: &Provider,
    client_id: &str,
    request_object: &str,
    pkce: bool,
    acr: &str,
) -> Config {
    let auth = if client_id.starts_with("secret") {
        "auth_method = \"client_secret_post\"\nclient_secret_env = \"ITSME_SECRET\"".to_owned()
    } else {
        format!(
            "auth_method = \"private_key_jwt\"\njwks_private = {:?}",
            jwks_file().display().to_string()
        )
    };
    let toml = format!(
        r#"
        discovery_url = "{}"
        client_id = "{client_id}"
        service_code = "MY_SERVICE"
        redirect_uri = "{REDIRECT}"
        {auth}
        scopes = ["profile", "email"]
        id_token_claims = ["family_name", "http://itsme.services/v2/claim/BENationalNumber"]
        acr = "{acr}"
        ui_locales = ["nl"]
        request_object = "{request_object}"
        pkce = {pkce}
        allow_insecure_loopback = true
        "#,
        provider.discovery_url()
    );
    Config::from_toml(&toml, std::path::Path::new("/"), |name| {
        (name == "ITSME_SECRET").then(|| SECRET.into())
    })
    .unwrap()
}

async fn client(
    provider: &Provider,
    client_id: &str,
    request_object: &str,
    pkce: bool,
) -> ItsmeClient {
    ItsmeClient::discover(config(provider, client_id, request_object, pkce))
        .await
        .unwrap()
}

/// The browser: follows the authorization URL to the provider, returns where it is sent back.
async fn browse(url: &str) -> String {
    let http = HyperClient::new(HttpConfig::new()).unwrap();
    let request = http::Request::get(url).body(Vec::new()).unwrap();
    let response = http.send(request).await.unwrap();
    assert!(
        response.status().is_redirection(),
        "{}: {}",
        response.status(),
        String::from_utf8_lossy(response.body())
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    location
}

/// A whole login; returns the identity from the ID token and from UserInfo.
async fn whole_flow(client_id: &str, request_object: &str, pkce: bool) {
    let provider = provider().await;
    let client = client(&provider, client_id, request_object, pkce).await;
    let auth = client.authorization().await.unwrap();
    let query: Vec<(String, String)> = url::Url::parse(&auth.url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let names: Vec<&str> = query.iter().map(|(n, _)| n.as_str()).collect();
    let scope = &query.iter().find(|(n, _)| n == "scope").unwrap().1;
    assert_eq!(scope, "openid service:MY_SERVICE profile email");
    if request_object == "request" {
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
        let request = &query[4].1;
        let jwe = zegel_jose::jwe::UnverifiedJwe::parse(request.as_bytes()).unwrap();
        let h = jwe.protected_header();
        assert_eq!(h["alg"], "RSA-OAEP-256");
        assert_eq!(h["enc"], "A128CBC-HS256");
        assert_eq!(h["cty"], "JWT");
    } else {
        assert!(!names.contains(&"request"));
        for name in ["state", "nonce", "claims", "acr_values", "ui_locales"] {
            assert!(names.contains(&name), "{name}");
        }
        assert_eq!(names.contains(&"code_challenge"), pkce);
    }
    assert_eq!(auth.pending.code_verifier().is_some(), pkce);
    assert_eq!(auth.pending.acr(), Acr::Advanced);

    // The pending login goes through a cookie.
    let key = SealingKey::generate().unwrap();
    let cookie = auth.pending.seal(&key, Duration::from_secs(600)).unwrap();
    assert!(cookie.len() < 1024, "{}", cookie.len());
    let pending = PendingLogin::open(&cookie, &key, UnixTime::now().unwrap()).unwrap();

    let callback = browse(&auth.url).await;
    let login = client.complete(&pending, &callback).await.unwrap();
    let id = login.identity();
    assert_eq!(id.family_name(), Some("Peeters"));
    assert_eq!(id.be_national_number(), Some(DEMO_NATIONAL_NUMBER));
    assert_eq!(login.acr(), Acr::Advanced);
    assert_eq!(login.id_token().alg().name(), "RS256");
    let userinfo = client.userinfo(&login).await.unwrap();
    assert_eq!(userinfo.sub(), id.sub());
    assert_eq!(userinfo.email(), Some("jan.peeters@example.be"));
    let c = provider.counters();
    assert_eq!((c.authorization, c.token, c.userinfo), (1, 1, 1));
}

#[tokio::test]
async fn private_key_jwt_request_object_pkce() {
    whole_flow("pkjwt", "request", true).await;
}

#[tokio::test]
async fn private_key_jwt_plain_parameters_without_pkce() {
    whole_flow("pkjwt-plain", "none", false).await;
}

#[tokio::test]
async fn private_key_jwt_plain_parameters_with_pkce() {
    whole_flow("pkjwt-plain", "none", true).await;
}

#[tokio::test]
async fn client_secret_post_with_pkce() {
    whole_flow("secret", "none", true).await;
}

#[tokio::test]
async fn client_secret_post_without_pkce() {
    whole_flow("secret-nopkce", "none", false).await;
}

/// Starts a login and runs the browser; returns the client, the pending login and the
/// callback URL.
async fn started(provider: &Provider, client_id: &str) -> (ItsmeClient, PendingLogin, String) {
    let request_object = if client_id == "pkjwt" {
        "request"
    } else {
        "none"
    };
    let client = client(provider, client_id, request_object, true).await;
    let auth = client.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    (client, auth.pending, callback)
}

#[tokio::test]
async fn a_replayed_code_is_refused_by_the_provider() {
    let provider = provider().await;
    let (client, pending, callback) = started(&provider, "pkjwt").await;
    client.complete(&pending, &callback).await.unwrap();
    let e = client.complete(&pending, &callback).await.unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Token {
                code: ErrorCode::InvalidGrant
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.provider_code(), Some(ErrorCode::InvalidGrant));
    assert!(e.to_string().contains("invalid_grant"), "{e}");
    assert_eq!(provider.counters().token, 2);
}

fn with_state(callback: &str, state: Option<&str>) -> String {
    let mut url = url::Url::parse(callback).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(n, _)| n != "state")
        .collect();
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        for (n, v) in &pairs {
            q.append_pair(n, v);
        }
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url.into()
}

#[tokio::test]
async fn a_swapped_or_missing_state_makes_no_request() {
    let provider = provider().await;
    let (client, pending, callback) = started(&provider, "pkjwt").await;
    let e = client
        .complete(&pending, &with_state(&callback, Some("another-state")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Oidc(zegel_oidc::Error::Callback(CallbackError::StateMismatch))
        ),
        "{e:?}"
    );
    let e = client
        .complete(&pending, &with_state(&callback, None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Oidc(zegel_oidc::Error::Callback(CallbackError::MissingState))
        ),
        "{e:?}"
    );
    // The same check with no client at all (a command line starting cold).
    assert!(zegel_itsme::flow::check_state(&pending, &callback).is_ok());
    let e =
        zegel_itsme::flow::check_state(&pending, &with_state(&callback, Some("x"))).unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Oidc(zegel_oidc::Error::Callback(CallbackError::StateMismatch))
        ),
        "{e:?}"
    );
    // A login started in another browser: its callback does not match this pending login.
    let (_, other_pending, _) = started(&provider, "pkjwt").await;
    let e = client
        .complete(&other_pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "oidc.callback");
    assert_eq!(provider.counters().token, 0);
    // The right one still works.
    client.complete(&pending, &callback).await.unwrap();
}

#[tokio::test]
async fn an_error_callback_is_typed() {
    let provider = provider().await;
    provider.deny_next();
    let client = client(&provider, "pkjwt", "request", true).await;
    let auth = client.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    let e = client.complete(&auth.pending, &callback).await.unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Provider {
                code: ErrorCode::AccessDenied
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.code(), "itsme.flow.provider_error");
    assert!(e.to_string().contains("access_denied"), "{e}");
    assert_eq!(provider.counters().token, 0);
}

/// The login with `faults` set on the provider fails with `check`.
async fn refused(client_id: &str, faults: Faults, check: impl Fn(&FlowError) -> bool) {
    let provider = provider().await;
    let (client, pending, callback) = started(&provider, client_id).await;
    provider.set_faults(faults);
    let e = client.complete(&pending, &callback).await.unwrap_err();
    assert!(check(&e), "{client_id}: {e:?}");
}

fn check_is(e: &FlowError, want: TokenCheck) -> bool {
    matches!(e, FlowError::IdToken(zegel_oidc::Error::Check(c)) if *c == want)
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            audience: Some("another-client".into()),
            ..Faults::default()
        };
        refused(client, faults, |e| {
            matches!(e, FlowError::IdToken(zegel_oidc::Error::Jwt(zegel_jwt::Error::WrongAudience { found, .. })) if found == &["another-client"])
        })
        .await;
    }
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            issuer: Some("https://idp.e2e.itsme.services/v2".into()),
            ..Faults::default()
        };
        refused(client, faults, |e| {
            matches!(e, FlowError::IdToken(zegel_oidc::Error::Jwt(zegel_jwt::Error::WrongIssuer { found, .. })) if found == "https://idp.e2e.itsme.services/v2")
        })
        .await;
    }
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            expired_id_token: true,
            ..Faults::default()
        };
        refused(client, faults, |e| {
            matches!(e, FlowError::IdToken(_)) && e.code() == "jwt.expired"
        })
        .await;
    }
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            nonce: Some("another-nonce".into()),
            ..Faults::default()
        };
        refused(client, faults, |e| check_is(e, TokenCheck::WrongNonce)).await;
    }
}

#[tokio::test]
async fn an_id_token_signed_by_another_key_under_the_providers_kid_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            wrong_signing_key: true,
            ..Faults::default()
        };
        refused(client, faults, |e| {
            matches!(e, FlowError::IdToken(_)) && e.code() == "jose.invalid_signature"
        })
        .await;
    }
}

#[tokio::test]
async fn an_unsigned_id_token_inside_the_jwe_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            alg_none: true,
            ..Faults::default()
        };
        refused(client, faults, |e| {
            matches!(e, FlowError::IdToken(zegel_oidc::Error::Jose(zegel_jose::Error::UnknownAlgorithm { name })) if name == "none")
        })
        .await;
    }
}

#[tokio::test]
async fn an_id_token_not_encrypted_is_refused() {
    for client in ["pkjwt", "secret"] {
        let faults = Faults {
            unencrypted: true,
            ..Faults::default()
        };
        refused(client, faults, |e| check_is(e, TokenCheck::NotEncrypted)).await;
    }
}

/// A clock an hour behind.
#[derive(Debug)]
struct Late;

impl zegel_oidc::clock::Clock for Late {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(UnixTime::now().unwrap().as_secs() - 3600)
    }
}

#[tokio::test]
async fn an_expired_client_assertion_is_refused_by_the_provider() {
    let provider = provider().await;
    let (_, pending, callback) = started(&provider, "pkjwt").await;
    let http = Arc::new(HyperClient::new(HttpConfig::new()).unwrap());
    let late = ItsmeClient::discover_with(
        config(&provider, "pkjwt", "request", true),
        http,
        Arc::new(Late),
    )
    .await
    .unwrap();
    // The pending login says it was made an hour from now: the late client's clock would
    // refuse it, so make one at its time with the same one-time values.
    let pending = PendingLogin::new(
        pending.state().into(),
        pending.nonce().into(),
        pending.code_verifier().map(Into::into),
        pending.redirect_uri().into(),
        pending.acr(),
        zegel_oidc::clock::Clock::now(&Late),
    );
    let e = late.complete(&pending, &callback).await.unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Token {
                code: ErrorCode::InvalidClient
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_pending_login_cookie_expired_tampered_or_under_another_key_is_refused() {
    let provider = provider().await;
    let client = client(&provider, "pkjwt", "request", true).await;
    let auth = client.authorization().await.unwrap();
    let key = SealingKey::generate().unwrap();
    let now = UnixTime::now().unwrap();
    let cookie = auth.pending.seal(&key, Duration::from_secs(600)).unwrap();
    assert!(PendingLogin::open(&cookie, &key, now).is_ok());
    let later = UnixTime::from_secs(now.as_secs() + 601);
    assert_eq!(
        PendingLogin::open(&cookie, &key, later).unwrap_err().code(),
        "itsme.pending.expired"
    );
    let other = SealingKey::generate().unwrap();
    assert_eq!(
        PendingLogin::open(&cookie, &other, now).unwrap_err().code(),
        "itsme.pending.invalid"
    );
    let mut tampered = cookie.into_bytes();
    let i = tampered.len() - 30;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        PendingLogin::open(&tampered, &key, now).unwrap_err().code(),
        "itsme.pending.invalid"
    );
}

#[tokio::test]
async fn decryption_keys_are_chosen_by_kid_during_a_rotation() {
    let (sig, old) = partner_keys();
    let new = Jwk::generate(&zegel_jose::jwk::KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("partner-enc-2")
        .with_use("enc");
    let dir = std::env::temp_dir().join(format!("zegel-itsme-rotation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let both = JwkSet::new(vec![sig.clone(), old.clone(), new.clone()]);
    std::fs::write(dir.join("keys.json"), both.to_private_json().as_bytes()).unwrap();
    // itsme® encrypts to the key it has (the first enc key of the set it knows): the old one
    // before the rotation reaches it, the new one after.
    for (registered, kid) in [(&old, "partner-enc"), (&new, "partner-enc-2")] {
        let [_, b, c] = rsa_keys();
        let public = JwkSet::new(vec![
            sig.to_public().unwrap(),
            registered.to_public().unwrap(),
        ]);
        let provider = Provider::builder()
            .keys(c.clone(), b.clone())
            .client(
                Client::private_key_jwt("pkjwt", public)
                    .redirect_uri(REDIRECT)
                    .service("MY_SERVICE"),
            )
            .start()
            .await
            .unwrap();
        let toml = format!(
            "discovery_url = \"{}\"\nclient_id = \"pkjwt\"\nservice_code = \"MY_SERVICE\"\n\
             redirect_uri = \"{REDIRECT}\"\nauth_method = \"private_key_jwt\"\n\
             jwks_private = \"keys.json\"\nallow_insecure_loopback = true\n",
            provider.discovery_url()
        );
        let config = Config::from_toml(&toml, &dir, |_| None).unwrap();
        let client = ItsmeClient::discover(config).await.unwrap();
        let auth = client.authorization().await.unwrap();
        let callback = browse(&auth.url).await;
        let login = client.complete(&auth.pending, &callback).await.unwrap();
        assert!(login.identity().sub().is_some());
        let id_token = login.tokens().id_token().unwrap();
        let jwe = zegel_jose::jwe::UnverifiedJwe::parse(id_token.as_bytes()).unwrap();
        assert_eq!(jwe.protected_header()["kid"], kid);
        // UserInfo too.
        client.userinfo(&login).await.unwrap();
    }
    // A key the partner no longer has: refused.
    let [_, b, c] = rsa_keys();
    let gone = Jwk::generate(&zegel_jose::jwk::KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("partner-enc-0")
        .with_use("enc");
    let provider = Provider::builder()
        .keys(c.clone(), b.clone())
        .client(
            Client::private_key_jwt(
                "pkjwt",
                JwkSet::new(vec![sig.to_public().unwrap(), gone.to_public().unwrap()]),
            )
            .redirect_uri(REDIRECT)
            .service("MY_SERVICE"),
        )
        .start()
        .await
        .unwrap();
    let toml = format!(
        "discovery_url = \"{}\"\nclient_id = \"pkjwt\"\nservice_code = \"MY_SERVICE\"\n\
         redirect_uri = \"{REDIRECT}\"\nauth_method = \"private_key_jwt\"\n\
         jwks_private = \"keys.json\"\nallow_insecure_loopback = true\n",
        provider.discovery_url()
    );
    let client = ItsmeClient::discover(Config::from_toml(&toml, &dir, |_| None).unwrap())
        .await
        .unwrap();
    let auth = client.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    let e = client.complete(&auth.pending, &callback).await.unwrap_err();
    assert!(matches!(e, FlowError::IdToken(_)), "{e:?}");
    assert_eq!(e.code(), "jose.unknown_kid");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_userinfo_response_not_encrypted_or_forged_is_refused() {
    for (faults, code) in [
        (
            Faults {
                unencrypted: true,
                ..Faults::default()
            },
            "oidc.check",
        ),
        (
            Faults {
                wrong_signing_key: true,
                ..Faults::default()
            },
            "jose.invalid_signature",
        ),
    ] {
        let provider = provider().await;
        let (client, pending, callback) = started(&provider, "pkjwt").await;
        let login = client.complete(&pending, &callback).await.unwrap();
        provider.set_faults(faults);
        let e = client.userinfo(&login).await.unwrap_err();
        assert!(matches!(e, FlowError::UserInfo(_)), "{e:?}");
        assert_eq!(e.code(), code);
        assert!(
            e.to_string()
                .starts_with("the UserInfo response is refused: "),
            "{e}"
        );
    }
}

#[tokio::test]
async fn keys_outside_the_process_sign_and_decrypt() {
    use zegel_itsme::ExternalKeys;
    use zegel_jose::jwe::Decrypter;
    use zegel_jose::jws::{Signer, SigningKey};
    // The keys itsme® knows live "in an HSM"; the configuration's file holds other keys.
    let spec = zegel_jose::jwk::KeySpec::Rsa { bits: 2048 };
    let sig = Jwk::generate(&spec)
        .unwrap()
        .with_kid("hsm-sig")
        .with_use("sig");
    let enc = Jwk::generate(&spec)
        .unwrap()
        .with_kid("hsm-enc")
        .with_use("enc");
    let [_, b, c] = rsa_keys();
    let public = JwkSet::new(vec![sig.to_public().unwrap(), enc.to_public().unwrap()]);
    let provider = Provider::builder()
        .keys(c.clone(), b.clone())
        .client(
            Client::private_key_jwt("pkjwt", public)
                .redirect_uri(REDIRECT)
                .service("MY_SERVICE"),
        )
        .start()
        .await
        .unwrap();
    let signer: Arc<dyn Signer> = Arc::new(SigningKey::new(&sig, &zegel_jose::jws::RS256).unwrap());
    let decrypter: Arc<dyn Decrypter> = Arc::new(enc.clone());
    let external = ExternalKeys::new(signer.clone(), vec![decrypter]);
    let http = || Arc::new(HyperClient::new(HttpConfig::new()).unwrap());
    let clock = || Arc::new(zegel_oidc::clock::SystemClock);
    let client = ItsmeClient::discover_with_keys(
        config(&provider, "pkjwt", "request", true),
        Some(external.clone()),
        http(),
        clock(),
    )
    .await
    .unwrap();
    let auth = client.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    let login = client.complete(&auth.pending, &callback).await.unwrap();
    assert_eq!(login.identity().family_name(), Some("Peeters"));
    client.userinfo(&login).await.unwrap();
    // A decrypter under another kid: the ID token names one the partner does not hold.
    let renamed: Arc<dyn Decrypter> = Arc::new(enc.with_kid("hsm-enc-old"));
    let client = ItsmeClient::discover_with_keys(
        config(&provider, "pkjwt", "request", true),
        Some(ExternalKeys::new(signer, vec![renamed])),
        http(),
        clock(),
    )
    .await
    .unwrap();
    let auth = client.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    let e = client.complete(&auth.pending, &callback).await.unwrap_err();
    assert!(matches!(e, FlowError::IdToken(_)), "{e:?}");
    assert_eq!(e.code(), "jose.unknown_kid");
    // With the file's keys, itsme® refuses the request object (signed by a key it does not
    // know).
    let file_keys = client_with_file_keys(&provider).await;
    let auth = file_keys.authorization().await.unwrap();
    let back = browse(&auth.url).await;
    assert!(back.contains("error=invalid_request_object"), "{back}");
    // A client-secret configuration takes no external keys.
    let e = ItsmeClient::discover_with_keys(
        config(&provider, "secret", "none", true),
        Some(external.clone()),
        http(),
        clock(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "oidc.unsupported");
    // A configuration naming its keys by PKCS #11 URIs needs them opened and handed over.
    let toml = format!(
        r#"
        discovery_url = "{}"
        client_id = "pkjwt"
        service_code = "MY_SERVICE"
        redirect_uri = "{REDIRECT}"
        auth_method = "private_key_jwt"
        signing_key = "pkcs11:token=t;object=sig"
        encryption_keys = ["pkcs11:token=t;object=enc"]
        allow_insecure_loopback = true
        "#,
        provider.discovery_url()
    );
    let uris = Config::from_toml(&toml, std::path::Path::new("/"), |_| None).unwrap();
    let e = ItsmeClient::discover_with(uris.clone(), http(), clock())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "oidc.unsupported");
    assert_eq!(
        e.to_string(),
        "unsupported: keys named by PKCS #11 URIs without the keys opened (discover_with_keys)"
    );
    // With the keys handed over, it discovers.
    ItsmeClient::discover_with_keys(uris, Some(external), http(), clock())
        .await
        .unwrap();
}

async fn client_with_file_keys(provider: &Provider) -> ItsmeClient {
    client(provider, "pkjwt", "request", true).await
}

#[tokio::test]
async fn the_acr_must_be_the_one_asked_or_stronger() {
    let provider = provider().await;
    // Asked for basic, and itsme® answers basic: a pending login that says advanced (as if the
    // level had been raised after the request) refuses it.
    let basic = ItsmeClient::discover(config_with(&provider, "pkjwt", "request", true, "basic"))
        .await
        .unwrap();
    let auth = basic.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    let p = &auth.pending;
    let raised = PendingLogin::new(
        p.state().into(),
        p.nonce().into(),
        p.code_verifier().map(Into::into),
        p.redirect_uri().into(),
        Acr::Advanced,
        p.created_at(),
    );
    let e = basic.complete(&raised, &callback).await.unwrap_err();
    assert!(
        matches!(
            e,
            FlowError::Claim(zegel_itsme::error::ClaimError::AcrTooWeak {
                asked: Acr::Advanced,
                found: Acr::Basic
            })
        ),
        "{e:?}"
    );
    // Asked for advanced, and a pending login that says basic: the stronger level is accepted.
    let advanced = client(&provider, "pkjwt", "request", true).await;
    let auth = advanced.authorization().await.unwrap();
    let callback = browse(&auth.url).await;
    let p = &auth.pending;
    let lowered = PendingLogin::new(
        p.state().into(),
        p.nonce().into(),
        p.code_verifier().map(Into::into),
        p.redirect_uri().into(),
        Acr::Basic,
        p.created_at(),
    );
    let login = advanced.complete(&lowered, &callback).await.unwrap();
    assert_eq!(login.acr(), Acr::Advanced);
}

#[tokio::test]
async fn the_id_picture_is_fetched_with_the_access_token_from_itsme_only() {
    let provider = provider().await;
    let (client, pending, callback) = started(&provider, "pkjwt").await;
    let login = client.complete(&pending, &callback).await.unwrap();
    let userinfo = client.userinfo(&login).await.unwrap();
    assert_eq!(
        userinfo.picture(),
        Some(format!("{}/picture", provider.issuer()).as_str())
    );
    let picture = client.picture(&login, &userinfo).await.unwrap();
    assert_eq!(picture.content_type, "image/png");
    assert_eq!(&picture.bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(format!("{picture:?}").contains("len"));
    // No `picture` claim (the ID token asked for none): refused without a request.
    let e = client.picture(&login, login.identity()).await.unwrap_err();
    assert_eq!(e.code(), "oidc.invalid_member");
    // A picture URL outside itsme®'s origin never gets the access token.
    let mut claims = userinfo.as_map().clone();
    claims.insert("picture".into(), "http://127.0.0.1:1/picture".into());
    let elsewhere = zegel_itsme::Identity::from_claims(claims).unwrap();
    let e = client.picture(&login, &elsewhere).await.unwrap_err();
    assert_eq!(e.code(), "oidc.invalid_url");
}
