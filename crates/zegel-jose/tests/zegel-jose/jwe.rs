//! JWE round trips for every `alg` x `enc` pair, tamper detection, key selection, limits and
//! hostile inputs.

// Marks the helpers as test code too, for clippy's `allow-unwrap-in-tests`.
#![cfg(test)]
#![cfg(feature = "aws-lc")]

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use zegel_jose::error::{CritError, KeyError, Part};
use zegel_jose::jwe::{self, ContentEncryption, Decryptor, Encryptor, KeyManagement, Recipient};
use zegel_jose::jwk::{Curve, JwkSet, KeySpec};
use zegel_jose::{Error, Jwk, base64url};

/// A private key (decrypts) and the key that encrypts (its public part, or itself).
struct Pair {
    private: Jwk,
    public: Jwk,
}

fn pair(spec: KeySpec) -> Pair {
    let private = Jwk::generate(&spec).unwrap();
    let public = private.to_public().unwrap_or_else(|| private.clone());
    Pair { private, public }
}

fn oct(bytes: usize) -> Pair {
    pair(KeySpec::Oct { bytes })
}

static RSA: LazyLock<Pair> = LazyLock::new(|| pair(KeySpec::Rsa { bits: 2048 }));
static EC: LazyLock<Vec<Pair>> = LazyLock::new(|| {
    vec![
        pair(KeySpec::Ec(Curve::P256)),
        pair(KeySpec::Ec(Curve::P384)),
        pair(KeySpec::Ec(Curve::P521)),
        pair(KeySpec::Okp(Curve::X25519)),
    ]
});
static OCT: LazyLock<Vec<Pair>> =
    LazyLock::new(|| [16, 24, 32, 48, 64, 20].into_iter().map(oct).collect());

/// The keys that fit `alg` (and `enc`, for `dir`).
fn keys_for(alg: &'static KeyManagement, enc: &'static ContentEncryption) -> Vec<&'static Pair> {
    let fits = |p: &&'static Pair| {
        alg.fits(&p.private) && (alg != &jwe::DIR || key_len(&p.private) == enc.key_len())
    };
    match alg.key_type() {
        zegel_jose::jwk::KeyType::Rsa => vec![&*RSA],
        zegel_jose::jwk::KeyType::Ec => EC.iter().filter(fits).collect(),
        _ => OCT.iter().filter(fits).collect(),
    }
}

fn key_len(k: &Jwk) -> usize {
    match k.material() {
        zegel_jose::jwk::KeyMaterial::Oct { k } => k.len(),
        _ => 0,
    }
}

/// Every key management algorithm that encrypts (all but `RSA1_5`).
fn encrypting_algs() -> impl Iterator<Item = &'static KeyManagement> {
    jwe::ALL.iter().copied().filter(|a| !a.is_legacy())
}

fn recipient<'k>(key: &'k Jwk, alg: &'static KeyManagement) -> Recipient<'k> {
    // A low PBES2 count keeps the debug-build suite fast; the decryptor's ceiling is above it.
    Recipient::new(key, alg).with_p2c(1000)
}

fn decryptor(alg: &'static KeyManagement, enc: &'static ContentEncryption) -> Decryptor {
    Decryptor::new(&[alg], &[enc])
}

#[test]
fn every_alg_enc_pair_round_trips_in_every_serialization() {
    let mut pairs = 0;
    for alg in encrypting_algs() {
        for enc in jwe::ALL_ENC {
            let keys = keys_for(alg, enc);
            assert!(!keys.is_empty(), "{alg:?} {enc:?}");
            for k in keys {
                let r = recipient(&k.public, alg);
                let d = decryptor(alg, enc);
                let e = Encryptor::new(enc);
                for token in [
                    e.encrypt_compact(b"round trip", &r).unwrap(),
                    e.encrypt_flattened(b"round trip", &r).unwrap(),
                    e.encrypt_general(b"round trip", core::slice::from_ref(&r))
                        .unwrap(),
                ] {
                    let out = d
                        .decrypt(token.as_bytes(), &k.private)
                        .unwrap_or_else(|e| panic!("{alg:?} {enc:?}: {e:?}"));
                    assert_eq!(out.plaintext(), b"round trip");
                    assert_eq!((out.alg(), out.enc()), (alg, *enc));
                    assert_eq!(out.header().alg, alg.name());
                }
                pairs += 1;
            }
        }
    }
    // 4 RSA-OAEP + 6 wrap with one key size each, 1 dir, 4 ECDH-ES x 4 curves, 3 PBES2 (any
    // password fits: 6 keys each): per enc.
    assert_eq!(pairs, 6 * (4 + 6 + 1 + 4 * 4 + 3 * 6));
}

