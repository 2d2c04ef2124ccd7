//! The Wycheproof JOSE files (`tests/vectors/wycheproof/`) and what zegel must give for each
//! case, shared by the library runner (`wycheproof.rs`) and the command-line test
//! (`crates/zegel-cli/tests/cli/wycheproof.rs`): the case counts, the exact payload of each
//! accepted case, and the table of deviations (mirrored in
//! `tests/vectors/wycheproof/DEVIATIONS.md`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use zegel_jose::base64url;
use zegel_jose::error::Part;

/// The folder of the four files.
pub(crate) fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../zegel-jose/tests/vectors/wycheproof")
}

/// Every case of `file`: (group, test), after checking the file's count.
pub(crate) fn cases(file: &str) -> Vec<(Value, Value)> {
    let doc: Value = serde_json::from_slice(&std::fs::read(dir().join(file)).unwrap()).unwrap();
    let mut out = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            out.push((group.clone(), t.clone()));
        }
    }
    let count = FILES.iter().find(|f| f.0 == file).unwrap().1;
    assert_eq!(out.len(), count, "{file}: case count");
    assert_eq!(doc["numberOfTests"].as_u64(), Some(count as u64), "{file}");
    out
}

/// The four files and their case counts (upstream's `numberOfTests`).
pub(crate) const FILES: &[(&str, usize)] = &[
    (CRYPTO, 83),
    (ENCRYPTION, 139),
    (KEYS, 26),
    (SIGNATURE, 401),
];

/// Every case, across the four files.
pub(crate) const TOTAL: usize = 649;

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

pub(crate) const CRYPTO: &str = "json_web_crypto_test.json";
pub(crate) const ENCRYPTION: &str = "json_web_encryption_test.json";
pub(crate) const KEYS: &str = "json_web_key_test.json";
pub(crate) const SIGNATURE: &str = "json_web_signature_test.json";

const JSON_SERIALIZATION: &str = "zegel's contract: the JSON serializations (RFC 7515 §7.2, \
     RFC 7516 §7.2) are accepted everywhere (crates/zegel-cli/README.md; Verifier::verify and \
     Decryptor::decrypt take any serialization); upstream expects a compact-only library";
const KEY_ALG_PS256: &str = "mislabelled: the key says \"alg\": \"PS256\", the token is PS384 \
     (RFC 7520 §4.2); a key's alg binds it to that algorithm (RFC 7517 §4.4)";
const KEY_ALG_ES521: &str = "mislabelled: the key says \"alg\": \"ES521\", which is no \
     algorithm (upstream's own json_web_key_test #19 refuses that key), the token is ES512";
const SAME_AS_357: &str = "mislabelled: byte-identical to valid case #357 (C2SP/wycheproof \
     issue 236)";

/// Cases whose refusal must have this error code (file, `tcId`, code), to check the reason and
/// not only the refusal.
pub(crate) const CODES: &[(&str, u64, &str)] = &[
    (CRYPTO, 46, "jose.key.roca_weak"),
    (CRYPTO, 47, "jose.key.mixed_key_set"),
    (KEYS, 1, "jose.key.mixed_key_set"),
    (KEYS, 7, "jose.key.roca_weak"),
    // Refused at import: the second key's `k` is not canonical base64url (its last character
    // has non-zero unused bits), so this case never reaches a duplicate-kid rule (issue 13
    // item 4), which needs tests of its own.
    (KEYS, 4, "jose.key.invalid_member"),
    (KEYS, 8, "jose.key.rsa_too_small"),
    (KEYS, 9, "jose.key.invalid_member"),
];

/// The payload a `valid` case (or an accepted deviation) must give: for a JWS, read from the
/// token itself (decoded unless the protected header says `"b64": false`); for a JWE, `pt`, or
/// [`JWE_PLAINTEXTS`].
pub(crate) fn expected(file: &str, t: &Value) -> Vec<u8> {
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

/// The deviation entry of a case, if any.
pub(crate) fn deviation(file: &str, id: u64) -> Option<&'static str> {
    DEVIATIONS
        .iter()
        .find(|d| d.0 == file && d.1 == id)
        .map(|d| d.2)
}
