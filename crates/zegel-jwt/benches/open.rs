//! Opening an itsme®-shaped ID token (RS256 signed, then RSA-OAEP-256 + A128CBC-HS256
//! encrypted, about 1.6 KB of claims, into a typed struct) with `zegel_jwt::open`, beside the
//! same work done with the raw primitives of aws-lc-rs and serde_json, in sequence and with
//! nothing else: RSA-OAEP-256 unwrap of the CEK, HMAC-SHA-256 tag check, AES-128-CBC decrypt,
//! RSA PKCS#1 v1.5 SHA-256 verify, typed JSON parse. The ratio of the two is the overhead of
//! everything zegel adds (parsing, allowlists, key selection, `cty`/`typ` checks, strict JSON,
//! claim validation).
//!
//! `cargo bench -p zegel-jwt --bench open`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use core::time::Duration;

use aws_lc_rs::cipher::{
    AES_128, DecryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey,
    UnboundCipherKey,
};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey,
};
use aws_lc_rs::signature::{self, KeyPair, ParsedPublicKey, RsaKeyPair};
use aws_lc_rs::{constant_time, hmac};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;
use serde_json::{Map, Value};
use zegel_jose::jwk::JwkSet;
use zegel_jose::{Jwk, jwe, jws};
use zegel_jwt::{Claims, Decryption, UnixTime, Validation, Verified};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ItsmeIdToken {
    nonce: String,
    acr: String,
    auth_time: i64,
    at_hash: String,
    name: String,
    email: String,
    email_verified: bool,
    address: Address,
    #[serde(rename = "http://itsme.services/v2/claim/BENationalNumber")]
    national_number: String,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Address {
    street_address: String,
    postal_code: String,
    locality: String,
    country: String,
}

/// The same claim set with the registered claims typed too, for the raw parse.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct RawIdToken {
    iss: String,
    sub: String,
    aud: String,
    exp: i64,
    iat: i64,
    #[serde(flatten)]
    rest: ItsmeIdToken,
}

const NOW: UnixTime = UnixTime::from_secs(1_700_000_100);

fn fixture_keys() -> Value {
    serde_json::from_str(include_str!("../tests/vectors/keys.json")).unwrap()
}

fn jwk(keys: &Value, name: &str) -> Jwk {
    Jwk::parse(keys[name].to_string().as_bytes()).unwrap()
}

fn claims_json() -> Vec<u8> {
    let fixture: Value =
        serde_json::from_str(include_str!("../tests/vectors/interop_jwcrypto.json")).unwrap();
    serde_json::to_vec(&fixture["claims"]).unwrap()
}

