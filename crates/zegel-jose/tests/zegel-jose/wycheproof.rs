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
//! in `tests/vectors/wycheproof/DEVIATIONS.md`); those that wait for work in progress are in
//! [`PENDING`]. Every other case must pass, and the total is asserted, so none is skipped.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use serde_json::Value;
use zegel_jose::error::Part;
use zegel_jose::jwe::{self, Decryptor, KeyManagement};
use zegel_jose::jws::{self, JwsAlgorithm, Verifier};
use zegel_jose::{Error, Jwk, JwkSet, base64url};

/// The four files and their case counts (upstream's `numberOfTests`).
const FILES: &[(&str, usize)] = &[
    (CRYPTO, 83),
    (ENCRYPTION, 139),
    (KEYS, 26),
    (SIGNATURE, 401),
];

/// Every case, across the four files.
const TOTAL: usize = 649;

/// Cases where zegel's result deliberately differs from upstream's label: (file, `tcId`, why).
/// For each, the runner asserts the opposite of the label (a `valid` case refused with a typed
/// error, an `invalid` one accepted with its exact payload). Keep this short and justified.
pub(crate) const DEVIATIONS: &[(&str, u64, &str)] = &[
    (CRYPTO, 17, JSON_SERIALIZATION),
    (CRYPTO, 66, JSON_SERIALIZATION),
    (ENCRYPTION, 22, JSON_SERIALIZATION),
    (SIGNATURE, 346, KEY_ALG_PS256),
    (SIGNATURE, 350, KEY_ALG_PS256),
    (SIGNATURE, 347, KEY_ALG_ES521),
    (SIGNATURE, 351, KEY_ALG_ES521),
    (SIGNATURE, 367, SAME_AS_357),
    (SIGNATURE, 370, SAME_AS_357),
    (
        SIGNATURE,
        372,
        "mislabelled valid: its header holds a '?', which is not base64url (RFC 7515 §2, \
         §7.1); the case's own comment says InvalidCharacterInsertedInHeader",
    ),
    (
        SIGNATURE,
        373,
        "mislabelled valid: its payload holds a '?', which is not base64url (RFC 7515 §2, \
         §7.1), and the MAC is over the payload without it; the case's own comment says \
         InvalidCharacterInsertedInPayload",
    ),
];

const CRYPTO: &str = "json_web_crypto_test.json";
const ENCRYPTION: &str = "json_web_encryption_test.json";
const KEYS: &str = "json_web_key_test.json";
const SIGNATURE: &str = "json_web_signature_test.json";

const JSON_SERIALIZATION: &str = "zegel's contract: the JSON serializations (RFC 7515 §7.2, \
     RFC 7516 §7.2) are accepted everywhere (crates/zegel-cli/README.md; Verifier::verify and \
     Decryptor::decrypt take any serialization); upstream expects a compact-only library";
const KEY_ALG_PS256: &str = "mislabelled: the key says \"alg\": \"PS256\", the token is PS384 \
     (RFC 7520 §4.2); a key's alg binds it to that algorithm (RFC 7517 §4.4)";
const KEY_ALG_ES521: &str = "mislabelled: the key says \"alg\": \"ES521\", which is no \
     algorithm (upstream's own json_web_key_test #19 refuses that key), the token is ES512";
const SAME_AS_357: &str = "mislabelled: byte-identical to valid case #357 (C2SP/wycheproof \
     issue 236)";

/// Which work item a [`PENDING`] case waits for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Item {
    /// Issue 13 item 3: a verification set mixing `oct` secrets with public keys is refused.
    MixedSymmetry13_3,
    /// Issue 13 item 5: a `dir` key whose `alg` names its `enc` (RFC 7520 §5.6) decrypts.
    DirKeyEncAlg13_5,
}

/// Cases that fail today ONLY because the work named by their [`Item`] has not landed yet.
/// The runner asserts that each still fails, so it fails loudly when one starts passing: then
/// remove the entry. This list must be empty once items 13.3, 13.4 and 13.5 are done. (No case
/// waits for 13.4, the duplicate-`kid` rule: upstream's one case is refused earlier, see
/// [`CODES`].)
pub(crate) const PENDING: &[(&str, u64, Item)] = &[
    (CRYPTO, 47, Item::MixedSymmetry13_3),
    (KEYS, 1, Item::MixedSymmetry13_3),
    (ENCRYPTION, 132, Item::DirKeyEncAlg13_5),
];

