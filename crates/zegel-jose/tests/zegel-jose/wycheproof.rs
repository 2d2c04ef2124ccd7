//! Project Wycheproof's JOSE suite (`tests/vectors/wycheproof/`, four files, 649 cases; see
//! `SOURCE.md` there), run by one generic runner.
//!
//! Every test group maps to the library call it exercises:
//! - the keys are imported first ([`Jwk::parse`] or [`JwkSet::parse`], private and public
//!   alike): a key refused here refuses the case (key parsing, ROCA, sizes, curves);
//! - a `jws` case is verified with the group's public key (the `private` member for `oct`
//!   keys) by [`Verifier::verify`] or [`Verifier::verify_with_set`];
//! - a `jwe` case is decrypted with the group's private key by [`Decryptor::decrypt`] or
//!   [`Decryptor::decrypt_with_set`].
//!
//! The allowlists are the command line's defaults (`zegel jws verify` / `jwe decrypt` without
//! `--alg`): each key's own `alg`, else every algorithm that fits its type (`RSA1_5` and
//! `PBES2` only when the key names them).
//!
//! `valid` must give the exact payload (read from the token itself: Wycheproof gives no
//! separate JWS payload) or plaintext (`pt`); `invalid` must give a typed error, never a panic.
//! The cases where zegel's reading differs from upstream's label are in [`DEVIATIONS`] (mirrored
//! in `tests/vectors/wycheproof/DEVIATIONS.md`). Every other case must pass, and the total is
//! asserted, so none is skipped.
//! Built with ring alone (no `aws-lc`), a case refused with [`Error::AlgorithmUnavailable`] is
//! counted apart (ring has no ECDH-ES, AES-192-GCM, RSA-OAEP...).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;
use zegel_jose::jwe::{self, Decryptor, KeyManagement};
use zegel_jose::jws::{self, JwsAlgorithm, Verifier};
use zegel_jose::{Error, Jwk, JwkSet};

use crate::wycheproof_cases::{CODES, DEVIATIONS, FILES, TOTAL, cases, deviation, expected};

/// The most precise code of an error: a key's own reason when a key was refused.
fn reason_code(e: &Error) -> &'static str {
    match e {
        Error::Key(k) | Error::KeySetMember { reason: k, .. } => k.code(),
        other => other.code(),
    }
}

/// What one case gave.
enum Outcome {
    /// Accepted, with this payload or plaintext.
    Accepted(Vec<u8>),
    /// Refused with a typed error.
    Refused(Error),
    /// The library panicked (always a failure).
    Panicked(String),
}

impl Outcome {
    fn describe(&self) -> String {
        match self {
            Self::Accepted(p) => format!("accepted, payload {:?}", String::from_utf8_lossy(p)),
            Self::Refused(e) => format!("refused: {} ({e})", reason_code(e)),
            Self::Panicked(m) => format!("PANICKED: {m}"),
        }
    }
}

/// The keys of a group member: one JWK, or a JWK Set (`{"keys": [...]}`).
enum Keys {
    One(Box<Jwk>),
    Set(JwkSet),
}

fn import(v: &Value) -> Result<Keys, Error> {
    let text = serde_json::to_vec(v).unwrap();
    if v.get("keys").is_some() {
        JwkSet::parse(&text).map(Keys::Set)
    } else {
        Jwk::parse(&text).map(|k| Keys::One(Box::new(k)))
    }
}

impl Keys {
    fn all(&self) -> Vec<&Jwk> {
        match self {
            Self::One(k) => vec![k],
            Self::Set(s) => s.keys().iter().collect(),
        }
    }
}

/// `zegel jws verify` without `--alg`: each key's own `alg`, else every algorithm that fits.
fn jws_algs(keys: &Keys) -> Vec<&'static JwsAlgorithm> {
    let mut out: Vec<&'static JwsAlgorithm> = Vec::new();
    for key in keys.all() {
        for alg in jws::ALL.iter().copied().filter(|a| match key.alg() {
            Some(own) => a.name() == own,
            None => a.fits(key),
        }) {
            if !out.iter().any(|a| core::ptr::eq(*a, alg)) {
                out.push(alg);
            }
        }
    }
    out
}

/// `zegel jwe decrypt` without `--alg`: each key's own `alg`, else every key management
/// algorithm that fits (not `RSA1_5` nor `PBES2`, which must be named); a `dir` key may name
/// its `enc` as its `alg` (RFC 7520 §5.6).
fn jwe_algs(keys: &Keys) -> Vec<&'static KeyManagement> {
    let mut out: Vec<&'static KeyManagement> = Vec::new();
    for key in keys.all() {
        for alg in jwe::ALL.iter().copied().filter(|a| match key.alg() {
            Some(own) if jwe::enc_by_name(own).is_some() => core::ptr::eq(*a, &jwe::DIR),
            Some(own) => a.name() == own,
            None => {
                a.fits(key)
                    && !core::ptr::eq(*a, &jwe::RSA1_5_FOR_LEGACY_USE_ONLY)
                    && !a.name().starts_with("PBES2")
            }
        }) {
            if !out.iter().any(|a| core::ptr::eq(*a, alg)) {
                out.push(alg);
            }
        }
    }
    out
}

