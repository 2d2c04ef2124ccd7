//! JWE encrypt and decrypt of a 1.5 KB payload, beside the raw primitives on the same bytes:
//! RSA-OAEP-256 + A128CBC-HS256 (the itsme® shape), dir + A256GCM, ECDH-ES (P-256) + A256GCM.
//!
//! `cargo bench -p zegel-jose --bench jwe`. The "raw" rows are the backend calls a JWE of that
//! shape cannot avoid, with keys parsed once: their sum is the floor zegel is measured against.
//! After the criterion groups, an interleaved minimum-of-N pass prints the ratios of
//! docs/PERFORMANCE.md: on a shared machine, the minimum over many short batches, taken in
//! turn for zegel and for the raw calls, is far less noisy than a mean.

#![allow(
    missing_docs,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

#[cfg(feature = "aws-lc")]
use aws_lc_rs::{agreement as lc_agreement, cipher, rsa};
use criterion::Criterion;
#[cfg(feature = "aws-lc")]
use ring::hmac;
use ring::{aead, agreement, digest, rand};
use zegel_jose::Jwk;
use zegel_jose::error::Part;
use zegel_jose::jwe::{self, Decryptor, Encryptor, Recipient};
use zegel_jose::jwk::{Curve, KeyMaterial, KeySpec};

const PAYLOAD_LEN: usize = 1500;

type Op = Box<dyn FnMut()>;

