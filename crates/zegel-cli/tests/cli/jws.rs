//! `zegel jws sign|verify`.

use serde_json::{Value, json};

use crate::{Scratch, b64, data, data_text, tamper, zegel};

/// Every JWS algorithm, with the fixture key that fits it.
const ALGS: &[(&str, &str)] = &[
    ("HS256", "oct"),
    ("HS384", "oct"),
    ("HS512", "oct"),
    ("RS256", "rsa"),
    ("RS384", "rsa"),
    ("RS512", "rsa"),
    ("PS256", "rsa"),
    ("PS384", "rsa"),
    ("PS512", "rsa"),
    ("ES256", "p256"),
    ("ES384", "p384"),
    ("ES512", "p521"),
    ("ES256K", "k256"),
    ("EdDSA", "ed25519"),
    ("Ed25519", "ed25519"),
];

const PAYLOAD: &[u8] = b"\x00\xff payload with a trailing newline\n";

fn private(key: &str) -> String {
    data(&format!("{key}.jwk.json"))
}

fn public(key: &str) -> String {
    if key == "oct" {
        private(key)
    } else {
        data(&format!("{key}.pub.jwk.json"))
    }
}

fn sign(alg: &str, key: &str, payload: &[u8]) -> String {
    zegel(
        &["jws", "sign", "--key", &private(key), "--alg", alg],
        payload,
    )
    .ok_line()
}

fn header_of(token: &str) -> Value {
    zegel(&["inspect"], token).ok_json()["header"].clone()
}

#[test]
fn sign_then_verify_every_algorithm() {
    for (alg, key) in ALGS {
        if !zegel_jose::jws::by_name(alg).is_some_and(|a| a.is_available()) {
            // Without the `aws-lc` feature (ring alone): refused, saying why.
            zegel(
                &["jws", "sign", "--key", &private(key), "--alg", alg],
                PAYLOAD,
            )
            .fails_with(2, "not compiled in");
            continue;
        }
        let token = sign(alg, key, PAYLOAD);
        assert_eq!(token.split('.').count(), 3, "{alg}: compact");
        let kid =
            serde_json::from_str::<Value>(&data_text(&format!("{key}.jwk.json"))).unwrap()["kid"]
                .clone();
        assert_eq!(header_of(&token), json!({"alg": alg, "kid": kid}), "{alg}");
        // Without --alg (the key has no alg: any algorithm of its type), and with it.
        let out = zegel(
            &["jws", "verify", "--key", &public(key)],
            format!("{token}\n"),
        )
        .ok();
        assert_eq!(out.stdout, PAYLOAD, "{alg}: exact payload bytes");
        assert!(out.stderr.is_empty());
        let out = zegel(
            &["jws", "verify", "--key", &public(key), "--alg", alg],
            &token,
        )
        .ok();
        assert_eq!(out.stdout, PAYLOAD, "{alg}");
        // Reject paths: tampered signature, payload, header; algorithm outside the allowlist.
        for segment in 0..3 {
            zegel(
                &["jws", "verify", "--key", &public(key)],
                tamper(&token, segment),
            )
            .fails(1);
        }
        let other = if alg.starts_with("HS") {
            "HS256"
        } else {
            "PS256"
        };
        let other = if *alg == other { "HS512" } else { other };
        let line = zegel(
            &["jws", "verify", "--key", &public(key), "--alg", other],
            &token,
        )
        .fails(1);
        assert!(line.contains(alg), "{line}");
    }
}

#[test]
fn tampered_signature_is_rejected_with_a_reason() {
    let token = sign("ES256", "p256", b"hello");
    let line = zegel(
        &["jws", "verify", "--key", &public("p256")],
        tamper(&token, 2),
    )
    .fails(1);
    assert_eq!(line, "error: verification failed: invalid signature");
}

#[test]
fn whitespace_around_the_token_is_ignored() {
    let token = sign("HS256", "oct", b"x");
    let out = zegel(
        &["jws", "verify", "--key", &private("oct")],
        format!("  \r\n{token} \n\n"),
    )
    .ok();
    assert_eq!(out.stdout, b"x");
    let scratch = Scratch::new("jws-in");
    let file = scratch.write("token.txt", format!("{token}\n"));
    assert_eq!(
        zegel(
            &["jws", "verify", "--key", &private("oct"), "--in", &file],
            ""
        )
        .ok()
        .stdout,
        b"x"
    );
    let payload_file = scratch.write("payload.bin", PAYLOAD);
    let token = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("oct"),
            "--alg",
            "HS256",
            "--in",
            &payload_file,
        ],
        "",
    )
    .ok_line();
    assert_eq!(
        zegel(&["jws", "verify", "--key", &private("oct")], token)
            .ok()
            .stdout,
        PAYLOAD
    );
}

