//! The JWS test vectors of RFC 7515 Appendix A, RFC 7520 §4, RFC 7797 §4 and RFC 8037 A.4, and
//! interop vectors signed by Python jwcrypto 1.6.1 and PyJWT 2.15.1 for every algorithm,
//! read from `tests/vectors/jws/*.json` by one generic runner.
//!
//! Every vector must verify in each serialization it gives (or be refused with the error it
//! names); vectors marked `reproducible` (deterministic algorithms, and a protected header
//! zegel serializes the same way) must be reproduced byte for byte by signing.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::path::Path;

use serde_json::{Map, Value};
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, SigningKey, Verifier};
use zegel_jose::{Error, Jwk};

fn vectors() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jws");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn one_or_many(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The tokens of a vector: (form, serialized token, payload detached?).
fn tokens(v: &Value) -> Vec<(&'static str, String, bool)> {
    let out = &v["output"];
    let mut t = Vec::new();
    if let Some(c) = out["compact"].as_str() {
        let detached = c.split('.').nth(1) == Some("");
        t.push(("compact", c.to_owned(), detached));
    }
    for form in ["json_flat", "json"] {
        if let Some(j) = out[form].as_object() {
            t.push((
                form,
                serde_json::to_string(j).unwrap(),
                !j.contains_key("payload"),
            ));
        }
    }
    t
}

fn verify(
    verifier: &Verifier,
    token: &str,
    detached: Option<&[u8]>,
    keys: &[Jwk],
) -> Result<Vec<u8>, Error> {
    match detached {
        None => verifier
            .verify_with_keys(token.as_bytes(), keys)
            .map(|v| v.into_payload()),
        Some(payload) => {
            let mut last = Error::NoMatchingKey;
            for key in keys {
                match verifier.verify_detached(token.as_bytes(), payload, key) {
                    Ok(v) => return Ok(v.into_payload()),
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
    }
}

#[test]
fn every_vector_verifies_and_deterministic_ones_reproduce() {
    let all = vectors();
    assert!(all.len() >= 61, "vectors missing: {}", all.len());
    let mut reproduced = 0;
    for (name, v) in &all {
        let input = &v["input"];
        let payload = input["payload"].as_str().unwrap().as_bytes();
        // Without aws-lc, P-521 keys cannot even be loaded: the other keys of the vector are
        // still checked.
        let keys: Vec<Jwk> = one_or_many(&input["key"])
            .into_iter()
            .filter_map(|k| match Jwk::parse(k.to_string().as_bytes()) {
                Ok(k) => Some(k),
                Err(Error::AlgorithmUnavailable { .. }) if !cfg!(feature = "aws-lc") => None,
                Err(e) => panic!("{name}: {e:?}"),
            })
            .collect();
        if keys.is_empty() {
            continue;
        }
        let public: Vec<Jwk> = keys
            .iter()
            .map(|k| k.to_public().unwrap_or_else(|| k.clone()))
            .collect();
        let algs: Vec<&'static JwsAlgorithm> = one_or_many(&input["alg"])
            .into_iter()
            .map(|a| jws::by_name(a.as_str().unwrap()).unwrap())
            .collect();

        if let Some(code) = v["expect_error"].as_str() {
            for (form, token, _) in tokens(v) {
                let err = Verifier::new(jws::ALL)
                    .verify_with_keys(token.as_bytes(), &public)
                    .unwrap_err();
                assert_eq!(err.code(), code, "{name} {form}");
            }
            continue;
        }

        // RFC 7520 §4.8 keeps an HMAC secret beside public keys: opted in.
        let verifier = Verifier::new(&algs).with_mixed_key_set();
        if !algs.iter().all(|a| a.is_available()) {
            for (form, token, detached) in tokens(v) {
                let got = verify(&verifier, &token, detached.then_some(payload), &public);
                if algs.len() == 1 {
                    let err = got.unwrap_err();
                    assert!(
                        matches!(err, Error::AlgorithmUnavailable { .. }),
                        "{name} {form}: {err:?}"
                    );
                } else {
                    // Another signature, of an available algorithm, verifies.
                    assert_eq!(got.unwrap(), payload, "{name} {form}");
                }
            }
            continue;
        }

        for (form, token, detached) in tokens(v) {
            let got = verify(&verifier, &token, detached.then_some(payload), &public)
                .unwrap_or_else(|e| panic!("{name} {form}: {e:?}"));
            assert_eq!(got, payload, "{name} {form}");
            // Not with an allowlist that leaves the algorithm out.
            let others: Vec<&'static JwsAlgorithm> = jws::ALL
                .iter()
                .copied()
                .filter(|a| !algs.contains(a))
                .collect();
            let err = verify(
                &Verifier::new(&others),
                &token,
                detached.then_some(payload),
                &public,
            )
            .unwrap_err();
            assert!(
                matches!(err, Error::AlgNotAllowed { .. }),
                "{name} {form}: {err:?}"
            );
            // The general serialization: every signature verifies with one of the keys.
            if form == "json" {
                let sigs = v["output"]["json"]["signatures"].as_array().unwrap().len();
                let mut ok = vec![false; sigs];
                for key in &public {
                    if detached {
                        continue;
                    }
                    for (i, r) in verifier
                        .verify_each(token.as_bytes(), key)
                        .unwrap()
                        .into_iter()
                        .enumerate()
                    {
                        ok[i] |= r.is_ok();
                    }
                }
                assert!(detached || ok.iter().all(|o| *o), "{name}: {ok:?}");
            }
        }

        if v["reproducible"] == true
            && let Some(protected) = v["signing"]["protected"].as_object()
        {
            let key = SigningKey::new(&keys[0], algs[0]).unwrap();
            let header = JwsHeader::from_object(protected.clone()).unwrap();
            let unprotected: Option<&Map<String, Value>> = v["signing"]["unprotected"].as_object();
            for (form, token, detached) in tokens(v) {
                let signed = match (form, detached) {
                    ("compact", false) => jws::sign_compact(payload, &key, &header),
                    ("compact", true) => jws::sign_compact_detached(payload, &key, &header),
                    ("json_flat", false) => {
                        jws::sign_flattened(payload, &key, &header, unprotected)
                    }
                    ("json_flat", true) => {
                        jws::sign_flattened_detached(payload, &key, &header, unprotected)
                    }
                    (_, false) => jws::sign_general(payload, &[(&key, &header, unprotected)]),
                    (_, true) => {
                        jws::sign_general_detached(payload, &[(&key, &header, unprotected)])
                    }
                }
                .unwrap();
                if form == "compact" {
                    assert_eq!(signed, token, "{name} {form}");
                } else {
                    let a: Value = serde_json::from_str(&signed).unwrap();
                    let b: Value = serde_json::from_str(&token).unwrap();
                    assert_eq!(a, b, "{name} {form}");
                }
                reproduced += 1;
            }
        }
    }
    assert!(reproduced >= 15, "only {reproduced} reproduced");
}

#[test]
fn every_algorithm_has_a_vector() {
    let mut seen: Vec<String> = Vec::new();
    for (_, v) in vectors() {
        for a in one_or_many(&v["input"]["alg"]) {
            seen.push(a.as_str().unwrap().to_owned());
        }
    }
    let missing: Vec<&str> = jws::ALL
        .iter()
        .map(|a| a.name())
        .filter(|n| !seen.iter().any(|s| s == n))
        .collect();
    // The RFCs give vectors for some; the interop vectors signed by Python jwcrypto and PyJWT
    // cover every algorithm.
    assert!(missing.is_empty(), "no vector for {missing:?}");
}
