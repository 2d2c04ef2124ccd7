//! `zegel jwe encrypt|decrypt`.

use serde_json::{Value, json};

use crate::{Scratch, data, data_text, tamper, zegel};

const PLAINTEXT: &[u8] = b"\x00\xff the plaintext, exact bytes\n";

fn oct(scratch: &Scratch, bits: u32) -> String {
    let key = zegel(
        &[
            "jwk",
            "generate",
            "--kty",
            "oct",
            "--bits",
            &bits.to_string(),
        ],
        "",
    )
    .ok_text();
    scratch.write(&format!("oct{bits}.json"), key)
}

fn encrypt(key: &str, alg: &str, enc: &str, plaintext: &[u8]) -> String {
    zegel(
        &["jwe", "encrypt", "--key", key, "--alg", alg, "--enc", enc],
        plaintext,
    )
    .ok_line()
}

fn header_of(token: &str) -> Value {
    zegel(&["inspect"], token).ok_json()["header"].clone()
}

#[test]
fn round_trips_every_key_management_algorithm() {
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("jwe-alg");
    let (oct128, oct192, oct256, oct512) = (
        oct(&scratch, 128),
        oct(&scratch, 192),
        oct(&scratch, 256),
        oct(&scratch, 512),
    );
    let rsa = (data("rsa.pub.jwk.json"), data("rsa.jwk.json"));
    let cases: Vec<(&str, &str, (String, String))> = vec![
        ("RSA-OAEP", "A128GCM", rsa.clone()),
        ("RSA-OAEP-256", "A256GCM", rsa.clone()),
        ("RSA-OAEP-384", "A192CBC-HS384", rsa.clone()),
        ("RSA-OAEP-512", "A256CBC-HS512", rsa),
        ("A128KW", "A128CBC-HS256", (oct128.clone(), oct128.clone())),
        ("A192KW", "A192GCM", (oct192.clone(), oct192.clone())),
        ("A256KW", "A256GCM", (oct256.clone(), oct256.clone())),
        ("A128GCMKW", "A128GCM", (oct128.clone(), oct128)),
        ("A192GCMKW", "A128GCM", (oct192.clone(), oct192)),
        ("A256GCMKW", "A128GCM", (oct256.clone(), oct256.clone())),
        ("dir", "A256GCM", (oct256.clone(), oct256.clone())),
        ("dir", "A128CBC-HS256", (oct256.clone(), oct256)),
        ("dir", "A256CBC-HS512", (oct512.clone(), oct512)),
        (
            "ECDH-ES",
            "A128GCM",
            (data("p256.pub.jwk.json"), data("p256.jwk.json")),
        ),
        (
            "ECDH-ES+A128KW",
            "A128GCM",
            (data("p384.pub.jwk.json"), data("p384.jwk.json")),
        ),
        (
            "ECDH-ES+A192KW",
            "A192GCM",
            (data("p521.pub.jwk.json"), data("p521.jwk.json")),
        ),
        (
            "ECDH-ES+A256KW",
            "A256GCM",
            (data("x25519.pub.jwk.json"), data("x25519.jwk.json")),
        ),
    ];
    for (alg, enc, (enc_key, dec_key)) in &cases {
        let token = encrypt(enc_key, alg, enc, PLAINTEXT);
        assert_eq!(token.split('.').count(), 5, "{alg}");
        let header = header_of(&token);
        assert_eq!(
            (header["alg"].as_str(), header["enc"].as_str()),
            (Some(*alg), Some(*enc))
        );
        let out = zegel(&["jwe", "decrypt", "--key", dec_key], format!(" {token}\n")).ok();
        assert_eq!(out.stdout, PLAINTEXT, "{alg} {enc}: exact bytes");
        let out = zegel(
            &[
                "jwe", "decrypt", "--key", dec_key, "--alg", alg, "--enc", enc,
            ],
            &token,
        )
        .ok();
        assert_eq!(out.stdout, PLAINTEXT, "{alg} {enc}");
        // Reject paths: each segment tampered (dir has an empty encrypted key).
        for segment in 0..5 {
            if matches!(*alg, "dir" | "ECDH-ES") && segment == 1 {
                continue;
            }
            zegel(
                &["jwe", "decrypt", "--key", dec_key],
                tamper(&token, segment),
            )
            .fails(1);
        }
        // Allowlists.
        let other_alg = if *alg == "A128KW" { "A256KW" } else { "A128KW" };
        zegel(
            &["jwe", "decrypt", "--key", dec_key, "--alg", other_alg],
            &token,
        )
        .fails(1);
        let other_enc = if *enc == "A128GCM" {
            "A256GCM"
        } else {
            "A128GCM"
        };
        zegel(
            &["jwe", "decrypt", "--key", dec_key, "--enc", other_enc],
            &token,
        )
        .fails(1);
    }
}

