//! The contract's conventions, checked on every command at once: `--in FILE` as well as
//! standard input, surrounding whitespace and CRLF around input tokens, one newline after
//! output tokens, exact bytes (binary, empty) for payloads and plaintexts.

use crate::{Scratch, data, zegel};

const BINARY: &[u8] = &[0, 0xff, b'\n', 0xfe, b'\r', 0x80, b' ', 0];

/// Asserts one token line ending in exactly one `\n`, and returns it.
#[track_caller]
fn token(args: &[&str], stdin: &[u8]) -> String {
    let out = zegel(args, stdin).ok();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.strip_suffix('\n').expect("ends with a newline");
    assert!(
        !line.contains(['\n', '\r']),
        "exactly one newline: {text:?}"
    );
    line.to_owned()
}

/// The ways a person or a script hands a token over.
fn wrapped(token: &str) -> Vec<String> {
    vec![
        token.to_owned(),
        format!("{token}\n"),
        format!("{token}\r\n"),
        format!("  \t{token} \r\n\n"),
        format!("\n{token}"),
    ]
}

#[test]
fn payloads_and_plaintexts_are_exact_bytes() {
    // RSA-OAEP needs the aws-lc backend; jwe::rsa_needs_the_aws_lc_backend covers ring alone.
    if !crate::with_aws_lc() {
        return;
    }
    let jws_key = data("p256.jwk.json");
    let jwe_pub = data("rsa.pub.jwk.json");
    let jwe_key = data("rsa.jwk.json");
    for payload in [BINARY, b"", b"no newline", b"trailing newline\n", b"\r\n"] {
        let jws = token(
            &["jws", "sign", "--key", &jws_key, "--alg", "ES256"],
            payload,
        );
        for input in wrapped(&jws) {
            let out = zegel(&["jws", "verify", "--key", &jws_key], input).ok();
            assert_eq!(out.stdout, payload, "jws {payload:?}");
        }
        let jwe = token(
            &[
                "jwe",
                "encrypt",
                "--key",
                &jwe_pub,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A128GCM",
            ],
            payload,
        );
        for input in wrapped(&jwe) {
            let out = zegel(&["jwe", "decrypt", "--key", &jwe_key], input).ok();
            assert_eq!(out.stdout, payload, "jwe {payload:?}");
        }
        for form in ["flattened", "general"] {
            let jws = token(
                &[
                    "jws", "sign", "--key", &jws_key, "--alg", "ES256", "--json", form,
                ],
                payload,
            );
            let out = zegel(&["jws", "verify", "--key", &jws_key], format!("{jws}\r\n")).ok();
            assert_eq!(out.stdout, payload, "jws {form}");
        }
    }
}

#[test]
fn every_command_reads_in_file() {
    // RSA-OAEP needs the aws-lc backend; jwe::rsa_needs_the_aws_lc_backend covers ring alone.
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("conventions-in");
    let jws_key = data("p256.jwk.json");
    let (jwe_pub, jwe_key) = (data("rsa.pub.jwk.json"), data("rsa.jwk.json"));
    let payload = scratch.write("payload.bin", BINARY);
    // Standard input is ignored when --in is given: it holds garbage here.
    let jws = token(
        &[
            "jws", "sign", "--key", &jws_key, "--alg", "ES256", "--in", &payload,
        ],
        b"garbage",
    );
    let jws_file = scratch.write("jws.txt", format!("{jws}\r\n"));
    let out = zegel(
        &["jws", "verify", "--key", &jws_key, "--in", &jws_file],
        "x",
    )
    .ok();
    assert_eq!(out.stdout, BINARY);
    let jwe = token(
        &[
            "jwe",
            "encrypt",
            "--key",
            &jwe_pub,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A128GCM",
            "--in",
            &payload,
        ],
        b"garbage",
    );
    let jwe_file = scratch.write("jwe.txt", format!("{jwe}\n"));
    let out = zegel(
        &["jwe", "decrypt", "--key", &jwe_key, "--in", &jwe_file],
        "x",
    )
    .ok();
    assert_eq!(out.stdout, BINARY);
    let claims = scratch.write("claims.json", "{\"n\":1}\r\n");
    let jwt = token(
        &[
            "jwt", "sign", "--key", &jws_key, "--alg", "ES256", "--in", &claims,
        ],
        b"garbage",
    );
    let jwt_file = scratch.write("jwt.txt", format!(" {jwt}\r\n"));
    let verified = token(
        &[
            "jwt", "verify", "--key", &jws_key, "--no-exp", "--in", &jwt_file,
        ],
        b"garbage",
    );
    let verified: serde_json::Value = serde_json::from_str(&verified).unwrap();
    assert_eq!(verified["n"], 1);
    let nested = token(
        &[
            "jwt",
            "encrypt",
            "--sign-key",
            &jws_key,
            "--sign-alg",
            "ES256",
            "--key",
            &jwe_pub,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A128GCM",
            "--in",
            &claims,
        ],
        b"garbage",
    );
    let nested_file = scratch.write("nested.txt", format!("{nested}\r\n"));
    let verified = token(
        &[
            "jwt",
            "verify",
            "--key",
            &jws_key,
            "--decrypt-key",
            &jwe_key,
            "--no-exp",
            "--in",
            &nested_file,
        ],
        b"garbage",
    );
    assert!(verified.contains("\"n\":1"), "{verified}");
    let report = token(&["inspect", "--in", &jws_file], b"garbage");
    assert!(report.contains("\"kind\":\"jws\""), "{report}");
    let key_file = scratch.write("key.json", std::fs::read(&jws_key).unwrap());
    token(&["jwk", "public", "--in", &key_file], b"garbage");
    token(&["jwk", "thumbprint", "--in", &key_file], b"garbage");
}

#[test]
fn jwt_and_inspect_accept_wrapped_tokens() {
    let key = data("p256.jwk.json");
    let jwt = token(&["jwt", "sign", "--key", &key, "--alg", "ES256"], b"{}");
    for input in wrapped(&jwt) {
        zegel(&["jwt", "verify", "--key", &key, "--no-exp"], &input).ok_json();
        zegel(&["inspect"], &input).ok_json();
    }
}