#[test]
fn empty_payload_round_trips() {
    let token = sign("EdDSA", "ed25519", b"");
    assert_eq!(
        zegel(&["jws", "verify", "--key", &public("ed25519")], token)
            .ok()
            .stdout,
        b""
    );
}

#[test]
fn header_flags() {
    let token = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("p256"),
            "--alg",
            "ES256",
            "--kid",
            "my-key",
            "--typ",
            "JOSE",
            "--cty",
            "text/plain",
            "--header",
            r#"{"x-extra":[1,2],"iss":"me"}"#,
        ],
        "hi",
    )
    .ok_line();
    assert_eq!(
        header_of(&token),
        json!({"alg": "ES256", "kid": "my-key", "typ": "JOSE", "cty": "text/plain", "x-extra": [1, 2], "iss": "me"})
    );
    assert_eq!(
        zegel(&["jws", "verify", "--key", &public("p256")], &token)
            .ok()
            .stdout,
        b"hi"
    );
    // --header is configuration: bad JSON is exit 2.
    zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("p256"),
            "--alg",
            "ES256",
            "--header",
            "{nope",
        ],
        "hi",
    )
    .fails(2);
    zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("p256"),
            "--alg",
            "ES256",
            "--header",
            "[1]",
        ],
        "hi",
    )
    .fails(2);
}

#[test]
fn json_serializations() {
    let flattened = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("rsa"),
            "--alg",
            "PS384",
            "--json",
            "flattened",
        ],
        "hi",
    )
    .ok_json();
    assert!(
        flattened["protected"].is_string() && flattened["signature"].is_string(),
        "{flattened}"
    );
    assert_eq!(flattened["payload"], b64(b"hi"));
    assert!(flattened.get("signatures").is_none());
    let general = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("rsa"),
            "--alg",
            "PS384",
            "--json",
            "general",
        ],
        "hi",
    )
    .ok_json();
    assert_eq!(
        general["signatures"].as_array().unwrap().len(),
        1,
        "{general}"
    );
    assert_eq!(general["payload"], b64(b"hi"));
    for token in [&flattened, &general] {
        let out = zegel(
            &["jws", "verify", "--key", &public("rsa")],
            format!("{token}\n"),
        )
        .ok();
        assert_eq!(out.stdout, b"hi");
        zegel(
            &["jws", "verify", "--key", &public("rsa"), "--alg", "RS256"],
            token.to_string(),
        )
        .fails(1);
    }
    let mut bad = flattened;
    bad["payload"] = json!(b64(b"ho"));
    zegel(&["jws", "verify", "--key", &public("rsa")], bad.to_string()).fails(1);
    zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("rsa"),
            "--alg",
            "PS384",
            "--json",
            "pretty",
        ],
        "hi",
    )
    .fails(2);
}

#[test]
fn tokens_from_an_independent_implementation() {
    for (file, key) in [
        ("es256.txt", "ec_p256_spki.pem"),
        ("es256.txt", "ec_p256_pkcs8.pem"),
        ("rs256.txt", "rsa2048_pkcs1_pub.pem"),
        ("ps256.txt", "rsa2048_pkcs1.pem"),
    ] {
        let out = zegel(&["jws", "verify", "--key", &data(key)], data_text(file)).ok();
        assert_eq!(out.stdout, b"hello from jwcrypto", "{file}");
    }
    zegel(
        &["jws", "verify", "--key", &data("ec_p256_spki.pem")],
        data_text("rs256.txt"),
    )
    .fails(1);
    zegel(
        &[
            "jws",
            "verify",
            "--key",
            &data("rsa2048_pkcs1_pub.pem"),
            "--alg",
            "PS256",
        ],
        data_text("rs256.txt"),
    )
    .fails(1);
}

#[test]
fn pem_keys_sign() {
    let token = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &data("ec_p256_pkcs8.pem"),
            "--alg",
            "ES256",
        ],
        "pem",
    )
    .ok_line();
    assert_eq!(
        header_of(&token),
        json!({"alg": "ES256"}),
        "a PEM key has no kid"
    );
    assert_eq!(
        zegel(
            &["jws", "verify", "--key", &data("ec_p256_spki.pem")],
            &token
        )
        .ok()
        .stdout,
        b"pem"
    );
    let token = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &data("rsa2048_pkcs1.pem"),
            "--alg",
            "RS512",
        ],
        "pem",
    )
    .ok_line();
    assert_eq!(
        zegel(
            &["jws", "verify", "--key", &data("rsa2048_pkcs1_pub.pem")],
            &token
        )
        .ok()
        .stdout,
        b"pem"
    );
    // A public key cannot sign.
    zegel(
        &[
            "jws",
            "sign",
            "--key",
            &data("ec_p256_spki.pem"),
            "--alg",
            "ES256",
        ],
        "x",
    )
    .fails_with(2, "public");
}

