//! [`PendingLogin`]: what a client must remember between sending the user to itsme® and the
//! callback (`state`, `nonce`, the PKCE verifier, the redirect URI, the `acr` asked for, the
//! time), sealed for a cookie so that any server of a fleet completes the callback without
//! shared storage.
//!
//! A sealed pending login is a compact JWE (RFC 7516): `dir` key management and `A256GCM`
//! content encryption under a 256-bit server [`SealingKey`], protected header
//! `typ: itsme-pending+json`, the plaintext a small JSON object with an `exp`. It is
//! authenticated encryption: a token that was changed, sealed under another key, or has
//! another `typ` does not open ([`PendingError::Invalid`]); an expired one is
//! [`PendingError::Expired`]. The common case (43-character `state`, `nonce` and verifier, a
//! 38-character redirect URI) seals to 443 bytes; the longest PKCE verifier (128 characters)
//! with a 124-character redirect URI, to 671 bytes: under 1 KB, well under a cookie's 4 KB.

use core::fmt;
use core::time::Duration;

use serde_json::{Map, Value};
use zegel_jose::jwe::{self, Decryptor, Encryptor, Recipient};
use zegel_jose::jwk::{KeyMaterial, KeySpec};
use zegel_jose::{Jwk, SecretBytes};
use zegel_jwt::UnixTime;
use zeroize::Zeroizing;

use crate::config::Acr;
use crate::error::PendingError;

/// The `typ` of a sealed pending login.
pub const TYP: &str = "itsme-pending+json";

/// The longest sealed pending login [`PendingLogin::open`] reads.
pub const MAX_SEALED_LEN: usize = 4096;

/// A pending login, between the authorization request and the callback.
///
/// # Security
/// `state`, `nonce` and the PKCE verifier are one-time secrets: zeroized on drop and never in
/// `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingLogin {
    state: Zeroizing<String>,
    nonce: Zeroizing<String>,
    code_verifier: Option<Zeroizing<String>>,
    redirect_uri: String,
    acr: Acr,
    created_at: UnixTime,
}

impl PendingLogin {
    /// A pending login started at `created_at`. `code_verifier` is `None` without PKCE.
    #[must_use]
    pub fn new(
        state: String,
        nonce: String,
        code_verifier: Option<String>,
        redirect_uri: String,
        acr: Acr,
        created_at: UnixTime,
    ) -> Self {
        Self {
            state: Zeroizing::new(state),
            nonce: Zeroizing::new(nonce),
            code_verifier: code_verifier.map(Zeroizing::new),
            redirect_uri,
            acr,
            created_at,
        }
    }

