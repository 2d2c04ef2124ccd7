//! JWS sign and verify, beside the raw primitives of ring and aws-lc-rs on the same signing
//! input: `cargo bench -p zegel-jose --bench jws`. The table in docs/PERFORMANCE.md comes from
//! this run.

#![allow(
    missing_docs,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark harness, not library code"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use zegel_jose::jwk::KeyMaterial;
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, SigningKey, Verifier};
use zegel_jose::{Jwk, base64url};

/// About 1.2 KB of claims, as an ID token carries.
fn claims() -> Vec<u8> {
    let mut c = serde_json::json!({
        "iss": "https://idp.prd.itsme.services/v2",
        "sub": "2dnlq8dhzgiv6m9hdwkevtc1p8ngkx4wjd82",
        "aud": "my-relying-party-client-id-1234567890",
        "exp": 1_700_000_600, "iat": 1_700_000_000, "auth_time": 1_699_999_990,
        "nonce": "n-0S6_WzA2Mj-a7f8e2c4b1d9e3f6a5b8c7d0e1f2a3b4c5",
        "acr": "http://itsme.services/v2/claim/acr_advanced",
        "amr": ["pwd", "mfa"], "azp": "my-relying-party-client-id-1234567890",
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ", "sid": "7f7a1e0c-9a55-4f8e-9f0e-4d8c2b7e6a31",
    });
    let obj = c.as_object_mut().unwrap();
    let mut i = 0;
    while serde_json::to_vec(obj).unwrap().len() < 1200 {
        obj.insert(
            format!("claim_{i:02}"),
            Value::String(format!("value-{i:02}-abcdefghijklmnopqrstuvwxyz0123456789")),
        );
        i += 1;
    }
    serde_json::to_vec(obj).unwrap()
}

fn key(name: &str) -> Jwk {
    let all: Value =
        serde_json::from_str(include_str!("../tests/vectors/jws-test-keys.json")).unwrap();
    Jwk::parse(all[name].to_string().as_bytes()).unwrap()
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_millis(2500))
}

type SignFn = Box<dyn Fn(&[u8]) -> Vec<u8>>;
type VerifyFn = Box<dyn Fn(&[u8], &[u8]) -> bool>;

/// The raw primitives on one signing input.
struct Raw {
    ring_sign: SignFn,
    ring_verify: VerifyFn,
    #[cfg(feature = "aws-lc")]
    aws_sign: SignFn,
    #[cfg(feature = "aws-lc")]
    aws_verify: VerifyFn,
}

fn point(x: &[u8], y: &[u8]) -> Vec<u8> {
    [&[4][..], x, y].concat()
}

