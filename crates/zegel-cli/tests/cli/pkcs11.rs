//! Extension of the contract: keys in an HSM (`--key pkcs11:...`, RFC 7512 URIs, and
//! `jwks generate --pkcs11`), against a throwaway SoftHSM2 token per test. Without SoftHSM2
//! the tests say they were skipped, unless `CI` is set: then they fail.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{Out, Scratch, with_aws_lc};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const LABEL: &str = "zegel-cli";
const PIN: &str = "2468-zegel";
const PIN_VAR: &str = "ZEGEL_CLI_TEST_PIN";
const NOW: &str = "1780000000";

/// A SoftHSM2 token in a scratch folder, and the environment that points `zegel` at it.
struct Hsm {
    scratch: Scratch,
    conf: String,
}

impl Hsm {
    /// A new token, or `None` (after saying why) when SoftHSM2 is not installed.
    fn new(name: &str) -> Option<Self> {
        let tool = Command::new("softhsm2-util").arg("--version").output();
        let installed = Path::new(MODULE).is_file() && tool.is_ok_and(|o| o.status.success());
        if !installed {
            assert!(
                std::env::var_os("CI").is_none_or(|v| v.is_empty()),
                "{name}: SoftHSM2 is not installed and CI is set (apt-get install softhsm2)"
            );
            // Written past libtest's capture, so that a normal run shows it.
            let _ = writeln!(
                std::io::stderr(),
                "skipped {name}: SoftHSM2 is not installed (apt-get install softhsm2)"
            );
            return None;
        }
        let scratch = Scratch::new(name);
        std::fs::create_dir_all(scratch.dir().join("tokens")).unwrap();
        let conf = scratch.write(
            "softhsm2.conf",
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                scratch.path("tokens")
            ),
        );
        let out = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", LABEL, "--pin", PIN])
            .args(["--so-pin", "1357-zegel"])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(Self { scratch, conf })
    }

    /// Runs `zegel ARGS` against the token, with `pin` in the PIN variable.
    fn zegel_pin(&self, args: &[&str], stdin: &[u8], pin: &str) -> Out {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zegel"))
            .args(args)
            .env("SOFTHSM2_CONF", &self.conf)
            .env("ZEGEL_PKCS11_MODULE", MODULE)
            .env(PIN_VAR, pin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        // The command may exit before reading its input (usage errors): ignore EPIPE.
        let _ = std::io::Write::write_all(&mut input, stdin);
        drop(input);
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().unwrap(),
            stdout: out.stdout,
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    fn zegel(&self, args: &[&str], stdin: &[u8]) -> Out {
        self.zegel_pin(args, stdin, PIN)
    }
}

/// The URI of the key labelled `object` (the module comes from `ZEGEL_PKCS11_MODULE`).
fn uri(object: &str) -> String {
    format!("pkcs11:token={LABEL};object={object};type=private?pin-source=env:{PIN_VAR}")
}

#[test]
fn hsm_keys_sign_and_decrypt_through_the_cli() {
    let Some(hsm) = Hsm::new("hsm_keys_sign_and_decrypt_through_the_cli") else {
        return;
    };
    let out_dir = hsm.scratch.path("keys");
    let token_uri = format!("pkcs11:token={LABEL};object=partner?pin-source=env:{PIN_VAR}");
    let generated = hsm.zegel(
        &[
            "jwks",
            "generate",
            "--pkcs11",
            &token_uri,
            "--out-dir",
            &out_dir,
            "--bits",
            "2048",
        ],
        b"",
    );
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    assert!(generated.stdout.is_empty());
    // Only the public set is written.
    assert!(!Path::new(&out_dir).join("jwks_private.json").exists());
    let public_path = format!("{out_dir}/jwks_public.json");
    let set: Value = serde_json::from_str(&std::fs::read_to_string(&public_path).unwrap()).unwrap();
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        (keys[0]["use"].as_str(), keys[0]["alg"].as_str()),
        (Some("sig"), Some("RS256"))
    );
    assert_eq!(keys[1]["use"].as_str(), Some("enc"));
    let enc_alg = keys[1]["alg"].as_str().unwrap().to_owned();
    assert!(
        ["RSA-OAEP-256", "RSA-OAEP"].contains(&enc_alg.as_str()),
        "{enc_alg}"
    );
    // SoftHSM 2.6 decrypts OAEP with SHA-1 only, and the CLI says so.
    assert_eq!(
        enc_alg == "RSA-OAEP",
        generated.stderr.contains("does not decrypt RSA-OAEP-256"),
        "{}",
        generated.stderr
    );
    for key in keys {
        assert_eq!(key["kty"], "RSA");
        assert!(key.get("d").is_none() && key["kid"].is_string());
    }

    // jws sign in the HSM, jws verify with the published set.
    let jws = hsm
        .zegel(
            &[
                "jws",
                "sign",
                "--key",
                &uri("partner-sig"),
                "--alg",
                "RS256",
            ],
            b"hello",
        )
        .ok_line();
    let payload = hsm
        .zegel(&["jws", "verify", "--key", &public_path], jws.as_bytes())
        .ok_text();
    assert_eq!(payload, "hello");

    // jwt sign in the HSM.
    let jwt = hsm
        .zegel(
            &[
                "jwt",
                "sign",
                "--key",
                &uri("partner-sig"),
                "--alg",
                "RS256",
                "--exp-in",
                "300",
                "--now",
                NOW,
            ],
            b"{\"sub\":\"u2\"}",
        )
        .ok_line();
    let claims = hsm
        .zegel(
            &["jwt", "verify", "--key", &public_path, "--now", NOW],
            jwt.as_bytes(),
        )
        .ok_json();
    assert_eq!(claims["sub"], "u2");

    // RSA encryption (the sender's side) needs the aws-lc backend.
    if !with_aws_lc() {
        return;
    }
    // jwe encrypt to the published set, jwe decrypt in the HSM.
    let jwe = hsm
        .zegel(
            &[
                "jwe",
                "encrypt",
                "--key",
                &public_path,
                "--alg",
                &enc_alg,
                "--enc",
                "A256GCM",
            ],
            b"secret",
        )
        .ok_line();
    let plaintext = hsm
        .zegel(
            &["jwe", "decrypt", "--key", &uri("partner-enc")],
            jwe.as_bytes(),
        )
        .ok_text();
    assert_eq!(plaintext, "secret");

    // A nested JWT: signed in the HSM, decrypted in the HSM.
    let nested = hsm
        .zegel(
            &[
                "jwt",
                "encrypt",
                "--sign-key",
                &uri("partner-sig"),
                "--sign-alg",
                "RS256",
                "--key",
                &public_path,
                "--alg",
                &enc_alg,
                "--enc",
                "A128CBC-HS256",
                "--iss",
                "https://partner.example",
                "--exp-in",
                "300",
                "--now",
                NOW,
            ],
            b"{\"sub\":\"u1\"}",
        )
        .ok_line();
    let claims = hsm
        .zegel(
            &[
                "jwt",
                "verify",
                "--key",
                &public_path,
                "--decrypt-key",
                &uri("partner-enc"),
                "--iss",
                "https://partner.example",
                "--now",
                NOW,
            ],
            nested.as_bytes(),
        )
        .ok_json();
    assert_eq!(claims["sub"], "u1");

    // The reject twins: a token for another key does not decrypt (exit 1), and generating
    // the same labels again is refused (exit 2).
    let other = hsm
        .zegel(&["jwk", "generate", "--kty", "RSA"], b"")
        .ok_line();
    let other_path = hsm.scratch.write("other.json", other);
    let elsewhere = hsm
        .zegel(
            &[
                "jwe",
                "encrypt",
                "--key",
                &other_path,
                "--alg",
                &enc_alg,
                "--enc",
                "A256GCM",
            ],
            b"secret",
        )
        .ok_line();
    hsm.zegel(
        &["jwe", "decrypt", "--key", &uri("partner-enc")],
        elsewhere.as_bytes(),
    )
    .fails_with(1, "decryption failed");
    hsm.zegel(
        &[
            "jwks",
            "generate",
            "--pkcs11",
            &token_uri,
            "--out-dir",
            &out_dir,
            "--force",
        ],
        b"",
    )
    .fails_with(2, "exists on the pkcs #11 token already");
}

