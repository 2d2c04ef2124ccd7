//! Shared fixtures: the test keys (made by jwcrypto) and vector files.

use serde_json::Value;
use zegel_jose::Jwk;
use zegel_jose::jwe::KeyManagement;
use zegel_jose::jwk::JwkSet;

pub(crate) const NOW: u64 = 1_700_000_100;

pub(crate) fn keys() -> Value {
    serde_json::from_str(include_str!("../vectors/keys.json")).unwrap()
}

/// The private key named `name` in `keys.json`.
pub(crate) fn key(name: &str) -> Jwk {
    Jwk::parse(keys()[name].to_string().as_bytes()).unwrap()
}

/// The public part of the key named `name`.
pub(crate) fn public(name: &str) -> Jwk {
    key(name).to_public().unwrap()
}

/// The partner's private decryption keys during a rotation: the new key first.
pub(crate) fn partner_set() -> JwkSet {
    JwkSet::new(vec![key("partner_enc_new"), key("partner_enc_old")])
}

/// The issuer's public JWK Set.
pub(crate) fn issuer_set() -> JwkSet {
    JwkSet::new(vec![
        public("issuer_rsa"),
        public("issuer_ec"),
        public("issuer_ed"),
    ])
}

pub(crate) fn hmac_key() -> Jwk {
    Jwk::parse(br#"{"kty":"oct","kid":"hs","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#).unwrap()
}

/// Whether every JWE algorithm of `algs` works in this build. Without the `aws-lc` feature
/// (ring alone) RSA key management is unavailable, and the tests that need it return early;
/// zegel-jose's `jwe_ring` tests check that it then fails with `AlgorithmUnavailable`.
pub(crate) fn available(algs: &[&'static KeyManagement]) -> bool {
    algs.iter().all(|a| a.is_available())
}
