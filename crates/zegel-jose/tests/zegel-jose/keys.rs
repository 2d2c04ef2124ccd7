//! The one key source and its rules: symmetric key binding (the `dir` / `A*GCMKW` key reuse
//! break), PBES2 passwords, `kid` selection (unknown, duplicate), mixed-symmetry verification
//! sets and the key-operation budgets. Each reject path beside its accept twin.

// Marks the helpers as test code too, for clippy's `allow-unwrap-in-tests`.
#![cfg(test)]

use serde_json::{Value, json};
use zegel_jose::error::{KeyError, Part};
use zegel_jose::jwe::{self, ContentEncryption, Decryptor, Encryptor, KeyManagement, Recipient};
use zegel_jose::jwk::{Curve, JwkSet, KeySpec};
use zegel_jose::jws::{self, JwsHeader, SigningKey, Verifier};
use zegel_jose::keys::{KeySource, Keys, Lookup};
use zegel_jose::{Error, Jwk, base64url};

fn oct(bytes: usize) -> Jwk {
    Jwk::generate(&KeySpec::Oct { bytes }).unwrap()
}

/// The three key sizes of the break: the GCM key wrap and the `dir` content encryption of the
/// same size.
const SIZES: [(usize, &KeyManagement, &ContentEncryption); 3] = [
    (16, &jwe::A128GCMKW, &jwe::A128GCM),
    (24, &jwe::A192GCMKW, &jwe::A192GCM),
    (32, &jwe::A256GCMKW, &jwe::A256GCM),
];

/// The attack of the issue: the victim's `A*GCMKW` wrapped key, with its header's `iv` and
/// `tag`, presented as the ciphertext of a JSON JWE with no `protected` member and
/// `{"alg":"dir","enc":"A*GCM"}` unprotected (`kid` too). Its content AAD is empty, like the
/// key wrap's, so without the rule it would "decrypt" to the victim's content key.
fn replay_as_dir(victim: &str, enc: &ContentEncryption, kid: &str) -> String {
    let parts: Vec<&str> = victim.split('.').collect();
    let header: Value =
        serde_json::from_slice(&base64url::decode(parts[0].as_bytes(), Part::Header).unwrap())
            .unwrap();
    json!({
        "unprotected": {"alg": "dir", "enc": enc.name(), "kid": kid},
        "iv": header["iv"],
        "ciphertext": parts[1],
        "tag": header["tag"],
    })
    .to_string()
}

#[test]
fn a_gcm_wrapped_key_is_never_opened_as_a_dir_ciphertext() {
    for (bytes, kw, enc) in SIZES {
        // ring alone has no AES-192.
        if !kw.is_available() || !enc.is_available() {
            continue;
        }
        let key = oct(bytes).with_kid("k");
        let victim = jwe::encrypt_compact(b"secret claims", &key, kw, enc).unwrap();
        let attack = replay_as_dir(&victim, enc, "k");
        let set = JwkSet::new(vec![oct(bytes).with_kid("other"), key.clone()]);
        // The caller accepts both algorithms and lets the unbound key serve both (the CLI's
        // contract): `dir` is still refused, before any cryptography.
        let d = Decryptor::new(&[kw, &jwe::DIR], &[enc]).with_unbound_oct_keys();
        let refused = Error::Unprotected { name: "alg" };
        assert_eq!(d.decrypt(attack.as_bytes(), &key).unwrap_err(), refused);
        assert_eq!(
            d.decrypt_with_set(attack.as_bytes(), &set).unwrap_err(),
            refused
        );
        // Even a key bound to `dir`.
        let dir_key = key.clone().with_alg("dir");
        assert_eq!(d.decrypt(attack.as_bytes(), &dir_key).unwrap_err(), refused);
        // Only `enc` protected is not enough either.
        let half = json!({
            "protected": base64url::encode(json!({"enc": enc.name()}).to_string().as_bytes()),
            "unprotected": {"alg": "dir", "kid": "k"},
            "iv": "AAAAAAAAAAAAAAAA",
            "ciphertext": "AAAA",
            "tag": "AAAAAAAAAAAAAAAAAAAAAA",
        })
        .to_string();
        assert_eq!(
            d.decrypt(half.as_bytes(), &dir_key).unwrap_err(),
            Error::Unprotected { name: "alg" }
        );
        // The twins: the victim's token, and a real `dir` token, decrypt with the same key.
        assert_eq!(
            d.decrypt(victim.as_bytes(), &key).unwrap().plaintext(),
            b"secret claims"
        );
        assert_eq!(
            d.decrypt_with_set(victim.as_bytes(), &set)
                .unwrap()
                .plaintext(),
            b"secret claims"
        );
        let direct = jwe::encrypt_compact(b"direct", &key, &jwe::DIR, enc).unwrap();
        assert_eq!(
            d.decrypt(direct.as_bytes(), &key).unwrap().plaintext(),
            b"direct"
        );
        let flattened = Encryptor::new(enc)
            .encrypt_flattened(b"flat", &Recipient::new(&key, &jwe::DIR))
            .unwrap();
        assert_eq!(
            d.decrypt_with_set(flattened.as_bytes(), &set)
                .unwrap()
                .plaintext(),
            b"flat"
        );
    }
}