#[test]
fn none_is_never_accepted() {
    let header = b64(br#"{"alg":"none"}"#);
    let token = format!("{header}.{}.", b64(b"forged"));
    for key in ["oct", "rsa", "p256"] {
        zegel(&["jws", "verify", "--key", &public(key)], &token).fails(1);
    }
    zegel(
        &["jws", "verify", "--key", &public("rsa"), "--alg", "none"],
        &token,
    )
    .fails(2);
    zegel(
        &["jws", "sign", "--key", &private("oct"), "--alg", "none"],
        "x",
    )
    .fails(2);
}

#[test]
fn algorithm_must_fit_the_key() {
    // HS256 "signed" with the RSA public key's JSON as the secret: the classic confusion.
    let header = b64(br#"{"alg":"HS256"}"#);
    let token = format!("{header}.{}.{}", b64(b"x"), b64(&[0u8; 32]));
    zegel(&["jws", "verify", "--key", &public("rsa")], &token).fails(1);
    zegel(
        &["jws", "verify", "--key", &public("rsa"), "--alg", "HS256"],
        &token,
    )
    .fails(1);
    // Signing: the key does not fit the algorithm is configuration.
    zegel(
        &["jws", "sign", "--key", &private("rsa"), "--alg", "ES256"],
        "x",
    )
    .fails(2);
    zegel(
        &["jws", "sign", "--key", &private("p256"), "--alg", "ES384"],
        "x",
    )
    .fails(2);
    zegel(
        &["jws", "sign", "--key", &private("x25519"), "--alg", "EdDSA"],
        "x",
    )
    .fails(2);
}

#[test]
fn a_key_bound_to_an_algorithm() {
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("jws-bound");
    let key = zegel(&["jwk", "generate", "--kty", "RSA", "--alg", "PS256"], "").ok_text();
    let key_file = scratch.write("key.json", &key);
    let public = scratch.write("pub.json", zegel(&["jwk", "public"], &key).ok_text());
    let token = zegel(
        &["jws", "sign", "--key", &key_file, "--alg", "PS256"],
        "bound",
    )
    .ok_line();
    assert_eq!(
        zegel(&["jws", "verify", "--key", &public], &token)
            .ok()
            .stdout,
        b"bound"
    );
    // The same key material without its alg signs RS256; the bound key refuses to verify it.
    let mut unbound: Value = serde_json::from_str(&key).unwrap();
    unbound.as_object_mut().unwrap().remove("alg");
    let unbound_file = scratch.write("unbound.json", unbound.to_string());
    let rs256 = zegel(
        &["jws", "sign", "--key", &unbound_file, "--alg", "RS256"],
        "x",
    )
    .ok_line();
    zegel(&["jws", "verify", "--key", &public], &rs256).fails(1);
    zegel(
        &["jws", "verify", "--key", &public, "--alg", "RS256"],
        &rs256,
    )
    .fails(1);
    // And will not sign with another algorithm.
    zegel(&["jws", "sign", "--key", &key_file, "--alg", "RS256"], "x").fails(2);
}

fn set(members: &[&str]) -> String {
    let keys: Vec<Value> = members
        .iter()
        .map(|m| serde_json::from_str(&data_text(m)).unwrap())
        .collect();
    json!({ "keys": keys }).to_string()
}

#[test]
fn key_sets_choose_by_kid() {
    let scratch = Scratch::new("jws-set");
    let public_set = scratch.write(
        "public.json",
        set(&[
            "p256.pub.jwk.json",
            "rsa.pub.jwk.json",
            "ed25519.pub.jwk.json",
        ]),
    );
    let private_set = scratch.write(
        "private.json",
        set(&["p256.jwk.json", "rsa.jwk.json", "ed25519.jwk.json"]),
    );
    for (alg, key) in [("ES256", "p256"), ("RS256", "rsa"), ("EdDSA", "ed25519")] {
        let token = sign(alg, key, b"from a set");
        assert_eq!(
            zegel(&["jws", "verify", "--key", &public_set], &token)
                .ok()
                .stdout,
            b"from a set",
            "{alg}"
        );
        // Signing with the set picks the key that fits the algorithm, and names its kid.
        let token = zegel(&["jws", "sign", "--key", &private_set, "--alg", alg], "s").ok_line();
        let kid =
            serde_json::from_str::<Value>(&data_text(&format!("{key}.jwk.json"))).unwrap()["kid"]
                .clone();
        assert_eq!(header_of(&token)["kid"], kid);
        assert_eq!(
            zegel(&["jws", "verify", "--key", &public(key)], &token)
                .ok()
                .stdout,
            b"s"
        );
    }
    // --kid restricts the set.
    let rsa_kid = serde_json::from_str::<Value>(&data_text("rsa.jwk.json")).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = sign("RS256", "rsa", b"k");
    zegel(
        &["jws", "verify", "--key", &public_set, "--kid", &rsa_kid],
        &token,
    )
    .ok();
    zegel(
        &["jws", "verify", "--key", &public_set, "--kid", "nobody"],
        &token,
    )
    .fails_with(2, "nobody");
    // A token whose kid is in no key of the set.
    let other = sign("ES384", "p384", b"k");
    zegel(&["jws", "verify", "--key", &public_set], &other).fails(1);
    let renamed = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &private("p256"),
            "--alg",
            "ES256",
            "--kid",
            "unknown-kid",
        ],
        "k",
    )
    .ok_line();
    zegel(&["jws", "verify", "--key", &public_set], &renamed).fails(1);
    // Two keys of the same type: the kid decides.
    let two_rsa = scratch.write("two.json", {
        let mut a: Value = serde_json::from_str(&data_text("rsa.pub.jwk.json")).unwrap();
        let b = a.clone();
        a["kid"] = json!("first");
        a["n"] = json!(b64(&[0xc5; 256]));
        json!({"keys": [a, b]}).to_string()
    });
    zegel(&["jws", "verify", "--key", &two_rsa], &token).ok();
    zegel(
        &["jws", "verify", "--key", &two_rsa, "--kid", "first"],
        &token,
    )
    .fails(1);
}

