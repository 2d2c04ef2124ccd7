//! Wycheproof's JOSE suite (all 649 cases) through the binary: `zegel jws verify` with the
//! group's public key (its `private` member for `oct` keys) and `zegel jwe decrypt` with its
//! private key, both without `--alg`, so the command line's defaults decide.
//!
//! The files, the exact payloads and the table of deviations are the
//! library runner's (`crates/zegel-jose/tests/zegel-jose/wycheproof_cases.rs`): a `valid` case
//! (or an `invalid` one zegel deliberately accepts) must exit 0 with exactly its payload on
//! standard output; every other must exit 1 with one `error: ` line, or 2 when the key file
//! itself is unusable for the command (refused on import, or no algorithm fits it: a
//! configuration error by the command line contract).

use serde_json::Value;
use zegel_jose::jwe;
use zegel_jose::jwk::KeyType;
use zegel_jose::jws;
use zegel_jose::{Jwk, JwkSet};

use crate::wycheproof_cases::{CRYPTO, ENCRYPTION, KEYS, SIGNATURE, cases, deviation, expected};
use crate::{Out, Scratch, with_aws_lc, zegel};

/// Whether the key file cannot serve the command at all: the library refuses to import it, or
/// no algorithm fits it without `--alg` (each key's own `alg`, else its type; for decryption
/// every key must also be private). The command line then exits 2.
fn unusable(key: &Value, is_jws: bool) -> bool {
    let text = serde_json::to_vec(key).unwrap();
    let keys = if key.get("keys").is_some() {
        match JwkSet::parse(&text) {
            Ok(set) => set.keys().to_vec(),
            Err(_) => return true,
        }
    } else {
        match Jwk::parse(&text) {
            Ok(k) => vec![k],
            Err(_) => return true,
        }
    };
    if !is_jws && keys.iter().any(|k| !k.is_private()) {
        return true;
    }
    // A verification set mixing secrets with public keys is a configuration mistake (issue 13).
    let secret = |k: &Jwk| k.key_type() == KeyType::Oct;
    if is_jws && keys.iter().any(secret) && !keys.iter().all(secret) {
        return true;
    }
    !keys.iter().any(|k| match (k.alg(), is_jws) {
        (Some(own), true) => jws::by_name(own).is_some(),
        // A `dir` key may name its `enc` as its `alg` (RFC 7520 §5.6).
        (Some(own), false) => jwe::by_name(own).is_some() || jwe::enc_by_name(own).is_some(),
        (None, true) => jws::ALL.iter().any(|a| a.fits(k)),
        (None, false) => jwe::ALL.iter().any(|a| a.fits(k)),
    })
}

/// Runs every case of `file`; returns how many exited 0, 1 and 2.
fn run_file(file: &str) -> [usize; 3] {
    let scratch = Scratch::new("wycheproof");
    let mut failures = Vec::new();
    let mut counts = [0; 3];
    for (n, (group, t)) in cases(file).into_iter().enumerate() {
        let id = t["tcId"].as_u64().unwrap();
        let is_jws = t.get("jws").is_some();
        let key = if is_jws {
            group.get("public").unwrap_or(&group["private"])
        } else {
            &group["private"]
        };
        let key_file = scratch.write(&format!("{n}.json"), serde_json::to_vec(key).unwrap());
        let token = match t.get("jws").unwrap_or(&t["jwe"]) {
            Value::String(s) => s.clone().into_bytes(),
            other => serde_json::to_vec(other).unwrap(),
        };
        let cmd = if is_jws {
            ["jws", "verify"]
        } else {
            ["jwe", "decrypt"]
        };
        let out = zegel(&[cmd[0], cmd[1], "--key", &key_file], &token);
        let valid = t["result"] == "valid";
        let accept = valid != deviation(file, id).is_some();
        let what = format!("{file} #{id} ({}): {out:?}", t["comment"]);
        match out.code {
            0..=2 => counts[usize::try_from(out.code).unwrap()] += 1,
            _ => failures.push(format!("exit status: {what}")),
        }
        if !with_aws_lc() && out.stderr.contains("not compiled in") {
            // ring alone lacks ECDH-ES, AES-192-GCM, RSA-OAEP...: counted, not run.
            if !one_error_line(&out, 1) && !one_error_line(&out, 2) {
                failures.push(format!("expected one error line: {what}"));
            }
        } else if accept {
            if out.code != 0 || out.stdout != expected(file, &t) {
                failures.push(format!("expected exit 0 and the payload: {what}"));
            }
        } else {
            let code = if unusable(key, is_jws) { 2 } else { 1 };
            if !one_error_line(&out, code) {
                failures.push(format!("expected exit {code} and one error line: {what}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    counts
}

/// Exit `code`, nothing on standard output, one line on standard error starting `error: `.
fn one_error_line(out: &Out, code: i32) -> bool {
    out.code == code
        && out.stdout.is_empty()
        && out.stderr.ends_with('\n')
        && out.stderr.lines().count() == 1
        && out.stderr.starts_with("error: ")
}

// Each file on its own, so that the test harness runs them in parallel. The counts (exit 0,
// exit 1, exit 2) are asserted so that no case is silently skipped (with aws-lc: ring
// alone refuses some algorithms, which moves cases between the counts).

fn counts(file: &str, with_aws_lc_counts: [usize; 3]) {
    let got = run_file(file);
    if with_aws_lc() {
        assert_eq!(got, with_aws_lc_counts, "{file}");
    }
    assert_eq!(got.iter().sum::<usize>(), cases(file).len(), "{file}");
}

#[test]
fn wycheproof_crypto() {
    // Exit 0: the 6 valid cases and 2 JSON serializations; exit 2: the ROCA key and the set
    // mixing a secret with public keys (#47).
    counts(CRYPTO, [8, 73, 2]);
}

#[test]
fn wycheproof_encryption() {
    // Exit 0: the 65 valid cases (#132's `dir` key names its `enc`) and the JSON
    // serialization #22.
    counts(ENCRYPTION, [66, 73, 0]);
}

#[test]
fn wycheproof_keys() {
    // Exit 0: the 5 valid cases; exit 2: 15 keys refused on import or unfit, and the mixed set
    // (#1).
    counts(KEYS, [5, 5, 16]);
}

#[test]
fn wycheproof_signature() {
    // Exit 0: 46 valid cases less 6 deviations, plus 2 (#367, #370); exit 2: the "ES521" keys.
    counts(SIGNATURE, [42, 357, 2]);
}

/// A ROCA-weak RSA key (CVE-2017-15361) is refused as a key file, for verification and
/// encryption alike, JWK or PEM, saying why (exit 2: the key file is unusable).
#[test]
fn roca_key_files_are_refused_with_their_reason() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../zegel-jose/tests/vectors/jwk/roca.json"
    );
    let roca: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let scratch = Scratch::new("roca");
    let jwk = scratch.write("roca.json", roca["jwk_public"].to_string());
    let pem = scratch.write("roca.pem", roca["spki"].as_str().unwrap());
    let reason = "the rsa modulus has the roca fingerprint (CVE-2017-15361)";
    let token = "eyJhbGciOiJSUzI1NiJ9.Zm9v.AAAA";
    for key in [&jwk, &pem] {
        zegel(&["jws", "verify", "--key", key], token).fails_with(2, reason);
        zegel(
            &[
                "jwe",
                "encrypt",
                "--key",
                key,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A128GCM",
            ],
            "x",
        )
        .fails_with(2, reason);
    }
}
