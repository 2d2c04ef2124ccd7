//! The JWE test vectors under `tests/vectors/jwe/`, run by one generic runner: RFC 7516
//! Appendix A, RFC 7520 §5 and §6 (nesting), RFC 8037 (X25519). Every token is decrypted;
//! where the values drawn at random are given, encryption reproduces the deterministic parts
//! byte for byte (the whole token, or the ciphertext and tag when RSA padding is random).

// Marks the helpers as test code too, for clippy's `allow-unwrap-in-tests`.
#![cfg(test)]

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use zegel_jose::base64url;
use zegel_jose::error::Part;
use zegel_jose::jwe::{self, ContentEncryption, Decryptor, Encryptor, KeyManagement, Recipient};
use zegel_jose::jwk::KeyPolicy;
use zegel_jose::{Jwk, SecretBytes};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jwe")
}

fn files(sub: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir().join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn b64(v: &Value) -> Vec<u8> {
    base64url::decode(v.as_str().unwrap().as_bytes(), Part::Token).unwrap()
}

fn jwk(v: &Value) -> Jwk {
    Jwk::parse_with(
        v.to_string().as_bytes(),
        &KeyPolicy::default().with_min_rsa_bits(2048),
    )
    .unwrap()
}

fn keys(input: &Value) -> Vec<Jwk> {
    if let Some(pwd) = input.get("pwd") {
        let k = base64url::encode(pwd.as_str().unwrap().as_bytes());
        return vec![Jwk::parse(format!(r#"{{"kty":"oct","k":"{k}"}}"#).as_bytes()).unwrap()];
    }
    match &input["key"] {
        Value::Array(a) => a.iter().map(jwk).collect(),
        k => vec![jwk(k)],
    }
}

fn algs(v: &Value) -> Vec<&'static KeyManagement> {
    let names: Vec<&str> = match v {
        Value::Array(a) => a.iter().map(|s| s.as_str().unwrap()).collect(),
        s => vec![s.as_str().unwrap()],
    };
    names
        .into_iter()
        .map(|n| jwe::by_name(n).unwrap_or_else(|| panic!("{n}")))
        .collect()
}

/// Whether the backends compiled in can do every algorithm of a vector; without the `aws-lc`
/// feature (ring alone), vectors that need it are skipped (`jwe_ring` checks the refusal).
fn available(algs: &[&'static KeyManagement], enc: &'static ContentEncryption) -> bool {
    algs.iter().all(|a| a.is_available()) && enc.is_available()
}

/// Whether every algorithm of `jwe::ALL` and `jwe::ALL_ENC` is available.
fn all_available() -> bool {
    jwe::ALL.iter().all(|a| a.is_available()) && jwe::ALL_ENC.iter().all(|e| e.is_available())
}

/// The serialized tokens of a vector: compact and JSON forms.
fn tokens(output: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, v) in output.as_object().unwrap() {
        let s = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push((name.clone(), s));
    }
    out
}

/// Decrypts every token of a vector with all its keys, and with each key alone for tokens
/// with several recipients.
fn decrypt_all(
    name: &str,
    algs: &[&'static KeyManagement],
    enc: &'static ContentEncryption,
    keys: &[Jwk],
    plaintext: &[u8],
    tokens: &[(String, String)],
) -> usize {
    let decryptor = Decryptor::new(algs, &[enc]);
    let mut n = 0;
    for (form, token) in tokens {
        match decryptor.decrypt_with_keys(token.as_bytes(), keys) {
            Ok(out) => {
                assert_eq!(out.plaintext(), plaintext, "{name} {form}");
                assert_eq!(out.enc(), enc);
                n += 1;
            }
            // Several keys select by exact `kid`: keys without one (RFC 7516 A.4) are no
            // fallback for recipients that name one. Each key alone still opens its recipient.
            Err(zegel_jose::Error::UnknownKid { .. })
                if keys.len() > 1 && keys.iter().all(|k| k.kid().is_none()) => {}
            Err(e) => panic!("{name} {form}: {e:?}"),
        }
        if keys.len() > 1 {
            for (i, key) in keys.iter().enumerate() {
                let out = decryptor
                    .decrypt(token.as_bytes(), key)
                    .unwrap_or_else(|e| panic!("{name} {form} key {i}: {e:?}"));
                assert_eq!(out.plaintext(), plaintext);
                assert_eq!(out.recipient(), i, "{name}: key {i} opens recipient {i}");
                n += 1;
            }
        }
        // Without the algorithm in the allowlist: refused before any cryptography.
        let other = if algs.contains(&&jwe::DIR) {
            &jwe::A128KW
        } else {
            &jwe::DIR
        };
        assert!(matches!(
            Decryptor::new(&[other], &[enc]).decrypt_with_keys(token.as_bytes(), keys),
            Err(zegel_jose::Error::AlgNotAllowed { .. })
        ));
    }
    n
}

/// Header parameters the encryptor writes itself.
const OWN: &[&str] = &[
    "alg", "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c", "kid",
];

struct Repro<'a> {
    name: &'a str,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    key: &'a Jwk,
    plaintext: &'a [u8],
    protected_b64: &'a str,
    fixed: jwe::dangerous::FixedValues,
    p2c: Option<u32>,
    aad: Option<Vec<u8>>,
    /// The expected parts: protected, encrypted key, iv, ciphertext, tag.
    expected: [String; 5],
}

/// Encrypts with the given random values and compares the deterministic parts.
fn reproduce(r: Repro<'_>) {
    let protected_json = base64url::decode(r.protected_b64.as_bytes(), Part::Header).unwrap();
    let protected: Map<String, Value> = serde_json::from_slice(&protected_json).unwrap();
    let extras: Map<String, Value> = protected
        .iter()
        .filter(|(k, _)| !OWN.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut enc = Encryptor::new(r.enc).with_protected(extras);
    if protected.contains_key("zip") {
        enc = enc.with_deflate();
    }
    if let Some(aad) = &r.aad {
        enc = enc.with_aad(aad);
    }
    let mut fixed = r.fixed;
    fixed.protected = Some(protected_json);
    let mut recipient = Recipient::new(r.key, r.alg);
    if !protected.contains_key("kid") {
        recipient = recipient.without_kid();
    }
    if let Some(p2c) = r.p2c {
        recipient = recipient.with_p2c(p2c);
    }
    let token = enc
        .dangerous_with_fixed_values(fixed)
        .encrypt_flattened(r.plaintext, &recipient)
        .unwrap_or_else(|e| panic!("{}: {e:?}", r.name));
    let got: Value = serde_json::from_str(&token).unwrap();
    let part = |n: &str| got.get(n).and_then(Value::as_str).unwrap_or("").to_owned();
    let rsa = r.alg.key_type() == zegel_jose::jwk::KeyType::Rsa;
    let zip = protected.contains_key("zip");
    assert_eq!(part("protected"), r.expected[0], "{}", r.name);
    if !rsa {
        assert_eq!(
            part("encrypted_key"),
            r.expected[1],
            "{}: encrypted key",
            r.name
        );
    }
    assert_eq!(part("iv"), r.expected[2], "{}", r.name);
    // DEFLATE output differs between compressors; the ciphertext then differs too.
    if !zip {
        assert_eq!(part("ciphertext"), r.expected[3], "{}: ciphertext", r.name);
        assert_eq!(part("tag"), r.expected[4], "{}: tag", r.name);
    }
    // And our own token decrypts.
    let out = Decryptor::new(&[r.alg], &[r.enc])
        .decrypt(token.as_bytes(), r.key)
        .unwrap();
    assert_eq!(out.plaintext(), r.plaintext);
}

/// RFC 7520 §5, §6 and RFC 8037 (the ietf-jose cookbook format).
fn cookbook(name: &str, v: &Value) -> (usize, usize) {
    let input = &v["input"];
    let algs = algs(&input["alg"]);
    let content = &v["encrypting_content"];
    // RFC 7520 §5.13 misspells its "enc" input; the protected header has the real one.
    let enc_name = content["protected"]
        .get("enc")
        .or_else(|| input.get("enc"))
        .and_then(Value::as_str)
        .unwrap();
    let enc = jwe::enc_by_name(enc_name).unwrap();
    if !available(&algs, enc) {
        return (0, 0);
    }
    let keys = keys(input);
    let plaintext = input["plaintext"].as_str().unwrap().as_bytes();
    let decrypted = decrypt_all(name, &algs, enc, &keys, plaintext, &tokens(&v["output"]));

    // Reproduce: one recipient, every header parameter in the protected header.
    let single_protected = algs.len() == 1
        && content.get("unprotected").is_none()
        && content["protected"].get("alg").is_some();
    if v.get("reproducible") == Some(&Value::Bool(false))
        || !single_protected
        || algs[0].is_legacy()
    {
        return (decrypted, 0);
    }
    let ek = &v["encrypting_key"];
    let generated = &v["generated"];
    let mut fixed = jwe::dangerous::FixedValues::default();
    fixed.cek = generated.get("cek").map(|c| SecretBytes::new(b64(c)));
    fixed.iv = generated.get("iv").map(b64);
    fixed.epk = ek.get("epk").map(jwk);
    fixed.p2s = ek.get("salt").map(b64);
    fixed.kw_iv = ek.get("iv").map(b64);
    let flat = &v["output"]["json_flat"];
    let s = |n: &str| flat.get(n).and_then(Value::as_str).unwrap_or("").to_owned();
    reproduce(Repro {
        name,
        alg: algs[0],
        enc,
        key: &keys[0],
        plaintext,
        protected_b64: content["protected_b64u"].as_str().unwrap(),
        fixed,
        p2c: ek
            .get("iteration_count")
            .and_then(Value::as_u64)
            .map(|n| u32::try_from(n).unwrap()),
        aad: flat.get("aad").map(b64),
        expected: [
            s("protected"),
            s("encrypted_key"),
            s("iv"),
            s("ciphertext"),
            s("tag"),
        ],
    });
    (decrypted, 1)
}

#[test]
fn rfc7520_section_5_and_rfc8037() {
    let (mut decrypted, mut reproduced) = (0, 0);
    let mut paths = files("rfc7520");
    paths.extend(files("rfc8037"));
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v = load(path);
        let v = if name.starts_with("6.") {
            v["encrypt"].clone()
        } else {
            v
        };
        let (d, r) = cookbook(&name, &v);
        decrypted += d;
        reproduced += r;
    }
    assert_eq!(paths.len(), 15);
    if all_available() {
        // Every token of every vector, plus 5.13 once per key.
        assert_eq!(decrypted, 43);
        // 5.2-5.10 and 6 (5.1 and 5.13 use RSA1_5; 5.11 and 5.12 unprotected headers; X25519
        // is not reproducible as published).
        assert_eq!(reproduced, 10);
    } else {
        // Ring alone: the AES key wrap, AES-GCM key wrap, dir and PBES2 vectors.
        assert!(decrypted > 0 && reproduced > 0, "{decrypted} {reproduced}");
    }
}

#[test]
fn rfc7516_appendix_a() {
    let paths = files("rfc7516");
    assert_eq!(paths.len(), 4);
    let mut reproduced = 0;
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v = load(path);
        let algs = algs(&v["alg"]);
        let enc = jwe::enc_by_name(v["enc"].as_str().unwrap()).unwrap();
        if !available(&algs, enc) {
            continue;
        }
        let keys = keys(&v);
        let plaintext = v["plaintext"].as_str().unwrap().as_bytes();
        let mut toks = Vec::new();
        if let Some(c) = v.get("compact") {
            toks.push(("compact".to_owned(), c.as_str().unwrap().to_owned()));
        }
        if let Some(j) = v.get("json") {
            toks.push(("json".to_owned(), j.to_string()));
        }
        decrypt_all(&name, &algs, enc, &keys, plaintext, &toks);
        let Some(compact) = v.get("compact").and_then(Value::as_str) else {
            continue;
        };
        if algs[0].is_legacy() {
            continue;
        }
        let parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
        let mut fixed = jwe::dangerous::FixedValues::default();
        fixed.cek = Some(SecretBytes::new(b64(&v["cek"])));
        fixed.iv = Some(b64(&v["iv"]));
        reproduce(Repro {
            name: &name,
            alg: algs[0],
            enc,
            key: &keys[0],
            plaintext,
            protected_b64: &parts[0],
            fixed,
            p2c: None,
            aad: None,
            expected: [
                parts[0].clone(),
                parts[1].clone(),
                parts[2].clone(),
                parts[3].clone(),
                parts[4].clone(),
            ],
        });
        reproduced += 1;
    }
    // A.1 (RSA-OAEP) needs aws-lc; A.3 (A128KW) does not.
    assert_eq!(reproduced, if all_available() { 2 } else { 1 });
}

/// Tokens made by independent implementations (jwcrypto, jose) for every `alg` x `enc` pair,
/// decrypted here: a known answer for each pair, not only for those the RFCs happen to show.
#[test]
fn interop_tokens_cover_every_alg_enc_pair() {
    let v = load(&dir().join("interop/tokens.json"));
    let keys = &v["keys"];
    let plaintext = v["plaintext"].as_str().unwrap().as_bytes();
    // Every algorithm at once: the interop keys carry no `alg`, so opt in to unbound keys.
    let decryptor = Decryptor::new(jwe::ALL, jwe::ALL_ENC)
        .with_unbound_oct_keys()
        .with_oct_keys_as_passwords();
    let mut pairs = std::collections::BTreeSet::new();
    for t in v["tokens"].as_array().unwrap() {
        let token = t["token"].as_str().unwrap();
        let enc = jwe::enc_by_name(t["enc"].as_str().unwrap()).unwrap();
        // "general": several recipients, of several algorithms.
        let usable = match jwe::by_name(t["alg"].as_str().unwrap()) {
            Some(alg) => available(&[alg], enc),
            None => all_available(),
        };
        if !usable {
            continue;
        }
        let key = &jwk(&keys[t["key"].as_str().unwrap()]);
        let out = decryptor
            .decrypt(token.as_bytes(), key)
            .unwrap_or_else(|e| panic!("{t}: {e:?}"));
        assert_eq!(out.plaintext(), plaintext);
        pairs.insert((out.alg().name(), out.enc().name()));
        // Flipping one bit of the ciphertext fails, whoever made the token.
        if !token.starts_with('{') {
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            let mut c = base64url::decode(parts[3].as_bytes(), Part::Token).unwrap();
            c[0] ^= 1;
            parts[3] = base64url::encode(&c);
            assert_eq!(
                decryptor
                    .decrypt(parts.join(".").as_bytes(), key)
                    .unwrap_err(),
                zegel_jose::Error::DecryptionFailed
            );
        }
    }
    for alg in jwe::ALL {
        for enc in jwe::ALL_ENC {
            assert_eq!(
                pairs.contains(&(alg.name(), enc.name())),
                available(&[alg], enc),
                "{alg:?} {enc:?}"
            );
        }
    }
}