fn raw(alg: &JwsAlgorithm, k: &Jwk) -> Raw {
    #[cfg(feature = "aws-lc")]
    use aws_lc_rs::signature as asig;
    use ring::signature as rs;
    match (alg.name(), k.material()) {
        ("HS256", KeyMaterial::Oct { k }) => {
            let rk = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, k.expose_secret());
            let rk2 = rk.clone();
            #[cfg(feature = "aws-lc")]
            let ak = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, k.expose_secret());
            #[cfg(feature = "aws-lc")]
            let ak2 = ak.clone();
            Raw {
                ring_sign: Box::new(move |m| ring::hmac::sign(&rk, m).as_ref().to_vec()),
                ring_verify: Box::new(move |m, s| ring::hmac::verify(&rk2, m, s).is_ok()),
                #[cfg(feature = "aws-lc")]
                aws_sign: Box::new(move |m| aws_lc_rs::hmac::sign(&ak, m).as_ref().to_vec()),
                #[cfg(feature = "aws-lc")]
                aws_verify: Box::new(move |m, s| aws_lc_rs::hmac::verify(&ak2, m, s).is_ok()),
            }
        }
        (name @ ("RS256" | "PS256"), KeyMaterial::Rsa { n, e, private }) => {
            let p = private.as_ref().unwrap();
            let comps = ring::rsa::KeyPairComponents {
                public_key: ring::rsa::PublicKeyComponents {
                    n: n.clone(),
                    e: e.clone(),
                },
                d: p.d.expose_secret().to_vec(),
                p: p.p.expose_secret().to_vec(),
                q: p.q.expose_secret().to_vec(),
                dP: p.dp.expose_secret().to_vec(),
                dQ: p.dq.expose_secret().to_vec(),
                qInv: p.qi.expose_secret().to_vec(),
            };
            let rkp = rs::RsaKeyPair::from_components(&comps).unwrap();
            let pss = name == "PS256";
            let (rpad, rparams): (&'static dyn rs::RsaEncoding, &'static rs::RsaParameters) = if pss
            {
                (&rs::RSA_PSS_SHA256, &rs::RSA_PSS_2048_8192_SHA256)
            } else {
                (&rs::RSA_PKCS1_SHA256, &rs::RSA_PKCS1_2048_8192_SHA256)
            };
            let rpub = rs::RsaPublicKeyComponents {
                n: n.clone(),
                e: e.clone(),
            };
            let rng = ring::rand::SystemRandom::new();
            #[cfg(feature = "aws-lc")]
            let (akp, apad, aparsed) = {
                let comps = aws_lc_rs::rsa::KeyPairComponents {
                    public_key: aws_lc_rs::rsa::PublicKeyComponents {
                        n: n.as_slice(),
                        e: e.as_slice(),
                    },
                    d: p.d.expose_secret(),
                    p: p.p.expose_secret(),
                    q: p.q.expose_secret(),
                    dP: p.dp.expose_secret(),
                    dQ: p.dq.expose_secret(),
                    qInv: p.qi.expose_secret(),
                };
                let (apad, aparams): (
                    &'static dyn asig::RsaEncoding,
                    &'static asig::RsaParameters,
                ) = if pss {
                    (&asig::RSA_PSS_SHA256, &asig::RSA_PSS_2048_8192_SHA256)
                } else {
                    (&asig::RSA_PKCS1_SHA256, &asig::RSA_PKCS1_2048_8192_SHA256)
                };
                let parsed = aws_lc_rs::rsa::PublicKeyComponents {
                    n: n.as_slice(),
                    e: e.as_slice(),
                }
                .to_parsed_public_key(aparams)
                .unwrap();
                (
                    asig::RsaKeyPair::from_components(&comps).unwrap(),
                    apad,
                    parsed,
                )
            };
            Raw {
                ring_sign: Box::new(move |m| {
                    let mut out = vec![0; rkp.public().modulus_len()];
                    rkp.sign(rpad, &rng, m, &mut out).unwrap();
                    out
                }),
                ring_verify: Box::new(move |m, s| rpub.verify(rparams, m, s).is_ok()),
                #[cfg(feature = "aws-lc")]
                aws_sign: Box::new(move |m| {
                    let mut out = vec![0; akp.public_modulus_len()];
                    akp.sign(apad, &aws_lc_rs::rand::SystemRandom::new(), m, &mut out)
                        .unwrap();
                    out
                }),
                #[cfg(feature = "aws-lc")]
                aws_verify: Box::new(move |m, s| aparsed.verify_sig(m, s).is_ok()),
            }
        }
        (
            "ES256",
            KeyMaterial::Ec {
                x, y, d: Some(d), ..
            },
        ) => {
            let pt = point(x, y);
            let rng = ring::rand::SystemRandom::new();
            let rkp = rs::EcdsaKeyPair::from_private_key_and_public_key(
                &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
                d.expose_secret(),
                &pt,
                &rng,
            )
            .unwrap();
            #[cfg(feature = "aws-lc")]
            let rpt = pt.clone();
            #[cfg(not(feature = "aws-lc"))]
            let rpt = pt;
            #[cfg(feature = "aws-lc")]
            let akp = asig::EcdsaKeyPair::from_private_key_and_public_key(
                &asig::ECDSA_P256_SHA256_FIXED_SIGNING,
                d.expose_secret(),
                &pt,
            )
            .unwrap();
            #[cfg(feature = "aws-lc")]
            let aparsed = asig::ParsedPublicKey::new(&asig::ECDSA_P256_SHA256_FIXED, &pt).unwrap();
            Raw {
                ring_sign: Box::new(move |m| rkp.sign(&rng, m).unwrap().as_ref().to_vec()),
                ring_verify: Box::new(move |m, s| {
                    rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, &rpt)
                        .verify(m, s)
                        .is_ok()
                }),
                #[cfg(feature = "aws-lc")]
                aws_sign: Box::new(move |m| {
                    akp.sign(&aws_lc_rs::rand::SystemRandom::new(), m)
                        .unwrap()
                        .as_ref()
                        .to_vec()
                }),
                #[cfg(feature = "aws-lc")]
                aws_verify: Box::new(move |m, s| aparsed.verify_sig(m, s).is_ok()),
            }
        }
        ("EdDSA", KeyMaterial::Okp { x, d: Some(d), .. }) => {
            let rkp = rs::Ed25519KeyPair::from_seed_and_public_key(d.expose_secret(), x).unwrap();
            let rx = x.clone();
            #[cfg(feature = "aws-lc")]
            let akp = asig::Ed25519KeyPair::from_seed_and_public_key(d.expose_secret(), x).unwrap();
            #[cfg(feature = "aws-lc")]
            let aparsed = asig::ParsedPublicKey::new(&asig::ED25519, x.as_slice()).unwrap();
            Raw {
                ring_sign: Box::new(move |m| rkp.sign(m).as_ref().to_vec()),
                ring_verify: Box::new(move |m, s| {
                    rs::UnparsedPublicKey::new(&rs::ED25519, &rx)
                        .verify(m, s)
                        .is_ok()
                }),
                #[cfg(feature = "aws-lc")]
                aws_sign: Box::new(move |m| akp.sign(m).as_ref().to_vec()),
                #[cfg(feature = "aws-lc")]
                aws_verify: Box::new(move |m, s| aparsed.verify_sig(m, s).is_ok()),
            }
        }
        _ => unreachable!("no raw primitive for {}", alg.name()),
    }
}

