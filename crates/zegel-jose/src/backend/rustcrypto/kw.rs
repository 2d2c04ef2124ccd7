//! AES key wrap (RFC 3394) through the RustCrypto `aes-kw` crate.

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipher, BlockDecrypt, BlockEncrypt, BlockSizeUser, KeyInit};

use crate::backend::KeyWrap;
use crate::error::Error;

/// AES key wrap with the block cipher `A` (AES-128, AES-192 or AES-256).
pub(crate) struct Kw<A>(core::marker::PhantomData<fn() -> A>);

#[cfg_attr(
    feature = "aws-lc",
    allow(dead_code, reason = "aws-lc-rs is preferred for 128-bit KEKs")
)]
pub(crate) static KW_128: Kw<aes::Aes128> = Kw(core::marker::PhantomData);
pub(crate) static KW_192: Kw<aes::Aes192> = Kw(core::marker::PhantomData);
#[cfg_attr(
    feature = "aws-lc",
    allow(dead_code, reason = "aws-lc-rs is preferred for 256-bit KEKs")
)]
pub(crate) static KW_256: Kw<aes::Aes256> = Kw(core::marker::PhantomData);

impl<A> Kw<A>
where
    A: KeyInit + BlockCipher + BlockSizeUser<BlockSize = U16> + BlockEncrypt + BlockDecrypt,
{
    fn kek(kek: &[u8]) -> Result<aes_kw::Kek<A>, Error> {
        aes_kw::Kek::<A>::try_from(kek).map_err(|_| Error::DecryptionFailed)
    }
}

impl<A> KeyWrap for Kw<A>
where
    A: KeyInit + BlockCipher + BlockSizeUser<BlockSize = U16> + BlockEncrypt + BlockDecrypt,
{
    fn wrap(&self, kek: &[u8], cek: &[u8], out: &mut [u8]) -> Result<(), Error> {
        Self::kek(kek)?
            .wrap(cek, out)
            .map_err(|_| Error::DecryptionFailed)
    }

    fn unwrap(&self, kek: &[u8], wrapped: &[u8], out: &mut [u8]) -> Result<(), Error> {
        Self::kek(kek)?
            .unwrap(wrapped, out)
            .map_err(|_| Error::DecryptionFailed)
    }
}
