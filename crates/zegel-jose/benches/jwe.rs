//! JWE encrypt and decrypt of a 1.5 KB payload, beside the raw primitives on the same bytes:
//! RSA-OAEP-256 + A128CBC-HS256 (the itsme® shape), dir + A256GCM, ECDH-ES (P-256) + A256GCM.
//!
//! `cargo bench -p zegel-jose --bench jwe`. The "raw" rows are the backend calls a JWE of that
//! shape cannot avoid, with keys parsed once: their sum is the floor zegel is measured against
//! (docs/PERFORMANCE.md).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

#[cfg(feature = "aws-lc")]
use aws_lc_rs::{agreement as lc_agreement, cipher, rsa};
use criterion::{Criterion, criterion_group, criterion_main};
#[cfg(feature = "aws-lc")]
use ring::hmac;
use ring::{aead, agreement, digest, rand};
use zegel_jose::Jwk;
use zegel_jose::jwe::{self, Decryptor, Encryptor, Recipient};
use zegel_jose::jwk::{Curve, KeySpec};

const PAYLOAD_LEN: usize = 1500;

fn payload() -> Vec<u8> {
    (0..=250u8).cycle().take(PAYLOAD_LEN).collect()
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

#[cfg(feature = "aws-lc")]
fn rsa_oaep_256_a128cbc_hs256(c: &mut Criterion) {
    let key = Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
    let public = key.to_public().unwrap();
    let plaintext = payload();
    let token =
        jwe::encrypt_compact(&plaintext, &public, &jwe::RSA_OAEP_256, &jwe::A128CBC_HS256).unwrap();
    let decryptor = Decryptor::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let encryptor = Encryptor::new(&jwe::A128CBC_HS256);
    let recipient = Recipient::new(&public, &jwe::RSA_OAEP_256);

    // The raw primitives: the same key parsed once, the same CEK, IV, AAD and ciphertext.
    let pkcs8 = key.to_pem_private().unwrap();
    let der = pem_der(&pkcs8);
    let private_key = rsa::PrivateDecryptingKey::from_pkcs8(&der).unwrap();
    let public_raw = rsa::OaepPublicEncryptingKey::new(private_key.public_key()).unwrap();
    let private = rsa::OaepPrivateDecryptingKey::new(private_key).unwrap();
    let parts: Vec<Vec<u8>> = token
        .split('.')
        .map(|p| {
            zegel_jose::base64url::decode(p.as_bytes(), zegel_jose::error::Part::Token).unwrap()
        })
        .collect();
    let aad = token.split('.').next().unwrap().as_bytes().to_vec();
    let mut cek = vec![0; private.min_output_size()];
    let cek_len = private
        .decrypt(&rsa::OAEP_SHA256_MGF1SHA256, &parts[1], &mut cek, None)
        .unwrap()
        .len();
    cek.truncate(cek_len);
    let (iv, ct, tag) = (parts[2].clone(), parts[3].clone(), parts[4].clone());

    let mut g = c.benchmark_group("rsa-oaep-256+a128cbc-hs256");
    g.bench_function("zegel decrypt", |b| {
        b.iter(|| {
            decryptor
                .decrypt(black_box(token.as_bytes()), &key)
                .unwrap()
        });
    });
    g.bench_function("raw rsa-oaep-256 decrypt", |b| {
        let mut out = vec![0; private.min_output_size()];
        b.iter(|| {
            private
                .decrypt(
                    &rsa::OAEP_SHA256_MGF1SHA256,
                    black_box(&parts[1]),
                    &mut out,
                    None,
                )
                .unwrap()
                .len()
        });
    });
    g.bench_function("raw hmac+aes-cbc decrypt", |b| {
        b.iter(|| {
            let t = cbc_hs_tag(&cek, &iv, &aad, black_box(&ct));
            assert_eq!(&t.as_ref()[..16], &tag[..]);
            let k = cipher::PaddedBlockDecryptingKey::cbc_pkcs7(
                cipher::UnboundCipherKey::new(&cipher::AES_128, &cek[16..]).unwrap(),
            )
            .unwrap();
            let mut buf = ct.clone();
            let ctx = cipher::DecryptionContext::Iv128(iv.as_slice().try_into().unwrap());
            k.decrypt(&mut buf, ctx).unwrap().len()
        });
    });
    g.bench_function("zegel encrypt", |b| {
        b.iter(|| {
            encryptor
                .encrypt_compact(black_box(&plaintext), &recipient)
                .unwrap()
        });
    });
    g.bench_function("raw rsa-oaep-256 encrypt", |b| {
        let mut out = vec![0; public_raw.ciphertext_size()];
        b.iter(|| {
            public_raw
                .encrypt(
                    &rsa::OAEP_SHA256_MGF1SHA256,
                    black_box(&cek),
                    &mut out,
                    None,
                )
                .unwrap()
                .len()
        });
    });
    g.bench_function("raw aes-cbc+hmac encrypt", |b| {
        b.iter(|| {
            let k = cipher::PaddedBlockEncryptingKey::cbc_pkcs7(
                cipher::UnboundCipherKey::new(&cipher::AES_128, &cek[16..]).unwrap(),
            )
            .unwrap();
            let mut buf = Vec::with_capacity(PAYLOAD_LEN + 16);
            buf.extend_from_slice(black_box(&plaintext));
            let ctx = cipher::EncryptionContext::Iv128(iv.as_slice().try_into().unwrap());
            k.less_safe_encrypt(&mut buf, ctx).unwrap();
            cbc_hs_tag(&cek, &iv, &aad, &buf)
        });
    });
    g.finish();
}

#[cfg(feature = "aws-lc")]
fn cbc_hs_tag(cek: &[u8], iv: &[u8], aad: &[u8], ct: &[u8]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, &cek[..16]));
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ct);
    ctx.update(&((aad.len() as u64) * 8).to_be_bytes());
    ctx.sign()
}

