//! `zegel jwks generate`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::{Scratch, zegel};

fn read_json(path: &str) -> Value {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.ends_with('\n'));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn generate_writes_private_and_public_sets() {
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("jwks");
    let dir = scratch.path("out");
    let out = zegel(
        &["jwks", "generate", "--out-dir", &dir, "--bits", "2048"],
        "",
    )
    .ok();
    assert!(out.stdout.is_empty(), "files only");
    let private_path = scratch.path("out/jwks_private.json");
    let public_path = scratch.path("out/jwks_public.json");
    let mode = fs::metadata(&private_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "private set mode");
    let private = read_json(&private_path);
    let public = read_json(&public_path);
    let keys = private["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let pub_keys = public["keys"].as_array().unwrap();
    assert_eq!(pub_keys.len(), 2);
    for (key, (use_, alg)) in keys.iter().zip([("sig", "RS256"), ("enc", "RSA-OAEP-256")]) {
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["use"], use_);
        assert_eq!(key["alg"], alg);
        assert!(key["d"].is_string());
        assert_eq!(key["n"].as_str().unwrap().len(), 342, "2048-bit modulus");
        let thumbprint = zegel(&["jwk", "thumbprint"], key.to_string()).ok_line();
        assert_eq!(key["kid"], thumbprint.as_str());
    }
    assert_ne!(keys[0]["n"], keys[1]["n"], "two different keys");
    for (private, public) in keys.iter().zip(pub_keys) {
        assert_eq!(public["kid"], private["kid"]);
        assert_eq!(public["n"], private["n"]);
        assert_eq!(public["use"], private["use"]);
        assert_eq!(public["alg"], private["alg"]);
        for secret in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(public.get(secret).is_none());
        }
    }
    // The private set works as a key file: sign with it, verify with the public set.
    let token = zegel(
        &["jws", "sign", "--key", &private_path, "--alg", "RS256"],
        "hi",
    )
    .ok_line();
    let payload = zegel(
        &["jws", "verify", "--key", &public_path],
        format!("{token}\n"),
    )
    .ok();
    assert_eq!(payload.stdout, b"hi");
    let jwe = zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &public_path,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
        ],
        "secret",
    )
    .ok_line();
    assert_eq!(
        zegel(&["jwe", "decrypt", "--key", &private_path], jwe)
            .ok()
            .stdout,
        b"secret"
    );
}

#[test]
fn default_is_3072_bits() {
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("jwks-default");
    zegel(
        &[
            "jwks",
            "generate",
            "--out-dir",
            scratch.dir().to_str().unwrap(),
        ],
        "",
    )
    .ok();
    let private = read_json(&scratch.path("jwks_private.json"));
    for key in private["keys"].as_array().unwrap() {
        assert_eq!(key["n"].as_str().unwrap().len(), 512, "3072-bit modulus");
    }
}

#[test]
fn refuses_to_overwrite_without_force() {
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("jwks-force");
    let dir = scratch.dir().to_str().unwrap().to_owned();
    let public = scratch.write("jwks_public.json", "keep me");
    zegel(
        &["jwks", "generate", "--out-dir", &dir, "--bits", "2048"],
        "",
    )
    .fails_with(2, "--force");
    assert_eq!(fs::read_to_string(&public).unwrap(), "keep me");
    assert!(
        !scratch.dir().join("jwks_private.json").exists(),
        "nothing written"
    );

    let private = scratch.write("jwks_private.json", "old");
    fs::set_permissions(&private, fs::Permissions::from_mode(0o644)).unwrap();
    fs::remove_file(&public).unwrap();
    zegel(
        &["jwks", "generate", "--out-dir", &dir, "--bits", "2048"],
        "",
    )
    .fails_with(2, "jwks_private.json");
    assert_eq!(fs::read_to_string(&private).unwrap(), "old");

    zegel(
        &[
            "jwks",
            "generate",
            "--out-dir",
            &dir,
            "--bits",
            "2048",
            "--force",
        ],
        "",
    )
    .ok();
    let mode = fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "an overwritten private set is 0600 too");
    assert_eq!(read_json(&private)["keys"].as_array().unwrap().len(), 2);
    assert_eq!(read_json(&public)["keys"].as_array().unwrap().len(), 2);
    let leftovers: Vec<_> = fs::read_dir(scratch.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn rejects_bad_bits() {
    let scratch = Scratch::new("jwks-bits");
    let dir = scratch.dir().to_str().unwrap().to_owned();
    zegel(
        &["jwks", "generate", "--out-dir", &dir, "--bits", "1024"],
        "",
    )
    .fails(2);
    zegel(
        &["jwks", "generate", "--out-dir", &dir, "--bits", "many"],
        "",
    )
    .fails(2);
    zegel(&["jwks", "generate"], "").fails_with(2, "--out-dir");
}