/// The fastest per-iteration time of each function over 60 rounds of short batches, in ns. The
/// functions take turns within each round, so a burst of load on the shared machine hits them
/// alike; the minimum is robust to preemption, where criterion's mean is not.
fn min_ns(fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let iters: Vec<u32> = fs
        .iter_mut()
        .map(|f| {
            let mut iters = 1_u32;
            loop {
                let t = Instant::now();
                for _ in 0..iters {
                    f();
                }
                if t.elapsed() >= Duration::from_micros(500) || iters >= 1 << 20 {
                    return iters;
                }
                iters *= 2;
            }
        })
        .collect();
    let mut best = vec![f64::MAX; fs.len()];
    for _ in 0..60 {
        for ((f, n), best) in fs.iter_mut().zip(&iters).zip(&mut best) {
            let t = Instant::now();
            for _ in 0..*n {
                f();
            }
            *best = best.min(t.elapsed().as_secs_f64() * 1e9 / f64::from(*n));
        }
    }
    best
}

fn row(table: &mut Vec<String>, alg: &str, op: &str, zegel: f64, ring: f64, aws: Option<f64>) {
    let faster = aws.map_or(ring, |a| a.min(ring));
    let aws = aws.map_or_else(|| "-".to_owned(), |a| format!("{:.2}", a / 1e3));
    table.push(format!(
        "| {alg} | {op} | {:.2} | {:.2} | {aws} | {:.3} | {:.2} |",
        zegel / 1e3,
        ring / 1e3,
        faster / zegel,
        (zegel - faster) / 1e3
    ));
}

