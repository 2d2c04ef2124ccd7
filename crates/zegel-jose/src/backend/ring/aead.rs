//! AES-GCM through ring (128- and 256-bit keys; ring has no AES-192).

use ::ring::aead;

use crate::backend::Aead;
use crate::error::Error;

/// AES-GCM with one key size.
pub(crate) struct Gcm(&'static aead::Algorithm);

pub(crate) static AES_128_GCM: Gcm = Gcm(&aead::AES_128_GCM);
pub(crate) static AES_256_GCM: Gcm = Gcm(&aead::AES_256_GCM);

impl Gcm {
    fn key(&self, key: &[u8]) -> Result<aead::LessSafeKey, Error> {
        let key = aead::UnboundKey::new(self.0, key).map_err(|_| Error::DecryptionFailed)?;
        Ok(aead::LessSafeKey::new(key))
    }
}

impl Aead for Gcm {
    fn seal(&self, key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<Vec<u8>, Error> {
        let nonce =
            aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
        let tag = self
            .key(key)?
            .seal_in_place_separate_tag(nonce, aead::Aad::from(aad), buf)
            .map_err(|_| Error::DecryptionFailed)?;
        Ok(tag.as_ref().to_vec())
    }

    fn open(
        &self,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        let nonce =
            aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
        let tag = aead::Tag::try_from(tag).map_err(|_| Error::DecryptionFailed)?;
        self.key(key)?
            .open_in_place_separate_tag(nonce, aead::Aad::from(aad), tag, buf, 0..)
            .map_err(|_| Error::DecryptionFailed)?;
        Ok(())
    }
}
