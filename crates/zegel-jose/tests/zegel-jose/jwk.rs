//! JWK, JWK Set, thumbprint, generation and PEM tests: RFC vectors through a generic runner,
//! PEM vectors from Python `cryptography`/`jwcrypto`, every rejection, and round trips.
// Marks the helpers as test code too, for clippy's `allow-unwrap-in-tests`.
#![cfg(test)]

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use zegel_jose::base64url;
use zegel_jose::error::{Error, JsonError, KeyError, Part};
use zegel_jose::hash::HashAlg;
use zegel_jose::jwk::{
    Curve, Jwk, JwkParams, JwkSet, KeyMaterial, KeyOp, KeyPolicy, KeyQuery, KeySpec, KeyType,
};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/jwk/");

fn vector(name: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}{name}")).unwrap()
}

fn vector_json(name: &str) -> Value {
    serde_json::from_str(&vector(name)).unwrap()
}

/// Whether the backend compiled in handles this curve (ring alone: P-256, P-384, Ed25519, and
/// X25519 public keys only).
fn curve_available(crv: Option<&str>, private: bool) -> bool {
    cfg!(feature = "aws-lc")
        || match crv {
            Some("P-521" | "secp256k1") => false,
            Some("X25519") => !private,
            _ => true,
        }
}

fn key_err(e: KeyError) -> Error {
    Error::Key(e)
}

// ---------------------------------------------------------------------------------------------
// RFC vectors

#[test]
fn rfc_key_vectors() {
    let index = vector_json("index.json");
    for case in index["keys"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let crv = case.get("crv").and_then(Value::as_str);
        let private = case["private"].as_bool().unwrap();
        let result = Jwk::parse(vector(file).as_bytes());
        if !curve_available(crv, private) {
            assert!(
                matches!(result, Err(Error::AlgorithmUnavailable { .. })),
                "{file}"
            );
            continue;
        }
        let key = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.key_type().name(), case["kty"], "{file}");
        assert_eq!(key.curve().map(Curve::name), crv, "{file}");
        assert_eq!(key.is_private(), private, "{file}");
        assert_eq!(key.kid(), case.get("kid").and_then(Value::as_str), "{file}");
        assert_eq!(
            key.thumbprint_sha256_b64(),
            case["thumbprint_sha256"],
            "{file}"
        );
        assert_round_trips(&key);
    }
}

