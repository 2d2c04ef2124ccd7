//! The cache's rules, driven by `now`, and its async wrapper against a counting fake client.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use zegel_jose::jwk::{Curve, KeySpec};

use super::*;

fn ec(kid: &str) -> Jwk {
    Jwk::generate(&KeySpec::Ec(Curve::P256))
        .unwrap()
        .with_kid(kid)
}

fn set_json(keys: &[&Jwk]) -> Vec<u8> {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| Value::Object(k.to_public_object().unwrap()))
        .collect();
    serde_json::json!({ "keys": keys }).to_string().into_bytes()
}

fn at(s: u64) -> UnixTime {
    UnixTime::from_secs(s)
}

#[test]
fn max_age_is_clamped() {
    let p = CachePolicy::new();
    let h = |v: &str| {
        let mut m = http::HeaderMap::new();
        m.insert(http::header::CACHE_CONTROL, v.parse().unwrap());
        m
    };
    assert_eq!(
        p.max_age(&h("public, max-age=3600")),
        Duration::from_secs(3600)
    );
    assert_eq!(p.max_age(&h("max-age=10")), Duration::from_secs(300));
    assert_eq!(
        p.max_age(&h("max-age=9999999")),
        Duration::from_secs(86_400)
    );
    assert_eq!(
        p.max_age(&h("no-store, max-age=3600")),
        Duration::from_secs(300)
    );
    assert_eq!(p.max_age(&h("max-age=x")), Duration::from_secs(300));
    assert_eq!(p.max_age(&http::HeaderMap::new()), Duration::from_secs(300));
    let custom = CachePolicy::new()
        .with_floor(Duration::from_secs(1))
        .with_ceiling(Duration::from_secs(2));
    assert_eq!(custom.max_age(&h("max-age=60")), Duration::from_secs(2));
}

