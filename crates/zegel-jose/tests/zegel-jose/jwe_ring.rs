//! JWE with ring alone (`--no-default-features`): what ring and the RustCrypto crates can do
//! round-trips, the rest is `AlgorithmUnavailable`.

// Marks the helpers as test code too, for clippy's `allow-unwrap-in-tests`.
#![cfg(test)]
#![cfg(not(feature = "aws-lc"))]

use zegel_jose::jwe::{self, Decryptor, Encryptor, Recipient};
use zegel_jose::jwk::{Curve, KeySpec};
use zegel_jose::{Error, Jwk};

#[test]
fn symmetric_algorithms_round_trip() {
    for alg in jwe::ALL
        .iter()
        .copied()
        .filter(|a| a.key_type() == zegel_jose::jwk::KeyType::Oct)
    {
        for enc in jwe::ALL_ENC.iter().copied() {
            let bytes = match alg.name() {
                "dir" => enc.key_len(),
                n if n.contains("128") => 16,
                n if n.contains("192") => 24,
                _ => 32,
            };
            let key = Jwk::generate(&KeySpec::Oct { bytes }).unwrap();
            let r = Recipient::new(&key, alg).with_p2c(1000);
            let result = Encryptor::new(enc).encrypt_compact(b"ring only", &r);
            if enc.name() == "A192GCM" || alg.name() == "A192GCMKW" {
                assert!(
                    matches!(result, Err(Error::AlgorithmUnavailable { .. })),
                    "{alg:?} {enc:?}"
                );
                continue;
            }
            let token = result.unwrap();
            let out = Decryptor::new(&[alg], &[enc])
                .decrypt(token.as_bytes(), &key)
                .unwrap();
            assert_eq!(out.plaintext(), b"ring only");
        }
    }
}

#[test]
fn ecdh_es_encrypts_and_rsa_is_unavailable() {
    let key = Jwk::generate(&KeySpec::Ec(Curve::P256)).unwrap();
    let public = key.to_public().unwrap();
    let token = jwe::encrypt_compact(b"x", &public, &jwe::ECDH_ES, &jwe::A256GCM).unwrap();
    assert_eq!(
        Decryptor::new(&[&jwe::ECDH_ES], &[&jwe::A256GCM])
            .decrypt(token.as_bytes(), &key)
            .unwrap_err(),
        Error::AlgorithmUnavailable { alg: "ECDH-ES" }
    );
    let rsa = Jwk::parse(
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/jwk/rfc7520/3_3.rsa_public_key.json"
        ))
        .unwrap()
        .as_bytes(),
    )
    .unwrap();
    // The RFC 7520 key is a signing key.
    let mut params = rsa.params().clone();
    params.use_ = None;
    let rsa = rsa.with_params(params).unwrap();
    assert_eq!(
        jwe::encrypt_compact(b"x", &rsa, &jwe::RSA_OAEP_256, &jwe::A128CBC_HS256).unwrap_err(),
        Error::AlgorithmUnavailable {
            alg: "RSA-OAEP-256"
        }
    );
}