/// The serialized token of a case (a JSON serialization is given as an object).
fn token(t: &Value) -> (bool, Vec<u8>) {
    let (is_jws, v) = match (t.get("jws"), t.get("jwe")) {
        (Some(v), None) => (true, v),
        (None, Some(v)) => (false, v),
        _ => panic!("case {} is neither jws nor jwe", t["tcId"]),
    };
    let bytes = match v {
        Value::String(s) => s.as_bytes().to_vec(),
        other => serde_json::to_vec(other).unwrap(),
    };
    (is_jws, bytes)
}

/// Runs one case through the library.
fn run(group: &Value, t: &Value) -> Result<Vec<u8>, Error> {
    // Key import comes first, for every key the group gives.
    let private = group.get("private").map(import).transpose()?;
    let public = group.get("public").map(import).transpose()?;
    let (is_jws, token) = token(t);
    if is_jws {
        let keys = public.or(private).unwrap();
        let verifier = Verifier::new(&jws_algs(&keys));
        match &keys {
            Keys::One(k) => verifier.verify(&token, &**k),
            Keys::Set(s) => verifier.verify_with_set(&token, s),
        }
        .map(jws::Verified::into_payload)
    } else {
        let keys = private.unwrap();
        let algs = jwe_algs(&keys);
        let decryptor = Decryptor::new(&algs, jwe::ALL_ENC);
        match &keys {
            Keys::One(k) => decryptor.decrypt(&token, &**k),
            Keys::Set(s) => decryptor.decrypt_with_set(&token, s),
        }
        .map(|d| d.plaintext().to_vec())
    }
}

fn outcome(group: &Value, t: &Value) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| run(group, t))) {
        Ok(Ok(p)) => Outcome::Accepted(p),
        Ok(Err(e)) => Outcome::Refused(e),
        Err(p) => Outcome::Panicked(
            p.downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        ),
    }
}

/// Whether the outcome is the one upstream's label asks for.
fn meets_label(file: &str, label: &str, t: &Value, got: &Outcome) -> bool {
    match (label, got) {
        ("valid", Outcome::Accepted(p)) => *p == expected(file, t),
        ("invalid", Outcome::Refused(_)) => true,
        _ => false,
    }
}

/// Whether the outcome is the opposite of the label, as a deviation must be (never a panic).
fn opposite_of_label(file: &str, label: &str, t: &Value, got: &Outcome) -> bool {
    match (label, got) {
        ("valid", Outcome::Refused(_)) => true,
        ("invalid", Outcome::Accepted(p)) => *p == expected(file, t),
        _ => false,
    }
}

#[test]
fn every_wycheproof_case() {
    let (mut total, mut passed, mut codes_checked) = (0, 0, 0);
    let (mut deviated, mut unavailable) = (Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for (file, _) in FILES {
        for (group, t) in cases(file) {
            total += 1;
            let id = t["tcId"].as_u64().unwrap();
            let label = t["result"].as_str().unwrap();
            let got = outcome(&group, &t);
            let what = format!(
                "{file} #{id} ({} / {}, {label}): {}",
                group["comment"].as_str().unwrap_or(""),
                t["comment"].as_str().unwrap_or(""),
                got.describe()
            );
            if std::env::var_os("WYCHEPROOF_TRACE").is_some() {
                eprintln!("{what}");
            }
            if let Outcome::Refused(Error::AlgorithmUnavailable { .. }) = got
                && !cfg!(feature = "aws-lc")
            {
                // ring alone lacks ECDH-ES, AES-192-GCM, RSA-OAEP...: counted, not run.
                unavailable.push(id);
            } else if let Some(why) = deviation(file, id) {
                if opposite_of_label(file, label, &t, &got) {
                    deviated.push(id);
                } else {
                    failures.push(format!("deviation no longer holds ({why}): {what}"));
                }
            } else if meets_label(file, label, &t, &got) {
                if let Some((_, _, code)) = CODES.iter().find(|c| c.0 == *file && c.1 == id) {
                    codes_checked += 1;
                    if !matches!(&got, Outcome::Refused(e) if reason_code(e) == *code) {
                        failures.push(format!("expected {code}: {what}"));
                    }
                }
                passed += 1;
            } else {
                failures.push(what);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(total, TOTAL);
    if cfg!(feature = "aws-lc") {
        assert_eq!(deviated.len(), DEVIATIONS.len(), "every deviation is met");
        assert_eq!(codes_checked, CODES.len(), "every expected code is checked");
    }
    assert_eq!(passed + deviated.len() + unavailable.len(), TOTAL);
    eprintln!(
        "wycheproof: {total} cases, {passed} passed, {} deviations, {} needing an algorithm this \
         backend lacks",
        deviated.len(),
        unavailable.len()
    );
}
