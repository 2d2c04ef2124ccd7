//! The fault list: slow, down, erroring then recovering, lying providers, rotation, a race of
//! 100 validations on one unknown kid, and refused callbacks that make no request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use zegel_oidc::clock::SystemClock;
use zegel_oidc::error::CallbackError;
use zegel_oidc::http::{HttpConfig, HyperClient};
use zegel_oidc::id_token::{Expected, IdTokenValidator};
use zegel_oidc::jwks::{CachePolicy, JwksCache};
use zegel_oidc::{Client, Error, Security, discover};

use crate::flow::{browse, http, key_registration, secret_registration};
use crate::provider::{OffsetClock, Provider, keys};

const LOOPBACK: Security = Security::AllowInsecureLoopback;

#[tokio::test]
async fn slow_provider_hits_the_total_timeout() {
    let p = Provider::start().await;
    p.faults().delay = Some(Duration::from_secs(5));
    let http =
        HyperClient::new(HttpConfig::new().with_timeout(Duration::from_millis(300))).unwrap();
    let start = Instant::now();
    let e = discover(&http, &p.discovery_url(), LOOPBACK)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Timeout { url, limit } if *url == p.discovery_url() && *limit == Duration::from_millis(300)),
        "{e:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(
        e.to_string(),
        format!("{} did not answer within 300 ms", p.discovery_url())
    );
}

#[tokio::test]
async fn provider_down_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    let e = discover(&*http(), &url, LOOPBACK).await.unwrap_err();
    assert!(
        matches!(&e, Error::Connect { url: u, .. } if *u == url),
        "{e:?}"
    );
    assert!(e.is_unavailable());
}

#[tokio::test]
async fn lying_providers() {
    let p = Provider::start().await;
    let http = http();
    let url = p.discovery_url();
    let good = serde_json::to_string(&serde_json::json!({
        "issuer": p.state.issuer, "jwks_uri": format!("{}/jwks", p.state.issuer),
        "response_types_supported": ["code"],
    }))
    .unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            good.replace(&p.state.issuer.clone(), "http://127.0.0.1:1"),
            "oidc.wrong_issuer",
        ),
        ("{\"issuer\":".into(), "oidc.json"),
        (
            good.replacen('{', &format!("{{\"issuer\":\"{}\",", p.state.issuer), 1),
            "oidc.json",
        ),
        (
            good.replace(
                "/jwks",
                "/jwks\",\"token_endpoint\":\"http://op.example/token",
            ),
            "oidc.insecure_url",
        ),
        (
            good.replace("[\"code\"]", "[\"token\"]"),
            "oidc.invalid_member",
        ),
    ];
    for (body, code) in cases {
        p.faults().discovery_body = Some(body.clone());
        let e = discover(&*http, &url, LOOPBACK).await.unwrap_err();
        assert_eq!(e.code(), code, "{body}: {e}");
    }
    p.faults().discovery_body = Some(good);
    assert!(discover(&*http, &url, LOOPBACK).await.is_ok());
    // An http provider without the opt-in.
    assert_eq!(
        discover(&*http, &url, Security::HttpsOnly)
            .await
            .unwrap_err()
            .code(),
        "oidc.insecure_url"
    );
}

#[tokio::test]
async fn a_50_mb_body_is_refused_at_the_cap() {
    let p = Provider::start().await;
    p.faults().huge_discovery = true;
    let start = Instant::now();
    let e = discover(&*http(), &p.discovery_url(), LOOPBACK)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::TooLarge { limit, .. } if *limit == 1024 * 1024),
        "{e:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    // Only a few of the 50 chunks were ever produced.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = p.state.huge_chunks_sent.load(Ordering::SeqCst);
    assert!(sent < 10, "{sent} chunks");
}

#[tokio::test]
async fn an_announced_large_body_is_refused_before_reading() {
    let p = Provider::start().await;
    p.faults().discovery_body = Some(" ".repeat(2 << 20));
    let small = HyperClient::new(HttpConfig::new().with_max_body(1000)).unwrap();
    let e = discover(&small, &p.discovery_url(), LOOPBACK)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the response of {} is larger than 1000 bytes",
            p.discovery_url()
        )
    );
}

