//! The JWE algorithm table: the only file that lists JWE algorithms (RFC 7518 §4, §5, RFC 8037).
//!
//! A key management algorithm is a [`KeyManagement`] and a content encryption algorithm a
//! [`ContentEncryption`]: opaque `static` values holding the RFC name, what key they need and
//! the implementation, which names its backend preference list (`prefer!`: the first library
//! compiled in wins) right in the row for AES-GCM, AES-GCM key wrap and RSA. The AES key wrap
//! of every KEK size (shared by `A*KW`, ECDH-ES+A*KW and PBES2) is picked in `keymgmt/aeskw.rs`,
//! AES-CBC in `content/cbc_hs.rs`, and ECDH per curve in `jwk/curve.rs`. [`ALL`] and [`ALL_ENC`] list every one of them, and
//! [`by_name`] and [`enc_by_name`] resolve exact RFC names.
//!
//! An algorithm the compiled-in backends cannot do (RSA and static-key ECDH without the
//! `aws-lc` feature, for example) still has its value here; using it returns
//! [`Error::AlgorithmUnavailable`](crate::Error::AlgorithmUnavailable).

use core::fmt;

use super::content::gcm::Gcm;
use super::content::{self, ContentCipher};
use super::keymgmt::gcmkw::GcmKw;
use super::keymgmt::rsa::Rsa;
use super::keymgmt::{self, KeyManager};
use crate::backend::{prefer, some};
use crate::jwk::{Jwk, KeyMaterial, KeyType};

/// What key a key management algorithm takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyReq {
    /// An RSA key.
    Rsa,
    /// An `oct` key of exactly this many bytes (AES key wrap, AES-GCM key wrap).
    Oct(usize),
    /// An `oct` key of exactly the content encryption key's length (`dir`).
    OctCek,
    /// An `oct` key of any length: a PBES2 password.
    Password,
    /// An `EC` or `OKP` key on one of the ECDH curves.
    Ecdh,
}

/// A JWE key management algorithm (`alg`, RFC 7518 §4).
///
/// Compare by address or by [`name`](Self::name); every value is one of the statics of this
/// module.
pub struct KeyManagement {
    name: &'static str,
    key: KeyReq,
    /// Whether the algorithm derives or is the CEK (`dir`, `ECDH-ES`): one recipient only.
    direct: bool,
    /// Whether the algorithm is only for decrypting legacy tokens.
    legacy: bool,
    /// The header parameters its key management reads (`iv`, `epk`, `p2s`...): a decryption
    /// plan copies these and no other (none for `dir`, RSA and AES key wrap; callgrind, `dir` +
    /// A256GCM: 2.4k instructions per token saved over copying every key parameter).
    header_params: &'static [&'static str],
    pub(crate) imp: &'static dyn KeyManager,
}

impl KeyManagement {
    const fn new(name: &'static str, key: KeyReq, imp: &'static dyn KeyManager) -> Self {
        Self {
            name,
            key,
            direct: false,
            legacy: false,
            header_params: &[],
            imp,
        }
    }