/// One JWE shape: zegel's operation and the raw calls it is measured against.
struct Case {
    name: &'static str,
    ops: Vec<(&'static str, Op)>,
    /// (zegel op, raw ops summed, goal) by index into `ops`.
    ratios: Vec<(usize, Vec<usize>, &'static str)>,
}

fn payload() -> Vec<u8> {
    (0..=250u8).cycle().take(PAYLOAD_LEN).collect()
}

fn parts(token: &str) -> Vec<Vec<u8>> {
    token
        .split('.')
        .map(|p| zegel_jose::base64url::decode(p.as_bytes(), Part::Token).unwrap())
        .collect()
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
fn rsa_case() -> Case {
    let key = Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
    let public = key.to_public().unwrap();
    let plaintext = payload();
    let token =
        jwe::encrypt_compact(&plaintext, &public, &jwe::RSA_OAEP_256, &jwe::A128CBC_HS256).unwrap();
    let decryptor = Decryptor::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let encryptor = Encryptor::new(&jwe::A128CBC_HS256);

    // The raw primitives: the same key parsed once, the same CEK, IV, AAD and ciphertext.
    let der = pem_der(&key.to_pem_private().unwrap());
    let private_key = rsa::PrivateDecryptingKey::from_pkcs8(&der).unwrap();
    let public_raw = rsa::OaepPublicEncryptingKey::new(private_key.public_key()).unwrap();
    let private = rsa::OaepPrivateDecryptingKey::new(private_key).unwrap();
    let p = parts(&token);
    let aad = token.split('.').next().unwrap().as_bytes().to_vec();
    let mut cek = vec![0; private.min_output_size()];
    let cek_len = private
        .decrypt(&rsa::OAEP_SHA256_MGF1SHA256, &p[1], &mut cek, None)
        .unwrap()
        .len();
    cek.truncate(cek_len);
    let (ek, iv, ct, tag) = (p[1].clone(), p[2].clone(), p[3].clone(), p[4].clone());
    let (cek2, iv2, aad2, pt2) = (cek.clone(), iv.clone(), aad.clone(), plaintext.clone());
    let key_spki = public.clone();
    let (key2, public2) = (key, public);
    let cek3 = cek.clone();
    let mut out = vec![0; private.min_output_size()];
    let mut out2 = vec![0; public_raw.ciphertext_size()];
    Case {
        name: "rsa-oaep-256+a128cbc-hs256",
        ops: vec![
            (
                "zegel decrypt",
                Box::new(move || {
                    black_box(
                        decryptor
                            .decrypt(black_box(token.as_bytes()), &key2)
                            .unwrap(),
                    );
                }),
            ),
            (
                "raw rsa-oaep-256 decrypt",
                Box::new(move || {
                    black_box(
                        private
                            .decrypt(&rsa::OAEP_SHA256_MGF1SHA256, black_box(&ek), &mut out, None)
                            .unwrap()
                            .len(),
                    );
                }),
            ),
            (
                "raw hmac+aes-cbc decrypt",
                Box::new(move || {
                    let t = cbc_hs_tag(&cek, &iv, &aad, black_box(&ct));
                    assert_eq!(&t.as_ref()[..16], &tag[..]);
                    let k = cipher::PaddedBlockDecryptingKey::cbc_pkcs7(
                        cipher::UnboundCipherKey::new(&cipher::AES_128, &cek[16..]).unwrap(),
                    )
                    .unwrap();
                    let mut buf = ct.clone();
                    let ctx = cipher::DecryptionContext::Iv128(iv.as_slice().try_into().unwrap());
                    black_box(k.decrypt(&mut buf, ctx).unwrap().len());
                }),
            ),
            (
                "zegel encrypt",
                Box::new(move || {
                    let r = Recipient::new(&public2, &jwe::RSA_OAEP_256);
                    black_box(
                        encryptor
                            .encrypt_compact(black_box(&plaintext), &r)
                            .unwrap(),
                    );
                }),
            ),
            (
                "raw rsa-oaep-256 encrypt",
                Box::new(move || {
                    black_box(
                        public_raw
                            .encrypt(
                                &rsa::OAEP_SHA256_MGF1SHA256,
                                black_box(&cek2),
                                &mut out2,
                                None,
                            )
                            .unwrap()
                            .len(),
                    );
                }),
            ),
            ("raw rsa-oaep-256 encrypt (key from spki)", {
                let spki = rsa::PublicEncryptingKey::from_der(&spki_der(&key_spki)).unwrap();
                let k = rsa::OaepPublicEncryptingKey::new(spki).unwrap();
                let cek = cek3.clone();
                let mut o = vec![0; 256];
                Box::new(move || {
                    black_box(
                        k.encrypt(&rsa::OAEP_SHA256_MGF1SHA256, black_box(&cek), &mut o, None)
                            .unwrap()
                            .len(),
                    );
                })
            }),
            (
                "raw cek+iv draw (aws-lc rand, 48 bytes)",
                Box::new(|| {
                    let mut b = [0u8; 48];
                    aws_lc_rs::rand::fill(&mut b).unwrap();
                    black_box(b);
                }),
            ),
            (
                "raw aes-cbc+hmac encrypt",
                Box::new(move || {
                    let k = cipher::PaddedBlockEncryptingKey::cbc_pkcs7(
                        cipher::UnboundCipherKey::new(&cipher::AES_128, &cek3[16..]).unwrap(),
                    )
                    .unwrap();
                    let mut buf = Vec::with_capacity(PAYLOAD_LEN + 16);
                    buf.extend_from_slice(black_box(&pt2));
                    let ctx = cipher::EncryptionContext::Iv128(iv2.as_slice().try_into().unwrap());
                    k.less_safe_encrypt(&mut buf, ctx).unwrap();
                    black_box(cbc_hs_tag(&cek3, &iv2, &aad2, &buf));
                }),
            ),
        ],
        ratios: vec![
            (0, vec![1, 2], ">= 0.98"),
            (3, vec![4, 7], ">= 0.90"),
            (3, vec![5, 7], "(raw key from spki)"),
            (3, vec![4, 6, 7], "(raw with the cek+iv draw)"),
        ],
    }
}

#[cfg(feature = "aws-lc")]
fn spki_der(public: &Jwk) -> Vec<u8> {
    pem_der(&public.to_pem_public().unwrap())
}

#[cfg(feature = "aws-lc")]
fn pem_der(pem: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let b64: Vec<u8> = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(str::bytes)
        .filter(|&c| c != b'=')
        .collect();
    let mut out = Vec::new();
    for chunk in b64.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(val(c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn dir_case() -> Case {
    let key = Jwk::generate(&KeySpec::Oct { bytes: 32 }).unwrap();
    let plaintext = payload();
    let token = jwe::encrypt_compact(&plaintext, &key, &jwe::DIR, &jwe::A256GCM).unwrap();
    let decryptor = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    let encryptor = Encryptor::new(&jwe::A256GCM);
    let k = match key.material() {
        KeyMaterial::Oct { k } => k.expose_secret().to_vec(),
        _ => unreachable!(),
    };
    let p = parts(&token);
    let aad = token.split('.').next().unwrap().as_bytes().to_vec();
    let (k2, p2, aad2, pt2, key2) = (
        k.clone(),
        p.clone(),
        aad.clone(),
        plaintext.clone(),
        key.clone(),
    );
    Case {
        name: "dir+a256gcm",
        ops: vec![
            (
                "zegel decrypt",
                Box::new(move || {
                    black_box(
                        decryptor
                            .decrypt(black_box(token.as_bytes()), &key)
                            .unwrap(),
                    );
                }),
            ),
            (
                "raw aes-256-gcm open",
                Box::new(move || {
                    let key = aead::LessSafeKey::new(
                        aead::UnboundKey::new(&aead::AES_256_GCM, &k).unwrap(),
                    );
                    let mut buf = p[3].clone();
                    let nonce = aead::Nonce::try_assume_unique_for_key(&p[2]).unwrap();
                    let tag = aead::Tag::try_from(&p[4][..]).unwrap();
                    black_box(
                        key.open_in_place_separate_tag(
                            nonce,
                            aead::Aad::from(&aad),
                            tag,
                            black_box(&mut buf),
                            0..,
                        )
                        .unwrap()
                        .len(),
                    );
                }),
            ),
            (
                "zegel encrypt",
                Box::new(move || {
                    let r = Recipient::new(&key2, &jwe::DIR);
                    black_box(
                        encryptor
                            .encrypt_compact(black_box(&plaintext), &r)
                            .unwrap(),
                    );
                }),
            ),
            (
                "raw aes-256-gcm seal",
                Box::new(move || {
                    let key = aead::LessSafeKey::new(
                        aead::UnboundKey::new(&aead::AES_256_GCM, &k2).unwrap(),
                    );
                    let mut buf = black_box(&pt2).clone();
                    let nonce = aead::Nonce::try_assume_unique_for_key(&p2[2]).unwrap();
                    let _ = black_box(
                        key.seal_in_place_separate_tag(nonce, aead::Aad::from(&aad2), &mut buf)
                            .unwrap(),
                    );
                }),
            ),
        ],
        ratios: vec![(0, vec![1], "within 2 µs"), (2, vec![3], "-")],
    }
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

fn ecdh_case() -> Case {
    let key = Jwk::generate(&KeySpec::Ec(Curve::P256)).unwrap();
    let public = key.to_public().unwrap();
    let plaintext = payload();
    let token = jwe::encrypt_compact(&plaintext, &public, &jwe::ECDH_ES, &jwe::A256GCM).unwrap();
    let encryptor = Encryptor::new(&jwe::A256GCM);
    let point = match public.material() {
        KeyMaterial::Ec { x, y, .. } => [&[4u8][..], x, y].concat(),
        _ => unreachable!(),
    };
    #[cfg(feature = "aws-lc")]
    let aad = token.split('.').next().unwrap().as_bytes().to_vec();
    let nonce_bytes = [9u8; 12];
    let rng = rand::SystemRandom::new();
    let pt2 = plaintext.clone();
    let aad2 = token.split('.').next().unwrap().as_bytes().to_vec();
    let mut ops: Vec<(&'static str, Op)> = Vec::new();
    let mut ratios = Vec::new();
    #[cfg(feature = "aws-lc")]
    {
        let decryptor = Decryptor::new(&[&jwe::ECDH_ES], &[&jwe::A256GCM]);
        let d = match key.material() {
            KeyMaterial::Ec { d: Some(d), .. } => d.expose_secret().to_vec(),
            _ => unreachable!(),
        };
        let private =
            lc_agreement::PrivateKey::from_private_key(&lc_agreement::ECDH_P256, &d).unwrap();
        let eph = lc_agreement::PrivateKey::generate(&lc_agreement::ECDH_P256).unwrap();
        let eph_pub = eph.compute_public_key().unwrap().as_ref().to_vec();
        let gcm_key = [7u8; 32];
        let mut sealed = plaintext.clone();
        let k =
            aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &gcm_key).unwrap());
        let tag = k
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce_bytes),
                aead::Aad::from(&aad),
                &mut sealed,
            )
            .unwrap();
        let (aad3, key3) = (aad, key);
        ops.push((
            "zegel decrypt",
            Box::new(move || {
                black_box(
                    decryptor
                        .decrypt(black_box(token.as_bytes()), &key3)
                        .unwrap(),
                );
            }),
        ));
        ops.push((
            "raw static ecdh+kdf+aes-256-gcm open",
            Box::new(move || {
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
                black_box(
                    k.open_in_place_separate_tag(
                        aead::Nonce::assume_unique_for_key(nonce_bytes),
                        aead::Aad::from(&aad3),
                        tag,
                        &mut buf,
                        0..,
                    )
                    .unwrap()
                    .len(),
                );
            }),
        ));
        ratios.push((0, vec![1], "-"));
    }
    let n = ops.len();
    ops.push((
        "zegel encrypt",
        Box::new(move || {
            let r = Recipient::new(&public, &jwe::ECDH_ES);
            black_box(
                encryptor
                    .encrypt_compact(black_box(&plaintext), &r)
                    .unwrap(),
            );
        }),
    ));
    ops.push((
        "raw ephemeral ecdh+kdf+aes-256-gcm seal",
        Box::new(move || {
            let eph =
                agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
            black_box(eph.compute_public_key().unwrap());
            let derived = agreement::agree_ephemeral(
                eph,
                &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, black_box(&point)),
                kdf,
            )
            .unwrap();
            let k = aead::LessSafeKey::new(
                aead::UnboundKey::new(&aead::AES_256_GCM, &derived.as_ref()[..32]).unwrap(),
            );
            let mut buf = pt2.clone();
            let _ = black_box(
                k.seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce_bytes),
                    aead::Aad::from(&aad2),
                    &mut buf,
                )
                .unwrap(),
            );
        }),
    ));
    ratios.push((n, vec![n + 1], "-"));
    Case {
        name: "ecdh-es(p-256)+a256gcm",
        ops,
        ratios,
    }
}

/// RSA-OAEP-256 decryption that succeeds, fails at the tag, or fails in the OAEP padding (a
/// random CEK then fails at the tag): the three should take the same time.
#[cfg(feature = "aws-lc")]
fn rsa_failure_case() -> Case {
    let key = Jwk::generate(&KeySpec::Rsa { bits: 2048 }).unwrap();
    let public = key.to_public().unwrap();
    let token =
        jwe::encrypt_compact(&payload(), &public, &jwe::RSA_OAEP_256, &jwe::A128CBC_HS256).unwrap();
    let flip = |part: usize| {
        let mut p: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut b = zegel_jose::base64url::decode(p[part].as_bytes(), Part::Token).unwrap();
        b[7] ^= 1;
        p[part] = zegel_jose::base64url::encode(&b);
        p.join(".")
    };
    let (bad_key, bad_tag) = (flip(1), flip(4));
    let d = Decryptor::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let (d2, d3, k2, k3) = (d.clone(), d.clone(), key.clone(), key.clone());
    Case {
        name: "rsa-oaep-256 failures",
        ops: vec![
            (
                "valid",
                Box::new(move || {
                    black_box(d.decrypt(black_box(token.as_bytes()), &key).unwrap());
                }),
            ),
            (
                "bad encrypted key",
                Box::new(move || {
                    black_box(d2.decrypt(black_box(bad_key.as_bytes()), &k2).unwrap_err());
                }),
            ),
            (
                "bad tag",
                Box::new(move || {
                    black_box(d3.decrypt(black_box(bad_tag.as_bytes()), &k3).unwrap_err());
                }),
            ),
        ],
        ratios: vec![
            (1, vec![0], "same time as valid"),
            (1, vec![2], "same time as bad tag"),
        ],
    }
}

fn cases() -> Vec<Case> {
    vec![
        #[cfg(feature = "aws-lc")]
        rsa_case(),
        #[cfg(feature = "aws-lc")]
        rsa_failure_case(),
        dir_case(),
        ecdh_case(),
    ]
}

/// The minimum over `rounds` batches of `batch` calls of each op, taken in turn.
fn interleaved_minimum(ops: &mut [(&'static str, Op)], batch: u32, rounds: u32) -> Vec<Duration> {
    let mut best = vec![Duration::MAX; ops.len()];
    for _ in 0..rounds {
        for (i, (_, op)) in ops.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..batch {
                op();
            }
            best[i] = best[i].min(t.elapsed() / batch);
        }
    }
    best
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    let mut all = cases();
    for case in &mut all {
        let mut g = c.benchmark_group(case.name);
        for (name, op) in &mut case.ops {
            g.bench_function(*name, |b| b.iter(&mut *op));
        }
        g.finish();
    }
    c.final_summary();

    println!("\ninterleaved minimum of N (ns per operation):");
    println!("| case | zegel | raw sum | ratio raw/zegel | zegel - raw | goal |");
    println!("|---|---|---|---|---|---|");
    for case in &mut all {
        if std::env::args().any(|a| a == "--profile-time") {
            break;
        }
        let slow = case.name.starts_with("rsa");
        let (batch, rounds) = if slow { (4, 150) } else { (200, 150) };
        let best = interleaved_minimum(&mut case.ops, batch, rounds);
        for (z, raws, goal) in &case.ratios {
            let zegel = best[*z].as_nanos() as f64;
            let raw: f64 = raws.iter().map(|r| best[*r].as_nanos() as f64).sum();
            let what = case.ops[*z].0;
            println!(
                "| {} {what} | {zegel:.0} | {raw:.0} | {:.3} | {:.0} | {goal} |",
                case.name,
                raw / zegel,
                zegel - raw
            );
        }
    }
}