#[cfg(feature = "aws-lc")]
fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64_std(&b64)
}

#[cfg(feature = "aws-lc")]
fn base64_std(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(val(c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn dir_a256gcm(c: &mut Criterion) {
    let key = Jwk::generate(&KeySpec::Oct { bytes: 32 }).unwrap();
    let plaintext = payload();
    let token = jwe::encrypt_compact(&plaintext, &key, &jwe::DIR, &jwe::A256GCM).unwrap();
    let decryptor = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    let encryptor = Encryptor::new(&jwe::A256GCM);
    let recipient = Recipient::new(&key, &jwe::DIR);
    let k = match key.material() {
        zegel_jose::jwk::KeyMaterial::Oct { k } => k.expose_secret().to_vec(),
        _ => unreachable!(),
    };
    let parts: Vec<Vec<u8>> = token
        .split('.')
        .map(|p| {
            zegel_jose::base64url::decode(p.as_bytes(), zegel_jose::error::Part::Token).unwrap()
        })
        .collect();
    let aad = token.split('.').next().unwrap().as_bytes().to_vec();

    let mut g = c.benchmark_group("dir+a256gcm");
    g.bench_function("zegel decrypt", |b| {
        b.iter(|| {
            decryptor
                .decrypt(black_box(token.as_bytes()), &key)
                .unwrap()
        })
    });
    g.bench_function("raw aes-256-gcm open", |b| {
        b.iter(|| {
            let key =
                aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &k).unwrap());
            let mut buf = parts[3].clone();
            let nonce = aead::Nonce::try_assume_unique_for_key(&parts[2]).unwrap();
            let tag = aead::Tag::try_from(&parts[4][..]).unwrap();
            key.open_in_place_separate_tag(
                nonce,
                aead::Aad::from(&aad),
                tag,
                black_box(&mut buf),
                0..,
            )
            .unwrap()
            .len()
        });
    });
    g.bench_function("zegel encrypt", |b| {
        b.iter(|| {
            encryptor
                .encrypt_compact(black_box(&plaintext), &recipient)
                .unwrap()
        })
    });
    g.bench_function("raw aes-256-gcm seal", |b| {
        b.iter(|| {
            let key =
                aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &k).unwrap());
            let mut buf = black_box(&plaintext).clone();
            let nonce = aead::Nonce::try_assume_unique_for_key(&parts[2]).unwrap();
            key.seal_in_place_separate_tag(nonce, aead::Aad::from(&aad), &mut buf)
                .unwrap()
        });
    });
    g.finish();
}