fn cache(p: &Provider, clock: Arc<OffsetClock>, failures: Arc<AtomicUsize>) -> JwksCache {
    JwksCache::with_hook(
        url::Url::parse(&format!("{}/jwks", p.state.issuer)).unwrap(),
        http(),
        clock,
        CachePolicy::new(),
        Some(Arc::new(move |_: &Error| {
            failures.fetch_add(1, Ordering::SeqCst);
        })),
    )
}

#[tokio::test]
async fn erroring_then_recovering_serves_the_stale_set() {
    let p = Provider::start().await;
    let clock = Arc::new(OffsetClock::default());
    let failures = Arc::new(AtomicUsize::new(0));
    let cache = cache(&p, Arc::clone(&clock), Arc::clone(&failures));
    let first = cache.keys_for(Some("op-sig-1")).await.unwrap();
    assert!(first.has_kid("op-sig-1"));
    assert_eq!(
        first.skipped().len(),
        1,
        "the PQC key is skipped with a note"
    );
    p.faults().jwks_status = Some(500);
    clock.0.store(301, Ordering::SeqCst);
    let stale = cache.keys_for(Some("op-sig-1")).await.unwrap();
    assert!(stale.has_kid("op-sig-1"));
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 2);
    assert_eq!(failures.load(Ordering::SeqCst), 1);
    // Down: a token check meanwhile still succeeds.
    let token = p.mint_id_token("rp-key", "N");
    let v = IdTokenValidator::new(&p.state.issuer, "rp-key");
    let opened = v.open(&token, &[keys().client_enc.clone()], None).unwrap();
    let keys = cache.keys_for(opened.kid()).await.unwrap();
    assert!(
        opened
            .validate(
                &v,
                &*keys,
                None,
                &Expected::new("N"),
                zegel_jwt::UnixTime::from_secs(crate::provider::now())
            )
            .is_ok()
    );
    // Recovery.
    p.faults().jwks_status = None;
    clock.0.store(331, Ordering::SeqCst);
    let fresh = cache.keys_for(Some("op-sig-1")).await.unwrap();
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 3);
    assert!(fresh.is_fresh(clock_now(&clock)));
}

#[tokio::test]
async fn bad_refreshes_keep_the_last_good_set() {
    let p = Provider::start().await;
    let clock = Arc::new(OffsetClock::default());
    let failures = Arc::new(AtomicUsize::new(0));
    let cache = cache(&p, Arc::clone(&clock), Arc::clone(&failures));
    assert!(cache.keys_for(None).await.unwrap().has_kid("op-sig-1"));
    let bodies = [
        r#"{"keys":[]}"#,
        "{",
        r#"{"keys":[],"keys":[]}"#,
        r#"{"keys":[{"kty":"PQC"}]}"#,
    ];
    for (i, body) in bodies.iter().enumerate() {
        p.faults().jwks_body = Some((*body).to_owned());
        clock.0.store(301 + 30 * i as u64, Ordering::SeqCst);
        let kept = cache.keys_for(Some("op-sig-1")).await.unwrap();
        assert!(kept.has_kid("op-sig-1"), "{body}");
        assert_eq!(failures.load(Ordering::SeqCst), i + 1, "{body}");
    }
    assert_eq!(
        p.state.jwks_fetches.load(Ordering::SeqCst),
        1 + bodies.len()
    );
}

fn clock_now(c: &OffsetClock) -> zegel_jwt::UnixTime {
    zegel_oidc::clock::Clock::now(c)
}

