//! AES-CBC with HMAC-SHA-2 (RFC 7518 §5.2): encrypt-then-MAC.
//!
//! The CEK is the MAC key followed by the encryption key, each half of it. The tag is the first
//! half of HMAC(MAC key, AAD ‖ IV ‖ ciphertext ‖ AL), AL being the AAD length in bits as a
//! 64-bit big-endian number. Decryption checks the full-length tag in constant time before any
//! decryption or unpadding, so padding is never an oracle.
//!
//! HMAC and SHA-2 come from ring. AES-CBC comes from aws-lc-rs when the `aws-lc` feature is on,
//! from the RustCrypto `cbc` and `aes` crates otherwise.

use ring::hmac;
use subtle::ConstantTimeEq;

use super::ContentCipher;
use crate::error::Error;

/// One AES-CBC-HMAC-SHA-2 algorithm.
pub(crate) struct CbcHs {
    hmac: hmac::Algorithm,
    /// The AES key length (half the CEK); also the tag length.
    half: usize,
}

pub(crate) static A128CBC_HS256: CbcHs = CbcHs {
    hmac: hmac::HMAC_SHA256,
    half: 16,
};
pub(crate) static A192CBC_HS384: CbcHs = CbcHs {
    hmac: hmac::HMAC_SHA384,
    half: 24,
};
pub(crate) static A256CBC_HS512: CbcHs = CbcHs {
    hmac: hmac::HMAC_SHA512,
    half: 32,
};

impl CbcHs {
    fn split<'k>(&self, cek: &'k [u8]) -> Result<(&'k [u8], &'k [u8]), Error> {
        if cek.len() != self.half * 2 {
            return Err(Error::DecryptionFailed);
        }
        Ok(cek.split_at(self.half))
    }

    /// The full HMAC over AAD ‖ IV ‖ ciphertext ‖ AL.
    fn mac(
        &self,
        mac_key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<hmac::Tag, Error> {
        let al = u64::try_from(aad.len())
            .ok()
            .and_then(|n| n.checked_mul(8))
            .ok_or(Error::TooLarge {
                part: crate::error::Part::Aad,
                limit: usize::MAX / 8,
            })?;
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(self.hmac, mac_key));
        ctx.update(aad);
        ctx.update(iv);
        ctx.update(ciphertext);
        ctx.update(&al.to_be_bytes());
        Ok(ctx.sign())
    }
}

impl ContentCipher for CbcHs {
    fn seal(&self, cek: &[u8], iv: &[u8], aad: &[u8], buf: &mut Vec<u8>) -> Result<Vec<u8>, Error> {
        let (mac_key, enc_key) = self.split(cek)?;
        cbc::encrypt(enc_key, iv, buf)?;
        let tag = self.mac(mac_key, iv, aad, buf)?;
        Ok(tag
            .as_ref()
            .get(..self.half)
            .ok_or(Error::DecryptionFailed)?
            .to_vec())
    }

    fn open(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut Vec<u8>,
        tag: &[u8],
    ) -> Result<(), Error> {
        let (mac_key, enc_key) = self.split(cek)?;
        let full = self.mac(mac_key, iv, aad, buf)?;
        let expected = full
            .as_ref()
            .get(..self.half)
            .ok_or(Error::DecryptionFailed)?;
        // Lengths are public; the comparison of equal-length tags runs in constant time.
        if tag.len() != expected.len() || !bool::from(expected.ct_eq(tag)) {
            return Err(Error::DecryptionFailed);
        }
        let len = cbc::decrypt(enc_key, iv, buf)?;
        buf.truncate(len);
        Ok(())
    }
}

#[cfg(feature = "aws-lc")]
mod cbc {
    //! AES-CBC with PKCS #7 padding through aws-lc-rs.

    use aws_lc_rs::cipher::{
        AES_128, AES_192, AES_256, Algorithm, DecryptionContext, EncryptionContext,
        PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
    };
    use aws_lc_rs::iv::FixedLength;

    use crate::error::Error;

    fn algorithm(key: &[u8]) -> Result<&'static Algorithm, Error> {
        Ok(match key.len() {
            16 => &AES_128,
            24 => &AES_192,
            32 => &AES_256,
            _ => return Err(Error::DecryptionFailed),
        })
    }

    fn iv(iv: &[u8]) -> Result<[u8; 16], Error> {
        iv.try_into().map_err(|_| Error::DecryptionFailed)
    }

    /// Pads and encrypts `buf` in place.
    pub(super) fn encrypt(key: &[u8], iv_bytes: &[u8], buf: &mut Vec<u8>) -> Result<(), Error> {
        let key =
            UnboundCipherKey::new(algorithm(key)?, key).map_err(|_| Error::DecryptionFailed)?;
        let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).map_err(|_| Error::DecryptionFailed)?;
        let ctx = EncryptionContext::Iv128(FixedLength::from(iv(iv_bytes)?));
        key.less_safe_encrypt(buf, ctx)
            .map_err(|_| Error::DecryptionFailed)?;
        Ok(())
    }

    /// Decrypts `buf` in place and removes the padding; returns the plaintext length.
    pub(super) fn decrypt(key: &[u8], iv_bytes: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
        let key =
            UnboundCipherKey::new(algorithm(key)?, key).map_err(|_| Error::DecryptionFailed)?;
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(|_| Error::DecryptionFailed)?;
        let ctx = DecryptionContext::Iv128(FixedLength::from(iv(iv_bytes)?));
        let out = key.decrypt(buf, ctx).map_err(|_| Error::DecryptionFailed)?;
        Ok(out.len())
    }
}

