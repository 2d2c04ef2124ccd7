//! Fixtures: scratch folders and partner keys.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use zegel_jose::jwk::{Curve, KeySpec};
use zegel_jose::{Jwk, JwkSet};

/// A fresh, empty folder under the system's temporary folder, removed on drop.
pub(crate) struct ScratchDir(PathBuf);

impl ScratchDir {
    pub(crate) fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("zegel-itsme-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Three RSA 2048 private keys, test fixtures only (`zegel jwk generate --kty RSA`), read
/// from a file so the tests also run without the `aws-lc` feature, which RSA key generation
/// needs.
pub(crate) fn rsa_keys() -> &'static [Jwk; 3] {
    static KEYS: OnceLock<[Jwk; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let set = JwkSet::parse(include_bytes!("rsa-test-keys.json")).unwrap();
        let [a, b, c] = set.keys() else {
            panic!("three keys")
        };
        [a.clone(), b.clone(), c.clone()]
    })
}

pub(crate) fn key(i: usize, kid: &str, use_: &str) -> Jwk {
    rsa_keys()[i].clone().with_kid(kid).with_use(use_)
}

pub(crate) fn ec_key(kid: &str, use_: &str) -> Jwk {
    Jwk::generate(&KeySpec::Ec(Curve::P256))
        .unwrap()
        .with_kid(kid)
        .with_use(use_)
}

/// A valid partner set: one `sig` key, one `enc` key.
pub(crate) fn partner_set() -> JwkSet {
    JwkSet::new(vec![key(0, "sig-1", "sig"), key(1, "enc-1", "enc")])
}

pub(crate) fn set_json(keys: Vec<Jwk>) -> String {
    JwkSet::new(keys).to_private_json().to_string()
}