#[test]
fn hsm_errors_name_what_is_wrong() {
    let Some(hsm) = Hsm::new("hsm_errors_name_what_is_wrong") else {
        return;
    };
    let token_uri = format!("pkcs11:token={LABEL}?pin-source=env:{PIN_VAR}");
    let out_dir = hsm.scratch.path("keys");
    hsm.zegel(
        &[
            "jwks",
            "generate",
            "--pkcs11",
            &token_uri,
            "--out-dir",
            &out_dir,
            "--bits",
            "2048",
        ],
        b"",
    )
    .ok();
    let sign = |key: &str, pin: &str| {
        hsm.zegel_pin(&["jws", "sign", "--key", key, "--alg", "RS256"], b"x", pin)
    };
    assert_eq!(
        sign(&uri("zegel-sig"), "not-the-pin").fails(2),
        "error: pkcs11: the pkcs #11 token refused the pin"
    );
    assert_eq!(
        sign(&uri("nope"), PIN).fails(2),
        "error: pkcs11: no key \"nope\" on the pkcs #11 token"
    );
    assert_eq!(
        hsm.zegel(
            &["jws", "sign", "--key", &uri("zegel-sig"), "--alg", "ES256"],
            b"x"
        )
        .fails(2),
        "error: pkcs11: the pkcs #11 key's type does not fit ES256"
    );
    assert_eq!(
        sign(&format!("pkcs11:object=a?pin-value={PIN}"), PIN).fails(2),
        "error: pkcs11: the pkcs #11 uri may not hold the pin (pin-value); use \
         pin-source=env:NAME"
    );
    assert_eq!(
        sign(
            &format!("pkcs11:token={LABEL};object=zegel-sig?module-path=/nonexistent/m.so"),
            PIN
        )
        .fails(2),
        "error: pkcs11: the pkcs #11 module \"/nonexistent/m.so\" is missing or cannot be loaded"
    );
    assert_eq!(
        hsm.zegel(
            &[
                "jwe",
                "decrypt",
                "--key",
                &format!("pkcs11:token=other;object=x?pin-source=env:{PIN_VAR}")
            ],
            b"a.b.c.d.e"
        )
        .fails(2),
        "error: pkcs11: no pkcs #11 token \"other\""
    );
    // A file path that merely contains "pkcs11" is still a file.
    hsm.zegel(
        &[
            "jws",
            "sign",
            "--key",
            "my-pkcs11:key.json",
            "--alg",
            "RS256",
        ],
        b"x",
    )
    .fails(2);
}

