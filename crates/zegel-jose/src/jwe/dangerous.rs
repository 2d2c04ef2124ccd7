//! Things that skip a check or weaken encryption, named so they stand out in review.

use crate::error::Error;
use crate::jwk::Jwk;
use crate::secret::SecretBytes;

use super::token::UnverifiedJwe;

/// Reads a JWE's structure and headers without decrypting anything (for `zegel inspect`).
///
/// # Security
/// Nothing returned is authenticated: never act on these headers beyond display or routing.
///
/// # Errors
/// As [`UnverifiedJwe::parse`].
pub fn decode_unverified(token: &[u8]) -> Result<UnverifiedJwe, Error> {
    UnverifiedJwe::parse(token)
}

/// Values an [`Encryptor`](super::Encryptor) would otherwise draw at random, to reproduce
/// published test vectors byte for byte.
///
/// # Security
/// A fixed CEK, IV, ephemeral key or salt used twice destroys the confidentiality of every
/// message encrypted with it. Use only for test vectors.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct FixedValues {
    /// The content encryption key.
    pub cek: Option<SecretBytes>,
    /// The content encryption IV.
    pub iv: Option<Vec<u8>>,
    /// The ECDH-ES ephemeral private key (needs the `aws-lc` feature).
    pub epk: Option<Jwk>,
    /// The PBES2 salt input (`p2s`).
    pub p2s: Option<Vec<u8>>,
    /// The AES-GCM key wrap IV.
    pub kw_iv: Option<Vec<u8>>,
    /// The protected header exactly as it should be serialized. It must parse to the same
    /// JSON object the encryptor would write.
    pub protected: Option<Vec<u8>>,
}
