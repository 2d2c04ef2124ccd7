//! Random values: `state`, `nonce`, PKCE verifiers, `jti`s.
//!
//! The one place this crate draws randomness: [`zegel_jose::rand`], the generator the JOSE
//! operations use (aws-lc's DRBG, seeded from the operating system, with the `aws-lc`
//! feature; the operating system's generator through ring without it). Drawing from the
//! operating system directly cost a `getrandom` system call per draw, two per authorization
//! URL with a request object: in the virtual machine the benchmarks ran on, a URL without one
//! went from 7.4 to 5.0 µs, and the whole URL with a signed and encrypted request object from
//! 0.947 to 0.971 of the signing and encryption it contains (`benches/oidc.rs`).

use crate::error::Error;

/// `n` random bytes, base64url-encoded (`n = 32` gives 256 bits in 43 characters, all RFC 7636
/// unreserved characters).
pub(crate) fn random_b64(n: usize) -> Result<String, Error> {
    let mut bytes = vec![0u8; n];
    zegel_jose::rand::fill(&mut bytes)?;
    Ok(zegel_jose::base64url::encode(&bytes))
}

/// `N` values of `n` random bytes each, base64url-encoded, drawn from the OS in one call.
pub(crate) fn random_b64_array<const N: usize>(n: usize) -> Result<[String; N], Error> {
    let mut bytes = zeroize::Zeroizing::new(vec![0u8; n.saturating_mul(N)]);
    zegel_jose::rand::fill(&mut bytes)?;
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