#[test]
fn an_unbound_oct_key_serves_one_algorithm() {
    let key = oct(16);
    let token = jwe::encrypt_compact(b"x", &key, &jwe::A128GCMKW, &jwe::A128GCM).unwrap();
    // Two accepted algorithms fit a 16-byte key without `alg`: refused.
    let both = Decryptor::new(&[&jwe::A128KW, &jwe::A128GCMKW], &[&jwe::A128GCM]);
    assert_eq!(
        both.decrypt(token.as_bytes(), &key).unwrap_err(),
        Error::Key(KeyError::UnboundSymmetricKey)
    );
    // In a set too: the reason is reported, not a bare `NoMatchingKey`.
    assert_eq!(
        both.decrypt(token.as_bytes(), &[oct(16), key.clone()][..])
            .unwrap_err(),
        Error::Key(KeyError::UnboundSymmetricKey)
    );
    let with_dir = Decryptor::new(&[&jwe::A128GCMKW, &jwe::DIR], &[&jwe::A128GCM]);
    assert_eq!(
        with_dir.decrypt(token.as_bytes(), &key).unwrap_err(),
        Error::Key(KeyError::UnboundSymmetricKey)
    );
    // Accepted: the key names its algorithm; or only one accepted algorithm fits its length
    // (here `dir` does not: no accepted `enc` takes 16 bytes); or the caller opts in.
    let bound = key.clone().with_alg("A128GCMKW");
    assert_eq!(
        both.decrypt(token.as_bytes(), &bound).unwrap().plaintext(),
        b"x"
    );
    let one = Decryptor::new(
        &[&jwe::A128GCMKW, &jwe::DIR],
        &[&jwe::A128GCM, &jwe::A256GCM],
    );
    assert_eq!(
        one.decrypt(token.as_bytes(), &key).unwrap_err(),
        Error::Key(KeyError::UnboundSymmetricKey)
    );
    let only_256 = Decryptor::new(&[&jwe::A128GCMKW, &jwe::DIR], &[&jwe::A256GCM]);
    let token_256 = jwe::encrypt_compact(b"y", &key, &jwe::A128GCMKW, &jwe::A256GCM).unwrap();
    assert_eq!(
        only_256
            .decrypt(token_256.as_bytes(), &key)
            .unwrap()
            .plaintext(),
        b"y"
    );
    assert_eq!(
        both.with_unbound_oct_keys()
            .decrypt(token.as_bytes(), &key)
            .unwrap()
            .plaintext(),
        b"x"
    );
    // A key bound to the other algorithm is refused for this one.
    assert_eq!(
        Decryptor::new(&[&jwe::A128GCMKW], &[&jwe::A128GCM])
            .decrypt(token.as_bytes(), &key.with_alg("A128KW"))
            .unwrap_err(),
        Error::Key(KeyError::AlgMismatch {
            key_alg: "A128KW".into(),
            alg: "A128GCMKW",
        })
    );
}

