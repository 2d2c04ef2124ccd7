//! The CPU work of an itsme® callback, beside its reference in the same run: the ID token
//! (RS256 inside RSA-OAEP-256 + A128CBC-HS256) decrypted, verified, checked (`iss`, `aud`,
//! `exp`, `nonce`, `acr`) and read as a typed `Identity`, then the UserInfo response the same
//! (and its `sub`), as `ItsmeClient::complete` and `ItsmeClient::userinfo` do without the
//! network; against the JOSE work it is made of (`zegel_jwt::open` on both tokens and the claims
//! parsed into a JSON map). Goal: at least 0.95.
//!
//! `cargo bench -p zegel-itsme --bench callback -- --warm-up-time 1 --measurement-time 2`
//! (criterion), then the paired batches (`ratio`) printed at the end.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark reads the clock to time itself"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};
use zegel_itsme::Identity;
use zegel_itsme::config::Acr;
use zegel_jose::jwe;
use zegel_jose::jwk::KeySpec;
use zegel_jose::jws::{self, SigningKey};
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::{Claims, Decryption, OpenKeys, UnixTime, Validation};
use zegel_oidc::id_token::{Expected, IdTokenValidator};
use zegel_oidc::userinfo::{Body, UserInfoValidator};

const NOW: u64 = 1_800_000_000;
const ISS: &str = "https://idp.e2e.itsme.services/v2";
const CID: &str = "my-client";
const NONCE: &str = "n-0S6_WzA2Mj";
const SUB: &str = "t3n7vb6m4ppq2khj3a2kzbsoj7hbvyxt";

fn claims(extra: Value) -> Claims<Map<String, Value>> {
    Claims::from_map(extra.as_object().unwrap().clone())
        .unwrap()
        .with_issuer(ISS)
        .with_subject(SUB)
        .with_audience(CID)
        .with_lifetime(UnixTime::from_secs(NOW), Duration::from_secs(300))
        .unwrap()
}

struct Fixture {
    op_set: JwkSet,
    rp_keys: Vec<Jwk>,
    id_token: String,
    userinfo: String,
}

fn fixture() -> Fixture {
    let op_sig = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("op-sig")
        .with_use("sig");
    let rp_enc = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("rp-enc")
        .with_use("enc");
    let signer = SigningKey::new(&op_sig, &jws::RS256).unwrap();
    let seal = |c: &Claims<Map<String, Value>>| {
        zegel_jwt::sign_and_encrypt(
            c,
            &signer,
            &rp_enc.to_public().unwrap(),
            &jwe::RSA_OAEP_256,
            &jwe::A128CBC_HS256,
        )
        .unwrap()
    };
    let id_token = seal(&claims(json!({
        "nonce": NONCE, "acr": "http://itsme.services/v2/claim/acr_advanced",
        "auth_time": NOW, "family_name": "Peeters", "given_name": "Jan",
        "birthdate": "1985-07-14",
        "http://itsme.services/v2/claim/BENationalNumber": "85071415595",
    })));
    let userinfo = seal(&claims(json!({
        "name": "Jan Peeters", "email": "jan.peeters@example.be", "email_verified": true,
        "address": {"street_address": "Grote Markt 1", "postal_code": "2000",
                    "locality": "Antwerpen", "country": "BE"},
        "http://itsme.services/v2/claim/BEeidSn": "591-1234567-53",
    })));
    Fixture {
        op_set: JwkSet::new(vec![op_sig.to_public().unwrap()]),
        rp_keys: vec![rp_enc],
        id_token,
        userinfo,
    }
}

struct Itsme {
    id_tokens: IdTokenValidator,
    userinfo: UserInfoValidator,
}

impl Itsme {
    fn new() -> Self {
        let algs: &[&jwe::KeyManagement] = &[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP];
        Self {
            id_tokens: IdTokenValidator::new(ISS, CID)
                .with_encryption_algorithms(algs, jwe::ALL_ENC),
            userinfo: UserInfoValidator::new(ISS, CID)
                .with_encryption_algorithms(algs, jwe::ALL_ENC),
        }
    }

    /// What `complete` and `userinfo` do once the bytes are in.
    fn callback(&self, f: &Fixture) -> (Identity, Identity) {
        let now = UnixTime::from_secs(NOW + 10);
        let opened = self.id_tokens.open(&f.id_token, &f.rp_keys, None).unwrap();
        let id = opened
            .validate(&self.id_tokens, &f.op_set, None, &Expected::new(NONCE), now)
            .unwrap();
        let Value::Object(map) = serde_json::to_value(id.claims()).unwrap() else {
            unreachable!()
        };
        Acr::Basic
            .check_login(map.get("acr").and_then(Value::as_str))
            .unwrap();
        let identity = Identity::from_claims(map).unwrap();
        let opened = self
            .userinfo
            .open(Body::Jwt(f.userinfo.clone().into()), &f.rp_keys, None)
            .unwrap();
        let userinfo = self
            .userinfo
            .validate(opened, &f.op_set, None, id.subject())
            .unwrap();
        (
            identity,
            Identity::from_claims(userinfo.claims().clone()).unwrap(),
        )
    }
}

/// The JOSE work: both tokens opened (decrypt, verify, registered claims) into JSON maps.
fn reference(
    f: &Fixture,
    decryption: &Decryption,
    validation: &Validation,
) -> (Map<String, Value>, Map<String, Value>) {
    let now = UnixTime::from_secs(NOW + 10);
    let keys = OpenKeys {
        recipient: &f.rp_keys,
        issuer: &f.op_set,
    };
    let open = |t: &str| {
        let v: zegel_jwt::Verified = zegel_jwt::open(t, decryption, validation, keys, now).unwrap();
        v.claims().extra.clone()
    };
    (open(&f.id_token), open(&f.userinfo))
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let itsme = Itsme::new();
    let decryption = Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let validation = Validation::new(&[&jws::RS256]).issuer(ISS).audience(CID);
    let mut g = c.benchmark_group("callback");
    g.bench_function("itsme", |b| b.iter(|| black_box(itsme.callback(&f))));
    g.bench_function("jose_reference", |b| {
        b.iter(|| black_box(reference(&f, &decryption, &validation)))
    });
    g.finish();

    // Paired short batches, in turn, the fastest batch of each kept: steadier than two means
    // on a shared machine.
    let (mut best_itsme, mut best_ref) = (Duration::MAX, Duration::MAX);
    for _ in 0..40 {
        let t = Instant::now();
        for _ in 0..5 {
            black_box(itsme.callback(&f));
        }
        best_itsme = best_itsme.min(t.elapsed() / 5);
        let t = Instant::now();
        for _ in 0..5 {
            black_box(reference(&f, &decryption, &validation));
        }
        best_ref = best_ref.min(t.elapsed() / 5);
    }
    println!(
        "callback paired: itsme {:.1} µs, JOSE reference {:.1} µs, ratio {:.3} (goal ≥ 0.95)",
        best_itsme.as_secs_f64() * 1e6,
        best_ref.as_secs_f64() * 1e6,
        best_ref.as_secs_f64() / best_itsme.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