    const fn reads(mut self, names: &'static [&'static str]) -> Self {
        self.header_params = names;
        self
    }

    const fn direct(mut self) -> Self {
        self.direct = true;
        self
    }

    const fn legacy(mut self) -> Self {
        self.legacy = true;
        self
    }

    /// The RFC name, as in the `alg` header parameter.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the algorithm uses the key directly or agrees on the content encryption key
    /// (`dir`, `ECDH-ES`), so that a JWE can have only one recipient with it.
    #[must_use]
    pub const fn is_direct(&self) -> bool {
        self.direct
    }

    /// The header parameters the algorithm's key management reads when decrypting.
    pub(crate) const fn header_params(&self) -> &'static [&'static str] {
        self.header_params
    }

    /// Whether the algorithm exists only to decrypt legacy tokens (`RSA1_5`): it never
    /// encrypts, and decrypts only when named in the allowlist.
    #[must_use]
    pub const fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Whether the key's type (and curve) fit this algorithm. Lengths are checked when the key
    /// is used.
    #[must_use]
    pub fn fits(&self, key: &Jwk) -> bool {
        match (self.key, key.material()) {
            (KeyReq::Rsa, KeyMaterial::Rsa { .. }) => true,
            (KeyReq::Oct(len), KeyMaterial::Oct { k }) => k.len() == len,
            (KeyReq::OctCek | KeyReq::Password, KeyMaterial::Oct { .. }) => true,
            (KeyReq::Ecdh, KeyMaterial::Ec { crv, .. } | KeyMaterial::Okp { crv, .. }) => {
                crv.row().ecdh
            }
            _ => false,
        }
    }

    /// The key type this algorithm takes.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match self.key {
            KeyReq::Rsa => KeyType::Rsa,
            KeyReq::Oct(_) | KeyReq::OctCek | KeyReq::Password => KeyType::Oct,
            KeyReq::Ecdh => KeyType::Ec,
        }
    }

    /// Whether the compiled-in backends can both encrypt and decrypt with this algorithm.
    /// Without the `aws-lc` feature, RSA, ECDH-ES (which can still encrypt with an ephemeral
    /// key on P-256, P-384 and X25519) and `A192GCMKW` are not.
    #[must_use]
    pub fn is_available(&self) -> bool {
        self.imp.is_available()
    }

    pub(crate) fn key_req(&self) -> KeyReq {
        self.key
    }
}

impl fmt::Debug for KeyManagement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyManagement({})", self.name)
    }
}

impl PartialEq for KeyManagement {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for KeyManagement {}

/// A JWE content encryption algorithm (`enc`, RFC 7518 §5).
pub struct ContentEncryption {
    name: &'static str,
    key_len: usize,
    iv_len: usize,
    tag_len: usize,
    pub(crate) imp: &'static dyn ContentCipher,
}

impl ContentEncryption {
    const fn new(
        name: &'static str,
        key_len: usize,
        iv_len: usize,
        tag_len: usize,
        imp: &'static dyn ContentCipher,
    ) -> Self {
        Self {
            name,
            key_len,
            iv_len,
            tag_len,
            imp,
        }
    }

    /// The RFC name, as in the `enc` header parameter.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The length of the content encryption key in bytes (for AES-CBC-HMAC, the MAC key and
    /// the encryption key together).
    #[must_use]
    pub const fn key_len(&self) -> usize {
        self.key_len
    }

    /// The length of the initialization vector in bytes.
    #[must_use]
    pub const fn iv_len(&self) -> usize {
        self.iv_len
    }

    /// The length of the authentication tag in bytes.
    #[must_use]
    pub const fn tag_len(&self) -> usize {
        self.tag_len
    }

    /// Whether the compiled-in backends can encrypt and decrypt with this algorithm (without
    /// the `aws-lc` feature, `A192GCM` is not).
    #[must_use]
    pub fn is_available(&self) -> bool {
        self.imp.is_available()
    }
}

impl fmt::Debug for ContentEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentEncryption({})", self.name)
    }
}

