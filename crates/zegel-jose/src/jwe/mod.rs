//! JSON Web Encryption (RFC 7516) with the JWA algorithms of RFC 7518 and X25519 (RFC 8037).
//!
//! - Algorithms are the statics of [`alg`](self): key management ([`KeyManagement`]:
//!   [`RSA_OAEP_256`], [`A256KW`], [`DIR`], [`ECDH_ES`], [`PBES2_HS256_A128KW`], ...) and
//!   content encryption ([`ContentEncryption`]: [`A128CBC_HS256`], [`A256GCM`], ...).
//! - [`Encryptor`] writes the compact, flattened JSON and general JSON serializations;
//!   [`encrypt_compact`] is the one-line form.
//! - [`Decryptor`] decrypts any serialization, given the `alg` and `enc` values the caller
//!   accepts. Every cryptographic failure is [`Error::DecryptionFailed`](crate::Error).
//! - [`UnverifiedJwe::parse`] reads a token's structure and headers, nothing more.
//!
//! ```
//! use zegel_jose::jwe::{self, Decryptor};
//! use zegel_jose::Jwk;
//! use zegel_jose::jwk::KeySpec;
//! let key = Jwk::generate(&KeySpec::Oct { bytes: 32 })?;
//! let token = jwe::encrypt_compact(b"hello", &key, &jwe::DIR, &jwe::A256GCM)?;
//! let decrypted = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM]).decrypt(token.as_bytes(), &key)?;
//! assert_eq!(decrypted.plaintext(), b"hello");
//! # Ok::<(), zegel_jose::Error>(())
//! ```
//!
//! # Backends
//! ring does AES-GCM (128, 256), HMAC, SHA-2, PBKDF2 and ephemeral ECDH on P-256, P-384 and
//! X25519; aws-lc-rs (feature `aws-lc`, on by default) does RSA, AES-CBC, AES key wrap,
//! static-key ECDH, P-521 and AES-192-GCM. The RustCrypto `aes-kw` and `cbc` crates cover
//! AES key wrap with 192-bit keys, and both without `aws-lc`. Without `aws-lc`, RSA,
//! ECDH-ES decryption, P-521 and the 192-bit GCM algorithms return
//! [`Error::AlgorithmUnavailable`](crate::Error).

mod alg;
mod compact;
mod content;
pub mod dangerous;
mod decrypt;
mod decrypter;
mod encrypt;
mod header;
mod json;
mod keymgmt;
mod token;
mod zip;

pub use alg::{
    A128CBC_HS256, A128GCM, A128GCMKW, A128KW, A192CBC_HS384, A192GCM, A192GCMKW, A192KW,
    A256CBC_HS512, A256GCM, A256GCMKW, A256KW, ALL, ALL_ENC, ContentEncryption, DIR, ECDH_ES,
    ECDH_ES_A128KW, ECDH_ES_A192KW, ECDH_ES_A256KW, KeyManagement, PBES2_HS256_A128KW,
    PBES2_HS384_A192KW, PBES2_HS512_A256KW, RSA_OAEP, RSA_OAEP_256, RSA_OAEP_384, RSA_OAEP_512,
    RSA1_5_FOR_LEGACY_USE_ONLY, by_name, enc_by_name,
};
pub use decrypt::{
    DEFAULT_MAX_KEY_OPERATIONS, DEFAULT_MAX_P2C, Decrypted, Decryptor, PBES2_BUDGET_FACTOR,
};
pub use decrypter::Decrypter;
pub use encrypt::{DEFAULT_P2C, Encryptor, Recipient, encrypt_compact};
pub use header::JweHeader;
pub use token::{
    DEFAULT_MAX_HEADER_MEMBERS, DEFAULT_MAX_RECIPIENTS, DEFAULT_MAX_TOKEN_LEN, Serialization,
    UnverifiedJwe,
};
pub use zip::DEFAULT_MAX_PLAINTEXT;
