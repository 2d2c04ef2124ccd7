//! `zegel jwk generate|public|thumbprint`.

use serde_json::{Value, json};

use crate::{data, data_text, zegel};

const FIXTURES: &[&str] = &[
    "oct", "rsa", "p256", "p384", "p521", "k256", "ed25519", "x25519",
];

fn b64_len(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

fn member<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name].as_str().unwrap_or_else(|| panic!("{name} in {v}"))
}

#[test]
fn thumbprints_match_an_independent_implementation() {
    if !crate::with_aws_lc() {
        return;
    }
    for name in FIXTURES {
        let jwk: Value = serde_json::from_str(&data_text(&format!("{name}.jwk.json"))).unwrap();
        let expected = member(&jwk, "kid");
        let got = zegel(
            &["jwk", "thumbprint"],
            data_text(&format!("{name}.jwk.json")),
        )
        .ok_line();
        assert_eq!(got, expected, "{name}");
        if *name != "oct" {
            let got = zegel(
                &[
                    "jwk",
                    "thumbprint",
                    "--in",
                    &data(&format!("{name}.pub.jwk.json")),
                ],
                "",
            )
            .ok_line();
            assert_eq!(got, expected, "{name} public");
        }
    }
    // PEM keys (thumbprints from jwcrypto).
    let got = zegel(
        &["jwk", "thumbprint", "--in", &data("ec_p256_pkcs8.pem")],
        "",
    )
    .ok_line();
    assert_eq!(got, "rH04GUfqX9Ct5UH8mCsSO1XKpIfmvk970SbiXS1rU8A");
    let got = zegel(&["jwk", "thumbprint"], data_text("ec_p256_spki.pem")).ok_line();
    assert_eq!(got, "rH04GUfqX9Ct5UH8mCsSO1XKpIfmvk970SbiXS1rU8A");
    let got = zegel(&["jwk", "thumbprint"], data_text("rsa2048_pkcs1.pem")).ok_line();
    assert_eq!(got, "pl-tG4w1VHKS9UjDIQfckooug7DeLYfReFu4euB1FJM");
}

