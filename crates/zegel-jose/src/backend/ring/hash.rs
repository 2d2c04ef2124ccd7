//! SHA-2, HMAC and PBKDF2 through ring (the only backend for them: as fast as aws-lc-rs, always
//! compiled in).

use core::num::NonZeroU32;

use ::ring::{digest, hmac, pbkdf2};

use crate::hash::HashAlg;

fn digest_alg(hash: HashAlg) -> &'static digest::Algorithm {
    match hash {
        HashAlg::Sha256 => &digest::SHA256,
        HashAlg::Sha384 => &digest::SHA384,
        HashAlg::Sha512 => &digest::SHA512,
    }
}

/// The digest of the concatenation of `parts`.
pub(crate) fn digest(hash: HashAlg, parts: &[&[u8]]) -> Vec<u8> {
    let mut ctx = digest::Context::new(digest_alg(hash));
    for p in parts {
        ctx.update(p);
    }
    ctx.finish().as_ref().to_vec()
}

/// The full HMAC of the concatenation of `parts` under `key`.
pub(crate) fn hmac(hash: HashAlg, key: &[u8], parts: &[&[u8]]) -> impl AsRef<[u8]> + use<> {
    let alg = match hash {
        HashAlg::Sha256 => hmac::HMAC_SHA256,
        HashAlg::Sha384 => hmac::HMAC_SHA384,
        HashAlg::Sha512 => hmac::HMAC_SHA512,
    };
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(alg, key));
    for p in parts {
        ctx.update(p);
    }
    ctx.sign()
}

/// PBKDF2 with HMAC-`hash` (RFC 8018 §5.2), filling `out`.
pub(crate) fn pbkdf2(
    hash: HashAlg,
    iterations: NonZeroU32,
    salt: &[u8],
    secret: &[u8],
    out: &mut [u8],
) {
    let alg = match hash {
        HashAlg::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        HashAlg::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        HashAlg::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
    };
    pbkdf2::derive(alg, iterations, salt, secret, out);
}
