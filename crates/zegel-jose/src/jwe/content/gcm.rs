//! AES-GCM content encryption (RFC 7518 §5.3): ring for 128- and 256-bit keys (the faster
//! backend here), aws-lc-rs for 192-bit keys, which ring does not have.

use ring::aead;

use super::ContentCipher;
use crate::error::Error;

/// AES-GCM through ring.
pub(crate) struct RingGcm(&'static aead::Algorithm);

pub(crate) static A128GCM: RingGcm = RingGcm(&aead::AES_128_GCM);
pub(crate) static A256GCM: RingGcm = RingGcm(&aead::AES_256_GCM);
#[cfg(feature = "aws-lc")]
pub(crate) static A192GCM: LcGcm = LcGcm(&aws_lc_rs::aead::AES_192_GCM);
#[cfg(not(feature = "aws-lc"))]
pub(crate) static A192GCM: super::Unavailable = super::Unavailable("A192GCM");

/// Seals `buf` in place with AES-GCM through ring; returns the 16-byte tag.
pub(crate) fn ring_seal(
    alg: &'static aead::Algorithm,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<Vec<u8>, Error> {
    let key = aead::UnboundKey::new(alg, key).map_err(|_| Error::DecryptionFailed)?;
    let nonce = aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
    let tag = aead::LessSafeKey::new(key)
        .seal_in_place_separate_tag(nonce, aead::Aad::from(aad), buf)
        .map_err(|_| Error::DecryptionFailed)?;
    Ok(tag.as_ref().to_vec())
}

/// Opens `buf` in place with AES-GCM through ring; `buf` keeps its length (GCM does not pad).
pub(crate) fn ring_open(
    alg: &'static aead::Algorithm,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8],
) -> Result<(), Error> {
    let key = aead::UnboundKey::new(alg, key).map_err(|_| Error::DecryptionFailed)?;
    let nonce = aead::Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
    let tag = aead::Tag::try_from(tag).map_err(|_| Error::DecryptionFailed)?;
    aead::LessSafeKey::new(key)
        .open_in_place_separate_tag(nonce, aead::Aad::from(aad), tag, buf, 0..)
        .map_err(|_| Error::DecryptionFailed)?;
    Ok(())
}

impl ContentCipher for RingGcm {
    fn seal(&self, cek: &[u8], iv: &[u8], aad: &[u8], buf: &mut Vec<u8>) -> Result<Vec<u8>, Error> {
        ring_seal(self.0, cek, iv, aad, buf)
    }

    fn open(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<(), Error> {
        ring_open(self.0, cek, iv, aad, buf, tag)
    }
}

/// AES-GCM through aws-lc-rs.
#[cfg(feature = "aws-lc")]
pub(crate) struct LcGcm(pub(crate) &'static aws_lc_rs::aead::Algorithm);

#[cfg(feature = "aws-lc")]
impl LcGcm {
    pub(crate) fn seal_in_place(
        &self,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<Vec<u8>, Error> {
        use aws_lc_rs::aead as lc;
        let key = lc::UnboundKey::new(self.0, key).map_err(|_| Error::DecryptionFailed)?;
        let nonce =
            lc::Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
        let tag = lc::LessSafeKey::new(key)
            .seal_in_place_separate_tag(nonce, lc::Aad::from(aad), buf)
            .map_err(|_| Error::DecryptionFailed)?;
        Ok(tag.as_ref().to_vec())
    }

    pub(crate) fn open_in_place(
        &self,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        use aws_lc_rs::aead as lc;
        let key = lc::UnboundKey::new(self.0, key).map_err(|_| Error::DecryptionFailed)?;
        let nonce =
            lc::Nonce::try_assume_unique_for_key(iv).map_err(|_| Error::DecryptionFailed)?;
        lc::LessSafeKey::new(key)
            .open_in_place_separate_tag(nonce, lc::Aad::from(aad), tag, buf)
            .map_err(|_| Error::DecryptionFailed)?;
        Ok(())
    }
}

#[cfg(feature = "aws-lc")]
impl ContentCipher for LcGcm {
    fn seal(&self, cek: &[u8], iv: &[u8], aad: &[u8], buf: &mut Vec<u8>) -> Result<Vec<u8>, Error> {
        self.seal_in_place(cek, iv, aad, buf)
    }

    fn open(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<(), Error> {
        self.open_in_place(cek, iv, aad, buf, tag)
    }
}
