//! AES-GCM content encryption (RFC 7518 §5.3), on the preferred backend for each key size:
//! ring for 128- and 256-bit keys (1.67x faster), aws-lc-rs for 192-bit keys, which ring does
//! not have.

use super::ContentCipher;
use crate::backend::{Aead, prefer, some};
use crate::error::Error;

/// AES-GCM with one key size, on the first backend compiled in that has it.
pub(crate) struct Gcm {
    name: &'static str,
    aead: Option<&'static dyn Aead>,
}

impl Gcm {
    /// The AEAD, or [`Error::AlgorithmUnavailable`].
    pub(crate) fn aead(&self) -> Result<&'static dyn Aead, Error> {
        self.aead
            .ok_or(Error::AlgorithmUnavailable { alg: self.name })
    }
}

pub(crate) static A128GCM: Gcm = Gcm {
    name: "A128GCM",
    aead: prefer!(some; ring::AES_128_GCM, aws_lc::AES_128_GCM),
};
pub(crate) static A192GCM: Gcm = Gcm {
    name: "A192GCM",
    aead: prefer!(some; aws_lc::AES_192_GCM),
};
pub(crate) static A256GCM: Gcm = Gcm {
    name: "A256GCM",
    aead: prefer!(some; ring::AES_256_GCM, aws_lc::AES_256_GCM),
};

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