#[test]
fn parse_filters_and_skips() {
    let sig = ec("sig").with_use("sig");
    let enc = ec("enc").with_use("enc");
    let any = ec("any");
    let es384 = ec("bound").with_alg("ES384");
    let mut body: Value = serde_json::from_slice(&set_json(&[&sig, &enc, &any, &es384])).unwrap();
    let keys = body["keys"].as_array_mut().unwrap();
    keys.push(serde_json::json!({"kty": "XYZ", "kid": "future"}));
    keys.push(serde_json::json!({"kty": "RSA", "kid": "x5c-only", "x5c": ["MIIB"]}));
    keys.push(serde_json::json!({"kty": "oct", "k": "AAAA"}));
    keys.push(Value::Object(ec("private").to_private_object()));
    let s = KeySnapshot::parse(
        body.to_string().as_bytes(),
        &CachePolicy::new(),
        at(0),
        Duration::from_secs(300),
    )
    .unwrap();
    let kids = |keys: &[Jwk]| {
        keys.iter()
            .map(|k| k.kid().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(kids(s.keys()), ["sig", "enc", "any", "bound", "private"]);
    assert_eq!(
        kids(s.verification_keys()),
        ["sig", "any", "bound", "private"]
    );
    assert_eq!(
        kids(&s.encryption_keys()),
        ["enc", "any", "bound", "private"]
    );
    assert!(s.keys().iter().all(|k| !k.is_private()));
    assert_eq!(
        s.skipped()
            .iter()
            .map(|k| (k.index, k.reason))
            .collect::<Vec<_>>(),
        [(4, "jose.key"), (5, "jose.key"), (6, "oidc.symmetric_key")]
    );
    assert!(s.has_kid("sig") && !s.has_kid("enc"));
    // An alg filter drops keys bound to other algorithms.
    let only256 = CachePolicy::new().with_algorithms(&[&zegel_jose::jws::ES256]);
    let s = KeySnapshot::parse(
        &set_json(&[&sig, &es384]),
        &only256,
        at(0),
        Duration::from_secs(1),
    )
    .unwrap();
    assert_eq!(kids(s.verification_keys()), ["sig"]);
    assert!(s.is_fresh(at(0)) && !s.is_fresh(at(1)));
}

#[test]
fn parse_refusals() {
    let p = CachePolicy::new();
    let parse = |b: &[u8]| KeySnapshot::parse(b, &p, at(0), Duration::ZERO);
    assert!(matches!(
        parse(br#"{"keys":[]}"#),
        Err(Error::InvalidMember { name: "keys", .. })
    ));
    assert!(matches!(
        parse(br#"{"keys":[{"kty":"XYZ"}]}"#),
        Err(Error::InvalidMember { name: "keys", .. })
    ));
    assert!(matches!(
        parse(br#"{"keys":{}}"#),
        Err(Error::InvalidMember { name: "keys", .. })
    ));
    assert!(matches!(
        parse(br#"{"keys":[],"keys":[]}"#),
        Err(Error::Json { .. })
    ));
    assert!(matches!(parse(b"<html>"), Err(Error::Json { .. })));
    let r = http::Response::builder()
        .status(500)
        .body(Vec::new())
        .unwrap();
    assert!(matches!(
        from_response("u", &r, &p, at(0)),
        Err(Error::Status { status: 500, .. })
    ));
}

fn snapshot(kids: &[&str], now: u64) -> KeySnapshot {
    let keys: Vec<Jwk> = kids.iter().map(|k| ec(k)).collect();
    let refs: Vec<&Jwk> = keys.iter().collect();
    KeySnapshot::parse(
        &set_json(&refs),
        &CachePolicy::new(),
        at(now),
        Duration::from_secs(300),
    )
    .unwrap()
}

#[test]
fn state_machine() {
    let p = CachePolicy::new();
    let mut s = CacheState::new();
    assert!(matches!(s.decide(at(0), Some("a"), &p), Decision::Fetch));
    s.fetch_started(at(0));
    // First fetch fails: unavailable until the interval has passed.
    let down = Error::Status {
        url: "u".into(),
        status: 503,
    };
    assert!(matches!(
        s.fetched(Err(down.clone())),
        Err(Error::JwksUnavailable { .. })
    ));
    assert!(matches!(
        s.decide(at(10), Some("a"), &p),
        Decision::Unavailable(Error::JwksUnavailable { .. })
    ));
    assert!(matches!(s.decide(at(30), Some("a"), &p), Decision::Fetch));
    s.fetch_started(at(30));
    assert!(s.fetched(Ok(snapshot(&["a"], 30))).is_ok());
    // Hit.
    assert!(matches!(s.decide(at(31), Some("a"), &p), Decision::Use(_)));
    assert!(matches!(s.decide(at(31), None, &p), Decision::Use(_)));
    // Miss within the interval: use the set (the token then fails), no fetch.
    assert!(matches!(s.decide(at(40), Some("b"), &p), Decision::Use(_)));
    // Miss after it: fetch.
    assert!(matches!(s.decide(at(60), Some("b"), &p), Decision::Fetch));
    s.fetch_started(at(60));
    // The refresh fails: the last good set stays.
    let kept = s.fetched(Err(down)).unwrap();
    assert!(kept.has_kid("a"));
    // Stale after max-age (300 s from 30): fetch; the stale set is used within the interval.
    assert!(matches!(s.decide(at(331), Some("a"), &p), Decision::Fetch));
    s.fetch_started(at(331));
    assert!(matches!(s.decide(at(332), Some("a"), &p), Decision::Use(_)));
    // Rotation: the old kid is gone after a good refresh.
    let new = s.fetched(Ok(snapshot(&["b"], 332))).unwrap();
    assert!(new.has_kid("b") && !new.has_kid("a"));
}

/// A fake provider: counts fetches, answers from a script.
#[derive(Debug)]
struct Fake {
    fetches: AtomicUsize,
    answer: Mutex<Result<Vec<u8>, u16>>,
    delay: Duration,
}

impl HttpClient for Fake {
    fn send(
        &self,
        _request: http::Request<Vec<u8>>,
    ) -> BoxFuture<'_, Result<http::Response<Vec<u8>>, Error>> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            let answer = self.answer.lock().unwrap().clone();
            Ok(match answer {
                Ok(body) => http::Response::builder()
                    .status(200)
                    .header("cache-control", "max-age=600")
                    .body(body)
                    .unwrap(),
                Err(status) => http::Response::builder()
                    .status(status)
                    .body(Vec::new())
                    .unwrap(),
            })
        })
    }
}

#[derive(Debug, Default)]
struct ManualClock(AtomicU64);

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.0.load(Ordering::SeqCst))
    }
}

