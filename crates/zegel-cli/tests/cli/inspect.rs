//! `zegel inspect`: header and payload, never verified, and it says so.

use serde_json::json;

use crate::{b64, data, data_text, zegel};

#[test]
fn compact_jws() {
    let out = zegel(&["inspect"], data_text("es256.txt")).ok();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Exactly the contract's shape: no other member.
    assert_eq!(
        report,
        json!({
            "kind": "jws", "header": {"alg": "ES256"}, "payload": "hello from jwcrypto",
            "verified": false
        })
    );
    assert!(out.stdout.ends_with(b"}\n"));
    assert_eq!(
        out.stderr,
        "warning: nothing was verified; do not trust this content\n"
    );
}

#[test]
fn payload_forms() {
    let h = b64(br#"{"alg":"HS256","kid":"k"}"#);
    let report = zegel(
        &["inspect", "--details"],
        format!("{h}.{}.{}", b64(br#"{"sub":"x","n":[1]}"#), b64(b"sig")),
    )
    .ok_json();
    assert_eq!(report["payload"], json!({"sub": "x", "n": [1]}));
    assert_eq!(report["payload_encoding"], "json");
    assert_eq!(report["header"], json!({"alg": "HS256", "kid": "k"}));
    let report = zegel(
        &["inspect", "--details"],
        format!("{h}.{}.{}", b64(&[0xff, 0xfe, 0]), b64(b"sig")),
    )
    .ok_json();
    assert_eq!(report["payload"], "__4A");
    assert_eq!(report["payload_encoding"], "base64url");
    // Unverified even with a bad signature, or none: inspect never verifies.
    let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"42"));
    let report = zegel(&["inspect"], format!("\n{none}\n")).ok_json();
    assert_eq!(report["payload"], 42);
    assert_eq!(report["verified"], false);
    // b64: false (RFC 7797): the payload segment is the payload.
    let h = b64(br#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
    let report = zegel(&["inspect"], format!("{h}.raw text.{}", b64(b"sig"))).ok_json();
    assert_eq!(report["payload"], "raw text");
}

#[test]
fn compact_jwe_header_only() {
    let report = zegel(&["inspect", "--in", &data("jwe_rsa_oaep_256.txt")], "").ok_json();
    assert_eq!(
        report,
        json!({"kind": "jwe", "header": {"alg": "RSA-OAEP-256", "enc": "A256GCM"}, "verified": false})
    );
}

#[test]
fn json_serializations() {
    if !crate::with_aws_lc() {
        return;
    }
    let key = data("oct.jwk.json");
    let flattened = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &key,
            "--alg",
            "HS256",
            "--json",
            "flattened",
            "--kid",
            "a",
        ],
        "p",
    )
    .ok_line();
    let report = zegel(&["inspect"], &flattened).ok_json();
    assert_eq!(
        report,
        json!({"kind": "jws", "header": {"alg": "HS256", "kid": "a"}, "payload": "p", "verified": false})
    );
    let report = zegel(&["inspect", "--details"], &flattened).ok_json();
    assert_eq!(
        report,
        json!({"kind": "jws", "serialization": "flattened", "header": {"alg": "HS256", "kid": "a"}, "payload": "p", "payload_encoding": "utf8", "verified": false})
    );
    let general = zegel(
        &[
            "jws", "sign", "--key", &key, "--alg", "HS512", "--json", "general", "--kid", "b",
        ],
        "p",
    )
    .ok_line();
    let report = zegel(&["inspect"], &general).ok_json();
    assert_eq!(
        report,
        json!({"kind": "jws", "header": {"alg": "HS512", "kid": "b"}, "payload": "p", "verified": false})
    );
    let report = zegel(&["inspect", "--details"], &general).ok_json();
    assert_eq!(report["serialization"], "general");
    assert_eq!(report["header"], json!({"alg": "HS512", "kid": "b"}));
    assert_eq!(report["headers"], json!([{"alg": "HS512", "kid": "b"}]));
    let jwe = zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("rsa.pub.jwk.json"),
            "--alg",
            "RSA-OAEP",
            "--enc",
            "A128GCM",
            "--json",
            "general",
        ],
        "p",
    )
    .ok_line();
    let report = zegel(&["inspect"], &jwe).ok_json();
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["header", "kind", "verified"]);
    let report = zegel(&["inspect", "--details"], &jwe).ok_json();
    assert_eq!(report["kind"], "jwe");
    assert_eq!(report["serialization"], "general");
    assert_eq!(report["header"]["alg"], "RSA-OAEP");
    assert_eq!(report["header"]["enc"], "A128GCM");
    assert!(report.get("payload").is_none());
}

#[test]
fn malformed_tokens_are_rejected() {
    for bad in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e.f",
        "!!!.e30.",
        &format!("{}.e30.", b64(b"[1]")),
        &format!("{}.e30.", b64(b"{\"a\":1,\"a\":2}")),
        "{\"payload\":\"e30\",\"ciphertext\":\"x\"}",
        "{\"signatures\":[]}",
        "{",
    ] {
        let line = zegel(&["inspect"], bad).fails(1);
        assert!(
            line.starts_with("error: cannot inspect the token") || line.contains("empty"),
            "{line}"
        );
    }
}