#[cfg(not(feature = "aws-lc"))]
mod cbc {
    //! AES-CBC with PKCS #7 padding through the RustCrypto `cbc` and `aes` crates.

    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

    use crate::error::Error;

    fn enc<C: BlockEncryptMut + aes::cipher::BlockCipher + aes::cipher::KeyInit>(
        key: &[u8],
        iv: &[u8],
        buf: &mut Vec<u8>,
    ) -> Result<(), Error>
    where
        ::cbc::Encryptor<C>: KeyIvInit + BlockEncryptMut,
    {
        let e =
            ::cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| Error::DecryptionFailed)?;
        let len = buf.len();
        let padded = len
            .checked_add(16 - len % 16)
            .ok_or(Error::DecryptionFailed)?;
        buf.resize(padded, 0);
        let out = e
            .encrypt_padded_mut::<Pkcs7>(buf, len)
            .map_err(|_| Error::DecryptionFailed)?;
        debug_assert_eq!(out.len(), padded);
        Ok(())
    }

    fn dec<C: BlockDecryptMut + aes::cipher::BlockCipher + aes::cipher::KeyInit>(
        key: &[u8],
        iv: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, Error>
    where
        ::cbc::Decryptor<C>: KeyIvInit + BlockDecryptMut,
    {
        let d =
            ::cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| Error::DecryptionFailed)?;
        Ok(d.decrypt_padded_mut::<Pkcs7>(buf)
            .map_err(|_| Error::DecryptionFailed)?
            .len())
    }

    /// Pads and encrypts `buf` in place.
    pub(super) fn encrypt(key: &[u8], iv: &[u8], buf: &mut Vec<u8>) -> Result<(), Error> {
        match key.len() {
            16 => enc::<aes::Aes128>(key, iv, buf),
            24 => enc::<aes::Aes192>(key, iv, buf),
            32 => enc::<aes::Aes256>(key, iv, buf),
            _ => Err(Error::DecryptionFailed),
        }
    }

    /// Decrypts `buf` in place and removes the padding; returns the plaintext length.
    pub(super) fn decrypt(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
        match key.len() {
            16 => dec::<aes::Aes128>(key, iv, buf),
            24 => dec::<aes::Aes192>(key, iv, buf),
            32 => dec::<aes::Aes256>(key, iv, buf),
            _ => Err(Error::DecryptionFailed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwe::alg::enc_by_name;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 7518 Appendix B, through the algorithm table.
    #[test]
    fn rfc7518_appendix_b() {
        let v: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/jwe/rfc7518/appendix_b.json"
        ))
        .unwrap();
        let cases = v["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 3);
        for c in cases {
            let enc = enc_by_name(c["enc"].as_str().unwrap()).unwrap();
            let f = |n: &str| hex(c[n].as_str().unwrap());
            let (k, p, iv, a, e, t) = (f("k"), f("p"), f("iv"), f("a"), f("e"), f("t"));
            let mut buf = p.clone();
            let tag = enc.imp.seal(&k, &iv, &a, &mut buf).unwrap();
            assert_eq!((&buf, &tag), (&e, &t), "{}", enc.name());
            enc.imp.open(&k, &iv, &a, &mut buf, &t).unwrap();
            assert_eq!(buf, p);
            // Any flipped bit of the tag, ciphertext, AAD or IV fails, before any decryption.
            for (which, i) in [(0, 0), (1, 5), (2, 3), (3, 15)] {
                let (mut e2, mut t2, mut a2, mut iv2) =
                    (e.clone(), t.clone(), a.clone(), iv.clone());
                match which {
                    0 => t2[i] ^= 1,
                    1 => e2[i] ^= 1,
                    2 => a2[i] ^= 1,
                    _ => iv2[i] ^= 1,
                }
                assert_eq!(
                    enc.imp.open(&k, &iv2, &a2, &mut e2, &t2),
                    Err(Error::DecryptionFailed)
                );
            }
            // A truncated tag fails too.
            let mut e2 = e.clone();
            assert_eq!(
                enc.imp.open(&k, &iv, &a, &mut e2, &t[..t.len() - 1]),
                Err(Error::DecryptionFailed)
            );
        }
    }
}
