//! zegel-jwt beside its floor and beside jsonwebtoken (aws-lc-rs backend), on the same tokens:
//! an itsme®-like claim set of about 1.2 KB, claims out as a `serde_json` map, `exp`/`iss`/`aud`
//! validated.
//!
//! Rows, per algorithm (HS256, RS256, ES256, EdDSA):
//! - verify + claims: `zegel_jwt::verify`, the floor (the raw aws-lc-rs verification of the
//!   signing input plus `serde_json::from_slice::<Map>` of the payload: what any library that
//!   hands back parsed claims must at least do), and `jsonwebtoken::decode`;
//! - sign from claims: `zegel_jwt::sign`, the floor (raw signature of a signing input of the
//!   same length plus `serde_json::to_vec` of the claims), and `jsonwebtoken::encode`;
//!
//! and compact `dir` + A256GCM decryption against the raw AES-256-GCM open.
//!
//! The machine is shared: the contenders of a row run interleaved (a batch of each in turn), and
//! the row reports the minimum and the median time per call of each.
//!
//! `cargo bench -p zegel-jwt --bench compare`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::disallowed_methods, reason = "a benchmark reads the clock")]

use core::hint::black_box;
use core::time::Duration;
use std::time::Instant;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair,
};
use serde_json::{Map, Value};
use zegel_jose::jws::{self, JwsAlgorithm, SigningKey};
use zegel_jose::{Jwk, base64url, jwe};
use zegel_jwt::{Claims, UnixTime, Validation};

const ISS: &str = "https://idp.prd.itsme.services/v2";
const AUD: &str = "zegel-test-client";

fn fixture_keys() -> Value {
    serde_json::from_str(include_str!("../tests/vectors/keys.json")).unwrap()
}

fn jwk(keys: &Value, name: &str) -> Jwk {
    Jwk::parse(keys[name].to_string().as_bytes()).unwrap()
}

/// The itsme® claim set of the interop fixture, cut to about 1.2 KB, valid for an hour from
/// the real clock (jsonwebtoken reads it).
fn claims_map(now: UnixTime) -> Map<String, Value> {
    let fixture: Value =
        serde_json::from_str(include_str!("../tests/vectors/interop_jwcrypto.json")).unwrap();
    let mut map = fixture["claims"].as_object().unwrap().clone();
    let names: Vec<String> = map.keys().cloned().collect();
    for name in names.iter().rev() {
        if serde_json::to_vec(&map).unwrap().len() <= 1230 {
            break;
        }
        if !["iss", "aud", "exp", "iat", "sub"].contains(&name.as_str()) {
            map.remove(name);
        }
    }
    map.insert("iss".into(), ISS.into());
    map.insert("aud".into(), AUD.into());
    map.insert("iat".into(), now.as_secs().into());
    map.insert(
        "exp".into(),
        (now + Duration::from_secs(3600)).as_secs().into(),
    );
    map
}

/// Runs the contenders interleaved, `rounds` batches of `batch` calls each, and prints the
/// minimum and median nanoseconds per call of each, and each one's ratio to the first.
fn row(label: &str, contenders: &mut [(&str, &mut dyn FnMut())]) {
    const ROUNDS: usize = 300;
    const BATCH: u32 = 16;
    for (_, f) in contenders.iter_mut() {
        for _ in 0..BATCH * 4 {
            f();
        }
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); contenders.len()];
    for _ in 0..ROUNDS {
        for (i, (_, f)) in contenders.iter_mut().enumerate() {
            let t0 = Instant::now();
            for _ in 0..BATCH {
                f();
            }
            times[i].push(t0.elapsed().as_secs_f64() * 1e9 / f64::from(BATCH));
        }
    }
    let stats: Vec<(f64, f64)> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            (t[0], t[t.len() / 2])
        })
        .collect();
    for ((name, _), (min, median)) in contenders.iter().zip(&stats) {
        eprintln!(
            "row {label} | {name} | min {:.2} µs | median {:.2} µs | min vs first {:+.2} µs",
            min / 1000.0,
            median / 1000.0,
            (min - stats[0].0) / 1000.0,
        );
    }
}

/// One signature family: zegel's key, jsonwebtoken's keys and the raw aws-lc-rs keys.
struct Family {
    alg: &'static JwsAlgorithm,
    jwt_alg: jsonwebtoken::Algorithm,
    zegel_sign: SigningKey,
    zegel_verify: Jwk,
    jwt_encoding: jsonwebtoken::EncodingKey,
    jwt_decoding: jsonwebtoken::DecodingKey,
    raw: Raw,
}

enum Raw {
    Hmac(Box<hmac::Key>),
    Rsa(RsaKeyPair, ParsedPublicKey),
    Ec(EcdsaKeyPair, ParsedPublicKey),
    Ed(Ed25519KeyPair, ParsedPublicKey),
}