#[test]
fn tampered_ciphertext_says_decryption_failed() {
    if !crate::with_aws_lc() {
        return;
    }
    let token = encrypt(
        &data("rsa.pub.jwk.json"),
        "RSA-OAEP-256",
        "A256GCM",
        b"hello",
    );
    let line = zegel(
        &["jwe", "decrypt", "--key", &data("rsa.jwk.json")],
        tamper(&token, 3),
    )
    .fails(1);
    assert_eq!(line, "error: decryption failed: decryption failed");
    // Another RSA key: the same message, nothing more.
    let scratch = Scratch::new("jwe-wrong");
    let other = scratch.write(
        "other.json",
        zegel(&["jwk", "generate", "--kty", "RSA"], "").ok_text(),
    );
    zegel(&["jwe", "decrypt", "--key", &other], &token).fails(1);
}

#[test]
fn tokens_from_an_independent_implementation() {
    if !crate::with_aws_lc() {
        return;
    }
    for (file, key) in [
        ("jwe_rsa_oaep_256.txt", "rsa2048_pkcs1.pem"),
        ("jwe_ecdh.txt", "ec_p256_pkcs8.pem"),
    ] {
        let out = zegel(&["jwe", "decrypt", "--key", &data(key)], data_text(file)).ok();
        assert_eq!(out.stdout, b"secret from jwcrypto", "{file}");
    }
    zegel(
        &[
            "jwe",
            "decrypt",
            "--key",
            &data("rsa2048_pkcs1.pem"),
            "--enc",
            "A128GCM",
        ],
        data_text("jwe_rsa_oaep_256.txt"),
    )
    .fails(1);
}

#[test]
fn encrypt_to_pem_public_keys() {
    if !crate::with_aws_lc() {
        return;
    }
    let token = encrypt(
        &data("rsa2048_pkcs1_pub.pem"),
        "RSA-OAEP",
        "A128CBC-HS256",
        b"to pem",
    );
    assert_eq!(
        zegel(
            &["jwe", "decrypt", "--key", &data("rsa2048_pkcs1.pem")],
            &token
        )
        .ok()
        .stdout,
        b"to pem"
    );
    let token = encrypt(
        &data("ec_p256_spki.pem"),
        "ECDH-ES+A256KW",
        "A256GCM",
        b"to pem",
    );
    assert_eq!(
        zegel(
            &["jwe", "decrypt", "--key", &data("ec_p256_pkcs8.pem")],
            &token
        )
        .ok()
        .stdout,
        b"to pem"
    );
}