#[test]
fn a_raw_aes_key_is_no_pbes2_password_unless_the_caller_says_so() {
    let key = oct(16);
    let token = Encryptor::new(&jwe::A128GCM)
        .encrypt_compact(
            b"pw",
            &Recipient::new(&key, &jwe::PBES2_HS256_A128KW).with_p2c(1000),
        )
        .unwrap();
    let d = Decryptor::new(&[&jwe::PBES2_HS256_A128KW, &jwe::A128KW], &[&jwe::A128GCM]);
    assert_eq!(
        d.decrypt(token.as_bytes(), &key).unwrap_err(),
        Error::Key(KeyError::NotAPassword)
    );
    // Not even with every fitting algorithm allowed.
    assert_eq!(
        d.clone()
            .with_unbound_oct_keys()
            .decrypt(token.as_bytes(), &key)
            .unwrap_err(),
        Error::Key(KeyError::NotAPassword)
    );
    // The twins: the caller opts in, the key says it is a password, or only PBES2 is accepted.
    let opted = d
        .clone()
        .with_unbound_oct_keys()
        .with_oct_keys_as_passwords();
    assert_eq!(
        opted.decrypt(token.as_bytes(), &key).unwrap().plaintext(),
        b"pw"
    );
    let password = key.clone().with_alg("PBES2-HS256+A128KW");
    assert_eq!(
        d.decrypt(token.as_bytes(), &password).unwrap().plaintext(),
        b"pw"
    );
    let only = Decryptor::new(&[&jwe::PBES2_HS256_A128KW], &[&jwe::A128GCM]);
    assert_eq!(
        only.decrypt(token.as_bytes(), &key).unwrap().plaintext(),
        b"pw"
    );
}

#[test]
fn a_dir_key_may_name_its_enc() {
    // RFC 7520 §5.6: a `dir` key whose `alg` is the content encryption it is the key of.
    let key = oct(16).with_alg("A128GCM");
    let token = jwe::encrypt_compact(b"5.6", &key, &jwe::DIR, &jwe::A128GCM).unwrap();
    let d = Decryptor::new(&[&jwe::DIR], &[&jwe::A128GCM, &jwe::A256GCM]);
    assert_eq!(
        d.decrypt(token.as_bytes(), &key).unwrap().plaintext(),
        b"5.6"
    );
    // That key is not a key of another `enc` (nor of another `alg`).
    let other = oct(16).with_alg("A128CBC-HS256");
    assert_eq!(
        d.decrypt(token.as_bytes(), &other).unwrap_err(),
        Error::Key(KeyError::AlgMismatch {
            key_alg: "A128CBC-HS256".into(),
            alg: "dir",
        })
    );
}

fn ec(kid: &str) -> Jwk {
    Jwk::generate(&KeySpec::Ec(Curve::P256))
        .unwrap()
        .with_kid(kid)
}

fn sign(key: &Jwk, alg: &'static jws::JwsAlgorithm, kid: Option<&str>) -> String {
    let mut h = JwsHeader::new();
    h.kid = kid.map(str::to_owned);
    jws::sign_compact(b"signed", &SigningKey::new(key, alg).unwrap(), &h).unwrap()
}

#[test]
fn a_verification_set_does_not_mix_secrets_with_public_keys() {
    let signer = ec("ec");
    let mixed = JwkSet::new(vec![oct(32).with_kid("mac"), signer.to_public().unwrap()]);
    let token = sign(&signer, &jws::ES256, Some("ec"));
    let v = Verifier::new(&[&jws::ES256, &jws::HS256]);
    assert_eq!(
        v.verify(token.as_bytes(), &mixed).unwrap_err(),
        Error::Key(KeyError::MixedKeySet)
    );
    // The twins: the caller opts in, or the set holds public keys only.
    assert_eq!(
        v.clone()
            .with_mixed_key_set()
            .verify(token.as_bytes(), &mixed)
            .unwrap()
            .payload(),
        b"signed"
    );
    let public = JwkSet::new(vec![
        ec("other").to_public().unwrap(),
        signer.to_public().unwrap(),
    ]);
    assert_eq!(
        v.verify(token.as_bytes(), &public).unwrap().payload(),
        b"signed"
    );
}

