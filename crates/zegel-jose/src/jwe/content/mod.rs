//! Content encryption backends (RFC 7518 §5): AES-CBC with HMAC-SHA-2, and AES-GCM.

pub(crate) mod cbc_hs;
pub(crate) mod gcm;

use crate::error::Error;

/// One content encryption algorithm's implementation. Sealed: the trait is private to the
/// crate, so only the statics of [`alg`](super::alg) implement it.
pub(crate) trait ContentCipher: Sync + Send {
    /// Encrypts `buf` in place (it may grow by padding; the caller reserves room) and returns
    /// the authentication tag. `cek` and `iv` have the algorithm's lengths.
    fn seal(&self, cek: &[u8], iv: &[u8], aad: &[u8], buf: &mut Vec<u8>) -> Result<Vec<u8>, Error>;

    /// Checks the tag, then decrypts `buf` in place and truncates it to the plaintext.
    /// Every failure is [`Error::DecryptionFailed`].
    fn open(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<(), Error>;

    /// Whether the compiled-in backends can do this algorithm.
    fn is_available(&self) -> bool {
        true
    }
}
