//! The JWK metadata members (RFC 7517 §4) and unknown members, kept as data.

use serde_json::{Map, Value};

/// The registered metadata members of a JWK, plus every member this crate does not know.
///
/// Plain data: the values are kept as given and written back on export. `x5c`, `x5t`,
/// `x5t#S256` and `x5u` are never used to choose or trust a key.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct JwkParams {
    /// `use`: `sig` or `enc` (other values are kept).
    pub use_: Option<String>,
    /// `key_ops`: the permitted operations.
    pub key_ops: Option<Vec<String>>,
    /// `alg`: the algorithm the key is meant for.
    pub alg: Option<String>,
    /// `kid`: the key id.
    pub kid: Option<String>,
    /// `x5u`: URL of an X.509 certificate chain (kept, never fetched).
    pub x5u: Option<String>,
    /// `x5c`: the X.509 certificate chain, base64 (not base64url) DER certificates.
    pub x5c: Option<Vec<String>>,
    /// `x5t`: SHA-1 thumbprint of the certificate, base64url.
    pub x5t: Option<String>,
    /// `x5t#S256`: SHA-256 thumbprint of the certificate, base64url.
    pub x5t_s256: Option<String>,
    /// Every other member, preserved on round trip.
    pub other: Map<String, Value>,
}

/// A key operation (RFC 7517 §4.3).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyOp {
    /// `sign`: compute a signature or MAC.
    Sign,
    /// `verify`: verify a signature or MAC.
    Verify,
    /// `encrypt`: encrypt content.
    Encrypt,
    /// `decrypt`: decrypt content.
    Decrypt,
    /// `wrapKey`: encrypt a key.
    WrapKey,
    /// `unwrapKey`: decrypt a key.
    UnwrapKey,
    /// `deriveKey`: derive a key.
    DeriveKey,
    /// `deriveBits`: derive bits not to be used as a key.
    DeriveBits,
}

impl KeyOp {
    /// Every operation registered by RFC 7517 §4.3.
    pub const ALL: [Self; 8] = [
        Self::Sign,
        Self::Verify,
        Self::Encrypt,
        Self::Decrypt,
        Self::WrapKey,
        Self::UnwrapKey,
        Self::DeriveKey,
        Self::DeriveBits,
    ];

    /// The operation named `name` in `key_ops` (exact, case-sensitive).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The `key_ops` value.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Verify => "verify",
            Self::Encrypt => "encrypt",
            Self::Decrypt => "decrypt",
            Self::WrapKey => "wrapKey",
            Self::UnwrapKey => "unwrapKey",
            Self::DeriveKey => "deriveKey",
            Self::DeriveBits => "deriveBits",
        }
    }

    /// The `use` value that permits this operation.
    #[must_use]
    pub const fn use_value(self) -> &'static str {
        match self {
            Self::Sign | Self::Verify => "sig",
            _ => "enc",
        }
    }
}

impl JwkParams {
    /// Whether `use` and `key_ops` permit `op`. A key with neither member permits everything;
    /// a `use` other than `sig` or `enc` permits nothing.
    #[must_use]
    pub fn permits(&self, op: KeyOp) -> bool {
        if let Some(u) = &self.use_
            && u != op.use_value()
        {
            return false;
        }
        if let Some(ops) = &self.key_ops {
            return ops.iter().any(|o| o == op.name());
        }
        true
    }

    /// Whether the key may serve the intended use `use_` (`sig` or `enc`): its `use`, when
    /// present, is `use_`, and its `key_ops`, when present, include an operation of that use.
    #[must_use]
    pub fn permits_use(&self, use_: &str) -> bool {
        if let Some(u) = &self.use_
            && u != use_
        {
            return false;
        }
        if let Some(ops) = &self.key_ops {
            return ops
                .iter()
                .filter_map(|o| KeyOp::from_name(o))
                .any(|op| op.use_value() == use_);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_and_key_ops_gate_operations() {
        let mut p = JwkParams::default();
        assert!(p.permits(KeyOp::Sign) && p.permits(KeyOp::Decrypt));
        p.use_ = Some("sig".into());
        assert!(p.permits(KeyOp::Verify));
        assert!(!p.permits(KeyOp::Decrypt));
        p.use_ = None;
        p.key_ops = Some(vec!["verify".into()]);
        assert!(p.permits(KeyOp::Verify));
        assert!(!p.permits(KeyOp::Sign));
        p.key_ops = None;
        p.use_ = Some("other".into());
        assert!(!p.permits(KeyOp::Verify) && !p.permits(KeyOp::Encrypt));
    }

    #[test]
    fn intended_use() {
        let mut p = JwkParams::default();
        assert!(p.permits_use("sig") && p.permits_use("enc"));
        p.use_ = Some("enc".into());
        assert!(!p.permits_use("sig") && p.permits_use("enc"));
        p.use_ = None;
        p.key_ops = Some(vec!["verify".into(), "custom".into()]);
        assert!(p.permits_use("sig") && !p.permits_use("enc"));
        for op in KeyOp::ALL {
            assert_eq!(KeyOp::from_name(op.name()), Some(op));
        }
        assert_eq!(KeyOp::from_name("Sign"), None);
    }
}