#[test]
fn header_flags_zip_and_json() {
    if !crate::with_aws_lc() {
        return;
    }
    let key = data("rsa.pub.jwk.json");
    let big = "compress me ".repeat(200);
    let token = zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &key,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A128GCM",
            "--kid",
            "k7",
            "--cty",
            "text/plain",
            "--zip",
            "DEF",
        ],
        &big,
    )
    .ok_line();
    assert_eq!(
        header_of(&token),
        json!({"alg": "RSA-OAEP-256", "enc": "A128GCM", "kid": "k7", "cty": "text/plain", "zip": "DEF"})
    );
    assert!(token.len() < big.len(), "compressed");
    // A single key is used whatever kid the token names (the kid only selects within a set).
    assert_eq!(
        zegel(&["jwe", "decrypt", "--key", &data("rsa.jwk.json")], &token)
            .ok()
            .stdout,
        big.as_bytes()
    );
    // In a set, the token's kid selects: a set without a key of that kid fails.
    let scratch_set = Scratch::new("jwe-kid-set");
    let set = scratch_set.write(
        "set.json",
        json!({"keys": [serde_json::from_str::<Value>(&data_text("rsa.jwk.json")).unwrap()]})
            .to_string(),
    );
    zegel(&["jwe", "decrypt", "--key", &set], &token).fails_with(1, "no key has the token's kid");
    let scratch = Scratch::new("jwe-kid");
    let mut renamed: Value = serde_json::from_str(&data_text("rsa.jwk.json")).unwrap();
    renamed["kid"] = json!("k7");
    let renamed = scratch.write("k7.json", renamed.to_string());
    assert_eq!(
        zegel(&["jwe", "decrypt", "--key", &renamed], &token)
            .ok()
            .stdout,
        big.as_bytes()
    );
    // A key without kid (PEM) is tried.
    let token = zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("rsa2048_pkcs1_pub.pem"),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A128GCM",
            "--kid",
            "k7",
        ],
        "pem",
    )
    .ok_line();
    assert_eq!(
        zegel(
            &["jwe", "decrypt", "--key", &data("rsa2048_pkcs1.pem")],
            &token
        )
        .ok()
        .stdout,
        b"pem"
    );
    zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &key,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A128GCM",
            "--zip",
            "GZIP",
        ],
        "x",
    )
    .fails(2);

    for form in ["flattened", "general"] {
        let jwe = zegel(
            &[
                "jwe", "encrypt", "--key", &key, "--alg", "RSA-OAEP", "--enc", "A256GCM", "--json",
                form,
            ],
            "j",
        )
        .ok_json();
        assert!(
            jwe["ciphertext"].is_string() && jwe["iv"].is_string() && jwe["tag"].is_string(),
            "{jwe}"
        );
        assert_eq!(jwe.get("recipients").is_some(), form == "general", "{jwe}");
        let out = zegel(
            &["jwe", "decrypt", "--key", &data("rsa.jwk.json")],
            jwe.to_string(),
        )
        .ok();
        assert_eq!(out.stdout, b"j");
        let mut bad = jwe.clone();
        bad["ciphertext"] = json!("AAAA");
        zegel(
            &["jwe", "decrypt", "--key", &data("rsa.jwk.json")],
            bad.to_string(),
        )
        .fails(1);
    }
}

#[test]
fn key_problems() {
    if !crate::with_aws_lc() {
        return;
    }
    let token = encrypt(&data("rsa.pub.jwk.json"), "RSA-OAEP-256", "A256GCM", b"x");
    // A public key cannot decrypt: configuration.
    zegel(
        &["jwe", "decrypt", "--key", &data("rsa.pub.jwk.json")],
        &token,
    )
    .fails_with(2, "public");
    // A key of another type: the token is rejected.
    zegel(&["jwe", "decrypt", "--key", &data("p256.jwk.json")], &token).fails(1);
    // Encrypting with a key that does not fit the algorithm: configuration.
    zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("p256.pub.jwk.json"),
            "--alg",
            "RSA-OAEP",
            "--enc",
            "A128GCM",
        ],
        "x",
    )
    .fails(2);
    zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("rsa.pub.jwk.json"),
            "--alg",
            "A128KW",
            "--enc",
            "A128GCM",
        ],
        "x",
    )
    .fails(2);
    let scratch = Scratch::new("jwe-dir");
    let oct128 = oct(&scratch, 128);
    zegel(
        &[
            "jwe", "encrypt", "--key", &oct128, "--alg", "dir", "--enc", "A256GCM",
        ],
        "x",
    )
    .fails(2);
}