fn bench_open(c: &mut Criterion) {
    let keys = fixture_keys();
    let issuer = jwk(&keys, "issuer_rsa");
    let partner = JwkSet::new(vec![
        jwk(&keys, "partner_enc_new"),
        jwk(&keys, "partner_enc_old"),
    ]);
    let issuer_public = JwkSet::new(vec![issuer.to_public().unwrap()]);
    let claims: Claims = Claims::from_json(&claims_json()).unwrap();
    let signing = jws::SigningKey::new(&issuer, &jws::RS256).unwrap();
    let token = zegel_jwt::sign_and_encrypt(
        &claims,
        &signing,
        &partner.keys()[0].to_public().unwrap(),
        &jwe::RSA_OAEP_256,
        &jwe::A128CBC_HS256,
    )
    .unwrap();
    let validation = Validation::new(&[&jws::RS256])
        .issuer("https://idp.prd.itsme.services/v2")
        .audience("zegel-test-client")
        .typ("JWT");
    let decryption = Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let check: Verified<ItsmeIdToken> = zegel_jwt::open_as::<ItsmeIdToken>(
        &token,
        &decryption,
        &validation,
        zegel_jwt::OpenKeys {
            recipient: &partner,
            issuer: &issuer_public,
        },
        NOW,
    )
    .unwrap();
    assert_eq!(check.claims().extra.address.locality, "Brussel");

    let raw = Raw::new(&claims_json());

    let mut g = c.benchmark_group("open_itsme_id_token");
    g.bench_function("zegel_jwt::open", |b| {
        b.iter(|| {
            let v: Verified<ItsmeIdToken> = zegel_jwt::open_as::<ItsmeIdToken>(
                &token,
                &decryption,
                &validation,
                zegel_jwt::OpenKeys {
                    recipient: &partner,
                    issuer: &issuer_public,
                },
                NOW,
            )
            .unwrap();
            core::hint::black_box(v)
        });
    });
    g.bench_function("raw primitives (sum)", |b| {
        b.iter(|| core::hint::black_box(raw.open()))
    });
    g.finish();

    paired(
        "zegel_jwt::open vs raw primitives",
        || {
            let v: Verified<ItsmeIdToken> = zegel_jwt::open_as::<ItsmeIdToken>(
                &token,
                &decryption,
                &validation,
                zegel_jwt::OpenKeys {
                    recipient: &partner,
                    issuer: &issuer_public,
                },
                NOW,
            )
            .unwrap();
            core::hint::black_box(v);
        },
        || {
            core::hint::black_box(raw.open());
        },
    );

    // Where the time goes: each layer of `open` on its own.
    let decryptor = jwe::Decryptor::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let inner = decryptor
        .decrypt_with_keys(token.as_bytes(), partner.keys())
        .unwrap();
    let inner = inner.plaintext().to_vec();
    let verifier = jws::Verifier::new(&[&jws::RS256]);
    let payload = verifier
        .verify_with_keys(&inner, issuer_public.keys())
        .unwrap()
        .into_payload();
    paired(
        "jwe decrypt vs raw unwrap + HMAC + AES-CBC",
        || {
            core::hint::black_box(
                decryptor
                    .decrypt_with_keys(token.as_bytes(), partner.keys())
                    .unwrap(),
            );
        },
        || {
            core::hint::black_box(raw.decrypt());
        },
    );
    paired(
        "jws verify vs raw RSA verify",
        || {
            core::hint::black_box(
                verifier
                    .verify_with_keys(&inner, issuer_public.keys())
                    .unwrap(),
            );
        },
        || {
            core::hint::black_box(raw.verify());
        },
    );
    paired(
        "claims parse + validate vs raw typed parse",
        || {
            let c: Claims<ItsmeIdToken> = Claims::from_json(&payload).unwrap();
            validation.validate(&c, NOW).unwrap();
            core::hint::black_box(c);
        },
        || {
            core::hint::black_box(serde_json::from_slice::<RawIdToken>(&payload).unwrap());
        },
    );
    let mut g = c.benchmark_group("open_itsme_id_token_layers");
    g.bench_function("zegel_jose::jwe decrypt", |b| {
        b.iter(|| {
            core::hint::black_box(
                decryptor
                    .decrypt_with_keys(token.as_bytes(), partner.keys())
                    .unwrap(),
            )
        });
    });
    g.bench_function("raw RSA-OAEP-256 unwrap", |b| {
        b.iter(|| core::hint::black_box(raw.unwrap_cek()))
    });
    g.bench_function("zegel_jose::jws verify", |b| {
        b.iter(|| {
            core::hint::black_box(
                verifier
                    .verify_with_keys(&inner, issuer_public.keys())
                    .unwrap(),
            )
        });
    });
    g.bench_function("raw RSA PKCS#1 SHA-256 verify", |b| {
        b.iter(|| core::hint::black_box(raw.verify()))
    });
    g.bench_function("claims: parse, validate (typed)", |b| {
        b.iter(|| {
            let c: Claims<ItsmeIdToken> = Claims::from_json(&payload).unwrap();
            validation.validate(&c, NOW).unwrap();
            core::hint::black_box(c)
        });
    });
    g.bench_function("raw serde_json typed parse", |b| {
        b.iter(|| core::hint::black_box(serde_json::from_slice::<RawIdToken>(&payload).unwrap()));
    });
    g.finish();
}

/// The token's material, made and held by aws-lc-rs directly.
struct Raw {
    oaep: OaepPrivateDecryptingKey,
    verifying: ParsedPublicKey,
    encrypted_key: Vec<u8>,
    aad: Vec<u8>,
    iv: [u8; 16],
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
    signing_input_len: usize,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    claims: Vec<u8>,
}

