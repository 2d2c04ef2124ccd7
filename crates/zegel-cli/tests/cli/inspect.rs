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
