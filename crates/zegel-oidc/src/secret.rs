//! [`ClientSecret`]: a client secret that zeroizes itself and never prints.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A client secret (RFC 6749 §2.3.1): zeroized on drop, redacted in `Debug`, compared in
/// constant time, with no `Display` and no `Serialize`.
#[derive(Clone)]
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    /// Wraps `secret`.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Zeroizing::new(secret.into()))
    }

    /// The secret.
    ///
    /// # Security
    /// Do not log, print or store the value; it authenticates the client.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

impl PartialEq for ClientSecret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for ClientSecret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_and_compared() {
        let s = ClientSecret::new("hunter2");
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
        assert_eq!(s.expose_secret(), "hunter2");
        assert_eq!(s, ClientSecret::new("hunter2"));
        assert_ne!(s, ClientSecret::new("hunter3"));
    }
}