fn keys_ab() -> &'static (Jwk, Jwk) {
    static K: OnceLock<(Jwk, Jwk)> = OnceLock::new();
    K.get_or_init(|| (ec("a"), ec("b")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_flight_rotation_and_outage() {
    let (a, b) = keys_ab();
    let fake = Arc::new(Fake {
        fetches: AtomicUsize::new(0),
        answer: Mutex::new(Ok(set_json(&[a]))),
        delay: Duration::from_millis(50),
    });
    let clock = Arc::new(ManualClock(AtomicU64::new(1000)));
    let failures = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&failures);
    let cache = JwksCache::with_hook(
        url::Url::parse("https://op.example/jwks").unwrap(),
        fake.clone(),
        clock.clone(),
        CachePolicy::new(),
        Some(Arc::new(move |_e: &Error| {
            seen.fetch_add(1, Ordering::SeqCst);
        })),
    );
    // 100 concurrent lookups of an unknown cache: one fetch.
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.keys_for(Some("a")).await.map(|s| s.has_kid("a")) })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap());
    }
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 1);
    assert!(cache.with_fresh(Some("a"), |s| s.has_kid("a")).unwrap());

    // Rotation: kid b appears; 100 concurrent misses, one fetch.
    *fake.answer.lock().unwrap() = Ok(set_json(&[a, b]));
    clock.0.store(1100, Ordering::SeqCst);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.keys_for(Some("b")).await.map(|s| s.has_kid("b")) })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap());
    }
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 2);
    // An unknown kid right after: rate-limited, no fetch.
    assert!(!cache.keys_for(Some("zzz")).await.unwrap().has_kid("zzz"));
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 2);

    // Outage: the provider answers 500; the stale set serves, the hook hears of it.
    *fake.answer.lock().unwrap() = Err(500);
    clock.0.store(1100 + 601, Ordering::SeqCst);
    assert!(cache.keys_for(Some("b")).await.unwrap().has_kid("b"));
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 3);
    assert_eq!(failures.load(Ordering::SeqCst), 1);
    // Recovery, with a only: b is gone.
    *fake.answer.lock().unwrap() = Ok(set_json(&[a]));
    clock.0.store(1100 + 601 + 30, Ordering::SeqCst);
    let s = cache.keys_for(Some("b")).await.unwrap();
    assert!(!s.has_kid("b") && s.has_kid("a"));
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn never_fetched_and_down() {
    let fake = Arc::new(Fake {
        fetches: AtomicUsize::new(0),
        answer: Mutex::new(Err(503)),
        delay: Duration::ZERO,
    });
    let clock = Arc::new(ManualClock(AtomicU64::new(0)));
    let cache = JwksCache::new(
        url::Url::parse("https://op.example/jwks").unwrap(),
        fake.clone(),
        clock.clone(),
        CachePolicy::new(),
    );
    let e = cache.keys_for(None).await.unwrap_err();
    assert!(
        matches!(&e, Error::JwksUnavailable { last } if matches!(**last, Error::Status { status: 503, .. }))
    );
    assert!(e.is_unavailable());
    // Within the interval: no second fetch.
    assert!(cache.keys_for(None).await.is_err());
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 1);
    clock.0.store(30, Ordering::SeqCst);
    assert!(cache.keys_for(None).await.is_err());
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 2);
}