#[test]
fn thumbprint_rejects_what_is_not_one_jwk() {
    zegel(&["jwk", "thumbprint"], "not json").fails(1);
    zegel(&["jwk", "thumbprint"], r#"{"kty":"EC","crv":"P-256"}"#).fails_with(1, "\"x\"");
    let set = format!(r#"{{"keys":[{}]}}"#, data_text("p256.pub.jwk.json"));
    zegel(&["jwk", "thumbprint"], set).fails_with(1, "JWK Set");
}

#[test]
fn generate_each_key_type() {
    if !crate::with_aws_lc() {
        return;
    }
    // (flags, kty, crv, members that must be present)
    type Case<'a> = (&'a [&'a str], &'a str, Option<&'a str>, &'a [&'a str]);
    let cases: &[Case<'_>] = &[
        (
            &["--kty", "RSA"],
            "RSA",
            None,
            &["n", "e", "d", "p", "q", "dp", "dq", "qi"],
        ),
        (
            &["--kty", "EC", "--crv", "P-256"],
            "EC",
            Some("P-256"),
            &["x", "y", "d"],
        ),
        (
            &["--kty", "EC", "--crv", "P-384"],
            "EC",
            Some("P-384"),
            &["x", "y", "d"],
        ),
        (
            &["--kty", "EC", "--crv", "P-521"],
            "EC",
            Some("P-521"),
            &["x", "y", "d"],
        ),
        (
            &["--kty", "OKP", "--crv", "Ed25519"],
            "OKP",
            Some("Ed25519"),
            &["x", "d"],
        ),
        (
            &["--kty", "OKP", "--crv", "X25519"],
            "OKP",
            Some("X25519"),
            &["x", "d"],
        ),
        (&["--kty", "oct", "--bits", "256"], "oct", None, &["k"]),
    ];
    for (flags, kty, crv, members) in cases {
        let args: Vec<&str> = ["jwk", "generate"]
            .iter()
            .chain(flags.iter())
            .copied()
            .collect();
        let jwk = zegel(&args, "").ok_json();
        assert_eq!(member(&jwk, "kty"), *kty, "{flags:?}");
        assert_eq!(jwk.get("crv").and_then(Value::as_str), *crv, "{flags:?}");
        for m in *members {
            assert!(jwk.get(m).is_some_and(Value::is_string), "{m} in {jwk}");
        }
        // kid defaults to the RFC 7638 thumbprint, except for oct keys (a hash of the secret):
        // 128 random bits there, base64url.
        let thumbprint = zegel(&["jwk", "thumbprint"], jwk.to_string()).ok_line();
        if *kty == "oct" {
            let kid = member(&jwk, "kid");
            assert_ne!(kid, thumbprint);
            assert_eq!(kid.len(), 22, "{kid}");
            assert!(
                kid.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
        } else {
            assert_eq!(member(&jwk, "kid"), thumbprint, "{flags:?}");
        }
        assert!(jwk.get("alg").is_none() && jwk.get("use").is_none());
    }
}

#[test]
fn generate_sizes() {
    if !crate::with_aws_lc() {
        return;
    }
    let rsa = zegel(&["jwk", "generate", "--kty", "RSA"], "").ok_json();
    assert_eq!(
        member(&rsa, "n").len(),
        b64_len(256),
        "2048 bits by default"
    );
    assert_eq!(member(&rsa, "e"), "AQAB");
    let rsa = zegel(&["jwk", "generate", "--kty", "RSA", "--bits", "3072"], "").ok_json();
    assert_eq!(member(&rsa, "n").len(), b64_len(384));
    let oct = zegel(&["jwk", "generate", "--kty", "oct", "--bits", "512"], "").ok_json();
    assert_eq!(member(&oct, "k").len(), b64_len(64));
    let p521 = zegel(&["jwk", "generate", "--kty", "EC", "--crv", "P-521"], "").ok_json();
    assert_eq!(member(&p521, "x").len(), b64_len(66));
    let a = zegel(&["jwk", "generate", "--kty", "oct", "--bits", "256"], "").ok_json();
    let b = zegel(&["jwk", "generate", "--kty", "oct", "--bits", "256"], "").ok_json();
    assert_ne!(a["k"], b["k"], "fresh randomness each time");
}

#[test]
fn generate_with_alg_use_kid() {
    if !crate::with_aws_lc() {
        return;
    }
    let jwk = zegel(
        &[
            "jwk", "generate", "--kty", "EC", "--crv", "P-256", "--alg", "ES256", "--use", "sig",
            "--kid", "k1",
        ],
        "",
    )
    .ok_json();
    assert_eq!(member(&jwk, "alg"), "ES256");
    assert_eq!(member(&jwk, "use"), "sig");
    assert_eq!(member(&jwk, "kid"), "k1");
    let jwk = zegel(
        &[
            "jwk",
            "generate",
            "--kty",
            "RSA",
            "--alg",
            "RSA-OAEP-256",
            "--use",
            "enc",
        ],
        "",
    )
    .ok_json();
    assert_eq!(member(&jwk, "alg"), "RSA-OAEP-256");
    assert_eq!(member(&jwk, "use"), "enc");
    // With alg and use set, kid is still the thumbprint (which covers only the required members).
    let thumbprint = zegel(&["jwk", "thumbprint"], jwk.to_string()).ok_line();
    assert_eq!(member(&jwk, "kid"), thumbprint);
}

#[test]
fn oct_keys_get_a_random_kid_and_at_least_128_bits() {
    // Issue 7 §1.6: an oct key's thumbprint is a hash of the secret; its kid is random.
    let a = zegel(&["jwk", "generate", "--kty", "oct", "--bits", "256"], "").ok_json();
    let b = zegel(&["jwk", "generate", "--kty", "oct", "--bits", "256"], "").ok_json();
    assert_ne!(a["kid"], b["kid"], "a fresh random kid each time");
    // 128 bits is the floor (the contract), 120 below it is a usage error.
    let small = zegel(&["jwk", "generate", "--kty", "oct", "--bits", "128"], "").ok_json();
    assert_eq!(member(&small, "k").len(), b64_len(16));
    assert_eq!(
        zegel(&["jwk", "generate", "--kty", "oct", "--bits", "120"], "").fails(2),
        "error: --bits 120: an oct key has at least 128 bits"
    );
    // --kid still wins.
    let named = zegel(&["jwk", "generate", "--kty", "oct", "--kid", "mine"], "").ok_json();
    assert_eq!(member(&named, "kid"), "mine");
}

#[test]
fn generate_rejects_bad_requests() {
    if !crate::with_aws_lc() {
        return;
    }
    let g = |flags: &[&str]| {
        let args: Vec<&str> = ["jwk", "generate"]
            .iter()
            .chain(flags.iter())
            .copied()
            .collect();
        zegel(&args, "")
    };
    g(&["--kty", "DSA"]).fails_with(2, "DSA");
    g(&["--kty", "rsa"]).fails(2);
    g(&["--kty", "EC"]).fails_with(2, "--crv");
    g(&["--kty", "EC", "--crv", "Ed25519"]).fails_with(2, "Ed25519");
    g(&["--kty", "OKP", "--crv", "P-256"]).fails_with(2, "P-256");
    g(&["--kty", "EC", "--crv", "P-257"]).fails_with(2, "P-257");
    assert_eq!(
        g(&["--kty", "oct", "--bits", "12"]).fails(2),
        "error: --bits 12: an oct key has at least 128 bits"
    );
    assert_eq!(
        g(&["--kty", "oct", "--bits", "132"]).fails(2),
        "error: --bits 132: an oct key is a whole number of bytes"
    );
    g(&["--kty", "RSA", "--crv", "P-256"]).fails_with(2, "--crv");
    g(&["--kty", "RSA", "--bits", "1024"]).fails(2);
    g(&["--kty", "RSA", "--alg", "ES256"]).fails_with(2, "ES256");
    g(&["--kty", "EC", "--crv", "P-256", "--alg", "ES384"]).fails_with(2, "ES384");
    g(&["--kty", "RSA", "--alg", "RS999"]).fails_with(2, "RS999");
    g(&["--kty", "RSA", "--alg", "none"]).fails_with(2, "none");
    g(&["--kty", "RSA", "--use", "sign"]).fails(2);
}

#[test]
fn generate_public_thumbprint_chain() {
    if !crate::with_aws_lc() {
        return;
    }
    for flags in [
        &["--kty", "RSA"][..],
        &["--kty", "EC", "--crv", "P-384"],
        &["--kty", "OKP", "--crv", "Ed25519"],
    ] {
        let args: Vec<&str> = ["jwk", "generate"]
            .iter()
            .chain(flags.iter())
            .copied()
            .collect();
        let private = zegel(&args, "").ok_text();
        let public = zegel(&["jwk", "public"], &private).ok_json();
        for secret in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(public.get(secret).is_none(), "{secret} leaked: {public}");
        }
        let private: Value = serde_json::from_str(&private).unwrap();
        assert_eq!(public["kid"], private["kid"]);
        assert_eq!(public["x"], private["x"]);
        assert_eq!(public["n"], private["n"]);
        let thumbprint = zegel(&["jwk", "thumbprint"], public.to_string()).ok_line();
        assert_eq!(private["kid"], json!(thumbprint));
    }
}

#[test]
fn public_of_pem_and_sets() {
    if !crate::with_aws_lc() {
        return;
    }
    let expected_ec = json!({
        "kty": "EC", "crv": "P-256",
        "x": "b8D9xuuF38L7Fd8L2C9FPodCDq5PnhRM3-iUOiRPV7o",
        "y": "B6-wgZ5vu-zSFK6KtJwVH75sVFncc41fzCbJg_UbZ3E"
    });
    assert_eq!(
        zegel(&["jwk", "public"], data_text("ec_p256_pkcs8.pem")).ok_json(),
        expected_ec
    );
    assert_eq!(
        zegel(&["jwk", "public", "--in", &data("ec_p256_spki.pem")], "").ok_json(),
        expected_ec
    );
    let rsa = zegel(&["jwk", "public"], data_text("rsa2048_pkcs1.pem")).ok_json();
    assert_eq!(member(&rsa, "e"), "AQAB");
    assert!(
        member(&rsa, "n")
            .starts_with("tYFioi4RB3h7NkKve5iXOCHVmaKLahrcUvSQC9ID6eGec7J134MPgIGEoCxkULZ3")
    );
    assert!(rsa.get("d").is_none());
    let pub_rsa = zegel(&["jwk", "public"], data_text("rsa2048_pkcs1_pub.pem")).ok_json();
    assert_eq!(pub_rsa, rsa);

    let set = format!(
        r#"{{"keys":[{},{}]}}"#,
        data_text("rsa.jwk.json"),
        data_text("ed25519.jwk.json")
    );
    let public = zegel(&["jwk", "public"], set).ok_json();
    let expected = json!({"keys": [
        serde_json::from_str::<Value>(&data_text("rsa.pub.jwk.json")).unwrap(),
        serde_json::from_str::<Value>(&data_text("ed25519.pub.jwk.json")).unwrap(),
    ]});
    assert_eq!(public, expected);
    // Symmetric keys have no public part: a set's public form leaves them out.
    let set = format!(
        r#"{{"keys":[{},{}]}}"#,
        data_text("oct.jwk.json"),
        data_text("p256.jwk.json")
    );
    let expected =
        json!({"keys": [serde_json::from_str::<Value>(&data_text("p256.pub.jwk.json")).unwrap()]});
    assert_eq!(zegel(&["jwk", "public"], set).ok_json(), expected);
    // A fixture's public JWK is its own public part.
    for name in FIXTURES.iter().filter(|n| **n != "oct") {
        let public = zegel(&["jwk", "public"], data_text(&format!("{name}.jwk.json"))).ok_json();
        let expected: Value =
            serde_json::from_str(&data_text(&format!("{name}.pub.jwk.json"))).unwrap();
        assert_eq!(public, expected, "{name}");
    }
}

#[test]
fn public_leaves_unknown_members_out() {
    // Issue 7 §1.7: unknown members of a private JWK (here a copy of `d`) are not public.
    let mut key: Value = serde_json::from_str(&data_text("p256.jwk.json")).unwrap();
    let d = key["d"].clone();
    key["backup"] = d.clone();
    let public = zegel(&["jwk", "public"], key.to_string()).ok_json();
    let expected: Value = serde_json::from_str(&data_text("p256.pub.jwk.json")).unwrap();
    assert_eq!(public, expected);
    // A set: the same for its keys and for its unknown top-level members.
    let set = json!({"keys": [key], "backup": d});
    let public = zegel(&["jwk", "public"], set.to_string()).ok_json();
    assert_eq!(public, json!({"keys": [expected]}));
}

#[test]
fn public_rejects() {
    zegel(&["jwk", "public"], data_text("oct.jwk.json")).fails_with(1, "oct");
    zegel(&["jwk", "public"], "").fails(1);
    zegel(
        &["jwk", "public"],
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .fails(1);
    zegel(
        &["jwk", "public"],
        r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
    )
    .fails(1);
}

#[test]
fn pem_and_import_round_trip() {
    if !crate::with_aws_lc() {
        return;
    }
    for name in FIXTURES.iter().filter(|n| **n != "oct") {
        let original: Value =
            serde_json::from_str(&data_text(&format!("{name}.jwk.json"))).unwrap();
        let pem = zegel(
            &["jwk", "pem", "--in", &data(&format!("{name}.jwk.json"))],
            "",
        )
        .ok_text();
        assert!(
            pem.starts_with("-----BEGIN PRIVATE KEY-----\n")
                && pem.ends_with("-----END PRIVATE KEY-----\n")
        );
        // kid comes back as the thumbprint, which the fixtures use.
        assert_eq!(
            zegel(&["jwk", "import"], &pem).ok_json(),
            original,
            "{name}"
        );
        let public_pem = zegel(&["jwk", "pem", "--public"], original.to_string()).ok_text();
        assert!(
            public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"),
            "{public_pem}"
        );
        let expected: Value =
            serde_json::from_str(&data_text(&format!("{name}.pub.jwk.json"))).unwrap();
        assert_eq!(
            zegel(&["jwk", "import"], &public_pem).ok_json(),
            expected,
            "{name}"
        );
    }
    let imported = zegel(
        &[
            "jwk",
            "import",
            "--in",
            &data("rsa2048_pkcs1.pem"),
            "--alg",
            "PS256",
            "--use",
            "sig",
            "--kid",
            "r1",
        ],
        "",
    )
    .ok_json();
    assert_eq!(
        (
            member(&imported, "alg"),
            member(&imported, "use"),
            member(&imported, "kid")
        ),
        ("PS256", "sig", "r1")
    );
    assert!(imported["d"].is_string());
    let imported = zegel(&["jwk", "import"], data_text("ec_p256_pkcs8.pem")).ok_json();
    assert_eq!(
        member(&imported, "d"),
        "ccUDmzinQ73BltVKhuzK_UUvkto8OONUsgT6RdqV-F8"
    );
    assert_eq!(
        member(&imported, "kid"),
        "rH04GUfqX9Ct5UH8mCsSO1XKpIfmvk970SbiXS1rU8A"
    );
}

#[test]
fn pem_and_import_reject() {
    zegel(&["jwk", "pem"], data_text("oct.jwk.json")).fails_with(1, "oct");
    zegel(&["jwk", "pem"], "{}").fails(1);
    zegel(
        &["jwk", "import"],
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .fails(1);
    zegel(
        &["jwk", "import", "--alg", "ES256"],
        data_text("rsa2048_pkcs1.pem"),
    )
    .fails_with(2, "ES256");
    let set = format!(r#"{{"keys":[{}]}}"#, data_text("p256.jwk.json"));
    zegel(&["jwk", "pem"], set).fails_with(1, "JWK Set");
}

#[test]
fn alg_and_use_must_agree() {
    // A key bound to a JWE algorithm is not a signing key, and the other way round.
    let g = |flags: &[&str]| {
        let mut args = vec!["jwk", "generate"];
        args.extend_from_slice(flags);
        zegel(&args, "")
    };
    g(&["--kty", "RSA", "--alg", "RSA-OAEP-256", "--use", "sig"]).fails_with(2, "disagree");
    g(&["--kty", "RSA", "--alg", "RS256", "--use", "enc"]).fails_with(2, "disagree");
    g(&["--kty", "oct", "--alg", "dir", "--use", "sig"]).fails_with(2, "disagree");
    let key = g(&["--kty", "oct", "--alg", "HS256", "--use", "sig"]).ok_json();
    assert_eq!(member(&key, "alg"), "HS256");
    zegel(
        &["jwk", "import", "--alg", "RS256", "--use", "enc"],
        data_text("rsa2048_pkcs1.pem"),
    )
    .fails_with(2, "disagree");
    if crate::with_aws_lc() {
        let key = g(&["--kty", "RSA", "--alg", "RSA-OAEP-256", "--use", "enc"]).ok_json();
        assert_eq!(member(&key, "use"), "enc");
    }
}