#[test]
fn malformed_input_is_rejected() {
    for bad in [
        "",
        "\n",
        "not a token",
        "a.b",
        "a.b.c.d",
        "{\"payload\":1}",
        "eyJhbGciOiJIUzI1NiJ9..",
        "ey.ey.ey",
    ] {
        zegel(&["jws", "verify", "--key", &private("oct")], bad).fails(1);
    }
}

#[test]
fn large_payloads() {
    // Beyond the library's network-sized default token limit: the CLI reads whole files.
    let payload: Vec<u8> = (0..1_500_000u32).map(|i| (i % 251) as u8).collect();
    let token = sign("HS256", "oct", &payload);
    assert_eq!(
        zegel(&["jws", "verify", "--key", &private("oct")], &token)
            .ok()
            .stdout,
        payload
    );
}

#[test]
fn general_json_with_two_signatures_from_jwcrypto() {
    // Each key verifies its own signature; the payload is the same.
    for key in ["ed25519", "rsa"] {
        let out = zegel(
            &["jws", "verify", "--key", &public(key)],
            data_text("jws_general.json"),
        )
        .ok();
        assert_eq!(out.stdout, b"py general", "{key}");
    }
    zegel(
        &["jws", "verify", "--key", &public("rsa"), "--alg", "PS256"],
        data_text("jws_general.json"),
    )
    .fails(1);
    zegel(
        &["jws", "verify", "--key", &public("p256")],
        data_text("jws_general.json"),
    )
    .fails(1);
}