impl Raw {
    fn sign(&self, input: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match self {
            Self::Hmac(k) => hmac::sign(k, input).as_ref().to_vec(),
            Self::Rsa(k, _) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, input, &mut sig)
                    .unwrap();
                sig
            }
            Self::Ec(k, _) => k.sign(&rng, input).unwrap().as_ref().to_vec(),
            Self::Ed(k, _) => k.sign(input).as_ref().to_vec(),
        }
    }

    fn verify(&self, input: &[u8], sig: &[u8]) {
        match self {
            Self::Hmac(k) => hmac::verify(k, input, sig).unwrap(),
            Self::Rsa(_, p) | Self::Ec(_, p) | Self::Ed(_, p) => p.verify_sig(input, sig).unwrap(),
        }
    }
}

fn families() -> Vec<Family> {
    let keys = fixture_keys();
    let secret = [0x42_u8; 32];
    let hmac_jwk = Jwk::from_secret_bytes(&secret).unwrap();
    let mut out = vec![Family {
        alg: &jws::HS256,
        jwt_alg: jsonwebtoken::Algorithm::HS256,
        zegel_sign: SigningKey::new(&hmac_jwk, &jws::HS256).unwrap(),
        zegel_verify: hmac_jwk,
        jwt_encoding: jsonwebtoken::EncodingKey::from_secret(&secret),
        jwt_decoding: jsonwebtoken::DecodingKey::from_secret(&secret),
        raw: Raw::Hmac(Box::new(hmac::Key::new(hmac::HMAC_SHA256, &secret))),
    }];
    let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let rsa_pub = ParsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        rsa.public_key().as_ref(),
    )
    .unwrap();
    let ec = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let ec_pub = ParsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_FIXED,
        ec.public_key().as_ref(),
    )
    .unwrap();
    let ed = Ed25519KeyPair::generate().unwrap();
    let ed_pub = ParsedPublicKey::new(&signature::ED25519, ed.public_key().as_ref()).unwrap();
    for (name, alg, jwt_alg, raw) in [
        (
            "issuer_rsa",
            &jws::RS256,
            jsonwebtoken::Algorithm::RS256,
            Raw::Rsa(rsa, rsa_pub),
        ),
        (
            "issuer_ec",
            &jws::ES256,
            jsonwebtoken::Algorithm::ES256,
            Raw::Ec(ec, ec_pub),
        ),
        (
            "issuer_ed",
            &jws::EDDSA,
            jsonwebtoken::Algorithm::EdDSA,
            Raw::Ed(ed, ed_pub),
        ),
    ] {
        let private = jwk(&keys, name);
        let public = private.to_public().unwrap();
        let private_pem = private.to_pem_private().unwrap();
        let public_pem = public.to_pem_public().unwrap();
        let (jwt_encoding, jwt_decoding) = match jwt_alg {
            jsonwebtoken::Algorithm::RS256 => (
                jsonwebtoken::EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap(),
                jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap(),
            ),
            jsonwebtoken::Algorithm::ES256 => (
                jsonwebtoken::EncodingKey::from_ec_pem(private_pem.as_bytes()).unwrap(),
                jsonwebtoken::DecodingKey::from_ec_pem(public_pem.as_bytes()).unwrap(),
            ),
            _ => (
                jsonwebtoken::EncodingKey::from_ed_pem(private_pem.as_bytes()).unwrap(),
                jsonwebtoken::DecodingKey::from_ed_pem(public_pem.as_bytes()).unwrap(),
            ),
        };
        out.push(Family {
            alg,
            jwt_alg,
            zegel_sign: SigningKey::new(&private, alg).unwrap(),
            zegel_verify: public,
            jwt_encoding,
            jwt_decoding,
            raw,
        });
    }
    out
}