impl Raw {
    fn new(claims: &[u8]) -> Self {
        let rng = SystemRandom::new();
        // The signed token: the same sizes as zegel's.
        let signer = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let header =
            zegel_jose::base64url::encode(br#"{"alg":"RS256","kid":"issuer-2024","typ":"JWT"}"#);
        let signing_input = format!("{header}.{}", zegel_jose::base64url::encode(claims));
        let mut signature = vec![0; signer.public_modulus_len()];
        signer
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .unwrap();
        let jws = format!(
            "{signing_input}.{}",
            zegel_jose::base64url::encode(&signature)
        );
        let verifying = ParsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signer.public_key().as_ref(),
        )
        .unwrap();
        // The JWE around it.
        let decrypting = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        let public = OaepPublicEncryptingKey::new(decrypting.public_key()).unwrap();
        let mut cek = [0u8; 32];
        rng.fill(&mut cek).unwrap();
        let mut encrypted_key = vec![0; public.ciphertext_size()];
        public
            .encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut encrypted_key, None)
            .unwrap();
        let mut ciphertext = jws.into_bytes();
        let enc = PaddedBlockEncryptingKey::cbc_pkcs7(
            UnboundCipherKey::new(&AES_128, &cek[16..]).unwrap(),
        )
        .unwrap();
        let ctx = enc.encrypt(&mut ciphertext).unwrap();
        let DecryptionContext::Iv128(iv) = ctx else {
            unreachable!()
        };
        let iv: [u8; 16] = *iv.as_ref();
        let aad = br#"eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiY3R5IjoiSldUIiwia2lkIjoicGFydG5lci1lbmMtMiJ9"#.to_vec();
        let tag = mac(&cek[..16], &aad, &iv, &ciphertext);
        Self {
            oaep: OaepPrivateDecryptingKey::new(decrypting).unwrap(),
            verifying,
            encrypted_key,
            aad,
            iv,
            ciphertext,
            tag,
            signing_input_len: signing_input.len(),
            signing_input: signing_input.into_bytes(),
            signature,
            claims: claims.to_vec(),
        }
    }

    /// The RSA-OAEP-256 unwrap alone.
    fn unwrap_cek(&self) -> usize {
        let mut cek = [0u8; 256];
        self.oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, &self.encrypted_key, &mut cek, None)
            .unwrap()
            .len()
    }

    /// The JWE layer alone: unwrap, tag check, decrypt.
    fn decrypt(&self) -> usize {
        let mut cek = [0u8; 256];
        let cek = self
            .oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, &self.encrypted_key, &mut cek, None)
            .unwrap();
        let tag = mac(&cek[..16], &self.aad, &self.iv, &self.ciphertext);
        constant_time::verify_slices_are_equal(&tag, &self.tag).unwrap();
        let key = UnboundCipherKey::new(&AES_128, &cek[16..]).unwrap();
        let dec = PaddedBlockDecryptingKey::cbc_pkcs7(key).unwrap();
        let mut buf = self.ciphertext.clone();
        dec.decrypt(&mut buf, DecryptionContext::Iv128(self.iv.into()))
            .unwrap()
            .len()
    }

    /// The RS256 verification alone.
    fn verify(&self) -> bool {
        self.verifying
            .verify_sig(&self.signing_input, &self.signature)
            .is_ok()
    }

    /// Every primitive of opening, once, in order.
    fn open(&self) -> RawIdToken {
        let mut cek = [0u8; 256];
        let cek = self
            .oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, &self.encrypted_key, &mut cek, None)
            .unwrap();
        let tag = mac(&cek[..16], &self.aad, &self.iv, &self.ciphertext);
        constant_time::verify_slices_are_equal(&tag, &self.tag).unwrap();
        let key = UnboundCipherKey::new(&AES_128, &cek[16..]).unwrap();
        let dec = PaddedBlockDecryptingKey::cbc_pkcs7(key).unwrap();
        let mut buf = self.ciphertext.clone();
        let jws = dec
            .decrypt(&mut buf, DecryptionContext::Iv128(self.iv.into()))
            .unwrap();
        let signing_input = &jws[..self.signing_input_len];
        self.verifying
            .verify_sig(signing_input, &self.signature)
            .unwrap();
        serde_json::from_slice(&self.claims).unwrap()
    }
}

/// On a shared machine the load drifts between two criterion runs; this alternates the two
/// (zegel, raw, zegel, raw, ...) so both see the same load, and prints the ratio of medians.
#[allow(clippy::disallowed_methods, reason = "a benchmark reads the clock")]
fn paired(label: &str, mut zegel: impl FnMut(), mut raw: impl FnMut()) {
    use std::time::Instant;
    const ROUNDS: usize = 1000;
    let (mut z, mut r) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        zegel();
        let t1 = Instant::now();
        raw();
        let t2 = Instant::now();
        z.push(t1 - t0);
        r.push(t2 - t1);
    }
    z.sort();
    r.sort();
    let (z, r) = (z[ROUNDS / 2], r[ROUNDS / 2]);
    eprintln!(
        "paired {label}: medians {z:?} vs {r:?}, overhead {:?}, throughput ratio {:.3}",
        z.saturating_sub(r),
        r.as_secs_f64() / z.as_secs_f64()
    );
}

/// The A128CBC-HS256 tag: HMAC-SHA-256 over AAD || IV || ciphertext || AL, first 16 bytes.
fn mac(key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ciphertext);
    ctx.update(&(u64::try_from(aad.len()).unwrap() * 8).to_be_bytes());
    ctx.sign().as_ref()[..16].to_vec()
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = bench_open
}
criterion_main!(benches);