#[test]
fn duplicate_kids_are_refused_within_a_key_type_and_use() {
    let a1 = ec("a");
    let a2 = ec("a");
    let token = sign(&a2, &jws::ES256, Some("a"));
    let v = Verifier::new(&[&jws::ES256, &jws::HS256]);
    let twice = vec![a1.to_public().unwrap(), a2.to_public().unwrap()];
    assert_eq!(
        v.verify(token.as_bytes(), &twice).unwrap_err(),
        Error::Key(KeyError::DuplicateKid)
    );
    // The same kid with distinct uses, or a token without kid, is no ambiguity.
    let uses = vec![
        a1.to_public().unwrap().with_use("enc"),
        a2.to_public().unwrap().with_use("sig"),
    ];
    assert_eq!(
        v.verify(token.as_bytes(), &uses).unwrap().payload(),
        b"signed"
    );
    let anonymous = sign(&a2, &jws::ES256, None);
    assert_eq!(
        v.verify(anonymous.as_bytes(), &twice).unwrap().payload(),
        b"signed"
    );
    // Across key types one kid is two keys, and only the one whose type fits is tried.
    let mac = oct(32).with_kid("a");
    let across = vec![a2.to_public().unwrap(), mac.clone()];
    let v = v.with_mixed_key_set();
    assert_eq!(
        v.verify(token.as_bytes(), &across).unwrap().payload(),
        b"signed"
    );
    let hs = sign(&mac, &jws::HS256, Some("a"));
    assert_eq!(
        v.verify(hs.as_bytes(), &across).unwrap().payload(),
        b"signed"
    );
    // In JWE too.
    let k1 = oct(16).with_kid("a");
    let k2 = oct(16).with_kid("a");
    let d = Decryptor::new(&[&jwe::A128KW], &[&jwe::A128GCM]);
    let t = jwe::encrypt_compact(b"x", &k2, &jwe::A128KW, &jwe::A128GCM).unwrap();
    assert_eq!(
        d.decrypt(t.as_bytes(), &[k1, k2.clone()][..]).unwrap_err(),
        Error::Key(KeyError::DuplicateKid)
    );
    assert_eq!(
        d.decrypt(t.as_bytes(), &[k2][..]).unwrap().plaintext(),
        b"x"
    );
}

#[test]
fn an_unknown_kid_is_not_a_key_that_does_not_fit() {
    let signer = ec("a");
    let set = JwkSet::new(vec![signer.to_public().unwrap()]);
    let v = Verifier::new(&[&jws::ES256, &jws::ES384]);
    let unknown = sign(&signer, &jws::ES256, Some("b"));
    let err = v.verify(unknown.as_bytes(), &set).unwrap_err();
    assert_eq!(err, Error::UnknownKid { kid: "b".into() });
    assert_eq!(err.code(), "jose.unknown_kid");
    assert!(!err.to_string().contains('b'), "{err}");
    // A key with the kid exists, but not for ES384: refreshing will not help.
    let p384 = Jwk::generate(&KeySpec::Ec(Curve::P384))
        .unwrap()
        .with_kid("a");
    let unfit = sign(&p384, &jws::ES384, Some("a"));
    let err = v.verify(unfit.as_bytes(), &set).unwrap_err();
    assert_eq!(err, Error::NoMatchingKey);
    assert_eq!(err.code(), "jose.no_matching_key");
    // The accept twin.
    let ok = sign(&signer, &jws::ES256, Some("a"));
    assert_eq!(v.verify(ok.as_bytes(), &set).unwrap().payload(), b"signed");
}

/// A source that sees the token's `kid` and `alg`: a cache of a remote set that must fetch a
/// `kid` it does not hold.
struct Remote {
    snapshot: std::sync::Arc<JwkSet>,
    seen: std::sync::Mutex<Vec<(Option<String>, String)>>,
}

