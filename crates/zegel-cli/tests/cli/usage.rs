//! Usage and configuration errors: exit 2 with one `error: ` line; help and version: exit 0.

use crate::{Scratch, data, data_text, zegel};

#[test]
fn help_and_version_go_to_stdout() {
    let help = zegel(&["--help"], "").ok_text();
    for group in ["jwk", "jwks", "jws", "jwe", "jwt", "inspect"] {
        assert!(help.contains(group), "{group} in {help}");
    }
    let version = zegel(&["--version"], "").ok_line();
    assert_eq!(version, format!("zegel {}", env!("CARGO_PKG_VERSION")));
    let help = zegel(&["jws", "verify", "--help"], "").ok_text();
    assert!(help.contains("--alg") && help.contains("--key"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let line = zegel(
        &[
            "jws",
            "verify",
            "--key",
            &data("rsa.pub.jwk.json"),
            "--bogus",
        ],
        "x.y.z",
    )
    .fails_with(2, "--bogus");
    assert!(line.contains("usage: zegel jws verify"), "{line}");
    // A near miss gets clap's tip, on the same line.
    zegel(
        &[
            "jws",
            "sign",
            "--key",
            &data("oct.jwk.json"),
            "--algo",
            "HS256",
        ],
        "",
    )
    .fails_with(2, "--alg");
}

#[test]
fn unknown_or_missing_subcommand_is_a_usage_error() {
    zegel(&["frobnicate"], "").fails_with(2, "frobnicate");
    // http without --allow-insecure-loopback is a usage error.
    zegel(&["discovery", "fetch", "http://127.0.0.1:1/"], "").fails(2);
    zegel(&["itsme", "frobnicate"], "").fails_with(2, "frobnicate");
    zegel(
        &[
            "itsme",
            "auth-url",
            "--config",
            "/nonexistent/itsme.toml",
            "--session-out",
            "/nonexistent/s",
        ],
        "",
    )
    .fails_with(2, "/nonexistent/itsme.toml");
    let line = zegel(&[], "").fails(2);
    assert_eq!(
        line,
        "error: a subcommand is missing (one of: jwk, jwks, jws, jwe, jwt, inspect, discovery, itsme); usage: zegel <COMMAND>"
    );
    let line = zegel(&["jws"], "").fails(2);
    assert_eq!(
        line,
        "error: a subcommand is missing (one of: sign, verify); usage: zegel jws <COMMAND>"
    );
}

#[test]
fn clap_details_stay_on_the_one_line() {
    let line = zegel(&["jwk", "generate", "--kty", "rsa"], "").fails(2);
    assert_eq!(
        line,
        "error: invalid value 'rsa' for '--kty <KTY>'; possible values: RSA, EC, OKP, oct"
    );
    let line = zegel(&["jws", "sign", "--algo", "x"], "").fails(2);
    assert_eq!(
        line,
        "error: unexpected argument '--algo' found; a similar argument exists: '--alg'; \
         usage: zegel jws sign --key <FILE> --alg <ALG>"
    );
    zegel(
        &["jws", "sign", "--key", "a", "--key", "b", "--alg", "HS256"],
        "",
    )
    .fails_with(2, "multiple times");
    zegel(&["jwt", "verify", "--key", "k", "--leeway", "-5"], "").fails_with(2, "-5");
    zegel(&["jwt", "verify", "--key", "k", "--leeway", "soon"], "").fails_with(2, "--leeway");
}

#[test]
fn missing_required_flag_is_a_usage_error() {
    zegel(&["jws", "sign", "--alg", "HS256"], "payload").fails_with(2, "--key");
    zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("rsa.pub.jwk.json"),
            "--alg",
            "RSA-OAEP-256",
        ],
        "p",
    )
    .fails_with(2, "--enc");
}

