//! The SHA-2 hash functions JOSE names: one type for the hash of a JWS algorithm (and so of the
//! OpenID Connect `at_hash`/`c_hash`) and for RFC 7638 thumbprints.

/// A SHA-2 hash function.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The name in the IANA "Named Information Hash Algorithm" registry, as JWK thumbprint URIs
    /// use it (RFC 9278 §3): `sha-256`, `sha-384`, `sha-512`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// The digest size in bytes (32, 48 or 64).
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The digest of `data`.
    #[must_use]
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        crate::backend::ring::digest(self, &[data])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_names() {
        assert_eq!(
            [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512].map(HashAlg::output_len),
            [32, 48, 64]
        );
        assert_eq!(HashAlg::Sha384.name(), "sha-384");
        // SHA-256("abc"), FIPS 180-2 B.1.
        assert_eq!(
            HashAlg::Sha256.digest(b"abc")[..4],
            [0xba, 0x78, 0x16, 0xbf]
        );
    }
}