    /// The `state` sent.
    #[must_use]
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Whether the callback's `state` is the one sent, compared in constant time.
    #[must_use]
    pub fn state_matches(&self, state: &str) -> bool {
        let (a, b) = (self.state.as_bytes(), state.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The `nonce` sent, which the ID token must carry.
    #[must_use]
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The PKCE `code_verifier`, for the token request.
    #[must_use]
    pub fn code_verifier(&self) -> Option<&str> {
        self.code_verifier.as_deref().map(String::as_str)
    }

    /// The redirect URI sent, which the token request repeats.
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The authentication level asked for.
    #[must_use]
    pub fn acr(&self) -> Acr {
        self.acr
    }

    /// When the login started.
    #[must_use]
    pub fn created_at(&self) -> UnixTime {
        self.created_at
    }

    /// Seals the pending login under `key`, valid for `ttl` after its creation.
    ///
    /// # Errors
    /// [`PendingError::Seal`] if the JOSE layer fails (no randomness).
    pub fn seal(&self, key: &SealingKey, ttl: Duration) -> Result<String, PendingError> {
        let exp = self.created_at.as_secs().saturating_add(ttl.as_secs());
        let mut claims = Map::new();
        claims.insert("st".into(), Value::String(self.state.to_string()));
        claims.insert("no".into(), Value::String(self.nonce.to_string()));
        if let Some(v) = &self.code_verifier {
            claims.insert("cv".into(), Value::String(v.to_string()));
        }
        claims.insert("ru".into(), Value::String(self.redirect_uri.clone()));
        claims.insert("acr".into(), Value::String(acr_code(self.acr).into()));
        claims.insert("iat".into(), Value::from(self.created_at.as_secs()));
        claims.insert("exp".into(), Value::from(exp));
        // A map of strings and integers always serializes.
        let plaintext = serde_json::to_vec(&claims).map(Zeroizing::new);
        wipe_map(&mut claims);
        let plaintext = plaintext.map_err(|_| PendingError::Invalid)?;
        seal_bytes(&plaintext, key).map_err(PendingError::Seal)
    }

    /// Opens a sealed pending login at `now`.
    ///
    /// # Errors
    /// [`PendingError::Invalid`] for anything but a pending login sealed under `key` (too
    /// long, malformed, tampered with, another key, another `typ`, a plaintext of another
    /// shape); [`PendingError::Expired`] when `now` is at or after its `exp`.
    pub fn open(sealed: &str, key: &SealingKey, now: UnixTime) -> Result<Self, PendingError> {
        let sealed = sealed.trim();
        if sealed.len() > MAX_SEALED_LEN {
            return Err(PendingError::Invalid);
        }
        let plaintext = open_bytes(sealed, key).ok_or(PendingError::Invalid)?;
        let Ok(Value::Object(mut claims)) =
            serde_json::from_slice::<Value>(plaintext.expose_secret())
        else {
            return Err(PendingError::Invalid);
        };
        let exp = claims
            .get("exp")
            .and_then(Value::as_u64)
            .ok_or(PendingError::Invalid)?;
        if now.as_secs() >= exp {
            wipe_map(&mut claims);
            return Err(PendingError::Expired {
                exp,
                now: now.as_secs(),
            });
        }
        let login = Self::from_claims(&claims);
        wipe_map(&mut claims);
        login.ok_or(PendingError::Invalid)
    }

    fn from_claims(claims: &Map<String, Value>) -> Option<Self> {
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let code_verifier = match claims.get("cv") {
            None => None,
            Some(Value::String(v)) => Some(v.clone()),
            Some(_) => return None,
        };
        let acr = match claims.get("acr").and_then(Value::as_str)? {
            "b" => Acr::Basic,
            "a" => Acr::Advanced,
            _ => return None,
        };
        Some(Self::new(
            text("st")?,
            text("no")?,
            code_verifier,
            text("ru")?,
            acr,
            UnixTime::from_secs(claims.get("iat").and_then(Value::as_u64)?),
        ))
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("state", &"[redacted]")
            .field("nonce", &"[redacted]")
            .field(
                "code_verifier",
                &self.code_verifier.as_ref().map(|_| "[redacted]"),
            )
            .field("redirect_uri", &self.redirect_uri)
            .field("acr", &self.acr)
            .field("created_at", &self.created_at)
            .finish()
    }
}

fn acr_code(acr: Acr) -> &'static str {
    match acr {
        Acr::Basic => "b",
        Acr::Advanced => "a",
    }
}

/// The server key pending logins are sealed under: 256 random bits, shared by every
/// instance of a fleet.
///
/// # Security
/// A secret: zeroized on drop (by zegel-jose), `Debug` prints `SealingKey([redacted])`.
#[derive(Clone)]
pub struct SealingKey(Jwk);

impl SealingKey {
    /// A new random key.
    ///
    /// # Errors
    /// [`PendingError::Seal`] if the system's random generator fails.
    pub fn generate() -> Result<Self, PendingError> {
        Jwk::generate(&KeySpec::Oct { bytes: 32 })
            .map(Self)
            .map_err(PendingError::Seal)
    }

    /// The key with these 32 bytes (read from the server's secret store).
    ///
    /// # Errors
    /// [`PendingError::Seal`] if the JOSE layer refuses the key.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, PendingError> {
        Jwk::new(
            KeyMaterial::Oct {
                k: SecretBytes::from_slice(bytes),
            },
            zegel_jose::jwk::JwkParams::default(),
        )
        .map(Self)
        .map_err(PendingError::Seal)
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey([redacted])")
    }
}

// The two JOSE calls, kept together so an API change of zegel-jose touches only them.

fn seal_bytes(plaintext: &[u8], key: &SealingKey) -> Result<String, zegel_jose::Error> {
    Encryptor::new(&jwe::A256GCM)
        .with_typ(TYP)
        .encrypt_compact(plaintext, &Recipient::new(&key.0, &jwe::DIR))
}

fn open_bytes(sealed: &str, key: &SealingKey) -> Option<SecretBytes> {
    let decrypted = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM])
        .with_max_token_len(MAX_SEALED_LEN)
        .decrypt(sealed.as_bytes(), &key.0)
        .ok()?;
    if decrypted
        .protected_header()
        .get("typ")
        .and_then(Value::as_str)
        != Some(TYP)
    {
        return None;
    }
    Some(decrypted.into_plaintext())
}

fn wipe_map(map: &mut Map<String, Value>) {
    use zeroize::Zeroize;
    for value in map.values_mut() {
        if let Value::String(s) = value {
            s.zeroize();
        }
    }
}