impl PartialEq for ContentEncryption {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ContentEncryption {}

// ---- key management (RFC 7518 §4) ----

/// What AES-GCM key wrap reads (RFC 7518 §4.7.1).
const GCMKW_PARAMS: &[&str] = &["iv", "tag"];
/// What ECDH-ES reads (RFC 7518 §4.6.1).
const ECDH_PARAMS: &[&str] = &["epk", "apu", "apv"];
/// What PBES2 reads (RFC 7518 §4.8.1).
const PBES2_PARAMS: &[&str] = &["p2s", "p2c"];

/// `RSA-OAEP`: RSAES-OAEP with SHA-1 and MGF1-SHA-1 (RFC 7518 §4.3). Needs `aws-lc`.
pub static RSA_OAEP: KeyManagement = KeyManagement::new(
    "RSA-OAEP",
    KeyReq::Rsa,
    &Rsa::new("RSA-OAEP", prefer!(some; aws_lc::RSA_OAEP_SHA1), false),
);
/// `RSA-OAEP-256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 7518 §4.3). Needs `aws-lc`.
pub static RSA_OAEP_256: KeyManagement = KeyManagement::new(
    "RSA-OAEP-256",
    KeyReq::Rsa,
    &Rsa::new(
        "RSA-OAEP-256",
        prefer!(some; aws_lc::RSA_OAEP_SHA256),
        false,
    ),
);
/// `RSA-OAEP-384`: RSAES-OAEP with SHA-384 and MGF1-SHA-384 (IANA JOSE registry). Needs `aws-lc`.
pub static RSA_OAEP_384: KeyManagement = KeyManagement::new(
    "RSA-OAEP-384",
    KeyReq::Rsa,
    &Rsa::new(
        "RSA-OAEP-384",
        prefer!(some; aws_lc::RSA_OAEP_SHA384),
        false,
    ),
);
/// `RSA-OAEP-512`: RSAES-OAEP with SHA-512 and MGF1-SHA-512 (IANA JOSE registry). Needs `aws-lc`.
pub static RSA_OAEP_512: KeyManagement = KeyManagement::new(
    "RSA-OAEP-512",
    KeyReq::Rsa,
    &Rsa::new(
        "RSA-OAEP-512",
        prefer!(some; aws_lc::RSA_OAEP_SHA512),
        false,
    ),
);
/// `RSA1_5`: RSAES-PKCS1-v1_5 (RFC 7518 §4.2), for decrypting legacy tokens only.
///
/// # Security
/// PKCS #1 v1.5 encryption invites padding-oracle attacks (Bleichenbacher). It never encrypts,
/// and decrypts only when this value is named in the [`Decryptor`](super::Decryptor)'s
/// allowlist; a padding failure then continues with a random content encryption key
/// (RFC 7516 §11.5), so it shows only as a failed tag check. Needs `aws-lc`.
pub static RSA1_5_FOR_LEGACY_USE_ONLY: KeyManagement = KeyManagement::new(
    "RSA1_5",
    KeyReq::Rsa,
    &Rsa::new("RSA1_5", prefer!(some; aws_lc::RSA_PKCS1), true),
)
.legacy();
/// `A128KW`: AES key wrap with a 128-bit key (RFC 7518 §4.4).
pub static A128KW: KeyManagement =
    KeyManagement::new("A128KW", KeyReq::Oct(16), &keymgmt::aeskw::KW128);
/// `A192KW`: AES key wrap with a 192-bit key (RFC 7518 §4.4).
pub static A192KW: KeyManagement =
    KeyManagement::new("A192KW", KeyReq::Oct(24), &keymgmt::aeskw::KW192);
/// `A256KW`: AES key wrap with a 256-bit key (RFC 7518 §4.4).
pub static A256KW: KeyManagement =
    KeyManagement::new("A256KW", KeyReq::Oct(32), &keymgmt::aeskw::KW256);
/// `A128GCMKW`: key wrap with AES-GCM and a 128-bit key (RFC 7518 §4.7).
pub static A128GCMKW: KeyManagement = KeyManagement::new(
    "A128GCMKW",
    KeyReq::Oct(16),
    &GcmKw::new(16, prefer!(some; ring::AES_128_GCM, aws_lc::AES_128_GCM)),
)
.reads(GCMKW_PARAMS);
/// `A192GCMKW`: key wrap with AES-GCM and a 192-bit key (RFC 7518 §4.7). Needs `aws-lc`.
pub static A192GCMKW: KeyManagement = KeyManagement::new(
    "A192GCMKW",
    KeyReq::Oct(24),
    &GcmKw::new(24, prefer!(some; aws_lc::AES_192_GCM)),
)
.reads(GCMKW_PARAMS);
/// `A256GCMKW`: key wrap with AES-GCM and a 256-bit key (RFC 7518 §4.7).
pub static A256GCMKW: KeyManagement = KeyManagement::new(
    "A256GCMKW",
    KeyReq::Oct(32),
    &GcmKw::new(32, prefer!(some; ring::AES_256_GCM, aws_lc::AES_256_GCM)),
)
.reads(GCMKW_PARAMS);
/// `dir`: the shared symmetric key is the content encryption key (RFC 7518 §4.5).
pub static DIR: KeyManagement =
    KeyManagement::new("dir", KeyReq::OctCek, &keymgmt::dir::DIR).direct();
/// `ECDH-ES`: ephemeral-static ECDH and Concat KDF give the content encryption key
/// (RFC 7518 §4.6, RFC 8037 for X25519). Decryption needs `aws-lc`.
pub static ECDH_ES: KeyManagement =
    KeyManagement::new("ECDH-ES", KeyReq::Ecdh, &keymgmt::ecdh::DIRECT)
        .direct()
        .reads(ECDH_PARAMS);
/// `ECDH-ES+A128KW`: ECDH-ES, then AES key wrap with the derived 128-bit key. Decryption needs
/// `aws-lc`.
pub static ECDH_ES_A128KW: KeyManagement =
    KeyManagement::new("ECDH-ES+A128KW", KeyReq::Ecdh, &keymgmt::ecdh::KW128).reads(ECDH_PARAMS);
/// `ECDH-ES+A192KW`: ECDH-ES, then AES key wrap with the derived 192-bit key. Decryption needs
/// `aws-lc`.
pub static ECDH_ES_A192KW: KeyManagement =
    KeyManagement::new("ECDH-ES+A192KW", KeyReq::Ecdh, &keymgmt::ecdh::KW192).reads(ECDH_PARAMS);
/// `ECDH-ES+A256KW`: ECDH-ES, then AES key wrap with the derived 256-bit key. Decryption needs
/// `aws-lc`.
pub static ECDH_ES_A256KW: KeyManagement =
    KeyManagement::new("ECDH-ES+A256KW", KeyReq::Ecdh, &keymgmt::ecdh::KW256).reads(ECDH_PARAMS);
/// `PBES2-HS256+A128KW`: PBKDF2-HMAC-SHA-256 from a password, then A128KW (RFC 7518 §4.8).
pub static PBES2_HS256_A128KW: KeyManagement = KeyManagement::new(
    "PBES2-HS256+A128KW",
    KeyReq::Password,
    &keymgmt::pbes2::HS256_A128KW,
)
.reads(PBES2_PARAMS);
/// `PBES2-HS384+A192KW`: PBKDF2-HMAC-SHA-384 from a password, then A192KW (RFC 7518 §4.8).
pub static PBES2_HS384_A192KW: KeyManagement = KeyManagement::new(
    "PBES2-HS384+A192KW",
    KeyReq::Password,
    &keymgmt::pbes2::HS384_A192KW,
)
.reads(PBES2_PARAMS);
/// `PBES2-HS512+A256KW`: PBKDF2-HMAC-SHA-512 from a password, then A256KW (RFC 7518 §4.8).
pub static PBES2_HS512_A256KW: KeyManagement = KeyManagement::new(
    "PBES2-HS512+A256KW",
    KeyReq::Password,
    &keymgmt::pbes2::HS512_A256KW,
)
.reads(PBES2_PARAMS);

/// Every key management algorithm, `RSA1_5` included.
pub static ALL: &[&KeyManagement] = &[
    &RSA_OAEP,
    &RSA_OAEP_256,
    &RSA_OAEP_384,
    &RSA_OAEP_512,
    &RSA1_5_FOR_LEGACY_USE_ONLY,
    &A128KW,
    &A192KW,
    &A256KW,
    &A128GCMKW,
    &A192GCMKW,
    &A256GCMKW,
    &DIR,
    &ECDH_ES,
    &ECDH_ES_A128KW,
    &ECDH_ES_A192KW,
    &ECDH_ES_A256KW,
    &PBES2_HS256_A128KW,
    &PBES2_HS384_A192KW,
    &PBES2_HS512_A256KW,
];

/// The key management algorithm with this exact RFC name (`"RSA-OAEP-256"`), if any.
#[must_use]
pub fn by_name(name: &str) -> Option<&'static KeyManagement> {
    ALL.iter().copied().find(|a| a.name == name)
}