impl KeySource for Remote {
    fn keys_for(&self, lookup: &Lookup<'_>) -> Result<Keys<'_>, Error> {
        self.seen
            .lock()
            .unwrap()
            .push((lookup.kid().map(str::to_owned), lookup.alg().to_owned()));
        if let Some(kid) = lookup.kid()
            && !self.snapshot.keys().iter().any(|k| k.kid() == Some(kid))
        {
            return Err(Error::UnknownKid {
                kid: kid.to_owned(),
            });
        }
        Ok(Keys::Set(self.snapshot.keys()))
    }
}

#[test]
fn a_source_sees_the_tokens_kid_and_alg() {
    let signer = ec("a");
    let remote = Remote {
        snapshot: std::sync::Arc::new(JwkSet::new(vec![signer.to_public().unwrap()])),
        seen: std::sync::Mutex::new(Vec::new()),
    };
    let v = Verifier::new(&[&jws::ES256]);
    let ok = sign(&signer, &jws::ES256, Some("a"));
    assert_eq!(
        v.verify(ok.as_bytes(), &remote).unwrap().payload(),
        b"signed"
    );
    let fetch = sign(&signer, &jws::ES256, Some("new"));
    let dynamic: &dyn KeySource = &remote;
    assert_eq!(
        v.verify(fetch.as_bytes(), dynamic).unwrap_err(),
        Error::UnknownKid { kid: "new".into() }
    );
    assert_eq!(
        *remote.seen.lock().unwrap(),
        [
            (Some("a".to_owned()), "ES256".to_owned()),
            (Some("new".to_owned()), "ES256".to_owned())
        ]
    );
}

#[test]
fn decryption_work_is_budgeted() {
    // Three keys without kid, a token without kid opened by the last: three unwraps.
    let keys = vec![oct(16), oct(16), oct(16)];
    let token = jwe::encrypt_compact(b"x", &keys[2], &jwe::A128KW, &jwe::A128GCM).unwrap();
    let d = Decryptor::new(&[&jwe::A128KW], &[&jwe::A128GCM]);
    assert_eq!(
        d.clone()
            .with_max_key_operations(2)
            .decrypt(token.as_bytes(), &keys)
            .unwrap_err(),
        Error::KeyOperationBudget { limit: 2 }
    );
    assert_eq!(
        d.with_max_key_operations(3)
            .decrypt(token.as_bytes(), &keys)
            .unwrap()
            .plaintext(),
        b"x"
    );
}

#[test]
fn verification_work_is_budgeted() {
    let keys: Vec<Jwk> = (0..3).map(|_| ec("same-type").with_use("sig")).collect();
    let keys: Vec<Jwk> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| k.clone().with_kid(format!("k{i}")))
        .collect();
    let public: Vec<Jwk> = keys.iter().map(|k| k.to_public().unwrap()).collect();
    let token = sign(&keys[2], &jws::ES256, None);
    let v = Verifier::new(&[&jws::ES256]);
    assert_eq!(
        v.clone()
            .with_max_key_operations(2)
            .verify(token.as_bytes(), &public)
            .unwrap_err(),
        Error::KeyOperationBudget { limit: 2 }
    );
    assert_eq!(
        v.with_max_key_operations(3)
            .verify(token.as_bytes(), &public)
            .unwrap()
            .payload(),
        b"signed"
    );
}

#[test]
fn an_in_memory_decrypter_is_budgeted_and_tries_its_kid_first() {
    use zegel_jose::jwe::Decrypter;
    if !jwe::ECDH_ES_A128KW.is_available() {
        return;
    }
    let other = ec("o");
    let mine = ec("k");
    let token = Encryptor::new(&jwe::A128GCM)
        .encrypt_general(
            b"general",
            &[
                Recipient::new(&other.to_public().unwrap(), &jwe::ECDH_ES_A128KW),
                Recipient::new(&mine.to_public().unwrap(), &jwe::ECDH_ES_A128KW),
            ],
        )
        .unwrap();
    assert!(Decrypter::algs(&mine).contains(&&jwe::ECDH_ES_A128KW));
    let d = Decryptor::new(&[&jwe::ECDH_ES_A128KW], &[&jwe::A128GCM]).with_max_key_operations(1);
    // The recipient naming the decrypter's kid is tried first: one operation is enough.
    let out = d.decrypt_with_decrypter(token.as_bytes(), &mine).unwrap();
    assert_eq!((out.plaintext(), out.recipient()), (&b"general"[..], 1));
    // Under another kid it tries the recipients in order, and the budget stops it.
    let renamed = Jwk::parse(mine.to_private_json().as_bytes())
        .unwrap()
        .with_kid("other");
    assert_eq!(
        d.decrypt_with_decrypter(token.as_bytes(), &renamed)
            .unwrap_err(),
        Error::KeyOperationBudget { limit: 1 }
    );
    // A public key decrypts for no algorithm.
    assert_eq!(
        d.decrypt_with_decrypter(token.as_bytes(), &mine.to_public().unwrap())
            .unwrap_err(),
        Error::NoMatchingKey
    );
}
