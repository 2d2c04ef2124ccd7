//! Secret bytes: zeroized on drop, compared in constant time, never printed.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Bytes that must stay secret: private key components, HMAC keys, content encryption keys,
/// derived keys and decrypted plaintext buffers.
///
/// The bytes are zeroized when the value is dropped. `Debug` prints `SecretBytes([redacted])`;
/// there is no `Display` and no `Serialize`. Equality runs in constant time.
#[derive(Clone, Default)]
pub struct SecretBytes(Vec<u8>);

impl Drop for SecretBytes {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Zeroes the whole allocation of `bytes` (see [`zero_all`]), then empties it.
fn wipe(bytes: &mut Vec<u8>) {
    zero_all(bytes);
    bytes.clear();
}

/// Zeroes the whole allocation of `bytes`, spare capacity included (as `zeroize` does for a
/// `Vec`), leaving it full of zeros: `zeroize`'s volatile writes, eight bytes at a time where
/// the memory is aligned for it (`bytemuck::pod_align_to_mut`, a safe split into a byte head,
/// `u64` words and a byte tail). `zeroize` on a `Vec<u8>` writes one volatile byte at a time,
/// about 2 instructions per byte: 2.4k for a 1.2 KB decrypted claim set, and about 10k for the
/// buffers of one itsme® ID token (its decrypted JWS, its claims); word writes do the same
/// with an eighth of the stores.
fn zero_all(bytes: &mut Vec<u8>) {
    // Within the capacity: no reallocation, so no copy is left behind.
    bytes.resize(bytes.capacity(), 0);
    zero(bytes.as_mut_slice());
}

/// Zeroes `bytes` with `zeroize`'s volatile writes, eight bytes at a time where they are
/// aligned for it (see [`zero_all`]): for secrets that live in a buffer that is not a
/// [`SecretBytes`], such as a payload decoded on the stack.
pub(crate) fn zero(bytes: &mut [u8]) {
    let (head, words, tail) = bytemuck::pod_align_to_mut::<u8, u64>(bytes);
    head.zeroize();
    words.zeroize();
    tail.zeroize();
}

impl SecretBytes {
    /// Takes ownership of `bytes`; they are zeroized when the value is dropped.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
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

    #[test]
    fn the_whole_allocation_is_zeroed_in_place() {
        for (len, capacity) in [(0, 0), (7, 7), (7, 100), (1200, 1200), (1201, 1300)] {
            let mut v = Vec::with_capacity(capacity);
            v.extend((0..len).map(|i| u8::try_from(i % 251 + 1).unwrap()));
            let (ptr, capacity) = (v.as_ptr(), v.capacity());
            zero_all(&mut v);
            assert_eq!(
                (v.as_ptr(), v.len(), v.capacity()),
                (ptr, capacity, capacity)
            );
            assert!(v.iter().all(|&b| b == 0), "{len}/{capacity}");
            wipe(&mut v);
            assert_eq!((v.as_ptr(), v.len(), v.capacity()), (ptr, 0, capacity));
        }
        // A slice at every offset of an aligned buffer: a head, words and a tail.
        for offset in 0..8 {
            let mut buf = [0xa5_u8; 40];
            let slice = buf.get_mut(offset..offset + 25).unwrap();
            zero(slice);
            assert!(slice.iter().all(|&b| b == 0), "{offset}");
            assert!(buf.iter().filter(|&&b| b == 0).count() == 25, "{offset}");
        }
        // Every length of a tail after the words.
        for len in 1..=17 {
            let mut v = vec![0xa5_u8; len];
            v.shrink_to_fit();
            zero_all(&mut v);
            assert!(v.len() >= len && v.iter().all(|&b| b == 0), "{len}");
        }
    }
}