#[test]
fn rfc_set_vectors() {
    let index = vector_json("index.json");
    for case in index["sets"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let set = JwkSet::parse(vector(file).as_bytes()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let kids: Vec<Option<&str>> = set.keys().iter().map(Jwk::kid).collect();
        let want: Vec<Option<&str>> = case["kids"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::as_str)
            .collect();
        assert_eq!(kids, want, "{file}");
        let thumbs: Vec<String> = set.keys().iter().map(Jwk::thumbprint_sha256_b64).collect();
        assert_eq!(json!(thumbs), case["thumbprints_sha256"], "{file}");
        assert!(
            set.keys().iter().all(|k| k.is_private() == case["private"]),
            "{file}"
        );
        assert_eq!(
            JwkSet::parse(set.to_private_json().as_bytes()).unwrap(),
            set
        );
        assert_eq!(
            JwkSet::parse(set.to_public_json().as_bytes()).unwrap(),
            set.to_public()
        );
    }
}

/// JSON export parses back to the same key; the public part has the same thumbprint.
fn assert_round_trips(key: &Jwk) {
    let back = Jwk::parse(key.to_private_json().as_bytes()).unwrap();
    assert_eq!(&back, key);
    if let Some(public) = key.to_public() {
        assert!(!public.is_private());
        assert_eq!(public.thumbprint_sha256_b64(), key.thumbprint_sha256_b64());
        let json = key.to_public_json().unwrap();
        assert!(!json.contains("\"d\""), "{json}");
        assert_eq!(Jwk::parse(json.as_bytes()).unwrap(), public);
    } else {
        assert_eq!(key.key_type(), KeyType::Oct);
        assert_eq!(key.to_public_json(), None);
    }
}

#[test]
fn rfc7638_thumbprint_exact() {
    let key = Jwk::parse(vector("rfc7638_3_1.json").as_bytes()).unwrap();
    assert_eq!(
        key.thumbprint_sha256_b64(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    let sha256 = key.thumbprint(HashAlg::Sha256).unwrap();
    assert_eq!(
        base64url::encode(&sha256),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // The hash is a parameter; metadata never changes the thumbprint.
    let other = key.clone().with_kid("x").with_use("sig");
    for h in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        assert_eq!(other.thumbprint(h).unwrap(), key.thumbprint(h).unwrap());
    }
    assert_eq!(key.thumbprint(HashAlg::Sha384).unwrap().len(), 48);
    assert_eq!(key.thumbprint(HashAlg::Sha512).unwrap().len(), 64);
}

#[test]
fn rfc8037_ed25519_key_and_thumbprint() {
    let private = Jwk::parse(vector("rfc8037_a1.json").as_bytes()).unwrap();
    let public = Jwk::parse(vector("rfc8037_a2.json").as_bytes()).unwrap();
    assert_eq!(private.to_public().unwrap(), public);
    assert_eq!(
        public.thumbprint_sha256_b64(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        private.thumbprint_sha256_b64(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn rfc7517_appendix_b_keeps_x5c_as_data() {
    let key = Jwk::parse(vector("rfc7517_b.json").as_bytes()).unwrap();
    let x5c = key.params().x5c.as_ref().unwrap();
    assert_eq!(x5c.len(), 1);
    assert!(x5c[0].starts_with("MIIDQjCCAiqgAwIBAgIGATz/FuLiMA0GCSqGSIb3DQEBBQUA"));
    assert_eq!(key.params().use_.as_deref(), Some("sig"));
    let public: Value = serde_json::from_str(&key.to_public_json().unwrap()).unwrap();
    assert_eq!(public, vector_json("rfc7517_b.json"));
}

// ---------------------------------------------------------------------------------------------
// Metadata, unknown members, private/public split

#[test]
fn every_registered_member_and_unknown_members_round_trip() {
    let text = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        "d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE",
        "use":"sig","key_ops":["sign","verify"],"alg":"ES256","kid":"k1",
        "x5u":"https://example.com/c.pem","x5c":["MIIB"],"x5t":"dGh1bWI","x5t#S256":"dGh1bWIy",
        "ext":true,"nested":{"a":[1,{"b":null}]},"exp":1700000000}"#;
    let key = Jwk::parse(text.as_bytes()).unwrap();
    let p = key.params();
    assert_eq!(p.use_.as_deref(), Some("sig"));
    assert_eq!(
        p.key_ops.as_deref(),
        Some(&["sign".to_owned(), "verify".to_owned()][..])
    );
    assert_eq!(p.alg.as_deref(), Some("ES256"));
    assert_eq!(p.kid.as_deref(), Some("k1"));
    assert_eq!(p.x5u.as_deref(), Some("https://example.com/c.pem"));
    assert_eq!(p.x5c.as_deref(), Some(&["MIIB".to_owned()][..]));
    assert_eq!(p.x5t.as_deref(), Some("dGh1bWI"));
    assert_eq!(p.x5t_s256.as_deref(), Some("dGh1bWIy"));
    assert_eq!(p.other.len(), 3);
    assert_eq!(p.other["nested"], json!({"a":[1,{"b":null}]}));
    // Nothing about the key material leaks into `other`.
    assert!(!p.other.contains_key("d") && !p.other.contains_key("kty"));

    let exported: Value = serde_json::from_str(&key.to_private_json()).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(exported, original);
    assert_round_trips(&key);

    // The public part keeps the registered metadata, with only the public operations; the
    // unknown members stay with the private key.
    let public: Value = serde_json::from_str(&key.to_public_json().unwrap()).unwrap();
    let mut want = original.as_object().unwrap().clone();
    for private_or_unknown in ["d", "exp", "ext", "nested"] {
        assert!(want.remove(private_or_unknown).is_some());
    }
    want.insert("key_ops".into(), json!(["verify"]));
    assert_eq!(public, Value::Object(want));
}

#[test]
fn private_public_split() {
    let private = Jwk::parse(vector("rfc7520/3_4.rsa_private_key.json").as_bytes()).unwrap();
    let public = Jwk::parse(vector("rfc7520/3_3.rsa_public_key.json").as_bytes()).unwrap();
    assert!(private.is_private() && !public.is_private());
    assert_eq!(private.to_public().unwrap(), public);
    assert_eq!(public.to_public().unwrap(), public);
    let json: Value = serde_json::from_str(&private.to_public_json().unwrap()).unwrap();
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(json.get(member).is_none(), "{member}");
        assert!(
            private
                .to_private_json()
                .contains(&format!("\"{member}\":")),
            "{member}"
        );
    }
    let oct =
        Jwk::parse(vector("rfc7520/3_5.symmetric_key_mac_computation.json").as_bytes()).unwrap();
    assert!(oct.is_private());
    assert_eq!(oct.to_public(), None);
    assert_eq!(oct.to_public_object(), None);
}

#[test]
fn check_op_follows_use_and_key_ops() {
    let key = Jwk::parse(vector("rfc7520/3_3.rsa_public_key.json").as_bytes()).unwrap();
    assert_eq!(key.check_op(KeyOp::Verify), Ok(()));
    assert_eq!(
        key.check_op(KeyOp::Encrypt),
        Err(key_err(KeyError::UsageNotPermitted))
    );
    let mut params = key.params().clone();
    params.use_ = None;
    let free = key.clone().with_params(params).unwrap();
    assert_eq!(free.check_op(KeyOp::Encrypt), Ok(()));
    // Metadata that does not fit the key is refused as at parse time.
    let mut params = key.params().clone();
    params.key_ops = Some(vec!["verify".into(), "verify".into()]);
    assert_eq!(
        key.clone().with_params(params),
        Err(key_err(KeyError::InvalidMember { name: "key_ops" }))
    );
    // And no registered member may hide among the unknown ones.
    let mut params = key.params().clone();
    params.other.insert("d".into(), "AAAA".into());
    assert_eq!(
        key.with_params(params),
        Err(key_err(KeyError::InvalidMember { name: "d" }))
    );
}

#[test]
fn debug_never_shows_secrets() {
    let files = [
        "rfc7520/3_2.ec_private_key.json",
        "rfc7520/3_4.rsa_private_key.json",
        "rfc7520/3_5.symmetric_key_mac_computation.json",
        "rfc8037_a1.json",
        "rfc8037_a6_rfc7748_bob.json",
        "rfc7517_a2.json",
    ];
    let mut secrets = Vec::new();
    let mut printed = String::new();
    for file in files {
        let obj = vector_json(file);
        let keys = obj.get("keys").and_then(Value::as_array).cloned();
        let keys = keys.unwrap_or_else(|| vec![obj.clone()]);
        for k in &keys {
            for m in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                if let Some(s) = k.get(m).and_then(Value::as_str) {
                    secrets.push(s.to_owned());
                    let bytes = base64url::decode(s.as_bytes(), Part::Jwk).unwrap();
                    secrets.push(
                        format!("{:?}", &bytes[..6])
                            .trim_matches(['[', ']'])
                            .to_owned(),
                    );
                    secrets.push(bytes[..6].iter().map(|b| format!("{b:02x}")).collect());
                }
            }
        }
        let text = vector(file);
        if obj.get("keys").is_some() {
            let set = JwkSet::parse(text.as_bytes()).unwrap();
            printed.push_str(&format!("{set:?}\n{set:#?}\n"));
        } else if let Ok(key) = Jwk::parse(text.as_bytes()) {
            printed.push_str(&format!("{key:?}\n{key:#?}\n{:?}\n", key.material()));
        }
    }
    assert!(printed.contains("private: true"), "{printed}");
    for s in &secrets {
        assert!(!printed.contains(s.as_str()), "{s} in {printed}");
    }
}

// ---------------------------------------------------------------------------------------------
// Rejections

const EC: &str = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#;
const ED: &str = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
const X25519: &str = r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08","d":"XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os"}"#;
const OCT: &str = r#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#;

/// `base` with some members changed (`Value::Null` removes a member).
fn with(base: &str, changes: Value) -> String {
    let mut obj: Map<String, Value> = serde_json::from_str(base).unwrap();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            obj.remove(k);
        } else {
            obj.insert(k.clone(), v.clone());
        }
    }
    Value::Object(obj).to_string()
}

fn rsa_private() -> String {
    vector("rfc7520/3_4.rsa_private_key.json")
}

/// `member` of the RFC 7520 RSA key, decoded, changed by `f`, encoded again.
fn rsa_member_changed(member: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
    let obj = vector_json("rfc7520/3_4.rsa_private_key.json");
    let mut bytes = base64url::decode(obj[member].as_str().unwrap().as_bytes(), Part::Jwk).unwrap();
    f(&mut bytes);
    with(&rsa_private(), json!({ member: base64url::encode(&bytes) }))
}

fn rsa_1024_public() -> String {
    let interop = vector_json("pem_interop.json");
    let case = interop["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rsa-1024 spki with policy")
        .unwrap();
    case["jwk"].to_string()
}

#[test]
fn every_rejection() {
    let invalid = |name| key_err(KeyError::InvalidMember { name });
    let missing = |name| key_err(KeyError::MissingMember { name });
    let unsupported = |v: &str| key_err(KeyError::UnsupportedKeyType { value: v.into() });
    let rsa = rsa_private();
    let obj = vector_json("rfc7520/3_4.rsa_private_key.json");
    let mut cases: Vec<(String, Error)> = vec![
        // Lengths.
        (with(EC, json!({"x": "AAAA"})), invalid("x")),
        (with(EC, json!({"y": "AAAA"})), invalid("y")),
        (with(EC, json!({"d": "AAAA"})), invalid("d")),
        (with(ED, json!({"x": "AAAA"})), invalid("x")),
        (with(ED, json!({"d": "AAAA"})), invalid("d")),
        (with(OCT, json!({"k": ""})), invalid("k")),
        // Points and private parts.
        (
            with(
                EC,
                json!({"y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyA"}),
            ),
            key_err(KeyError::InvalidPoint),
        ),
        (
            with(
                EC,
                json!({"d": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}),
            ),
            key_err(KeyError::InvalidPrivateKey),
        ),
        (
            with(
                EC,
                json!({"d": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
            ),
            key_err(KeyError::InvalidPrivateKey),
        ),
        (
            with(
                ED,
                json!({"d": "XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os"}),
            ),
            key_err(KeyError::InvalidPrivateKey),
        ),
        (
            with(&rsa, json!({"dp": obj["dq"], "dq": obj["dp"]})),
            key_err(KeyError::InvalidPrivateKey),
        ),
        (
            with(&rsa, json!({"qi": obj["dp"]})),
            key_err(KeyError::InvalidPrivateKey),
        ),
        (
            with(&rsa, json!({"p": obj["q"], "q": obj["p"]})),
            key_err(KeyError::InvalidPrivateKey),
        ),
        // RSA public members.
        (rsa_member_changed("n", |n| n.insert(0, 0)), invalid("n")),
        (
            rsa_member_changed("n", |n| *n.last_mut().unwrap() &= 0xfe),
            invalid("n"),
        ),
        (with(&rsa, json!({"e": "AQ"})), invalid("e")),
        (with(&rsa, json!({"e": "Ag"})), invalid("e")),
        (with(&rsa, json!({"e": "AAEAAQ"})), invalid("e")),
        (with(&rsa, json!({"e": "AQAAAAE"})), invalid("e")),
        (
            rsa_1024_public(),
            key_err(KeyError::RsaTooSmall {
                bits: 1024,
                min_bits: 2048,
            }),
        ),
        // Missing members.
        (with(EC, json!({"kty": null})), missing("kty")),
        (with(EC, json!({"crv": null})), missing("crv")),
        (with(EC, json!({"x": null})), missing("x")),
        (with(EC, json!({"y": null})), missing("y")),
        (with(OCT, json!({"k": null})), missing("k")),
        (with(&rsa, json!({"e": null})), missing("e")),
        (with(&rsa, json!({"n": null})), missing("n")),
        (with(&rsa, json!({"qi": null})), missing("qi")),
        (with(&rsa, json!({"d": null})), missing("d")),
        // Wrong types and shapes.
        (with(EC, json!({"kty": 1})), invalid("kty")),
        (with(EC, json!({"crv": ["P-256"]})), invalid("crv")),
        (with(EC, json!({"x": 5})), invalid("x")),
        (with(EC, json!({"d": {}})), invalid("d")),
        (with(EC, json!({"kid": 1})), invalid("kid")),
        (with(EC, json!({"use": true})), invalid("use")),
        (with(EC, json!({"alg": null, "x5u": 3})), invalid("x5u")),
        (with(EC, json!({"key_ops": "sign"})), invalid("key_ops")),
        (with(EC, json!({"x5c": [1]})), invalid("x5c")),
        (with(EC, json!({"x5t#S256": false})), invalid("x5t#S256")),
        (with(ED, json!({"y": "AAAA"})), invalid("y")),
        (with(&rsa, json!({"oth": []})), invalid("oth")),
        // Not canonical base64url.
        (
            with(
                EC,
                json!({"x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4="}),
            ),
            invalid("x"),
        ),
        (
            with(
                EC,
                json!({"x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D5"}),
            ),
            invalid("x"),
        ),
        (
            with(
                OCT,
                json!({"k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG+Onbc6mxCcYg"}),
            ),
            invalid("k"),
        ),
        // Key types and curves.
        (with(EC, json!({"kty": "ec"})), unsupported("ec")),
        (with(EC, json!({"kty": "OKP"})), unsupported("P-256")),
        (with(EC, json!({"crv": "Ed25519"})), unsupported("Ed25519")),
        (with(ED, json!({"crv": "P-256"})), unsupported("P-256")),
        (with(ED, json!({"crv": "Ed448"})), unsupported("Ed448")),
        (with(EC, json!({"crv": "P-256K"})), unsupported("P-256K")),
        // Metadata.
        (
            with(EC, json!({"key_ops": ["sign", "sign"]})),
            invalid("key_ops"),
        ),
        (
            with(EC, json!({"use": "sig", "key_ops": ["encrypt"]})),
            invalid("key_ops"),
        ),
        (
            with(EC, json!({"use": "enc", "key_ops": ["verify"]})),
            invalid("key_ops"),
        ),
        // JSON.
        (
            r#"{"kty":"oct","k":"AQ","k":"Ag"}"#.to_owned(),
            Error::Json {
                part: Part::Jwk,
                reason: JsonError::DuplicateMember { name: "k".into() },
            },
        ),
        (
            r#"{"kty":"oct","k":"AQ","kid":"a","kid":"a"}"#.to_owned(),
            Error::Json {
                part: Part::Jwk,
                reason: JsonError::DuplicateMember { name: "kid".into() },
            },
        ),
        (
            "[]".to_owned(),
            Error::Json {
                part: Part::Jwk,
                reason: JsonError::NotAnObject,
            },
        ),
    ];
    if cfg!(feature = "aws-lc") {
        // ring never uses `d` (it signs with the CRT members), so only aws-lc checks it.
        cases.push((
            rsa_member_changed("d", |d| d[10] ^= 1),
            key_err(KeyError::InvalidPrivateKey),
        ));
        cases.push((
            with(
                X25519,
                json!({"d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}),
            ),
            key_err(KeyError::InvalidPrivateKey),
        ));
        let p521 = vector("rfc7520/3_2.ec_private_key.json");
        let d = "AAhRON2r9cqXX1hg-RoI6R1tX5p2rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLDYJ_fF3_rJs";
        cases.push((
            with(&p521, json!({"d": d})),
            key_err(KeyError::InvalidPrivateKey),
        ));
        let y = "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR0";
        cases.push((
            with(&p521, json!({"y": y, "d": null})),
            key_err(KeyError::InvalidPoint),
        ));
    } else {
        cases.push((
            X25519.to_owned(),
            Error::AlgorithmUnavailable { alg: "X25519" },
        ));
        cases.push((
            vector("rfc7520/3_1.ec_public_key.json"),
            Error::AlgorithmUnavailable { alg: "P-521" },
        ));
    }
    for (text, want) in &cases {
        assert_eq!(
            Jwk::parse(text.as_bytes()).as_ref().err(),
            Some(want),
            "{text}"
        );
        // The same key inside a set is reported with its index.
        let set = format!(r#"{{"keys":[{OCT},{text}]}}"#);
        let got = JwkSet::parse(set.as_bytes()).err();
        match want {
            Error::Key(reason) => {
                assert_eq!(
                    got,
                    Some(Error::KeySetMember {
                        index: 1,
                        reason: reason.clone()
                    })
                )
            }
            Error::Json {
                reason: JsonError::NotAnObject,
                ..
            } => assert_eq!(
                got,
                Some(Error::KeySetMember {
                    index: 1,
                    reason: KeyError::InvalidMember { name: "keys" }
                })
            ),
            Error::Json { reason, .. } => assert_eq!(
                got,
                Some(Error::Json {
                    part: Part::JwkSet,
                    reason: reason.clone()
                }),
                "{text}"
            ),
            other => assert_eq!(got.as_ref(), Some(other)),
        }
    }
    // Every error kind used here has a stable code and a lowercase message without secrets.
    for (_, e) in &cases {
        assert!(e.code().starts_with("jose."));
        let msg = e.to_string();
        assert!(
            msg.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{msg}"
        );
        assert!(
            !msg.contains("870MB6gf") && !msg.contains("nWGxne"),
            "{msg}"
        );
    }
}

/// Small-order Ed25519 and X25519 public keys are refused on import (JSON and PEM), with the
/// sign bit set or not; the RFC 8037 keys, healthy, are read.
#[test]
fn small_order_okp_keys_are_refused() {
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let p_plus = |low: &str| format!("{low}{}7f", "ff".repeat(30));
    let common = [
        "00".repeat(32),
        format!("01{}", "00".repeat(31)),
        p_plus("ec"),
        p_plus("ed"),
        p_plus("ee"),
    ];
    // The two points of order 8 of each curve (libsodium's lists).
    let ed = [
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    ];
    let x = [
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    ];
    for (crv, order8) in [("Ed25519", ed), ("X25519", x)] {
        for point in common.iter().map(String::as_str).chain(order8) {
            let mut bytes = hex(point);
            for sign in [false, true] {
                if sign {
                    bytes[31] |= 0x80;
                }
                let json = format!(
                    r#"{{"kty":"OKP","crv":"{crv}","x":"{}"}}"#,
                    base64url::encode(&bytes)
                );
                assert_eq!(
                    Jwk::parse(json.as_bytes()),
                    Err(key_err(KeyError::SmallOrderPoint)),
                    "{crv} {point} {sign}"
                );
            }
        }
    }
    // PEM goes through the same check: SPKI of the Ed25519 identity point (y = 1).
    let mut spki = hex("302a300506032b6570032100");
    spki.extend(hex(&format!("01{}", "00".repeat(31))));
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64_std(&spki)
    );
    assert_eq!(Jwk::from_pem(&pem), Err(key_err(KeyError::SmallOrderPoint)));
    // The accept twins: RFC 8037 A.1 (Ed25519) and A.6 (X25519) public keys.
    for json in [
        r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#,
        r#"{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}"#,
    ] {
        assert!(Jwk::parse(json.as_bytes()).is_ok(), "{json}");
    }
    assert_eq!(
        KeyError::SmallOrderPoint.to_string(),
        "the public key is a point of small order"
    );
}

/// Standard base64 with padding, for PEM bodies.
fn base64_std(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn rsa_minimum_is_a_policy() {
    let text = rsa_1024_public();
    let policy = KeyPolicy::default().with_min_rsa_bits(1024);
    let key = Jwk::parse_with(text.as_bytes(), &policy).unwrap();
    assert_eq!(key.material().rsa_bits(), Some(1024));
    assert_eq!(
        Jwk::parse_with(
            text.as_bytes(),
            &KeyPolicy::default().with_min_rsa_bits(1025)
        ),
        Err(key_err(KeyError::RsaTooSmall {
            bits: 1024,
            min_bits: 1025
        }))
    );
    // A set applies the policy to every key.
    let set = format!(r#"{{"keys":[{text}]}}"#);
    assert_eq!(
        JwkSet::parse_with(set.as_bytes(), &policy).unwrap().len(),
        1
    );
    assert_eq!(
        JwkSet::parse(set.as_bytes()),
        Err(Error::KeySetMember {
            index: 0,
            reason: KeyError::RsaTooSmall {
                bits: 1024,
                min_bits: 2048
            }
        })
    );
}

#[test]
fn size_and_depth_limits() {
    let policy = KeyPolicy::default().with_max_len(40);
    assert_eq!(
        Jwk::parse_with(EC.as_bytes(), &policy),
        Err(Error::TooLarge {
            part: Part::Jwk,
            limit: 40
        })
    );
    assert_eq!(
        Jwk::from_pem_with(&"A".repeat(41), &policy),
        Err(Error::TooLarge {
            part: Part::Pem,
            limit: 40
        })
    );
    let deep = format!(
        r#"{{"kty":"oct","k":"AQ","ext":{}1{}}}"#,
        "[".repeat(40),
        "]".repeat(40)
    );
    assert_eq!(
        Jwk::parse(deep.as_bytes()),
        Err(Error::Json {
            part: Part::Jwk,
            reason: JsonError::TooDeep { limit: 32 }
        })
    );
}

#[test]
fn material_built_in_code_is_validated_too() {
    let ec = Jwk::parse(EC.as_bytes()).unwrap();
    let KeyMaterial::Ec { x, y, .. } = ec.material().clone() else {
        panic!()
    };
    let wrong = KeyMaterial::Okp {
        crv: Curve::P256,
        x: x.clone(),
        d: None,
    };
    assert_eq!(
        Jwk::new(wrong, JwkParams::default()),
        Err(key_err(KeyError::UnsupportedKeyType {
            value: "P-256".into()
        }))
    );
    let wrong = KeyMaterial::Ec {
        crv: Curve::Ed25519,
        x: x.clone(),
        y: y.clone(),
        d: None,
    };
    assert_eq!(
        Jwk::new(wrong, JwkParams::default()),
        Err(key_err(KeyError::UnsupportedKeyType {
            value: "Ed25519".into()
        }))
    );
    let ok = KeyMaterial::Ec {
        crv: Curve::P256,
        x,
        y,
        d: None,
    };
    assert_eq!(
        Jwk::new(ok, JwkParams::default()).unwrap(),
        ec.to_public().unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// JWK Sets

#[test]
fn set_select_rfc7517_a1() {
    let set = JwkSet::parse(vector("rfc7517_a1.json").as_bytes()).unwrap();
    let kids = |q: KeyQuery<'_>| set.select(&q).map(|k| k.kid().unwrap()).collect::<Vec<_>>();
    assert_eq!(kids(KeyQuery::new()), ["1", "2011-04-29"]);
    assert_eq!(kids(KeyQuery::new().with_kid("2011-04-29")), ["2011-04-29"]);
    assert_eq!(kids(KeyQuery::new().with_kid("2011-04-2")), [] as [&str; 0]);
    assert_eq!(kids(KeyQuery::new().with_alg("RS256")), ["1", "2011-04-29"]);
    assert_eq!(kids(KeyQuery::new().with_alg("PS256")), ["1"]);
    assert_eq!(kids(KeyQuery::new().with_kty(KeyType::Rsa)), ["2011-04-29"]);
    assert_eq!(kids(KeyQuery::new().with_crv(Curve::P256)), ["1"]);
    assert_eq!(kids(KeyQuery::new().with_op(KeyOp::Verify)), ["2011-04-29"]);
    assert_eq!(
        kids(KeyQuery::new().with_op(KeyOp::Encrypt)),
        ["1", "2011-04-29"]
    );
    assert_eq!(kids(KeyQuery::new().with_use("enc")), ["1", "2011-04-29"]);
    assert_eq!(kids(KeyQuery::new().with_use("sig")), ["2011-04-29"]);
    assert_eq!(
        kids(KeyQuery::new().with_use("sig").with_kid("1")),
        [] as [&str; 0]
    );
    assert!(KeyQuery::new().with_kid("1").matches(&set.keys()[0]));
}

#[test]
fn set_preserves_unknown_top_level_members_and_order() {
    let mut obj = vector_json("rfc7517_a2.json");
    obj["issuer"] = json!("https://idp.example");
    obj["cache"] = json!({"max_age": 600});
    let set = JwkSet::parse(obj.to_string().as_bytes()).unwrap();
    assert_eq!(set.other().len(), 2);
    let back: Value = serde_json::from_str(&set.to_private_json()).unwrap();
    assert_eq!(back, obj);
    // The public set leaves the unknown members out (they may hold anything).
    let public: Value = serde_json::from_str(&set.to_public_json()).unwrap();
    assert_eq!(
        public,
        json!({"keys": vector_json("rfc7517_a1.json")["keys"]})
    );

    let mut built = JwkSet::new(vec![]);
    assert!(built.is_empty());
    for k in set.keys().iter().rev() {
        built.push(k.clone());
    }
    assert_eq!(built.keys()[0].kid(), Some("2011-04-29"));
    assert_eq!((&built).into_iter().count(), 2);
}

#[test]
fn set_rejections() {
    let policy = KeyPolicy::default().with_max_keys(2);
    let three = format!(r#"{{"keys":[{OCT},{OCT},{OCT}]}}"#);
    assert_eq!(
        JwkSet::parse_with(three.as_bytes(), &policy),
        Err(Error::TooManyKeys { limit: 2 })
    );
    assert_eq!(
        JwkSet::parse(b"{}"),
        Err(Error::MissingParameter { name: "keys" })
    );
    assert_eq!(
        JwkSet::parse(br#"{"keys":"x"}"#),
        Err(Error::InvalidParameter {
            name: "keys".into()
        })
    );
    assert_eq!(
        JwkSet::parse(format!(r#"{{"keys":[{OCT},[]]}}"#).as_bytes()),
        Err(Error::KeySetMember {
            index: 1,
            reason: KeyError::InvalidMember { name: "keys" }
        })
    );
    assert_eq!(
        JwkSet::parse(format!(r#"{{"keys":[{OCT}],"keys":[]}}"#).as_bytes()),
        Err(Error::Json {
            part: Part::JwkSet,
            reason: JsonError::DuplicateMember {
                name: "keys".into()
            }
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Generation

fn specs() -> Vec<KeySpec> {
    vec![
        KeySpec::Ec(Curve::P256),
        KeySpec::Ec(Curve::P384),
        KeySpec::Ec(Curve::P521),
        KeySpec::Ec(Curve::Secp256k1),
        KeySpec::Okp(Curve::Ed25519),
        KeySpec::Okp(Curve::X25519),
        KeySpec::Oct { bytes: 32 },
    ]
}

/// Two RSA keys, generated once for the whole test binary (generation is slow).
fn rsa_pool() -> &'static [Jwk] {
    static POOL: OnceLock<Vec<Jwk>> = OnceLock::new();
    POOL.get_or_init(|| {
        if cfg!(feature = "aws-lc") {
            (0..2)
                .map(|_| Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap())
                .collect()
        } else {
            Vec::new()
        }
    })
}

#[test]
fn generation_for_every_key_type() {
    for spec in specs() {
        let (kty, crv) = match spec {
            KeySpec::Ec(c) | KeySpec::Okp(c) => (c.key_type(), Some(c)),
            _ => (KeyType::Oct, None),
        };
        let result = Jwk::generate(&spec);
        if !curve_available(crv.map(Curve::name), true) {
            assert!(
                matches!(result, Err(Error::AlgorithmUnavailable { .. })),
                "{spec:?}"
            );
            continue;
        }
        let key = result.unwrap();
        assert_eq!((key.key_type(), key.curve()), (kty, crv), "{spec:?}");
        assert!(key.is_private());
        assert_round_trips(&key);
        assert_ne!(Jwk::generate(&spec).unwrap(), key, "{spec:?}");
        if let KeySpec::Oct { bytes } = spec {
            let KeyMaterial::Oct { k } = key.material() else {
                panic!()
            };
            assert_eq!(k.len(), bytes);
        }
    }
    if cfg!(feature = "aws-lc") {
        let pool = rsa_pool();
        assert_ne!(pool[0], pool[1]);
        for key in pool {
            assert_eq!(key.material().rsa_bits(), Some(2048));
            assert_round_trips(key);
        }
    } else {
        assert_eq!(
            Jwk::generate(&KeySpec::Rsa { bits: 2048 }),
            Err(Error::AlgorithmUnavailable { alg: "RSA" })
        );
    }
}

#[test]
fn generation_rejections() {
    let unsupported = |v: &str| key_err(KeyError::UnsupportedKeyType { value: v.into() });
    assert_eq!(
        Jwk::generate(&KeySpec::Rsa { bits: 1024 }),
        Err(key_err(KeyError::RsaTooSmall {
            bits: 1024,
            min_bits: 2048
        }))
    );
    if cfg!(feature = "aws-lc") {
        assert_eq!(
            Jwk::generate(&KeySpec::Rsa { bits: 2050 }),
            Err(key_err(KeyError::InvalidMember { name: "n" }))
        );
    }
    assert_eq!(
        Jwk::generate(&KeySpec::Ec(Curve::Ed25519)),
        Err(unsupported("Ed25519"))
    );
    assert_eq!(
        Jwk::generate(&KeySpec::Okp(Curve::P256)),
        Err(unsupported("P-256"))
    );
    assert_eq!(
        Jwk::generate(&KeySpec::Oct { bytes: 0 }),
        Err(key_err(KeyError::InvalidMember { name: "k" }))
    );
    assert_eq!(
        Jwk::generate(&KeySpec::Oct {
            bytes: zegel_jose::jwk::MAX_OCT_BYTES + 1
        }),
        Err(key_err(KeyError::InvalidMember { name: "k" }))
    );
}

// ---------------------------------------------------------------------------------------------
// PEM

/// Runs the PEM vectors made with Python `cryptography` and checked against `jwcrypto`.
#[test]
fn pem_vectors_from_python_cryptography() {
    let vectors = vector_json("pem_interop.json");
    for case in vectors["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let pem = case["pem"].as_str().unwrap();
        let mut policy = KeyPolicy::default();
        if let Some(bits) = case.get("min_rsa_bits").and_then(Value::as_u64) {
            policy = policy.with_min_rsa_bits(usize::try_from(bits).unwrap());
        }
        let result = Jwk::from_pem_with(pem, &policy);
        if let Some(error) = case.get("error").and_then(Value::as_str) {
            let ok = matches!(
                (error, &result),
                ("pem", Err(Error::Key(KeyError::Pem)))
                    | ("backend", Err(Error::Key(KeyError::Backend)))
                    | (
                        "rsa_too_small",
                        Err(Error::Key(KeyError::RsaTooSmall { .. }))
                    )
                    | ("invalid_point", Err(Error::Key(KeyError::InvalidPoint)))
                    | (
                        "unsupported_key_type",
                        Err(Error::Key(KeyError::UnsupportedKeyType { .. }))
                    )
            );
            assert!(ok, "{name}: {result:?}");
            continue;
        }
        let expected = &case["jwk"];
        let private = expected.get("d").is_some();
        if !curve_available(expected.get("crv").and_then(Value::as_str), private) {
            assert!(
                matches!(result, Err(Error::AlgorithmUnavailable { .. })),
                "{name}"
            );
            continue;
        }
        let key = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = Jwk::parse_with(expected.to_string().as_bytes(), &policy).unwrap();
        assert_eq!(key, want, "{name}");
        assert_eq!(
            key.thumbprint_sha256_b64(),
            case["thumbprint_sha256"],
            "{name}"
        );
        // DER is canonical: our SPKI export is the same text as OpenSSL's.
        if pem.starts_with("-----BEGIN PUBLIC KEY-----") {
            assert_eq!(key.to_pem_public().unwrap(), pem, "{name}");
        }
        // And PKCS#8, but for EC keys, where OpenSSL also names the curve inside ECPrivateKey.
        if pem.starts_with("-----BEGIN PRIVATE KEY-----") && key.key_type() != KeyType::Ec {
            assert_eq!(key.to_pem_private().unwrap().as_str(), pem, "{name}");
        }
        assert_pem_round_trips_with(&key, &policy);
    }
}

/// PEM export parses back to the same material (PEM carries no metadata).
fn assert_pem_round_trips(key: &Jwk) {
    assert_pem_round_trips_with(key, &KeyPolicy::default());
}

fn assert_pem_round_trips_with(key: &Jwk, policy: &KeyPolicy) {
    let bare = Jwk::new_with(key.material().clone(), JwkParams::default(), policy).unwrap();
    if key.is_private() {
        let pem = key.to_pem_private().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(Jwk::from_pem_with(&pem, policy).unwrap(), bare);
    } else {
        assert_eq!(key.to_pem_private(), Err(key_err(KeyError::NotPrivate)));
    }
    let pem = key.to_pem_public().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(
        Jwk::from_pem_with(&pem, policy).unwrap(),
        bare.to_public().unwrap()
    );
}

#[test]
fn pem_export_rejections() {
    let oct = Jwk::parse(OCT.as_bytes()).unwrap();
    let unsupported = key_err(KeyError::UnsupportedKeyType {
        value: "oct".into(),
    });
    assert_eq!(oct.to_pem_private(), Err(unsupported.clone()));
    assert_eq!(oct.to_pem_public(), Err(unsupported));
}

#[test]
fn pem_accepts_surrounding_whitespace_and_rejects_trailing_blocks() {
    let key = Jwk::parse(ED.as_bytes()).unwrap();
    let pem = key.to_pem_private().unwrap();
    assert_eq!(
        Jwk::from_pem(&format!("\n  {}\n\n", pem.as_str())).unwrap(),
        key
    );
    let two = format!("{}{}", pem.as_str(), pem.as_str());
    assert_eq!(Jwk::from_pem(&two), Err(key_err(KeyError::Pem)));
}

fn pem_spec() -> impl Strategy<Value = usize> {
    0..(specs().len() - 1 + rsa_pool().len())
}

/// The key for a strategy index: a fresh EC/OKP key, or one of the pooled RSA keys.
fn pem_key(i: usize) -> Option<Jwk> {
    let specs = specs();
    let asym = &specs[..specs.len() - 1];
    match asym.get(i) {
        Some(spec) => Jwk::generate(spec).ok(),
        None => rsa_pool().get(i - asym.len()).cloned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn jwk_pem_round_trip(i in pem_spec(), kid in "[a-z0-9]{0,8}") {
        // Unavailable curves (ring alone) are covered by `generation_for_every_key_type`.
        if let Some(key) = pem_key(i) {
            let key = if kid.is_empty() { key } else { key.with_kid(kid) };
            assert_pem_round_trips(&key);
            let public = Jwk::from_pem(&key.to_pem_public().unwrap()).unwrap();
            prop_assert_eq!(public.thumbprint_sha256_b64(), key.thumbprint_sha256_b64());
        }
    }

    #[test]
    fn corrupted_pem_and_json_never_panic(
        i in pem_spec(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        if let Some(key) = pem_key(i) {
            let mut pem = key.to_pem_private().unwrap().as_bytes().to_vec();
            let at = at.index(pem.len());
            pem[at] = byte;
            if let Ok(text) = std::str::from_utf8(&pem) {
                let _ = Jwk::from_pem(text);
            }
            let mut json = key.to_private_json().as_bytes().to_vec();
            let at2 = at % json.len();
            json[at2] = byte;
            if let Ok(parsed) = Jwk::parse(&json) {
                // Whatever parses is a valid key that exports again.
                prop_assert!(Jwk::parse(parsed.to_private_json().as_bytes()).is_ok());
            }
        }
    }
}

#[test]
fn public_parts_keep_only_registered_members() {
    // Issue 7 §1.7: an unknown member of a private JWK may hold anything (a copy of `d`, a
    // note); the public part keeps only what RFC 7517 registers.
    // A P-256 private key (RFC 7517 A.2), available with either backend.
    let mut obj = vector_json("rfc7517_a2.json")["keys"][0].clone();
    assert_eq!(obj["crv"], "P-256");
    obj["note"] = json!("SECRET-NOTE");
    obj["x5t"] = json!("dGh1bWI");
    let key = Jwk::parse(obj.to_string().as_bytes()).unwrap();
    assert_eq!(key.params().other.get("note"), Some(&json!("SECRET-NOTE")));
    let public = key.to_public_object().unwrap();
    let mut names: Vec<&str> = public.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["crv", "kid", "kty", "use", "x", "x5t", "y"]);
    assert!(key.to_public().unwrap().params().other.is_empty());
    // The private export keeps them: it is the whole key.
    assert_eq!(key.to_private_object()["note"], json!("SECRET-NOTE"));
    // A set: keys and top-level members alike.
    let set = JwkSet::parse(
        json!({"keys": [obj], "note": "SECRET-SET"})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let text = set.to_public_json();
    assert!(!text.contains("SECRET"), "{text}");
    assert!(set.to_public().other().is_empty());
}