/// Cases whose refusal must have this error code (file, `tcId`, code), to check the reason and
/// not only the refusal.
const CODES: &[(&str, u64, &str)] = &[
    (CRYPTO, 46, "jose.key.roca_weak"),
    (KEYS, 7, "jose.key.roca_weak"),
    // Refused at import: the second key's `k` is not canonical base64url (its last character
    // has non-zero unused bits), so this case never reaches a duplicate-kid rule (issue 13
    // item 4), which needs tests of its own.
    (KEYS, 4, "jose.key.invalid_member"),
    (KEYS, 8, "jose.key.rsa_too_small"),
    (KEYS, 9, "jose.key.invalid_member"),
];

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
/// algorithm that fits (not `RSA1_5` nor `PBES2`, which must be named).
fn jwe_algs(keys: &Keys) -> Vec<&'static KeyManagement> {
    let mut out: Vec<&'static KeyManagement> = Vec::new();
    for key in keys.all() {
        for alg in jwe::ALL.iter().copied().filter(|a| match key.alg() {
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
            Keys::One(k) => verifier.verify(&token, k),
            Keys::Set(s) => verifier.verify_with_set(&token, s),
        }
        .map(jws::Verified::into_payload)
    } else {
        let keys = private.unwrap();
        let algs = jwe_algs(&keys);
        let decryptor = Decryptor::new(&algs, jwe::ALL_ENC);
        match &keys {
            Keys::One(k) => decryptor.decrypt(&token, k),
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

/// The payload a `valid` case (or an accepted deviation) must give: for a JWS, read from the
/// token itself (decoded unless the protected header says `"b64": false`); for a JWE, `pt`, or
/// [`JWE_PLAINTEXTS`].
fn expected(file: &str, t: &Value) -> Vec<u8> {
    let id = t["tcId"].as_u64().unwrap();
    if t.get("jwe").is_some() {
        if let Some(pt) = t.get("pt").and_then(Value::as_str) {
            return hex(pt);
        }
        let known = JWE_PLAINTEXTS.iter().find(|p| p.0 == file && p.1 == id);
        return known
            .unwrap_or_else(|| panic!("{file} #{id}: no plaintext known"))
            .2
            .to_vec();
    }
    let (protected, payload) = match &t["jws"] {
        Value::String(s) => {
            let mut parts = s.split('.');
            (parts.next().unwrap(), parts.next().unwrap())
        }
        Value::Object(o) => {
            let sig = o.get("signatures").map_or(&t["jws"], |s| &s[0]);
            (
                sig["protected"].as_str().unwrap(),
                o["payload"].as_str().unwrap(),
            )
        }
        _ => panic!("{file} #{id}: no JWS"),
    };
    let header: Value =
        serde_json::from_slice(&base64url::decode(protected.as_bytes(), Part::Header).unwrap())
            .unwrap();
    if header.get("b64") == Some(&Value::Bool(false)) {
        payload.as_bytes().to_vec()
    } else {
        base64url::decode(payload.as_bytes(), Part::Payload).unwrap()
    }
}

/// The plaintexts of the JWE cases that give no `pt` but are accepted: (file, `tcId`,
/// plaintext), each taken from the case of `json_web_encryption_test.json` that holds the same
/// token under the same key (`pt` 666f6f, "foo"): crypto #50 is encryption #1, crypto #67 is
/// encryption #33, and crypto #66 and encryption #22 are encryption #1 in the JSON
/// serialization (same protected header, encrypted key, IV, ciphertext and tag).
const JWE_PLAINTEXTS: &[(&str, u64, &[u8])] = &[
    (CRYPTO, 50, b"foo"),
    (CRYPTO, 66, b"foo"),
    (CRYPTO, 67, b"foo"),
    (ENCRYPTION, 22, b"foo"),
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/wycheproof");
    let (mut total, mut passed) = (0, 0);
    let (mut deviated, mut pending) = (Vec::new(), Vec::new());
    let mut failures = Vec::new();
    let mut codes_checked = 0;
    for (file, count) in FILES {
        let doc: Value = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        let mut in_file = 0;
        for group in doc["testGroups"].as_array().unwrap() {
            for t in group["tests"].as_array().unwrap() {
                in_file += 1;
                let id = t["tcId"].as_u64().unwrap();
                let label = t["result"].as_str().unwrap();
                let got = outcome(group, t);
                let what = format!(
                    "{file} #{id} ({} / {}, {label}): {}",
                    group["comment"].as_str().unwrap_or(""),
                    t["comment"].as_str().unwrap_or(""),
                    got.describe()
                );
                if std::env::var_os("WYCHEPROOF_TRACE").is_some() {
                    eprintln!("{what}");
                }
                if let Some((_, _, why)) = DEVIATIONS.iter().find(|d| d.0 == *file && d.1 == id) {
                    if opposite_of_label(file, label, t, &got) {
                        deviated.push(id);
                    } else {
                        failures.push(format!("deviation no longer holds ({why}): {what}"));
                    }
                } else if let Some((_, _, item)) =
                    PENDING.iter().find(|d| d.0 == *file && d.1 == id)
                {
                    if meets_label(file, label, t, &got) {
                        failures.push(format!(
                            "pending case passes now ({item:?} landed?): remove it from PENDING: {what}"
                        ));
                    } else if matches!(got, Outcome::Panicked(_)) {
                        failures.push(format!("pending case panics: {what}"));
                    } else {
                        pending.push(id);
                    }
                } else if meets_label(file, label, t, &got) {
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
        assert_eq!(in_file, *count, "{file}: case count");
        assert_eq!(
            doc["numberOfTests"].as_u64(),
            Some(*count as u64),
            "{file}: numberOfTests"
        );
        total += in_file;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(total, TOTAL);
    assert_eq!(deviated.len(), DEVIATIONS.len(), "every deviation is met");
    assert_eq!(pending.len(), PENDING.len(), "every pending case is met");
    assert_eq!(codes_checked, CODES.len(), "every expected code is checked");
    assert_eq!(passed + deviated.len() + pending.len(), TOTAL);
}