fn main() {
    let now = UnixTime::now().unwrap();
    let map = claims_map(now);
    let payload = serde_json::to_vec(&map).unwrap();
    eprintln!("claim set: {} bytes", payload.len());
    let claims: Claims = Claims::from_json(&payload).unwrap();
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |label: &str| filter.as_deref().is_none_or(|f| label.contains(f));

    let label = "claims parse";
    if wanted(label) {
        row(
            label,
            &mut [
                ("serde_json::from_slice::<Map>", &mut || {
                    black_box(serde_json::from_slice::<Map<String, Value>>(&payload).unwrap());
                }),
                ("Claims::<Map>::from_json", &mut || {
                    black_box(Claims::<Map<String, Value>>::from_json(&payload).unwrap());
                }),
                ("Claims::<()>::from_json", &mut || {
                    black_box(Claims::<()>::from_json(&payload).unwrap());
                }),
                ("zegel_jose::json::parse_object", &mut || {
                    black_box(
                        zegel_jose::json::parse_object(
                            &payload,
                            zegel_jose::error::Part::Payload,
                            32,
                        )
                        .unwrap(),
                    );
                }),
            ],
        );
    }
    let label = "claims write";
    if wanted(label) {
        row(
            label,
            &mut [
                ("serde_json::to_vec(&map)", &mut || {
                    black_box(serde_json::to_vec(&map).unwrap());
                }),
                ("Claims::to_json_bytes", &mut || {
                    black_box(claims.to_json_bytes().unwrap());
                }),
            ],
        );
    }

    for f in families() {
        let name = f.alg.name();
        let token = zegel_jwt::sign(&claims, &f.zegel_sign).unwrap();
        let (signing_input, sig_b64) = token.rsplit_once('.').unwrap();
        let signature =
            base64url::decode(sig_b64.as_bytes(), zegel_jose::error::Part::Signature).unwrap();
        // The raw rows sign and verify an input of the same length with their own keys.
        let raw_sig = f.raw.sign(signing_input.as_bytes());
        let validation = Validation::new(&[f.alg]).issuer(ISS).audience(AUD);
        let mut jwt_validation = jsonwebtoken::Validation::new(f.jwt_alg);
        jwt_validation.set_issuer(&[ISS]);
        jwt_validation.set_audience(&[AUD]);
        jwt_validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        // Every contender accepts the token.
        let checked = zegel_jwt::verify(&token, &f.zegel_verify, &validation, now).unwrap();
        assert_eq!(checked.claims().extra.len(), map.len() - 5);
        jsonwebtoken::decode::<Map<String, Value>>(&token, &f.jwt_decoding, &jwt_validation)
            .unwrap();
        assert_eq!(signature.len(), raw_sig.len());

        let label = format!("{name} verify + claims");
        if wanted(&label) {
            row(
                &label,
                &mut [
                    ("floor: raw verify + from_slice::<Map>", &mut || {
                        f.raw.verify(signing_input.as_bytes(), &raw_sig);
                        black_box(serde_json::from_slice::<Map<String, Value>>(&payload).unwrap());
                    }),
                    ("zegel_jwt::verify", &mut || {
                        black_box(
                            zegel_jwt::verify(&token, &f.zegel_verify, &validation, now).unwrap(),
                        );
                    }),
                    ("jsonwebtoken::decode", &mut || {
                        black_box(
                            jsonwebtoken::decode::<Map<String, Value>>(
                                &token,
                                &f.jwt_decoding,
                                &jwt_validation,
                            )
                            .unwrap(),
                        );
                    }),
                ],
            );
        }
        let label = format!("{name} sign");
        if wanted(&label) {
            let header = jsonwebtoken::Header::new(f.jwt_alg);
            row(
                &label,
                &mut [
                    ("floor: raw sign + to_vec", &mut || {
                        black_box(serde_json::to_vec(&map).unwrap());
                        black_box(f.raw.sign(signing_input.as_bytes()));
                    }),
                    ("zegel_jwt::sign", &mut || {
                        black_box(zegel_jwt::sign(&claims, &f.zegel_sign).unwrap());
                    }),
                    ("jsonwebtoken::encode", &mut || {
                        black_box(jsonwebtoken::encode(&header, &map, &f.jwt_encoding).unwrap());
                    }),
                ],
            );
        }
    }

    let label = "dir + A256GCM decrypt";
    if wanted(label) {
        let secret = [0x24_u8; 32];
        let key = Jwk::from_secret_bytes(&secret).unwrap().with_alg("dir");
        let token = jwe::Encryptor::new(&jwe::A256GCM)
            .encrypt_compact(&payload, &jwe::Recipient::new(&key, &jwe::DIR))
            .unwrap();
        let decryptor = jwe::Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]);
        assert_eq!(
            decryptor
                .decrypt(token.as_bytes(), &key)
                .unwrap()
                .plaintext(),
            payload
        );
        let parts: Vec<&str> = token.split('.').collect();
        let b64 =
            |s: &str| base64url::decode(s.as_bytes(), zegel_jose::error::Part::Token).unwrap();
        let (aad, iv, ciphertext, tag) = (parts[0], b64(parts[2]), b64(parts[3]), b64(parts[4]));
        let mut sealed = ciphertext;
        sealed.extend_from_slice(&tag);
        let aead = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &secret).unwrap());
        let nonce: [u8; 12] = iv.as_slice().try_into().unwrap();
        row(
            label,
            &mut [
                ("floor: raw AES-256-GCM open", &mut || {
                    let mut buf = sealed.clone();
                    let plain = aead
                        .open_in_place(
                            Nonce::assume_unique_for_key(nonce),
                            Aad::from(aad.as_bytes()),
                            &mut buf,
                        )
                        .unwrap();
                    black_box(plain.len());
                }),
                ("zegel_jose::jwe decrypt", &mut || {
                    black_box(decryptor.decrypt(token.as_bytes(), &key).unwrap());
                }),
                ("of which: UnverifiedJwe::parse", &mut || {
                    black_box(jwe::UnverifiedJwe::parse(token.as_bytes()).unwrap());
                }),
            ],
        );
    }
}