#[test]
fn rsa1_5_never_encrypts_and_decrypts_only_when_named() {
    let r = Recipient::new(&RSA.public, &jwe::RSA1_5_FOR_LEGACY_USE_ONLY);
    assert_eq!(
        Encryptor::new(&jwe::A128CBC_HS256).encrypt_compact(b"x", &r),
        Err(Error::AlgNotAllowed {
            alg: "RSA1_5".into()
        })
    );
    let v: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/jwe/rfc7516/a2.rsa1_5_a128cbc-hs256.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let key = Jwk::parse(v["key"].to_string().as_bytes()).unwrap();
    let token = v["compact"].as_str().unwrap().as_bytes();
    let strict = Decryptor::new(
        jwe::ALL
            .iter()
            .copied()
            .filter(|a| !a.is_legacy())
            .collect::<Vec<_>>()
            .as_slice(),
        jwe::ALL_ENC,
    );
    assert_eq!(
        strict.decrypt(token, &key).unwrap_err(),
        Error::AlgNotAllowed {
            alg: "RSA1_5".into()
        }
    );
    let legacy = strict.with_rsa1_5_for_legacy_use_only();
    assert_eq!(
        legacy.decrypt(token, &key).unwrap().plaintext(),
        b"Live long and prosper."
    );
    // A bad PKCS #1 block and a bad tag look the same.
    let parts: Vec<&str> = v["compact"].as_str().unwrap().split('.').collect();
    let bad_key = flip_part(&parts, 1, 7);
    let bad_tag = flip_part(&parts, 4, 0);
    assert_eq!(
        legacy.decrypt(bad_key.as_bytes(), &key).unwrap_err(),
        Error::DecryptionFailed
    );
    assert_eq!(
        legacy.decrypt(bad_tag.as_bytes(), &key).unwrap_err(),
        Error::DecryptionFailed
    );
}

/// Flips one bit of decoded part `part` at byte `at` and re-encodes the compact token.
fn flip_part(parts: &[&str], part: usize, at: usize) -> String {
    let mut out: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
    let mut bytes = base64url::decode(parts[part].as_bytes(), Part::Token).unwrap();
    let n = bytes.len();
    bytes[at % n] ^= 1;
    out[part] = base64url::encode(&bytes);
    out.join(".")
}

