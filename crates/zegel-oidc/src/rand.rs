//! Random values from the operating system: `state`, `nonce`, PKCE verifiers, `jti`s.
//!
//! The one place this crate draws randomness (a seam: once zegel-jose offers its own random
//! source, only this file changes).

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::Error;

/// `n` random bytes, base64url-encoded (`n = 32` gives 256 bits in 43 characters, all RFC 7636
/// unreserved characters).
pub(crate) fn random_b64(n: usize) -> Result<String, Error> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| zegel_jose::Error::Random)?;
    Ok(zegel_jose::base64url::encode(&bytes))
}

/// `N` values of `n` random bytes each, base64url-encoded, drawn from the OS in one call.
pub(crate) fn random_b64_array<const N: usize>(n: usize) -> Result<[String; N], Error> {
    let mut bytes = zeroize::Zeroizing::new(vec![0u8; n.saturating_mul(N)]);
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| zegel_jose::Error::Random)?;
    let mut chunks = bytes.chunks(n.max(1));
    Ok(core::array::from_fn(|_| {
        chunks
            .next()
            .map(zegel_jose::base64url::encode)
            .unwrap_or_default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_alphabet() {
        let a = random_b64(32).unwrap();
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(a, random_b64(32).unwrap());
        assert_eq!(random_b64(16).unwrap().len(), 22);
        let [x, y, z] = random_b64_array::<3>(32).unwrap();
        assert!(x.len() == 43 && y.len() == 43 && z.len() == 43);
        assert!(x != y && y != z);
    }
}
