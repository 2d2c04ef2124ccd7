//! The JWS algorithms (RFC 7518 §3, RFC 8037 §3.1, RFC 8812 §3.2, RFC 9864 §2.2): the only file
//! that lists them.
//!
//! Each algorithm is one `pub static` row: its RFC name, the key it needs, and the preference
//! list of backends that compute it (`prefer!`: the first library compiled in wins). Adding an
//! algorithm means one row here, one entry in [`ALL`], the backend implementation in
//! `backend/<library>/jws.rs` and test vectors (CONTRIBUTING.md). `none` has no row, so it can
//! never be named in an allowlist nor accepted.

use core::fmt;

use crate::backend::{Backend, prefer, signature};
use crate::error::{Error, KeyError};
use crate::hash::HashAlg;
use crate::jwk::{Curve, Jwk, KeyMaterial};

/// What key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyReq {
    /// An RSA key (the modulus size is bounded by the backend: 2048 to 8192 bits).
    Rsa,
    /// An `EC` key on this curve.
    Ec(Curve),
    /// An `OKP` key on this curve.
    Okp(Curve),
    /// An `oct` key of at least this many bytes (the hash output size, RFC 7518 §3.2).
    Oct {
        /// The minimum length in bytes.
        min_len: usize,
    },
}

/// A JWS signature or MAC algorithm.
///
/// The values are the statics of this module ([`RS256`], [`ES256`], …), gathered in [`ALL`] and
/// found by name with [`by_name`]. Two values are equal when they are the same algorithm.
pub struct JwsAlgorithm {
    name: &'static str,
    key: KeyReq,
    hash: HashAlg,
    backend: Backend,
}

impl JwsAlgorithm {
    const fn new(name: &'static str, hash: HashAlg, key: KeyReq, backend: Backend) -> Self {
        Self {
            name,
            key,
            hash,
            backend,
        }
    }

    /// The registered name, as it appears in the `alg` header parameter (`"ES256"`).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The hash function of this algorithm: SHA-256 for `*256` and `ES256K`, SHA-384 for
    /// `*384`, SHA-512 for `*512`, `EdDSA` and `Ed25519` (RFC 8032 §5.1). It is also the hash of
    /// the OpenID Connect `at_hash`, `c_hash` and `s_hash` claims of an ID token signed with
    /// this algorithm (OpenID Connect Core §3.1.3.6 and errata set 2 for `EdDSA`).
    #[must_use]
    pub const fn hash_alg(&self) -> HashAlg {
        self.hash
    }

    /// Whether `key` has the key type (and curve) this algorithm needs. An RSA, EC or OKP key
    /// never fits an HMAC algorithm, and an `oct` key fits only HMAC.
    #[must_use]
    pub fn fits(&self, key: &Jwk) -> bool {
        self.fits_material(key.material())
    }

    /// Whether the crypto backends compiled in can compute this algorithm (ES512 and ES256K
    /// need the `aws-lc` feature).
    #[must_use]
    pub fn is_available(&self) -> bool {
        self.backend.sign.is_some() && self.backend.verify.is_some()
    }

    pub(crate) fn fits_material(&self, m: &KeyMaterial) -> bool {
        match (self.key, m) {
            (KeyReq::Rsa, KeyMaterial::Rsa { .. })
            | (KeyReq::Oct { .. }, KeyMaterial::Oct { .. }) => true,
            (KeyReq::Ec(want), KeyMaterial::Ec { crv, .. })
            | (KeyReq::Okp(want), KeyMaterial::Okp { crv, .. }) => want == *crv,
            _ => false,
        }
    }

