//! AES key wrap (RFC 3394) through aws-lc-rs, with 128- and 256-bit KEKs.

use aws_lc_rs::key_wrap::{AES_128, AES_256, AesBlockCipher, KeyEncryptionKey, KeyWrap as _};

use crate::backend::KeyWrap;
use crate::error::Error;

/// AES key wrap with one KEK size.
pub(crate) struct Kw(&'static AesBlockCipher);

pub(crate) static KW_128: Kw = Kw(&AES_128);
pub(crate) static KW_256: Kw = Kw(&AES_256);

impl KeyWrap for Kw {
    fn wrap(&self, kek: &[u8], cek: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let k = KeyEncryptionKey::new(self.0, kek).map_err(|_| Error::DecryptionFailed)?;
        let n = k.wrap(cek, out).map_err(|_| Error::DecryptionFailed)?.len();
        if n == out.len() {
            Ok(())
        } else {
            Err(Error::DecryptionFailed)
        }
    }

    fn unwrap(&self, kek: &[u8], wrapped: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let k = KeyEncryptionKey::new(self.0, kek).map_err(|_| Error::DecryptionFailed)?;
        let n = k
            .unwrap(wrapped, out)
            .map_err(|_| Error::DecryptionFailed)?
            .len();
        if n == out.len() {
            Ok(())
        } else {
            Err(Error::DecryptionFailed)
        }
    }
}
