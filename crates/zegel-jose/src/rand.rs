//! Randomness for the layers above zegel-jose (`jti` values, nonces, `state`): the generator
//! the JOSE operations use, so that no other crate needs a crypto library of its own.
//!
//! It is aws-lc's DRBG (seeded from the operating system) when the `aws-lc` feature is on, the
//! operating system's generator through ring otherwise.

use crate::error::Error;

/// Fills `buf` with cryptographically secure random bytes.
///
/// # Errors
/// [`Error::Random`] if the generator fails.
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    crate::backend::fill_random(buf)
}

/// `N` cryptographically secure random bytes.
///
/// # Errors
/// [`Error::Random`] if the generator fails.
pub fn array<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0; N];
    fill(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ() {
        let (a, b) = (array::<16>().unwrap(), array::<16>().unwrap());
        assert_ne!(a, b);
        let mut empty = [];
        assert_eq!(fill(&mut empty), Ok(()));
    }
}
