//! The per-call overhead of zegel's PKCS #11 path over SoftHSM2's own cost of the same
//! mechanism called directly through `cryptoki`: RS256 signing (`CKM_SHA256_RSA_PKCS`) and
//! JWE key unwrapping (`CKM_RSA_PKCS_OAEP`, SHA-256 where the token does it, else SHA-1), the
//! two paths measured interleaved in one run.
//!
//! `cargo bench -p zegel-pkcs11 --bench overhead [-- ROUNDS]` (default 400). The machine may be
//! shared: each path's figure is the minimum over rounds of one call (a batch of `BATCH`), and
//! the overhead is the difference of the minimums. Needs SoftHSM2; the bench re-runs itself with `SOFTHSM2_CONF`
//! pointing to a throwaway token folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cryptoki::context::Pkcs11;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use zegel_jose::{jwe, jws};
use zegel_pkcs11::{KeyPurpose, KeyRef, PinSource, Pkcs11Error, Token, TokenSelector};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const LABEL: &str = "zegel-bench";
const PIN: &str = "1234-bench";
const PIN_VAR: &str = "ZEGEL_BENCH_PIN";
const BATCH: u32 = 1;

fn main() {
    let rounds: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(400);
    if std::env::var_os("SOFTHSM2_CONF").is_none() {
        if !Path::new(MODULE).is_file() {
            println!("overhead: skipped, SoftHSM2 ({MODULE}) is not installed");
            return;
        }
        let dir = std::env::temp_dir().join(format!("zegel-softhsm-bench-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        let init = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", LABEL, "--pin", PIN])
            .args(["--so-pin", "5678-bench"])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap();
        assert!(init.status.success());
        let status = Command::new(std::env::current_exe().unwrap())
            .arg(rounds.to_string())
            .env("SOFTHSM2_CONF", &conf)
            .env(PIN_VAR, PIN)
            .status()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(status.success());
        return;
    }
    run(rounds);
}

/// The minimum over rounds of the per-call mean of a batch.
#[derive(Default)]
struct Min(Option<Duration>);

impl Min {
    fn batch(&mut self, mut f: impl FnMut()) {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        let per_call = start.elapsed() / BATCH;
        self.0 = Some(self.0.map_or(per_call, |m| m.min(per_call)));
    }

    fn get(&self) -> Duration {
        self.0.unwrap_or_default()
    }
}

fn report(name: &str, direct: &Min, zegel: &Min) {
    let (d, z) = (direct.get(), zegel.get());
    let overhead = z.as_nanos() as f64 / 1000.0 - d.as_nanos() as f64 / 1000.0;
    println!(
        "{name}: cryptoki direct {:.1} µs, zegel-pkcs11 {:.1} µs, overhead {overhead:+.1} µs",
        d.as_nanos() as f64 / 1000.0,
        z.as_nanos() as f64 / 1000.0,
    );
}

fn run(rounds: u32) {
    let token = Token::open(MODULE, TokenSelector::Label(LABEL), PinSource::env(PIN_VAR)).unwrap();
    token
        .generate_rsa("sig", b"sig", 2048, KeyPurpose::Sign)
        .unwrap();
    token
        .generate_rsa("enc", b"enc", 2048, KeyPurpose::Decrypt)
        .unwrap();
    let signer = token.signer(&KeyRef::label("sig"), &jws::RS256).unwrap();
    let (alg, hash, mgf) = match token.decrypter(&KeyRef::label("enc"), Some(&jwe::RSA_OAEP_256)) {
        Ok(_) => (
            &jwe::RSA_OAEP_256,
            MechanismType::SHA256,
            PkcsMgfType::MGF1_SHA256,
        ),
        Err(Pkcs11Error::MechanismUnsupported { .. }) => {
            println!("note: the token does OAEP with SHA-1 only: unwrapping is RSA-OAEP");
            (&jwe::RSA_OAEP, MechanismType::SHA1, PkcsMgfType::MGF1_SHA1)
        }
        Err(e) => panic!("{e}"),
    };
    let decrypter = token.decrypter(&KeyRef::label("enc"), Some(alg)).unwrap();

    // The direct path: the same module, its own session, the same mechanisms.
    let ctx = Pkcs11::new(MODULE).unwrap();
    let slot = ctx.get_slots_with_token().unwrap()[0];
    let session = ctx.open_ro_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&AuthPin::from(PIN)));
    let find = |class, label: &str| {
        session
            .find_objects(&[
                Attribute::Class(class),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .unwrap()[0]
    };
    let sig_key = find(ObjectClass::PRIVATE_KEY, "sig");
    let enc_key = find(ObjectClass::PRIVATE_KEY, "enc");
    let enc_pub = find(ObjectClass::PUBLIC_KEY, "enc");
    let oaep = Mechanism::RsaPkcsOaep(PkcsOaepParams::new(hash, mgf, PkcsOaepSource::empty()));
    let cek = [7u8; 32];
    let encrypted_key = session.encrypt(&oaep, enc_pub, &cek).unwrap();
    // A signing input of a typical client assertion: header and claims, base64url.
    let input = [b'a'; 420];

    // Both paths give the same answers.
    let direct_sig = session
        .sign(&Mechanism::Sha256RsaPkcs, sig_key, &input)
        .unwrap();
    assert_eq!(signer.try_sign(&input).unwrap(), direct_sig);
    let unwrapped = decrypter
        .try_unwrap_key(alg, &jwe::A256GCM, &encrypted_key)
        .unwrap();
    assert_eq!(unwrapped.expose_secret(), cek);

    let (mut sign_direct, mut sign_zegel) = (Min::default(), Min::default());
    let (mut unwrap_direct, mut unwrap_zegel) = (Min::default(), Min::default());
    for _ in 0..rounds {
        sign_direct.batch(|| {
            black_box(
                session
                    .sign(&Mechanism::Sha256RsaPkcs, sig_key, black_box(&input))
                    .unwrap(),
            );
        });
        sign_zegel.batch(|| {
            black_box(signer.try_sign(black_box(&input)).unwrap());
        });
        unwrap_direct.batch(|| {
            black_box(
                session
                    .decrypt(&oaep, enc_key, black_box(&encrypted_key))
                    .unwrap(),
            );
        });
        unwrap_zegel.batch(|| {
            black_box(
                decrypter
                    .try_unwrap_key(alg, &jwe::A256GCM, black_box(&encrypted_key))
                    .unwrap(),
            );
        });
    }
    println!(
        "overhead: {rounds} rounds of {BATCH} calls per path, interleaved; minimum per-call mean"
    );
    report(
        "RS256 sign (CKM_SHA256_RSA_PKCS)",
        &sign_direct,
        &sign_zegel,
    );
    report(
        &format!("{} unwrap (CKM_RSA_PKCS_OAEP)", alg.name()),
        &unwrap_direct,
        &unwrap_zegel,
    );
}
