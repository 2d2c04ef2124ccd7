//! ROCA-weak RSA keys (CVE-2017-15361) are refused on import in every form, with
//! [`KeyError::RocaWeak`]; healthy keys (RFC 7520's, freshly generated ones, random moduli) are
//! not.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use proptest::prelude::*;
use serde_json::{Value, json};
use zegel_jose::error::{Error, KeyError};
use zegel_jose::jwk::{KeySpec, KeyType};
use zegel_jose::{Jwk, JwkSet, base64url};

fn roca() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/jwk/roca.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn rfc7520_rsa(file: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/jwk/rfc7520/");
    std::fs::read(format!("{dir}{file}")).unwrap()
}

const WEAK: Error = Error::Key(KeyError::RocaWeak);

#[test]
fn roca_jwks_are_refused_public_and_private() {
    let v = roca();
    for form in ["jwk_public", "jwk_private"] {
        let json = serde_json::to_vec(&v[form]).unwrap();
        assert_eq!(Jwk::parse(&json).unwrap_err(), WEAK, "{form}");
    }
}

#[test]
fn roca_pems_are_refused_in_every_encoding() {
    let v = roca();
    for form in ["spki", "pkcs1_public", "pkcs8", "pkcs1_private"] {
        let pem = v[form].as_str().unwrap();
        assert_eq!(Jwk::from_pem(pem).unwrap_err(), WEAK, "{form}");
    }
}

/// For encryption keys too: the check is on the modulus, whatever `use` and `alg` say.
#[test]
fn roca_encryption_keys_are_refused() {
    let v = roca();
    for form in ["jwk_public", "jwk_private"] {
        let mut key = v[form].clone();
        key["use"] = json!("enc");
        key["alg"] = json!("RSA-OAEP-256");
        let json = serde_json::to_vec(&key).unwrap();
        assert_eq!(Jwk::parse(&json).unwrap_err(), WEAK, "{form}");
    }
}

#[test]
fn roca_key_in_a_set_refuses_the_set_and_says_which() {
    let v = roca();
    let healthy: Value = serde_json::from_slice(&rfc7520_rsa("3_3.rsa_public_key.json")).unwrap();
    let set = json!({ "keys": [healthy, v["jwk_public"]] });
    assert_eq!(
        JwkSet::parse(&serde_json::to_vec(&set).unwrap()).unwrap_err(),
        Error::KeySetMember {
            index: 1,
            reason: KeyError::RocaWeak
        }
    );
}

#[test]
fn roca_error_has_a_stable_code_and_names_no_key_material() {
    assert_eq!(KeyError::RocaWeak.code(), "jose.key.roca_weak");
    assert_eq!(WEAK.code(), "jose.key");
    assert_eq!(
        WEAK.to_string(),
        "key refused: the rsa modulus has the roca fingerprint (CVE-2017-15361) and can be \
         factored; generate a new key"
    );
}

/// The accept twin: RFC 7520's RSA key, public and private.
#[test]
fn healthy_rfc7520_rsa_keys_are_accepted() {
    for file in ["3_3.rsa_public_key.json", "3_4.rsa_private_key.json"] {
        let key = Jwk::parse(&rfc7520_rsa(file)).unwrap();
        assert_eq!(key.key_type(), KeyType::Rsa, "{file}");
    }
}

/// Freshly generated keys are never flagged (a random modulus matches with probability about
/// 2⁻¹⁵⁵). Generation needs aws-lc.
#[test]
fn generated_rsa_keys_are_never_flagged() {
    if !cfg!(feature = "aws-lc") {
        return;
    }
    for bits in [2048, 2048, 2048, 2048, 3072] {
        let key = Jwk::generate(&KeySpec::Rsa { bits }).unwrap();
        let public = key.to_public_json().unwrap();
        assert!(Jwk::parse(public.as_bytes()).is_ok(), "{bits}: {public}");
        assert!(
            Jwk::from_pem(&key.to_pem_public().unwrap()).is_ok(),
            "{bits}"
        );
        assert!(
            Jwk::from_pem(&key.to_pem_private().unwrap()).is_ok(),
            "{bits}"
        );
    }
}

fn public_rsa(n: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "kty": "RSA",
        "n": base64url::encode(n),
        "e": "AQAB",
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random odd 2048-bit moduli are accepted as public keys: the fingerprint never fires by
    /// chance.
    #[test]
    fn random_moduli_are_not_flagged(mut n in proptest::collection::vec(any::<u8>(), 256)) {
        n[0] |= 0x80;
        n[255] |= 1;
        prop_assert!(Jwk::parse(&public_rsa(&n)).is_ok());
    }
}

/// `KeyError::code`, added with `RocaWeak`: one distinct code per reason, under `jose.key.`.
#[test]
fn key_error_codes_are_distinct() {
    let all = [
        KeyError::MissingMember { name: "n" },
        KeyError::InvalidMember { name: "n" },
        KeyError::UnsupportedKeyType { value: "X".into() },
        KeyError::RsaTooSmall {
            bits: 1024,
            min_bits: 2048,
        },
        KeyError::InvalidPoint,
        KeyError::InvalidPrivateKey,
        KeyError::WrongLength {
            expected: 32,
            actual: 31,
        },
        KeyError::NotPrivate,
        KeyError::WrongKeyType { alg: "RS256" },
        KeyError::AlgMismatch {
            key_alg: "RS256".into(),
            alg: "PS256",
        },
        KeyError::UsageNotPermitted,
        KeyError::Pem,
        KeyError::Backend,
        KeyError::RocaWeak,
    ];
    let mut codes: Vec<&str> = all.iter().map(KeyError::code).collect();
    assert!(
        codes.iter().all(|c| c.starts_with("jose.key.")),
        "{codes:?}"
    );
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}