#[tokio::test]
async fn rotation_new_kid_one_fetch_old_kid_gone_fails() {
    let p = Provider::start().await;
    let clock = Arc::new(OffsetClock(AtomicU64::new(0)));
    let client = Client::discover_with(
        &p.discovery_url(),
        key_registration(),
        http(),
        clock.clone(),
    )
    .await
    .unwrap();
    let http = http();
    let run = |client: Client, http: Arc<HyperClient>| async move {
        let auth = client
            .authorization(&client.authorization_request())
            .unwrap();
        let callback = browse(&*http, &auth.url).await;
        client.complete(auth.pending, &callback).await
    };
    run(client.clone(), Arc::clone(&http)).await.unwrap();
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 1);
    // A new key appears and signs: one fetch (once the 30 s refresh interval has passed).
    *p.state.published.lock().unwrap() = vec![keys().op_sig2.clone(), keys().op_sig1.clone()];
    clock.0.store(30, Ordering::SeqCst);
    run(client.clone(), Arc::clone(&http)).await.unwrap();
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 2);
    run(client.clone(), Arc::clone(&http)).await.unwrap();
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 2, "a hit now");
    // The old key is withdrawn; after the set's max-age, tokens it signs fail.
    *p.state.published.lock().unwrap() = vec![keys().op_sig2.clone()];
    p.faults().sign_with = Some(keys().op_sig1.clone());
    clock.0.store(331, Ordering::SeqCst);
    let e = run(client.clone(), Arc::clone(&http)).await.unwrap_err();
    assert!(
        matches!(&e, Error::Jose(zegel_jose::Error::UnknownKid { kid }) if kid == "op-sig-1"),
        "{e:?}"
    );
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_validations_race_on_one_unknown_kid() {
    let p = Provider::start().await;
    let clock = Arc::new(OffsetClock::default());
    let cache = cache(&p, Arc::clone(&clock), Arc::new(AtomicUsize::new(0)));
    cache.keys_for(None).await.unwrap();
    assert_eq!(p.state.jwks_fetches.load(Ordering::SeqCst), 1);
    clock.0.store(30, Ordering::SeqCst);
    // Rotate: the provider now signs with a key the cache has not seen.
    *p.state.published.lock().unwrap() = vec![keys().op_sig2.clone()];
    let token = Arc::new(p.mint_id_token("rp-key", "N"));
    let v = Arc::new(IdTokenValidator::new(&p.state.issuer, "rp-key"));
    let now = zegel_jwt::UnixTime::from_secs(crate::provider::now());
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (cache, token, v) = (cache.clone(), Arc::clone(&token), Arc::clone(&v));
            tokio::spawn(async move {
                let opened = v.open(&token, &[keys().client_enc.clone()], None)?;
                let keys = cache.keys_for(opened.kid()).await?;
                opened
                    .validate(&v, &*keys, None, &Expected::new("N"), now)
                    .map(|t| t.subject().to_owned())
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "alice");
    }
    assert_eq!(
        p.state.jwks_fetches.load(Ordering::SeqCst),
        2,
        "exactly one fetch for 100 misses"
    );
}

#[tokio::test]
async fn refused_callbacks_make_no_token_request() {
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
    let good = browse(&*http, &auth.url).await;
    let state = auth.pending.state().to_owned();
    let cases = [
        (
            good.replace(&format!("state={state}"), "x=1"),
            CallbackError::MissingState,
        ),
        (
            good.replace(&format!("state={state}"), "state=other"),
            CallbackError::StateMismatch,
        ),
        (
            format!("{good}&error=access_denied"),
            CallbackError::CodeAndError,
        ),
        (
            format!("{good}&code=again"),
            CallbackError::RepeatedParameter { name: "code" },
        ),
        (
            good.replace("iss=http", "iss=https"),
            CallbackError::WrongIssuer,
        ),
    ];
    for (url, want) in cases {
        let pending =
            zegel_oidc::PendingLogin::from_json(auth.pending.to_json().as_bytes()).unwrap();
        match client.complete(pending, &url).await {
            Err(Error::Callback(e)) => assert_eq!(e, want, "{url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    assert_eq!(p.state.token_requests.load(Ordering::SeqCst), 0);
    // An error= callback with the right state is typed.
    let denied = format!(
        "https://rp.example/cb?error=access_denied&error_description=no&state={state}&iss={}",
        url::form_urlencoded::byte_serialize(p.state.issuer.as_bytes()).collect::<String>()
    );
    match client.complete(auth.pending, &denied).await {
        Err(Error::Authorization {
            error, description, ..
        }) => {
            assert_eq!(error, "access_denied");
            assert_eq!(description.as_deref(), Some("no"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.state.token_requests.load(Ordering::SeqCst), 0);
}