#[test]
fn key_sets_choose_by_kid() {
    if !crate::with_aws_lc() {
        return;
    }
    let scratch = Scratch::new("jwe-set");
    let keys: Vec<Value> = ["p256.jwk.json", "rsa.jwk.json", "x25519.jwk.json"]
        .iter()
        .map(|m| serde_json::from_str(&data_text(m)).unwrap())
        .collect();
    let private_set = scratch.write("set.json", json!({ "keys": keys }).to_string());
    let public_set = scratch.write(
        "public.json",
        zegel(&["jwk", "public", "--in", &private_set], "").ok_text(),
    );
    for (alg, enc) in [("RSA-OAEP-256", "A128GCM"), ("ECDH-ES", "A256GCM")] {
        let token = encrypt(&public_set, alg, enc, b"via set");
        assert!(
            header_of(&token)["kid"].is_string(),
            "the chosen key's kid is named"
        );
        assert_eq!(
            zegel(&["jwe", "decrypt", "--key", &private_set], &token)
                .ok()
                .stdout,
            b"via set"
        );
    }
    let token = encrypt(
        &data("p384.pub.jwk.json"),
        "ECDH-ES",
        "A128GCM",
        b"not for the set",
    );
    zegel(&["jwe", "decrypt", "--key", &private_set], &token).fails(1);
}

#[test]
fn none_and_malformed_are_rejected() {
    let key = data("rsa.jwk.json");
    for bad in [
        "",
        "x",
        "a.b.c.d",
        "a.b.c.d.e",
        "eyJhbGciOiJub25lIiwiZW5jIjoiQTEyOEdDTSJ9....",
        "{}",
    ] {
        zegel(&["jwe", "decrypt", "--key", &key], bad).fails(1);
    }
}

#[test]
fn large_compressed_plaintexts() {
    if !crate::with_aws_lc() {
        return;
    }
    let plaintext = "a large, compressible plaintext ".repeat(40_000);
    let token = zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("rsa.pub.jwk.json"),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--zip",
            "DEF",
        ],
        &plaintext,
    )
    .ok_line();
    let out = zegel(&["jwe", "decrypt", "--key", &data("rsa.jwk.json")], &token).ok();
    assert_eq!(out.stdout, plaintext.as_bytes());
}

#[test]
fn legacy_and_password_algorithms_from_jwcrypto() {
    if !crate::with_aws_lc() {
        return;
    }
    // RSA1_5 only when named.
    let rsa = data("rsa.jwk.json");
    zegel(
        &["jwe", "decrypt", "--key", &rsa],
        data_text("jwe_rsa1_5.txt"),
    )
    .fails_with(1, "RSA1_5");
    zegel(
        &["jwe", "decrypt", "--key", &rsa, "--alg", "RSA-OAEP"],
        data_text("jwe_rsa1_5.txt"),
    )
    .fails(1);
    let out = zegel(
        &["jwe", "decrypt", "--key", &rsa, "--alg", "RSA1_5"],
        data_text("jwe_rsa1_5.txt"),
    )
    .ok();
    assert_eq!(out.stdout, b"legacy");
    // PBES2 with a password key (an `oct` key without `alg`: PBES2 must be named), and the
    // iteration ceiling.
    let password = data("password.jwk.json");
    zegel(
        &["jwe", "decrypt", "--key", &password],
        data_text("jwe_pbes2.txt"),
    )
    .fails_with(1, "\"PBES2-HS256+A128KW\" is not allowed");
    let pbes2 = |alg| ["jwe", "decrypt", "--key", &password, "--alg", alg];
    assert_eq!(
        zegel(&pbes2("PBES2-HS256+A128KW"), data_text("jwe_pbes2.txt"))
            .ok()
            .stdout,
        b"pbes2"
    );
    let line = zegel(
        &pbes2("PBES2-HS256+A128KW"),
        data_text("jwe_pbes2_p2c_16384.txt"),
    )
    .fails(1);
    // The token's count is not echoed; the limit (configuration) is.
    assert_eq!(
        line,
        "error: decryption failed: the pbes2 count is above the limit of 10000"
    );
    // And zegel's own PBES2 output decrypts.
    let token = encrypt(&password, "PBES2-HS512+A256KW", "A256CBC-HS512", b"pw");
    assert_eq!(
        zegel(&pbes2("PBES2-HS512+A256KW"), token).ok().stdout,
        b"pw"
    );
}

#[test]
fn general_json_from_jwcrypto() {
    if !crate::with_aws_lc() {
        return;
    }
    let out = zegel(
        &["jwe", "decrypt", "--key", &data("rsa.jwk.json")],
        data_text("jwe_general.json"),
    )
    .ok();
    assert_eq!(out.stdout, b"py json jwe");
    zegel(
        &["jwe", "decrypt", "--key", &data("p256.jwk.json")],
        data_text("jwe_general.json"),
    )
    .fails(1);
}