    /// Checks that `m` fits this algorithm: key type, curve, and HMAC key length.
    pub(crate) fn check_material(&self, m: &KeyMaterial) -> Result<(), Error> {
        if !self.fits_material(m) {
            return Err(KeyError::WrongKeyType { alg: self.name }.into());
        }
        if let (KeyReq::Oct { min_len }, KeyMaterial::Oct { k }) = (self.key, m)
            && k.len() < min_len
        {
            return Err(KeyError::WrongLength {
                expected: min_len,
                actual: k.len(),
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }
}

impl fmt::Debug for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwsAlgorithm({})", self.name)
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for JwsAlgorithm {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for JwsAlgorithm {}

/// HMAC using SHA-256 (RFC 7518 §3.2); the key must be at least 32 bytes.
pub static HS256: JwsAlgorithm = JwsAlgorithm::new(
    "HS256",
    HashAlg::Sha256,
    KeyReq::Oct { min_len: 32 },
    prefer!(signature; aws_lc::HMAC_SHA256, ring::HMAC_SHA256),
);
/// HMAC using SHA-384 (RFC 7518 §3.2); the key must be at least 48 bytes.
pub static HS384: JwsAlgorithm = JwsAlgorithm::new(
    "HS384",
    HashAlg::Sha384,
    KeyReq::Oct { min_len: 48 },
    prefer!(signature; aws_lc::HMAC_SHA384, ring::HMAC_SHA384),
);
/// HMAC using SHA-512 (RFC 7518 §3.2); the key must be at least 64 bytes.
pub static HS512: JwsAlgorithm = JwsAlgorithm::new(
    "HS512",
    HashAlg::Sha512,
    KeyReq::Oct { min_len: 64 },
    prefer!(signature; aws_lc::HMAC_SHA512, ring::HMAC_SHA512),
);
/// RSASSA-PKCS1-v1_5 using SHA-256 (RFC 7518 §3.3).
pub static RS256: JwsAlgorithm = JwsAlgorithm::new(
    "RS256",
    HashAlg::Sha256,
    KeyReq::Rsa,
    prefer!(signature; aws_lc::RSA_PKCS1_SHA256, ring::RSA_PKCS1_SHA256),
);
/// RSASSA-PKCS1-v1_5 using SHA-384 (RFC 7518 §3.3).
pub static RS384: JwsAlgorithm = JwsAlgorithm::new(
    "RS384",
    HashAlg::Sha384,
    KeyReq::Rsa,
    prefer!(signature; aws_lc::RSA_PKCS1_SHA384, ring::RSA_PKCS1_SHA384),
);
/// RSASSA-PKCS1-v1_5 using SHA-512 (RFC 7518 §3.3).
pub static RS512: JwsAlgorithm = JwsAlgorithm::new(
    "RS512",
    HashAlg::Sha512,
    KeyReq::Rsa,
    prefer!(signature; aws_lc::RSA_PKCS1_SHA512, ring::RSA_PKCS1_SHA512),
);
/// RSASSA-PSS using SHA-256 and MGF1 with SHA-256 (RFC 7518 §3.5).
pub static PS256: JwsAlgorithm = JwsAlgorithm::new(
    "PS256",
    HashAlg::Sha256,
    KeyReq::Rsa,
    prefer!(signature; aws_lc::RSA_PSS_SHA256, ring::RSA_PSS_SHA256),
);
/// RSASSA-PSS using SHA-384 and MGF1 with SHA-384 (RFC 7518 §3.5).
pub static PS384: JwsAlgorithm = JwsAlgorithm::new(
    "PS384",
    HashAlg::Sha384,
    KeyReq::Rsa,
    prefer!(signature; aws_lc::RSA_PSS_SHA384, ring::RSA_PSS_SHA384),
);
/// RSASSA-PSS using SHA-512 and MGF1 with SHA-512 (RFC 7518 §3.5).
pub static PS512: JwsAlgorithm = JwsAlgorithm::new(
    "PS512",
    HashAlg::Sha512,
    KeyReq::Rsa,
    prefer!(signature; aws_lc::RSA_PSS_SHA512, ring::RSA_PSS_SHA512),
);
/// ECDSA using P-256 and SHA-256 (RFC 7518 §3.4).
pub static ES256: JwsAlgorithm = JwsAlgorithm::new(
    "ES256",
    HashAlg::Sha256,
    KeyReq::Ec(Curve::P256),
    prefer!(signature; aws_lc::ECDSA_P256_SHA256, ring::ECDSA_P256_SHA256),
);
/// ECDSA using P-384 and SHA-384 (RFC 7518 §3.4).
pub static ES384: JwsAlgorithm = JwsAlgorithm::new(
    "ES384",
    HashAlg::Sha384,
    KeyReq::Ec(Curve::P384),
    prefer!(signature; aws_lc::ECDSA_P384_SHA384, ring::ECDSA_P384_SHA384),
);
/// ECDSA using P-521 and SHA-512 (RFC 7518 §3.4); needs the `aws-lc` feature.
pub static ES512: JwsAlgorithm = JwsAlgorithm::new(
    "ES512",
    HashAlg::Sha512,
    KeyReq::Ec(Curve::P521),
    prefer!(signature; aws_lc::ECDSA_P521_SHA512),
);
/// ECDSA using secp256k1 and SHA-256 (RFC 8812 §3.2); needs the `aws-lc` feature.
pub static ES256K: JwsAlgorithm = JwsAlgorithm::new(
    "ES256K",
    HashAlg::Sha256,
    KeyReq::Ec(Curve::Secp256k1),
    prefer!(signature; aws_lc::ECDSA_SECP256K1_SHA256),
);
/// EdDSA with Ed25519 (RFC 8037 §3.1). Ed448 is not supported.
pub static EDDSA: JwsAlgorithm = JwsAlgorithm::new(
    "EdDSA",
    HashAlg::Sha512,
    KeyReq::Okp(Curve::Ed25519),
    prefer!(signature; aws_lc::ED25519, ring::ED25519),
);

/// Ed25519, fully specified (RFC 9864 §2.2): the same signature as [`EDDSA`] with an Ed25519
/// key, but the name alone says the curve, so an `Ed448` or `X25519` key never fits it.
pub static ED25519: JwsAlgorithm = JwsAlgorithm::new(
    "Ed25519",
    HashAlg::Sha512,
    KeyReq::Okp(Curve::Ed25519),
    prefer!(signature; aws_lc::ED25519, ring::ED25519),
);

/// Every JWS algorithm this crate knows, available or not.
pub static ALL: &[&JwsAlgorithm] = &[
    &HS256, &HS384, &HS512, &RS256, &RS384, &RS512, &PS256, &PS384, &PS512, &ES256, &ES384, &ES512,
    &ES256K, &EDDSA, &ED25519,
];

/// The algorithm with this exact registered name (case-sensitive); `None` for unknown names and
/// for `none`.
#[must_use]
pub fn by_name(name: &str) -> Option<&'static JwsAlgorithm> {
    ALL.iter().copied().find(|a| a.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_exactly() {
        for alg in ALL {
            assert_eq!(by_name(alg.name()), Some(*alg));
        }
        assert_eq!(by_name("none"), None);
        assert_eq!(by_name("rs256"), None);
        assert_eq!(by_name("HS256 "), None);
        assert_eq!(ALL.len(), 15);
        assert_eq!(by_name("Ed25519"), Some(&ED25519));
        assert_eq!(by_name("ed25519"), None);
        assert_eq!(format!("{ES256K:?} {EDDSA}"), "JwsAlgorithm(ES256K) EdDSA");
    }

    #[test]
    fn hashes_follow_the_table() {
        let hash = |algs: &[&JwsAlgorithm]| algs.iter().map(|a| a.hash_alg()).collect::<Vec<_>>();
        assert_eq!(
            hash(&[&HS256, &RS256, &PS256, &ES256, &ES256K]),
            [HashAlg::Sha256; 5]
        );
        assert_eq!(
            hash(&[&HS384, &RS384, &PS384, &ES384]),
            [HashAlg::Sha384; 4]
        );
        assert_eq!(
            hash(&[&HS512, &RS512, &PS512, &ES512, &EDDSA, &ED25519]),
            [HashAlg::Sha512; 6]
        );
        assert_eq!(HashAlg::Sha384.output_len(), 48);
        assert_eq!(HashAlg::Sha256.digest(b"abc").len(), 32);
    }

    #[test]
    fn availability_follows_features() {
        assert!(HS256.is_available() && RS256.is_available() && EDDSA.is_available());
        assert!(ED25519.is_available());
        assert_eq!(ES512.is_available(), cfg!(feature = "aws-lc"));
        assert_eq!(ES256K.is_available(), cfg!(feature = "aws-lc"));
    }
}