// ---- content encryption (RFC 7518 §5) ----

/// `A128CBC-HS256`: AES-128-CBC with HMAC-SHA-256, 128-bit tag (RFC 7518 §5.2.3).
pub static A128CBC_HS256: ContentEncryption =
    ContentEncryption::new("A128CBC-HS256", 32, 16, 16, &content::cbc_hs::A128CBC_HS256);
/// `A192CBC-HS384`: AES-192-CBC with HMAC-SHA-384, 192-bit tag (RFC 7518 §5.2.4).
pub static A192CBC_HS384: ContentEncryption =
    ContentEncryption::new("A192CBC-HS384", 48, 16, 24, &content::cbc_hs::A192CBC_HS384);
/// `A256CBC-HS512`: AES-256-CBC with HMAC-SHA-512, 256-bit tag (RFC 7518 §5.2.5).
pub static A256CBC_HS512: ContentEncryption =
    ContentEncryption::new("A256CBC-HS512", 64, 16, 32, &content::cbc_hs::A256CBC_HS512);
/// `A128GCM`: AES-128-GCM (RFC 7518 §5.3).
pub static A128GCM: ContentEncryption = ContentEncryption::new(
    "A128GCM",
    16,
    12,
    16,
    &Gcm::new(
        "A128GCM",
        prefer!(some; ring::AES_128_GCM, aws_lc::AES_128_GCM),
    ),
);
/// `A192GCM`: AES-192-GCM (RFC 7518 §5.3). Needs `aws-lc`.
pub static A192GCM: ContentEncryption = ContentEncryption::new(
    "A192GCM",
    24,
    12,
    16,
    &Gcm::new("A192GCM", prefer!(some; aws_lc::AES_192_GCM)),
);
/// `A256GCM`: AES-256-GCM (RFC 7518 §5.3).
pub static A256GCM: ContentEncryption = ContentEncryption::new(
    "A256GCM",
    32,
    12,
    16,
    &Gcm::new(
        "A256GCM",
        prefer!(some; ring::AES_256_GCM, aws_lc::AES_256_GCM),
    ),
);