#[test]
fn no_algorithm_fitting_the_key_is_a_configuration_error() {
    // Without --alg, a key bound to a JWE algorithm (or an empty set) allows nothing: no token
    // could ever verify, so this is the key file's fault (exit 2), not the token's.
    let scratch = Scratch::new("jws-no-alg");
    let mut key: Value = serde_json::from_str(&data_text("rsa.pub.jwk.json")).unwrap();
    key["alg"] = "RSA-OAEP-256".into();
    let enc_key = scratch.write("enc.json", key.to_string());
    zegel(
        &["jws", "verify", "--key", &enc_key],
        data_text("rs256.txt"),
    )
    .fails_with(2, "name one with --alg");
    let empty = scratch.write("empty.json", r#"{"keys":[]}"#);
    zegel(&["jws", "verify", "--key", &empty], data_text("rs256.txt"))
        .fails_with(2, "name one with --alg");
    zegel(
        &["jwt", "verify", "--key", &empty, "--no-exp"],
        data_text("jwt_es256.txt"),
    )
    .fails_with(2, "name one with --alg");
    // With --alg naming an algorithm the key cannot do, the token is what is refused.
    zegel(
        &["jws", "verify", "--key", &enc_key, "--alg", "RS256"],
        data_text("rs256.txt"),
    )
    .fails(1);
}

#[test]
fn header_alg_conflicting_with_alg_flag_is_a_usage_error() {
    // The signed header's alg always comes from --alg: a different alg in --header would be
    // silently replaced, so it is refused.
    let key = data("oct.jwk.json");
    zegel(
        &[
            "jws",
            "sign",
            "--key",
            &key,
            "--alg",
            "HS256",
            "--header",
            r#"{"alg":"HS512"}"#,
        ],
        "x",
    )
    .fails_with(2, "--header names alg");
    // The same alg is harmless.
    let token = zegel(
        &[
            "jws",
            "sign",
            "--key",
            &key,
            "--alg",
            "HS256",
            "--header",
            r#"{"alg":"HS256","x":1}"#,
        ],
        "x",
    )
    .ok_line();
    let header = token.split('.').next().unwrap();
    assert_eq!(
        zegel(&["inspect"], &token).ok_json()["header"],
        json!({"alg": "HS256", "kid": "bNRpoKYFtv2p3yuvlcLG9sjIDuNHir9MyhApDVT0YOo", "x": 1})
    );
    assert!(!header.is_empty());
}

#[test]
fn header_values_never_reach_stderr() {
    // Issue 7 §2: the library's messages never echo a token's values; the CLI prints them as
    // they are (it has no redaction of its own).
    let key = data("oct.jwk.json");
    let forged = |header: &str| format!("{}.{}.{}", b64(header.as_bytes()), b64(b"p"), b64(b"s"));
    for (header, expected) in [
        (
            r#"{"alg":"EVILALG","kid":"SECRET-KID"}"#,
            "error: verification failed: unknown algorithm",
        ),
        (
            r#"{"alg":"HS256","crit":["SECRET-CRIT"],"SECRET-CRIT":1}"#,
            "error: verification failed: \"crit\" names a parameter that is not understood",
        ),
        (
            r#"{"alg":"HS256","kid":"k","SECRET-DUP":1,"SECRET-DUP":2}"#,
            "error: verification failed: the header is not acceptable json: duplicate member (an \
             unregistered name, not shown)",
        ),
    ] {
        let line = zegel(&["jws", "verify", "--key", &key], forged(header)).fails(1);
        assert_eq!(line, expected);
        assert!(
            !line.contains("SECRET") && !line.contains("EVILALG"),
            "{line}"
        );
    }
}

/// A verification set that mixes an HMAC secret with public keys is refused (issue 13:
/// Wycheproof `jws_mixedSymmetryKeyset`), and so is a set with two keys of the token's `kid`
/// of one type and use; their twins verify. Both are mistakes in the key file: exit 2.
#[test]
fn mixed_and_ambiguous_sets_are_refused() {
    let scratch = Scratch::new("jws-mixed");
    let token = sign("ES256", "p256", b"mixed");
    let mixed = scratch.write("mixed.json", set(&["oct.jwk.json", "p256.pub.jwk.json"]));
    zegel(&["jws", "verify", "--key", &mixed], &token)
        .fails_with(2, "mixes symmetric secrets with public keys");
    let hs = sign("HS256", "oct", b"mixed");
    zegel(&["jws", "verify", "--key", &mixed], &hs)
        .fails_with(2, "mixes symmetric secrets with public keys");
    let public_only = scratch.write(
        "public.json",
        set(&["p256.pub.jwk.json", "ed25519.pub.jwk.json"]),
    );
    assert_eq!(
        zegel(&["jws", "verify", "--key", &public_only], &token)
            .ok()
            .stdout,
        b"mixed"
    );
    // Two P-256 keys under the token's kid: which one is meant is not said.
    let mut other: Value = serde_json::from_str(&data_text("p256.pub.jwk.json")).unwrap();
    other["x"] = json!("gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0");
    other["y"] = json!("SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps");
    let original: Value = serde_json::from_str(&data_text("p256.pub.jwk.json")).unwrap();
    let twice = scratch.write(
        "twice.json",
        json!({ "keys": [other, original] }).to_string(),
    );
    zegel(&["jws", "verify", "--key", &twice], &token)
        .fails_with(2, "two keys of the set have the token's kid");
}