fn bench(c: &mut Criterion) {
    let claims = claims();
    let mut table = vec![
        "| alg | op | zegel µs | ring µs | aws-lc µs | faster raw / zegel | JOSE µs |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    for (alg, key_name) in [
        (&jws::RS256, "rsa2048"),
        (&jws::PS256, "rsa2048"),
        (&jws::ES256, "p256"),
        (&jws::EDDSA, "ed25519"),
        (&jws::HS256, "oct64"),
    ] {
        let k = key(key_name);
        let verify_key = k.to_public().unwrap_or_else(|| k.clone());
        let sk = SigningKey::new(&k, alg).unwrap();
        let header = JwsHeader::new()
            .with_typ("JWT")
            .with_kid("2024-rotation-key-1");
        let token = jws::sign_compact(&claims, &sk, &header).unwrap();
        let (input, sig_b64) = token.rsplit_once('.').unwrap();
        let input = input.as_bytes().to_vec();
        let sig =
            base64url::decode(sig_b64.as_bytes(), zegel_jose::error::Part::Signature).unwrap();
        let raw = raw(alg, &k);
        assert!((raw.ring_verify)(&input, &sig));
        let verifier = Verifier::new(&[alg]);
        assert_eq!(
            verifier
                .verify(token.as_bytes(), &verify_key)
                .unwrap()
                .payload(),
            claims
        );

        let mut g = c.benchmark_group(format!("{}/verify", alg.name()));
        g.bench_function("zegel", |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(token.as_bytes()), &verify_key)
                    .unwrap()
            });
        });
        g.bench_function("ring", |b| {
            b.iter(|| assert!((raw.ring_verify)(black_box(&input), &sig)))
        });
        #[cfg(feature = "aws-lc")]
        g.bench_function("aws-lc", |b| {
            b.iter(|| assert!((raw.aws_verify)(black_box(&input), &sig)))
        });
        g.finish();

        let mut g = c.benchmark_group(format!("{}/sign", alg.name()));
        g.bench_function("zegel", |b| {
            b.iter(|| jws::sign_compact(black_box(&claims), &sk, &header).unwrap())
        });
        g.bench_function("ring", |b| b.iter(|| (raw.ring_sign)(black_box(&input))));
        #[cfg(feature = "aws-lc")]
        g.bench_function("aws-lc", |b| b.iter(|| (raw.aws_sign)(black_box(&input))));
        g.finish();

        let mut verify_z = || {
            black_box(
                verifier
                    .verify(black_box(token.as_bytes()), &verify_key)
                    .unwrap(),
            );
        };
        let mut verify_r = || assert!((raw.ring_verify)(black_box(&input), &sig));
        #[cfg(feature = "aws-lc")]
        let mut verify_a = || assert!((raw.aws_verify)(black_box(&input), &sig));
        let mut fs: Vec<&mut dyn FnMut()> = vec![&mut verify_z, &mut verify_r];
        #[cfg(feature = "aws-lc")]
        fs.push(&mut verify_a);
        let t = min_ns(&mut fs);
        row(
            &mut table,
            alg.name(),
            "verify",
            t[0],
            t[1],
            t.get(2).copied(),
        );
        let mut sign_z = || {
            black_box(jws::sign_compact(black_box(&claims), &sk, &header).unwrap());
        };
        let mut sign_r = || {
            black_box((raw.ring_sign)(black_box(&input)));
        };
        #[cfg(feature = "aws-lc")]
        let mut sign_a = || {
            black_box((raw.aws_sign)(black_box(&input)));
        };
        let mut fs: Vec<&mut dyn FnMut()> = vec![&mut sign_z, &mut sign_r];
        #[cfg(feature = "aws-lc")]
        fs.push(&mut sign_a);
        let t = min_ns(&mut fs);
        row(
            &mut table,
            alg.name(),
            "sign",
            t[0],
            t[1],
            t.get(2).copied(),
        );
    }
    println!(
        "\nFastest of 60 interleaved rounds (claims {} bytes):\n{}\n",
        claims.len(),
        table.join("\n")
    );
    // The JOSE work alone: base64url and header parsing of the HS256 token, no MAC.
    let mut g = c.benchmark_group("jose-only");
    let token = {
        let k = key("oct64");
        jws::sign_compact(
            &claims,
            &SigningKey::new(&k, &jws::HS256).unwrap(),
            &JwsHeader::new().with_typ("JWT"),
        )
        .unwrap()
    };
    g.bench_function("decode_unverified", |b| {
        b.iter(|| jws::dangerous::decode_unverified(black_box(token.as_bytes())).unwrap());
    });
    let payload = token.split('.').nth(1).unwrap().as_bytes().to_vec();
    g.bench_function("base64url_payload_public", |b| {
        b.iter(|| {
            base64url::decode_public(black_box(&payload), zegel_jose::error::Part::Payload).unwrap()
        });
    });
    g.bench_function("base64url_payload_ct", |b| {
        b.iter(|| {
            base64url::decode(black_box(&payload), zegel_jose::error::Part::Payload).unwrap()
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}
criterion_main!(benches);