/// Every content encryption algorithm.
pub static ALL_ENC: &[&ContentEncryption] = &[
    &A128CBC_HS256,
    &A192CBC_HS384,
    &A256CBC_HS512,
    &A128GCM,
    &A192GCM,
    &A256GCM,
];

/// The content encryption algorithm with this exact RFC name (`"A128CBC-HS256"`), if any.
#[must_use]
pub fn enc_by_name(name: &str) -> Option<&'static ContentEncryption> {
    ALL_ENC.iter().copied().find(|a| a.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_copy_the_header_parameters_key_management_reads() {
        for alg in ALL {
            let want: &[&str] = match alg.key_req() {
                KeyReq::Ecdh => &["epk", "apu", "apv"],
                KeyReq::Password => &["p2s", "p2c"],
                _ if alg.name().contains("GCMKW") => &["iv", "tag"],
                _ => &[],
            };
            assert_eq!(alg.header_params(), want, "{}", alg.name());
        }
    }

    #[test]
    fn availability_follows_features() {
        let lc = cfg!(feature = "aws-lc");
        for a in [
            &RSA_OAEP,
            &RSA_OAEP_256,
            &RSA1_5_FOR_LEGACY_USE_ONLY,
            &ECDH_ES,
            &ECDH_ES_A256KW,
            &A192GCMKW,
        ] {
            assert_eq!(a.is_available(), lc, "{a:?}");
        }
        for a in [&A128KW, &A192KW, &A256GCMKW, &DIR, &PBES2_HS512_A256KW] {
            assert!(a.is_available(), "{a:?}");
        }
        assert_eq!(A192GCM.is_available(), lc);
        assert!(A128CBC_HS256.is_available() && A192CBC_HS384.is_available());
        assert!(A128GCM.is_available() && A256GCM.is_available());
    }

    #[test]
    fn names_resolve_exactly() {
        for a in ALL {
            assert_eq!(by_name(a.name()), Some(*a));
        }
        for e in ALL_ENC {
            assert_eq!(enc_by_name(e.name()), Some(*e));
        }
        assert_eq!(by_name("rsa-oaep"), None);
        assert_eq!(by_name("none"), None);
        assert_eq!(enc_by_name("A128GCM "), None);
        assert_eq!(ALL.len(), 19);
        assert_eq!(ALL_ENC.len(), 6);
        assert!(RSA1_5_FOR_LEGACY_USE_ONLY.is_legacy());
        assert!(DIR.is_direct() && ECDH_ES.is_direct() && !ECDH_ES_A128KW.is_direct());
    }
}