fn ecdh_es_a256gcm(c: &mut Criterion) {
    let key = Jwk::generate(&KeySpec::Ec(Curve::P256)).unwrap();
    let public = key.to_public().unwrap();
    let plaintext = payload();
    let token = jwe::encrypt_compact(&plaintext, &public, &jwe::ECDH_ES, &jwe::A256GCM).unwrap();
    let encryptor = Encryptor::new(&jwe::A256GCM);
    let recipient = Recipient::new(&public, &jwe::ECDH_ES);
    let point = match public.material() {
        zegel_jose::jwk::KeyMaterial::Ec { x, y, .. } => [&[4u8][..], x, y].concat(),
        _ => unreachable!(),
    };
    let rng = rand::SystemRandom::new();
    let aad = token.split('.').next().unwrap().as_bytes().to_vec();
    let gcm_key = [7u8; 32];
    let _ = &gcm_key;
    let nonce_bytes = [9u8; 12];

    let mut g = c.benchmark_group("ecdh-es(p-256)+a256gcm");
    #[cfg(feature = "aws-lc")]
    {
        let decryptor = Decryptor::new(&[&jwe::ECDH_ES], &[&jwe::A256GCM]);
        g.bench_function("zegel decrypt", |b| {
            b.iter(|| {
                decryptor
                    .decrypt(black_box(token.as_bytes()), &key)
                    .unwrap()
            })
        });
        let d = match key.material() {
            zegel_jose::jwk::KeyMaterial::Ec { d: Some(d), .. } => d.expose_secret().to_vec(),
            _ => unreachable!(),
        };
        let eph = lc_agreement::PrivateKey::generate(&lc_agreement::ECDH_P256).unwrap();
        let eph_pub = eph.compute_public_key().unwrap().as_ref().to_vec();
        g.bench_function("raw static ecdh+kdf+aes-256-gcm open", |b| {
            let mut sealed = plaintext.clone();
            let k = aead::LessSafeKey::new(
                aead::UnboundKey::new(&aead::AES_256_GCM, &gcm_key).unwrap(),
            );
            let tag = k
                .seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce_bytes),
                    aead::Aad::from(&aad),
                    &mut sealed,
                )
                .unwrap();
            let private =
                lc_agreement::PrivateKey::from_private_key(&lc_agreement::ECDH_P256, &d).unwrap();
            b.iter(|| {
                let z = lc_agreement::agree(
                    &private,
                    lc_agreement::UnparsedPublicKey::new(
                        &lc_agreement::ECDH_P256,
                        black_box(&eph_pub),
                    ),
                    (),
                    |z| Ok(kdf(z)),
                )
                .unwrap();
                black_box(z);
                let k = aead::LessSafeKey::new(
                    aead::UnboundKey::new(&aead::AES_256_GCM, &gcm_key).unwrap(),
                );
                let mut buf = sealed.clone();
                k.open_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce_bytes),
                    aead::Aad::from(&aad),
                    tag,
                    &mut buf,
                    0..,
                )
                .unwrap()
                .len()
            });
        });
    }
    g.bench_function("zegel encrypt", |b| {
        b.iter(|| {
            encryptor
                .encrypt_compact(black_box(&plaintext), &recipient)
                .unwrap()
        })
    });
    g.bench_function("raw ephemeral ecdh+kdf+aes-256-gcm seal", |b| {
        b.iter(|| {
            let eph =
                agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
            let _public = eph.compute_public_key().unwrap();
            let derived = agreement::agree_ephemeral(
                eph,
                &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, black_box(&point)),
                kdf,
            )
            .unwrap();
            let k = aead::LessSafeKey::new(
                aead::UnboundKey::new(&aead::AES_256_GCM, &derived.as_ref()[..32]).unwrap(),
            );
            let mut buf = plaintext.clone();
            k.seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce_bytes),
                aead::Aad::from(&aad),
                &mut buf,
            )
            .unwrap()
        });
    });
    g.finish();
}

/// One SHA-256 block of Concat KDF, as ECDH-ES with a 256-bit key needs.
fn kdf(z: &[u8]) -> digest::Digest {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&1u32.to_be_bytes());
    ctx.update(z);
    ctx.update(&7u32.to_be_bytes());
    ctx.update(b"A256GCM");
    ctx.update(&[0; 8]);
    ctx.update(&256u32.to_be_bytes());
    ctx.finish()
}

#[cfg(feature = "aws-lc")]
criterion_group! { name = benches; config = config(); targets = rsa_oaep_256_a128cbc_hs256, dir_a256gcm, ecdh_es_a256gcm }
#[cfg(not(feature = "aws-lc"))]
criterion_group! { name = benches; config = config(); targets = dir_a256gcm, ecdh_es_a256gcm }
criterion_main!(benches);