#[test]
fn rsa_oaep_bad_key_and_bad_tag_are_one_error() {
    let other = pair(KeySpec::Rsa { bits: 2048 });
    for alg in [
        &jwe::RSA_OAEP,
        &jwe::RSA_OAEP_256,
        &jwe::RSA_OAEP_384,
        &jwe::RSA_OAEP_512,
    ] {
        let token = Encryptor::new(&jwe::A128CBC_HS256)
            .encrypt_compact(b"secret", &Recipient::new(&RSA.public, alg))
            .unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let d = decryptor(alg, &jwe::A128CBC_HS256);
        for (part, at) in [(1, 0), (1, 100), (1, 255), (3, 0), (4, 15)] {
            assert_eq!(
                d.decrypt(flip_part(&parts, part, at).as_bytes(), &RSA.private)
                    .unwrap_err(),
                Error::DecryptionFailed
            );
        }
        // A wrong RSA key: the same.
        assert_eq!(
            d.decrypt(token.as_bytes(), &other.private).unwrap_err(),
            Error::DecryptionFailed
        );
        // A short encrypted key: the same.
        let short = [parts[0], &parts[1][..100], parts[2], parts[3], parts[4]].join(".");
        assert_eq!(
            d.decrypt(short.as_bytes(), &RSA.private).unwrap_err(),
            Error::DecryptionFailed
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Random plaintexts through random pairs, compact and JSON.
    #[test]
    fn random_round_trips(
        alg_i in 0usize..18,
        enc_i in 0usize..6,
        key_i in 0usize..6,
        plaintext in proptest::collection::vec(any::<u8>(), 0..600),
        zip in any::<bool>(),
        json in any::<bool>(),
    ) {
        let alg = encrypting_algs().nth(alg_i).unwrap();
        let enc = jwe::ALL_ENC[enc_i];
        let keys = keys_for(alg, enc);
        let k = keys[key_i % keys.len()];
        let mut e = Encryptor::new(enc);
        if zip {
            e = e.with_deflate();
        }
        let r = recipient(&k.public, alg);
        let token = if json { e.encrypt_flattened(&plaintext, &r).unwrap() } else { e.encrypt_compact(&plaintext, &r).unwrap() };
        let out = decryptor(alg, enc).decrypt(token.as_bytes(), &k.private).unwrap();
        prop_assert_eq!(out.plaintext(), &plaintext[..]);
        prop_assert_eq!(out.header().zip.is_some(), zip);
    }

    /// Any changed bit in the header, encrypted key, IV, ciphertext or tag: an error, never a
    /// panic, never a plaintext.
    #[test]
    fn any_changed_byte_fails(
        alg_i in 0usize..18,
        enc_i in 0usize..6,
        part in 0usize..5,
        at in any::<usize>(),
        bit in 0u8..8,
    ) {
        let alg = encrypting_algs().nth(alg_i).unwrap();
        let enc = jwe::ALL_ENC[enc_i];
        let k = keys_for(alg, enc)[0];
        let token = Encryptor::new(enc).encrypt_compact(b"attack at dawn", &recipient(&k.public, alg)).unwrap();
        let mut parts: Vec<Vec<u8>> =
            token.split('.').map(|p| base64url::decode(p.as_bytes(), Part::Token).unwrap()).collect();
        // dir and ECDH-ES have an empty encrypted key: change the header instead.
        let part = if parts[part].is_empty() { 0 } else { part };
        let n = parts[part].len();
        parts[part][at % n] ^= 1 << bit;
        let tampered = parts.iter().map(|p| base64url::encode(p)).collect::<Vec<_>>().join(".");
        prop_assert!(decryptor(alg, enc).decrypt(tampered.as_bytes(), &k.private).is_err());
    }
}

#[test]
fn general_json_to_several_recipients() {
    let kw = &OCT[0];
    let gcmkw = &OCT[2];
    let ec = &EC[0];
    let unprotected = Map::from_iter([("jku".to_owned(), json!("https://example.com/keys"))]);
    let header = Map::from_iter([("x-note".to_owned(), json!("for the EC key"))]);
    let token = Encryptor::new(&jwe::A256GCM)
        .with_unprotected(unprotected)
        .with_aad(b"extra")
        .encrypt_general(
            b"to three",
            &[
                Recipient::new(&RSA.public, &jwe::RSA_OAEP_256),
                Recipient::new(&kw.public, &jwe::A128KW),
                Recipient::new(&ec.public, &jwe::ECDH_ES_A256KW)
                    .with_header(header)
                    .with_apu(b"Alice"),
                Recipient::new(&gcmkw.public, &jwe::A256GCMKW),
            ],
        )
        .unwrap();
    let v: Value = serde_json::from_str(&token).unwrap();
    assert_eq!(v["recipients"].as_array().unwrap().len(), 4);
    assert_eq!(v["recipients"][2]["header"]["alg"], "ECDH-ES+A256KW");
    assert!(v["recipients"][2]["header"]["epk"].is_object());
    let d = Decryptor::new(
        &[
            &jwe::RSA_OAEP_256,
            &jwe::A128KW,
            &jwe::ECDH_ES_A256KW,
            &jwe::A256GCMKW,
        ],
        &[&jwe::A256GCM],
    );
    for (i, k) in [&*RSA, kw, ec, gcmkw].into_iter().enumerate() {
        let out = d.decrypt(token.as_bytes(), &k.private).unwrap();
        assert_eq!((out.plaintext(), out.recipient()), (&b"to three"[..], i));
    }
    let parsed = jwe::UnverifiedJwe::parse(token.as_bytes()).unwrap();
    assert_eq!(parsed.serialization(), jwe::Serialization::General);
    assert_eq!(parsed.recipient_count(), 4);
    assert_eq!(parsed.aad().unwrap(), b"extra");
    assert_eq!(parsed.header(2).unwrap().other["x-note"], "for the EC key");
    // Only the allowed recipients are considered.
    let only_kw = Decryptor::new(&[&jwe::A128KW], &[&jwe::A256GCM]);
    assert_eq!(
        only_kw
            .decrypt(token.as_bytes(), &kw.private)
            .unwrap()
            .recipient(),
        1
    );
    // dir and ECDH-ES cannot share a JWE.
    for alg in [&jwe::DIR, &jwe::ECDH_ES] {
        let k = keys_for(alg, &jwe::A256GCM)[0];
        assert_eq!(
            Encryptor::new(&jwe::A256GCM).encrypt_general(
                b"x",
                &[
                    Recipient::new(&kw.public, &jwe::A128KW),
                    Recipient::new(&k.public, alg)
                ]
            ),
            Err(Error::RecipientCount {
                rule: zegel_jose::error::CountRule::DirectWithOthers
            })
        );
    }
    assert_eq!(
        Encryptor::new(&jwe::A256GCM).encrypt_general(b"x", &[]),
        Err(Error::RecipientCount {
            rule: zegel_jose::error::CountRule::NoRecipient
        })
    );
}

#[test]
fn headers_must_be_disjoint_and_well_placed() {
    let k = &OCT[0];
    let r = Recipient::new(&k.public, &jwe::A128KW);
    let cty = Map::from_iter([("cty".to_owned(), json!("x"))]);
    // The same parameter in the protected and the unprotected header.
    assert_eq!(
        Encryptor::new(&jwe::A128GCM)
            .with_cty("y")
            .with_unprotected(cty.clone())
            .encrypt_flattened(b"x", &r),
        Err(Error::DuplicateParameter { name: "cty".into() })
    );
    // Parameters the encryptor owns.
    let zip = Map::from_iter([("zip".to_owned(), json!("DEF"))]);
    assert_eq!(
        Encryptor::new(&jwe::A128GCM)
            .with_unprotected(zip)
            .encrypt_flattened(b"x", &r),
        Err(Error::InvalidParameter { name: "zip".into() })
    );
    // The compact form has no unprotected header and no aad.
    assert!(matches!(
        Encryptor::new(&jwe::A128GCM)
            .with_aad(b"a")
            .encrypt_compact(b"x", &r),
        Err(Error::Structure { .. })
    ));
    // A hand-made token with `zip` unprotected, or `alg` twice.
    let good: Value = serde_json::from_str(
        &Encryptor::new(&jwe::A128GCM)
            .with_unprotected(cty)
            .encrypt_flattened(b"x", &r)
            .unwrap(),
    )
    .unwrap();
    let d = decryptor(&jwe::A128KW, &jwe::A128GCM);
    let mut bad = good.clone();
    bad["unprotected"]["zip"] = json!("DEF");
    assert_eq!(
        d.decrypt(bad.to_string().as_bytes(), &k.private)
            .unwrap_err(),
        Error::InvalidParameter { name: "zip".into() }
    );
    let mut bad = good.clone();
    bad["header"] = json!({"alg": "A128KW"});
    assert_eq!(
        d.decrypt(bad.to_string().as_bytes(), &k.private)
            .unwrap_err(),
        Error::DuplicateParameter { name: "alg".into() }
    );
    let mut bad = good.clone();
    bad["unprotected"]["crit"] = json!(["x"]);
    assert_eq!(
        d.decrypt(bad.to_string().as_bytes(), &k.private)
            .unwrap_err(),
        Error::Crit(CritError::Unprotected)
    );
    // A duplicate member in the JSON itself.
    let dup = good.to_string().replacen("{", r#"{"iv":"AAAA","#, 1);
    assert!(matches!(
        d.decrypt(dup.as_bytes(), &k.private),
        Err(Error::Json { .. })
    ));
}

#[test]
fn crit_must_be_understood() {
    let k = &OCT[0];
    let r = Recipient::new(&k.public, &jwe::A128KW);
    let p = Map::from_iter([
        ("crit".to_owned(), json!(["exp"])),
        ("exp".to_owned(), json!(1)),
    ]);
    let token = Encryptor::new(&jwe::A128GCM)
        .with_protected(p)
        .encrypt_compact(b"x", &r)
        .unwrap();
    let d = decryptor(&jwe::A128KW, &jwe::A128GCM);
    assert_eq!(
        d.decrypt(token.as_bytes(), &k.private).unwrap_err(),
        Error::Crit(CritError::Unknown { name: "exp".into() })
    );
    assert_eq!(
        d.with_critical(&["exp"])
            .decrypt(token.as_bytes(), &k.private)
            .unwrap()
            .plaintext(),
        b"x"
    );
}

#[test]
fn keys_are_chosen_by_kid_then_tried_in_turn() {
    let a = Jwk::generate(&KeySpec::Oct { bytes: 16 })
        .unwrap()
        .with_kid("a");
    let b = Jwk::generate(&KeySpec::Oct { bytes: 16 })
        .unwrap()
        .with_kid("b");
    let anon = Jwk::generate(&KeySpec::Oct { bytes: 16 }).unwrap();
    let d = decryptor(&jwe::A128KW, &jwe::A128GCM);
    let set = JwkSet::new(vec![a.clone(), b.clone(), anon.clone()]);
    // With a kid: only that key.
    let to_b = jwe::encrypt_compact(b"for b", &b, &jwe::A128KW, &jwe::A128GCM).unwrap();
    assert_eq!(
        d.decrypt_with_set(to_b.as_bytes(), &set)
            .unwrap()
            .plaintext(),
        b"for b"
    );
    assert_eq!(
        d.decrypt_with_set(to_b.as_bytes(), &JwkSet::new(vec![a.clone(), anon.clone()]))
            .unwrap_err(),
        Error::UnknownKid { kid: "b".into() }
    );
    // A single key is used whatever kid the token names: the kid only selects among keys.
    assert_eq!(
        d.decrypt(to_b.as_bytes(), &b.clone().with_kid("renamed"))
            .unwrap()
            .plaintext(),
        b"for b"
    );
    assert_eq!(
        d.decrypt(to_b.as_bytes(), &a).unwrap_err(),
        Error::DecryptionFailed
    );
    // In a list, a key with another kid is skipped.
    assert_eq!(
        d.decrypt_with_keys(to_b.as_bytes(), core::slice::from_ref(&a))
            .unwrap_err(),
        Error::UnknownKid { kid: "b".into() }
    );
    // Without: every key that fits, in turn (rotation).
    let to_anon = Encryptor::new(&jwe::A128GCM)
        .encrypt_compact(b"rotated", &Recipient::new(&anon, &jwe::A128KW))
        .unwrap();
    assert_eq!(
        d.decrypt_with_set(to_anon.as_bytes(), &set)
            .unwrap()
            .plaintext(),
        b"rotated"
    );
    assert_eq!(
        d.decrypt_with_keys(to_anon.as_bytes(), &[a, b])
            .unwrap_err(),
        Error::DecryptionFailed
    );
    // A key bound to another alg, or to signing, is not used.
    let sig = anon.clone().with_use("sig");
    assert_eq!(
        d.decrypt(to_anon.as_bytes(), &sig).unwrap_err(),
        Error::Key(KeyError::UsageNotPermitted)
    );
    let bound = anon.with_alg("A256KW");
    assert_eq!(
        d.decrypt(to_anon.as_bytes(), &bound).unwrap_err(),
        Error::Key(KeyError::AlgMismatch {
            key_alg: "A256KW".into(),
            alg: "A128KW"
        })
    );
    // The wrong key type.
    assert_eq!(
        d.decrypt(to_anon.as_bytes(), &RSA.private).unwrap_err(),
        Error::Key(KeyError::WrongKeyType { alg: "A128KW" })
    );
    // A public key cannot decrypt.
    let rsa_token =
        jwe::encrypt_compact(b"x", &RSA.public, &jwe::RSA_OAEP_256, &jwe::A128CBC_HS256).unwrap();
    assert_eq!(
        decryptor(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256)
            .decrypt(rsa_token.as_bytes(), &RSA.public)
            .unwrap_err(),
        Error::Key(KeyError::NotPrivate)
    );
}

#[test]
fn allowlists_apply_before_any_cryptography() {
    let k = &OCT[3]; // 48 bytes
    let token = jwe::encrypt_compact(b"x", &k.public, &jwe::DIR, &jwe::A192CBC_HS384).unwrap();
    assert_eq!(
        decryptor(&jwe::DIR, &jwe::A128GCM)
            .decrypt(token.as_bytes(), &k.private)
            .unwrap_err(),
        Error::AlgNotAllowed {
            alg: "A192CBC-HS384".into()
        }
    );
    assert_eq!(
        decryptor(&jwe::A128KW, &jwe::A192CBC_HS384)
            .decrypt(token.as_bytes(), &k.private)
            .unwrap_err(),
        Error::AlgNotAllowed { alg: "dir".into() }
    );
    // Unknown names, `none` included.
    for (alg, enc, unknown) in [
        ("none", "A128GCM", "none"),
        ("dir", "A128CBC", "A128CBC"),
        ("RSA-OAEP-1024", "A128GCM", "RSA-OAEP-1024"),
    ] {
        let h = base64url::encode(format!(r#"{{"alg":"{alg}","enc":"{enc}"}}"#).as_bytes());
        let t = format!("{h}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(
            decryptor(&jwe::DIR, &jwe::A128GCM)
                .decrypt(t.as_bytes(), &k.private)
                .unwrap_err(),
            Error::UnknownAlgorithm {
                name: unknown.into()
            }
        );
    }
}

fn dir_token(
    enc: &'static ContentEncryption,
    plaintext: &[u8],
    zip: bool,
) -> (String, &'static Pair) {
    let k = keys_for(&jwe::DIR, enc)[0];
    let mut e = Encryptor::new(enc);
    if zip {
        e = e.with_deflate();
    }
    (
        e.encrypt_compact(plaintext, &Recipient::new(&k.public, &jwe::DIR))
            .unwrap(),
        k,
    )
}

/// Asserts that `f` fails with `want`, and quickly.
fn fails_fast<T: core::fmt::Debug>(want: &Error, f: impl FnOnce() -> Result<T, Error>) {
    let t = Instant::now();
    assert_eq!(&f().unwrap_err(), want);
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{want:?} took {:?}",
        t.elapsed()
    );
}

#[test]
fn hostile_pbes2_count_is_refused_before_pbkdf2() {
    let k = &OCT[0];
    let token = Encryptor::new(&jwe::A128GCM)
        .encrypt_compact(
            b"x",
            &Recipient::new(&k.public, &jwe::PBES2_HS256_A128KW).with_p2c(20_000),
        )
        .unwrap();
    let d = decryptor(&jwe::PBES2_HS256_A128KW, &jwe::A128GCM);
    fails_fast(
        &Error::Pbes2CountTooHigh {
            p2c: 20_000,
            limit: 10_000,
        },
        || d.decrypt(token.as_bytes(), &k.private),
    );
    assert_eq!(
        d.clone()
            .with_max_p2c(20_000)
            .decrypt(token.as_bytes(), &k.private)
            .unwrap()
            .plaintext(),
        b"x"
    );
    // A forged header with a huge count: refused at once (the tag would fail much later).
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut h: Value =
        serde_json::from_slice(&base64url::decode(parts[0].as_bytes(), Part::Header).unwrap())
            .unwrap();
    h["p2c"] = json!(4_000_000_000u64);
    parts[0] = base64url::encode(h.to_string().as_bytes());
    let forged = parts.join(".");
    fails_fast(
        &Error::Pbes2CountTooHigh {
            p2c: 4_000_000_000,
            limit: 10_000,
        },
        || d.decrypt(forged.as_bytes(), &k.private),
    );
    h["p2c"] = json!(0);
    parts[0] = base64url::encode(h.to_string().as_bytes());
    assert_eq!(
        d.decrypt(parts.join(".").as_bytes(), &k.private)
            .unwrap_err(),
        Error::InvalidParameter { name: "p2c".into() }
    );
    h["p2c"] = json!(1000);
    h["p2s"] = json!("AAAA");
    parts[0] = base64url::encode(h.to_string().as_bytes());
    assert_eq!(
        d.decrypt(parts.join(".").as_bytes(), &k.private)
            .unwrap_err(),
        Error::InvalidParameter { name: "p2s".into() }
    );
}

#[test]
fn hostile_pbes2_work_is_bounded_across_keys() {
    let right = Jwk::generate(&KeySpec::Oct { bytes: 16 }).unwrap();
    let mut keys: Vec<Jwk> = (0..9)
        .map(|_| Jwk::generate(&KeySpec::Oct { bytes: 16 }).unwrap())
        .collect();
    keys.push(right.clone());
    let token = Encryptor::new(&jwe::A128GCM)
        .encrypt_compact(
            b"x",
            &Recipient::new(&right, &jwe::PBES2_HS256_A128KW).with_p2c(5_000),
        )
        .unwrap();
    let d = decryptor(&jwe::PBES2_HS256_A128KW, &jwe::A128GCM);
    // 10 tries of 5,000 iterations pass the budget of 4 x 10,000: the 10th key is never tried.
    assert_eq!(
        d.decrypt_with_keys(token.as_bytes(), &keys).unwrap_err(),
        Error::DecryptionFailed
    );
    assert_eq!(
        d.decrypt(token.as_bytes(), &right).unwrap().plaintext(),
        b"x"
    );
    let generous = d.with_max_p2c(50_000);
    assert_eq!(
        generous
            .decrypt_with_keys(token.as_bytes(), &keys)
            .unwrap()
            .plaintext(),
        b"x"
    );
}

#[test]
fn hostile_deflate_bomb_stops_at_the_cap() {
    let bomb = vec![b'a'; 3_000_000];
    let (token, k) = dir_token(&jwe::A256GCM, &bomb, true);
    assert!(token.len() < 10_000, "{}", token.len());
    let d = decryptor(&jwe::DIR, &jwe::A256GCM);
    fails_fast(
        &Error::TooLarge {
            part: Part::Plaintext,
            limit: 250_000,
        },
        || d.decrypt(token.as_bytes(), &k.private),
    );
    let (ok, _) = dir_token(&jwe::A256GCM, &bomb[..250_000], true);
    assert_eq!(
        d.decrypt(ok.as_bytes(), &k.private)
            .unwrap()
            .plaintext()
            .len(),
        250_000
    );
    assert_eq!(
        d.with_max_plaintext(1000)
            .decrypt(ok.as_bytes(), &k.private)
            .unwrap_err(),
        Error::TooLarge {
            part: Part::Plaintext,
            limit: 1000
        }
    );
}

/// Replaces the `epk` of a compact ECDH-ES token.
fn with_epk(token: &str, epk: Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut h: Value =
        serde_json::from_slice(&base64url::decode(parts[0].as_bytes(), Part::Header).unwrap())
            .unwrap();
    h["epk"] = epk;
    parts[0] = base64url::encode(h.to_string().as_bytes());
    parts.join(".")
}

#[test]
fn hostile_invalid_curve_points_are_refused() {
    let d = decryptor(&jwe::ECDH_ES, &jwe::A128GCM);
    let epk_error = Error::InvalidParameter { name: "epk".into() };
    for k in EC.iter() {
        let token = jwe::encrypt_compact(b"x", &k.public, &jwe::ECDH_ES, &jwe::A128GCM).unwrap();
        assert_eq!(
            d.decrypt(token.as_bytes(), &k.private).unwrap().plaintext(),
            b"x"
        );
        let h: Value = serde_json::from_slice(
            &base64url::decode(token.split('.').next().unwrap().as_bytes(), Part::Header).unwrap(),
        )
        .unwrap();
        let epk = h["epk"].clone();
        let coord = if epk.get("y").is_some() { "y" } else { "x" };
        // A point off the curve (or, for X25519, of small order: the all-zero result).
        let mut bad = epk.clone();
        let mut c =
            base64url::decode(epk[coord].as_str().unwrap().as_bytes(), Part::Header).unwrap();
        if coord == "y" {
            c[5] ^= 1;
        } else {
            c.fill(0);
        }
        bad[coord] = json!(base64url::encode(&c));
        fails_fast(&epk_error, || {
            d.decrypt(with_epk(&token, bad).as_bytes(), &k.private)
        });
        // The wrong curve, a private key, a missing coordinate.
        let mut wrong = epk.clone();
        wrong["crv"] = json!(if epk["crv"] == "P-256" {
            "P-384"
        } else {
            "P-256"
        });
        assert_eq!(
            d.decrypt(with_epk(&token, wrong).as_bytes(), &k.private)
                .unwrap_err(),
            epk_error
        );
        let mut private = epk.clone();
        private["d"] = json!("AAAA");
        assert_eq!(
            d.decrypt(with_epk(&token, private).as_bytes(), &k.private)
                .unwrap_err(),
            epk_error
        );
        let mut missing = epk.clone();
        missing.as_object_mut().unwrap().remove("x");
        assert_eq!(
            d.decrypt(with_epk(&token, missing).as_bytes(), &k.private)
                .unwrap_err(),
            epk_error
        );
        assert_eq!(
            d.decrypt(
                with_epk(&token, json!("not an object")).as_bytes(),
                &k.private
            )
            .unwrap_err(),
            epk_error
        );
    }
}

#[test]
fn hostile_structure_fails_fast_with_typed_errors() {
    let (token, k) = dir_token(&jwe::A128CBC_HS256, b"hello", false);
    let d = decryptor(&jwe::DIR, &jwe::A128CBC_HS256);
    let parts: Vec<&str> = token.split('.').collect();
    // Truncated tag.
    let short_tag = [parts[0], parts[1], parts[2], parts[3], &parts[4][..20]].join(".");
    fails_fast(
        &Error::Structure {
            expected: zegel_jose::error::Shape::TagLength,
        },
        || d.decrypt(short_tag.as_bytes(), &k.private),
    );
    // Wrong IV length.
    let short_iv = [parts[0], parts[1], &parts[2][..8], parts[3], parts[4]].join(".");
    assert_eq!(
        d.decrypt(short_iv.as_bytes(), &k.private).unwrap_err(),
        Error::Structure {
            expected: zegel_jose::error::Shape::IvLength
        }
    );
    // Wrong key size for dir.
    fails_fast(
        &Error::Key(KeyError::WrongLength {
            expected: 32,
            actual: 16,
        }),
        || d.decrypt(token.as_bytes(), &OCT[0].private),
    );
    assert_eq!(
        jwe::encrypt_compact(b"x", &OCT[0].public, &jwe::DIR, &jwe::A256GCM).unwrap_err(),
        Error::Key(KeyError::WrongLength {
            expected: 32,
            actual: 16
        })
    );
    // An encrypted key with dir.
    let with_key = [parts[0], "AAAA", parts[2], parts[3], parts[4]].join(".");
    assert_eq!(
        d.decrypt(with_key.as_bytes(), &k.private).unwrap_err(),
        Error::InvalidParameter {
            name: "encrypted_key".into()
        }
    );
    // Too few or too many parts, bad base64, oversized tokens, deep JSON.
    assert!(matches!(
        d.decrypt(b"a.b.c.d", &k.private),
        Err(Error::Structure { .. })
    ));
    assert!(matches!(
        d.decrypt(format!("{token}.x").as_bytes(), &k.private),
        Err(Error::Structure { .. })
    ));
    assert!(matches!(
        d.decrypt(token.replacen('.', ".=", 1).as_bytes(), &k.private),
        Err(Error::Base64 { .. })
    ));
    let big = vec![b'A'; 300_000];
    fails_fast(
        &Error::TooLarge {
            part: Part::Token,
            limit: 256 * 1024,
        },
        || d.decrypt(&big, &k.private),
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        d.decrypt(
            format!(r#"{{"ciphertext":"","x":{deep}}}"#).as_bytes(),
            &k.private
        ),
        Err(Error::Json { .. })
    ));
    // Garbage never panics.
    for junk in [
        &b""[..],
        b"{",
        b"{}",
        b"....",
        b"{\"recipients\":[]}",
        b"{\"recipients\":{}}",
        b"\xff\xfe",
    ] {
        assert!(d.decrypt(junk, &k.private).is_err());
    }
    // Too many recipients.
    let many = json!({"recipients": vec![json!({}); 17], "ciphertext": "", "protected": parts[0]});
    assert!(matches!(
        d.decrypt(many.to_string().as_bytes(), &k.private),
        Err(Error::RecipientCount { .. })
    ));
}

#[test]
fn dangerous_decode_unverified_reads_headers_only() {
    let (token, _) = dir_token(&jwe::A256GCM, b"x", true);
    let u = jwe::dangerous::decode_unverified(token.as_bytes()).unwrap();
    assert_eq!(u.serialization(), jwe::Serialization::Compact);
    let h = u.header(0).unwrap();
    assert_eq!(
        (h.alg.as_str(), h.enc.as_str(), h.zip.as_deref()),
        ("dir", "A256GCM", Some("DEF"))
    );
    assert_eq!(u.protected_header()["enc"], "A256GCM");
}