#[test]
fn rsa_needs_the_aws_lc_backend() {
    if crate::with_aws_lc() {
        return;
    }
    // Without the `aws-lc` feature (ring alone): refused, saying why.
    zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &data("rsa.jwk.json"),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A128GCM",
        ],
        "x",
    )
    .fails_with(2, "not compiled in");
}

/// The key reuse break of an `oct` key without `alg`: the victim's `A*GCMKW` wrapped key, with
/// its header's `iv` and `tag`, replayed as the ciphertext of a JSON JWE whose `alg: dir` and
/// `enc` are unprotected. The contract accepts such a key for every algorithm it fits, but
/// `dir` only with a protected `alg` and `enc`: the replay is refused, one key or a set.
#[test]
fn a_wrapped_key_is_never_replayed_as_a_dir_ciphertext() {
    let scratch = Scratch::new("jwe-replay");
    for (bits, kw, enc) in [
        (128, "A128GCMKW", "A128GCM"),
        (192, "A192GCMKW", "A192GCM"),
        (256, "A256GCMKW", "A256GCM"),
    ] {
        // ring alone has no AES-192.
        if bits == 192 && !crate::with_aws_lc() {
            continue;
        }
        let key = oct(&scratch, bits);
        let jwk: Value = serde_json::from_str(&std::fs::read_to_string(&key).unwrap()).unwrap();
        let kid = jwk["kid"].as_str().unwrap().to_owned();
        let set = scratch.write(
            &format!("set{bits}.json"),
            json!({"keys": [jwk]}).to_string(),
        );
        let victim = encrypt(&key, kw, enc, PLAINTEXT);
        let header = header_of(&victim);
        let parts: Vec<&str> = victim.split('.').collect();
        let attack = json!({
            "unprotected": {"alg": "dir", "enc": enc, "kid": kid},
            "iv": header["iv"],
            "ciphertext": parts[1],
            "tag": header["tag"],
        })
        .to_string();
        for k in [&key, &set] {
            zegel(&["jwe", "decrypt", "--key", k], &attack)
                .fails_with(1, "\"alg\" must be in the protected header");
            zegel(
                &["jwe", "decrypt", "--key", k, "--alg", "dir", "--enc", enc],
                &attack,
            )
            .fails_with(1, "\"alg\" must be in the protected header");
            // The twins: the victim's token and a real `dir` token decrypt with that key.
            assert_eq!(
                zegel(&["jwe", "decrypt", "--key", k], &victim).ok().stdout,
                PLAINTEXT
            );
            let direct = encrypt(&key, "dir", enc, PLAINTEXT);
            assert_eq!(
                zegel(&["jwe", "decrypt", "--key", k], &direct).ok().stdout,
                PLAINTEXT
            );
        }
    }
}

/// RFC 7520 §5.6: a `dir` key whose `alg` names its content encryption decrypts that
/// section's token without `--alg` (the key's own `alg` binds it).
#[test]
fn a_dir_key_naming_its_enc_decrypts_without_alg() {
    let scratch = Scratch::new("jwe-5-6");
    let key = scratch.write(
        "5_6.json",
        r#"{"kty":"oct","kid":"77c7e2b8-6e13-45cf-8672-617b5b45243a","use":"enc","alg":"A128GCM","k":"XctOhJAkA-pD9Lh7ZgW_2A"}"#,
    );
    let vector: Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../zegel-jose/tests/vectors/jwe/rfc7520/5_6.direct_encryption_using_aes-gcm.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let token = vector["output"]["compact"].as_str().unwrap();
    let plaintext = vector["input"]["plaintext"].as_str().unwrap();
    assert_eq!(
        zegel(&["jwe", "decrypt", "--key", &key], token).ok().stdout,
        plaintext.as_bytes()
    );
    // Its reject twin: the key is not one of another content encryption.
    zegel(
        &["jwe", "decrypt", "--key", &key, "--enc", "A256GCM"],
        token,
    )
    .fails(1);
}