/// Extension of the itsme® configuration: `signing_key` and `encryption_keys` name the
/// partner's keys in the HSM (made by `jwks generate --pkcs11`), in place of `jwks_private`.
#[test]
fn itsme_login_with_keys_in_the_hsm() {
    // The local provider makes its RSA keys with aws-lc; ring alone cannot generate RSA keys.
    if !with_aws_lc() {
        return;
    }
    let Some(hsm) = Hsm::new("itsme_login_with_keys_in_the_hsm") else {
        return;
    };
    let out_dir = hsm.scratch.path("keys");
    let token_uri = format!("pkcs11:token={LABEL};object=partner?pin-source=env:{PIN_VAR}");
    hsm.zegel(
        &[
            "jwks",
            "generate",
            "--pkcs11",
            &token_uri,
            "--out-dir",
            &out_dir,
        ],
        b"",
    )
    .ok();
    let public = std::fs::read(format!("{out_dir}/jwks_public.json")).unwrap();
    let provider = crate::itsme::start(zegel_jose::JwkSet::parse(&public).unwrap());
    let config = hsm.scratch.write(
        "itsme.toml",
        format!(
            "discovery_url = \"{}\"\nclient_id = \"pkjwt\"\nservice_code = \"MY_SERVICE\"\n\
             redirect_uri = \"{}\"\nauth_method = \"private_key_jwt\"\n\
             signing_key = \"{}\"\nencryption_keys = [\"{}\"]\n\
             scopes = [\"profile\", \"email\"]\n\
             id_token_claims = [\"family_name\"]\nallow_insecure_loopback = true\n",
            provider.discovery_url(),
            crate::itsme::REDIRECT,
            uri("partner-sig"),
            uri("partner-enc"),
        ),
    );
    let session = hsm.scratch.path("session.json");
    let auth_url = [
        "itsme",
        "auth-url",
        "--config",
        &config,
        "--session-out",
        &session,
    ];
    // A wrong PIN fails when the keys are opened, before any request.
    hsm.zegel_pin(&auth_url, b"", "0000-wrong")
        .fails_with(2, "the pkcs #11 token refused the pin");
    let c = provider.counters();
    assert_eq!((c.discovery, c.authorization, c.token), (0, 0, 0));

    let url = hsm.zegel(&auth_url, b"").ok_line();
    let back = crate::itsme::browse(&url);
    let args = [
        "itsme",
        "callback",
        "--config",
        &config,
        "--session",
        &session,
        "--url",
        &back,
        "--userinfo",
    ];
    let out: Value = serde_json::from_str(&hsm.zegel(&args, b"").ok_text()).unwrap();
    assert_eq!(out["id_token"]["family_name"], "Peeters");
    assert_eq!(out["id_token"]["aud"], "pkjwt");
    assert_eq!(out["userinfo"]["email"], "jan.peeters@example.be");
    assert_eq!(out["userinfo"]["sub"], out["id_token"]["sub"]);
    let c = provider.counters();
    assert_eq!((c.authorization, c.token, c.userinfo), (1, 1, 1));
}