#[test]
fn unreadable_key_file_is_a_usage_error() {
    let scratch = Scratch::new("usage");
    let missing = scratch.path("missing.json");
    let line =
        zegel(&["jws", "verify", "--key", &missing], "a.b.c").fails_with(2, "cannot read key file");
    assert!(line.contains("missing.json"), "{line}");
    zegel(&["jwe", "decrypt", "--key", &missing], "a.b.c.d.e")
        .fails_with(2, "cannot read key file");
    // Readable but not a key: still configuration.
    let garbage = scratch.write("garbage.json", "not a key");
    zegel(&["jws", "verify", "--key", &garbage], "a.b.c").fails_with(2, "key file");
    let bad_jwk = scratch.write("bad.json", r#"{"kty":"RSA","n":"AQAB"}"#);
    zegel(&["jws", "verify", "--key", &bad_jwk], "a.b.c").fails_with(2, "key file");
    // A folder is not a file.
    zegel(
        &["jws", "verify", "--key", scratch.dir().to_str().unwrap()],
        "a.b.c",
    )
    .fails(2);
}

#[test]
fn unreadable_input_file_is_a_usage_error() {
    let scratch = Scratch::new("usage-in");
    zegel(&["inspect", "--in", &scratch.path("nope.txt")], "")
        .fails_with(2, "cannot read input file");
}

#[test]
fn unknown_algorithm_names_are_usage_errors() {
    let key = data("oct.jwk.json");
    let line = zegel(&["jws", "sign", "--key", &key, "--alg", "HS257"], "x").fails_with(2, "HS257");
    assert!(line.contains("HS256"), "lists the known names: {line}");
    // Exact names only.
    zegel(&["jws", "sign", "--key", &key, "--alg", "hs256"], "x").fails_with(2, "hs256");
    zegel(&["jws", "verify", "--key", &key, "--alg", "none"], "x.y.").fails_with(2, "none");
    zegel(
        &[
            "jwe", "encrypt", "--key", &key, "--alg", "A128KW", "--enc", "A128GCMX",
        ],
        "x",
    )
    .fails_with(2, "A128GCMX");
    zegel(
        &["jwe", "decrypt", "--key", &key, "--alg", "RSA-OAEP-257"],
        "a.b.c.d.e",
    )
    .fails_with(2, "RSA-OAEP-257");
    zegel(&["jwt", "verify", "--key", &key, "--alg", "ES999"], "a.b.c").fails_with(2, "ES999");
}

#[test]
fn key_material_out_of_place_is_never_echoed() {
    // A private key whose `d` was pasted into `kty`, `crv` or `alg`: the error names the
    // problem but not the value.
    let scratch = Scratch::new("usage-leak");
    let key: serde_json::Value = serde_json::from_str(&data_text("p256.jwk.json")).unwrap();
    let d = key["d"].as_str().unwrap().to_owned();
    for (member, value) in [
        ("kty", format!("EC{d}")),
        ("crv", d.clone()),
        ("alg", d.clone()),
    ] {
        let mut bad = key.clone();
        bad[member] = serde_json::Value::String(value);
        let file = scratch.write(&format!("bad-{member}.json"), bad.to_string());
        let line = zegel(&["jws", "sign", "--key", &file, "--alg", "ES256"], "x").fails(2);
        let path = &file;
        let expected = match member {
            "alg" => "error: cannot sign with ES256: key refused: the key is bound to another \
                      algorithm than ES256"
                .to_owned(),
            _ => format!("error: key file {path}: key refused: unsupported key type or curve"),
        };
        assert_eq!(line, expected, "{member}");
        assert!(!line.contains(&d), "{member}: {line}");
        let set = scratch.write(
            &format!("bad-set-{member}.json"),
            serde_json::json!({ "keys": [bad] }).to_string(),
        );
        let line = zegel(&["jws", "verify", "--key", &set], data_text("es256.txt")).fails(2);
        assert!(!line.contains(&d), "{member}: {line}");
        let stdin = bad.to_string();
        for cmd in ["public", "thumbprint"] {
            let out = zegel(&["jwk", cmd], &stdin);
            if out.code != 0 {
                let line = out.fails(1);
                assert!(!line.contains(&d), "{member} {cmd}: {line}");
            }
        }
    }
    // Known names are still shown: they help.
    let file = scratch.write("kty.json", r#"{"kty":"XYZ"}"#);
    assert_eq!(
        zegel(&["jws", "verify", "--key", &file], "a.b.c").fails(2),
        format!("error: key file {file}: key refused: unsupported key type or curve")
    );
    let line = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &data("p256.jwk.json"),
            "--alg",
            "ES384",
        ],
        "x",
    )
    .fails(2);
    assert_eq!(
        line,
        "error: cannot sign with ES384: key refused: the key's type does not fit ES384"
    );
}

#[test]
fn decryption_errors_hold_no_secret() {
    // A client-secret-like oct key, a wrong one, a tampered token: the errors name the failure,
    // never the key, the CEK or the plaintext.
    let scratch = Scratch::new("usage-secret");
    let secret = "c2VjcmV0LWNsaWVudC1zZWNyZXQtMzItYnl0ZXMhISE";
    let right = scratch.write(
        "right.json",
        format!(r#"{{"kty":"oct","k":"{secret}","kid":"k"}}"#),
    );
    let other = "b3RoZXItY2xpZW50LXNlY3JldC0zMi1ieXRlcyEhISE";
    let wrong = scratch.write(
        "wrong.json",
        format!(r#"{{"kty":"oct","k":"{other}","kid":"k"}}"#),
    );
    let plaintext = "PLAINTEXT-THAT-MUST-NOT-LEAK";
    for alg in ["A256KW", "dir", "A256GCMKW"] {
        let token = zegel(
            &[
                "jwe", "encrypt", "--key", &right, "--alg", alg, "--enc", "A256GCM",
            ],
            plaintext,
        )
        .ok_line();
        let line = zegel(&["jwe", "decrypt", "--key", &wrong], &token).fails(1);
        for needle in [secret, other, plaintext] {
            assert!(!line.contains(needle), "{alg}: {line}");
        }
        let line = zegel(
            &["jwe", "decrypt", "--key", &right],
            crate::tamper(&token, 3),
        )
        .fails(1);
        assert!(
            !line.contains(plaintext) && !line.contains(secret),
            "{line}"
        );
    }
    let line = zegel(
        &["jws", "verify", "--key", &wrong, "--alg", "HS256"],
        zegel(
            &["jws", "sign", "--key", &right, "--alg", "HS256"],
            plaintext,
        )
        .ok_line(),
    )
    .fails(1);
    assert!(!line.contains(secret) && !line.contains(other), "{line}");
}