#[test]
fn input_is_bounded() {
    let huge = vec![b'a'; 64 * 1024 * 1024 + 1];
    zegel(&["inspect"], &huge).fails_with(1, "larger than 67108864 bytes");
}

/// A JSON JWE with `recipients` empty recipients and `members` shared unprotected members.
fn hostile_jwe(recipients: usize, members: usize) -> String {
    let unprotected: serde_json::Map<String, serde_json::Value> =
        (0..members).map(|i| (format!("m{i}"), json!(1))).collect();
    json!({
        "protected": b64(br#"{"enc":"A128GCM"}"#),
        "unprotected": unprotected,
        "recipients": vec![json!({}); recipients],
        "iv": "AAAA", "ciphertext": "AAAA", "tag": "AAAA",
    })
    .to_string()
}

#[test]
fn hostile_json_stays_within_the_libraries_limits() {
    // Issue 7 §1.2: 2000 empty recipients and 5000 shared members (about 50 KB) cost 1.4 GB
    // when every recipient got a copy of the shared header. Now the recipient limit applies...
    let token = hostile_jwe(2000, 5000);
    assert_eq!(
        zegel(&["inspect", "--details"], &token).fails(1),
        "error: cannot inspect the token: wrong number of recipients: between one and the \
         configured maximum of recipients"
    );
    // ...and within it, the shared header is shown once: the output stays about the input's
    // size, with or without --details.
    let token = hostile_jwe(16, 5000);
    for flags in [&["inspect"][..], &["inspect", "--details"]] {
        let out = zegel(flags, &token).ok();
        assert!(
            out.stdout.len() < token.len() + 1000,
            "{flags:?}: {} bytes out for {} in",
            out.stdout.len(),
            token.len()
        );
    }
    let report = zegel(&["inspect", "--details"], &token).ok_json();
    assert_eq!(report["header"].as_object().unwrap().len(), 5001);
    assert_eq!(report["headers"], json!(vec![json!({}); 16]));
    // Past the libraries' token length: refused before parsing.
    let long = hostile_jwe(1, 30_000);
    assert!(long.len() > 256 * 1024);
    assert_eq!(
        zegel(&["inspect"], &long).fails(1),
        "error: cannot inspect the token: the token is larger than 262144 bytes"
    );
}

#[test]
fn details_show_each_recipients_own_header() {
    let token = json!({
        "protected": b64(br#"{"enc":"A128GCM"}"#),
        "unprotected": {"jku": "https://example.com/jwks"},
        "recipients": [
            {"header": {"alg": "A128KW", "kid": "1"}, "encrypted_key": "AAAA"},
            {"header": {"alg": "A256KW", "kid": "2"}, "encrypted_key": "AAAA"},
        ],
        "iv": "AAAA", "ciphertext": "AAAA", "tag": "AAAA",
    })
    .to_string();
    let report = zegel(&["inspect", "--details"], &token).ok_json();
    assert_eq!(
        report["header"],
        json!({"enc": "A128GCM", "jku": "https://example.com/jwks", "alg": "A128KW", "kid": "1"})
    );
    assert_eq!(
        report["headers"],
        json!([{"alg": "A128KW", "kid": "1"}, {"alg": "A256KW", "kid": "2"}])
    );
    // A malformed second recipient is refused with or without --details.
    let bad = token.replace(r#"{"alg":"A256KW","kid":"2"}"#, "7");
    for flags in [&["inspect"][..], &["inspect", "--details"]] {
        assert_eq!(
            zegel(flags, &bad).fails(1),
            "error: cannot inspect the token: invalid parameter \"header\""
        );
    }
}

/// Runs `zegel inspect --details` on `token` with its address space limited to 64 MiB (the
/// shell's `ulimit -v`): the exit status and standard error.
#[cfg(target_os = "linux")]
fn inspect_in_64_mib(token: &str) -> (Option<i32>, String) {
    let scratch = crate::Scratch::new("inspect-memory");
    let file = scratch.write("token.json", token);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 65536 && exec "$0" inspect --details --in "$1""#)
        .arg(env!("CARGO_BIN_EXE_zegel"))
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn hostile_json_is_inspected_in_64_mib() {
    // Issue 7 §1.2: the 50 KB token that took 1.4 GB (2000 recipients, 5000 shared members) is
    // refused within a 64 MiB address space; at the recipient limit, it is shown within it.
    let (code, stderr) = inspect_in_64_mib(&hostile_jwe(2000, 5000));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "error: cannot inspect the token: wrong number of recipients: between one and the \
         configured maximum of recipients\n"
    );
    let (code, stderr) = inspect_in_64_mib(&hostile_jwe(16, 5000));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "warning: nothing was verified; do not trust this content\n"
    );
}
