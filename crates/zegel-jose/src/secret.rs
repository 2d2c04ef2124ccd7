//! Secret bytes: zeroized on drop, compared in constant time, never printed.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Bytes that must stay secret: private key components, HMAC keys, content encryption keys,
/// derived keys and decrypted plaintext buffers.
///
/// The bytes are zeroized when the value is dropped. `Debug` prints `SecretBytes([redacted])`;
/// there is no `Display` and no `Serialize`. Equality runs in constant time.
#[derive(Clone, Default)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes`; they are zeroized when the value is dropped.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new secret buffer.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }

    /// The secret bytes.
    ///
    /// # Security
    /// The returned slice is the secret itself: do not log it, print it or keep copies that
    /// outlive this value without zeroizing them.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// The length in bytes (not secret).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes([redacted])")
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for SecretBytes {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_eq_compares_bytes() {
        let s = SecretBytes::from_slice(b"hunter2");
        assert_eq!(format!("{s:?}"), "SecretBytes([redacted])");
        assert_eq!(s, SecretBytes::from_slice(b"hunter2"));
        assert_ne!(s, SecretBytes::from_slice(b"hunter3"));
        assert_ne!(s, SecretBytes::from_slice(b"hunter"));
        assert_eq!(s.expose_secret(), b"hunter2");
    }
}
