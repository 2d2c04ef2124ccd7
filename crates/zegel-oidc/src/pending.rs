//! [`PendingLogin`]: what the relying party keeps between sending the browser to the provider
//! and the callback.
//!
//! It holds the one-time values (`state`, `nonce`, PKCE verifier), the `redirect_uri`, what was
//! asked (`max_age`, `acr` values) and when. The caller stores it (a server-side session, an
//! encrypted cookie) with [`to_json`](PendingLogin::to_json) and gets it back with
//! [`from_json`](PendingLogin::from_json); [`Client::complete`](crate::Client) consumes it.
//!
//! # Security
//! The JSON holds the PKCE verifier and the nonce: store it where only this user's session can
//! read it, and never in a URL.

use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};
use zegel_jwt::UnixTime;
use zeroize::Zeroize;

use crate::error::{Document, Error};

/// A login in progress: one per authorization request, used once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingLogin {
    pub(crate) state: String,
    pub(crate) nonce: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) code_verifier: Option<String>,
    pub(crate) redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_age: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) acr_values: Vec<String>,
    #[serde(default)]
    pub(crate) acr_essential: bool,
    pub(crate) created_at: u64,
}

impl PendingLogin {
    /// A pending login kept elsewhere (a layer above with its own storage, such as a sealed
    /// cookie) and brought back: the one-time values, the `redirect_uri` and when the request
    /// was made; nothing more was asked (no `max_age`, no essential `acr`).
    #[must_use]
    pub fn new(
        state: String,
        nonce: String,
        code_verifier: Option<String>,
        redirect_uri: String,
        created_at: UnixTime,
    ) -> Self {
        Self {
            state,
            nonce,
            code_verifier,
            redirect_uri,
            max_age: None,
            acr_values: Vec::new(),
            acr_essential: false,
            created_at: created_at.as_secs(),
        }
    }

    /// The `state` sent; the callback must bring it back.
    #[must_use]
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The `nonce` sent; the ID token must carry it.
    ///
    /// # Security
    /// A one-time secret of this login: keep it with the rest of the pending login.
    #[must_use]
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The PKCE verifier, when PKCE was used.
    ///
    /// # Security
    /// A one-time secret of this login: keep it with the rest of the pending login.
    #[must_use]
    pub fn code_verifier(&self) -> Option<&str> {
        self.code_verifier.as_deref()
    }

    /// The `redirect_uri` sent.
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `max_age` sent, if any.
    #[must_use]
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age.map(Duration::from_secs)
    }

    /// The `acr` values asked for.
    #[must_use]
    pub fn acr_values(&self) -> &[String] {
        &self.acr_values
    }

    /// When the authorization request was made.
    #[must_use]
    pub fn created_at(&self) -> UnixTime {
        UnixTime::from_secs(self.created_at)
    }

    /// Whether the login is older than `max` at `now`.
    #[must_use]
    pub fn is_older_than(&self, max: Duration, now: UnixTime) -> bool {
        now.as_secs().saturating_sub(self.created_at) > max.as_secs()
    }

    /// The pending login as JSON, to store.
    ///
    /// # Security
    /// The JSON holds the PKCE verifier and the nonce; see the module docs.
    #[must_use]
    pub fn to_json(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(serde_json::to_string(self).unwrap_or_default())
    }

    /// A pending login stored with [`to_json`](Self::to_json).
    ///
    /// # Errors
    /// [`Error::Json`] for JSON that is not acceptable; [`Error::InvalidMember`] when a member
    /// is missing or of the wrong type.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let map = crate::error::parse_document(json, Document::PendingLogin)?;
        let name = ["state", "nonce", "redirect_uri", "created_at"]
            .into_iter()
            .find(|n| !map.contains_key(*n))
            .unwrap_or("pending login");
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|_| Error::InvalidMember {
            document: Document::PendingLogin,
            name,
        })
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("redirect_uri", &self.redirect_uri)
            .field("max_age", &self.max_age)
            .field("acr_values", &self.acr_values)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl Drop for PendingLogin {
    fn drop(&mut self) {
        self.state.zeroize();
        self.nonce.zeroize();
        self.code_verifier.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> PendingLogin {
        PendingLogin {
            state: "st".into(),
            nonce: "no".into(),
            code_verifier: Some("ve".into()),
            redirect_uri: "https://rp.example/cb".into(),
            max_age: Some(600),
            acr_values: vec!["basic".into()],
            acr_essential: true,
            created_at: 1000,
        }
    }

    #[test]
    fn round_trips_and_redacts() {
        let p = sample();
        let json = p.to_json();
        assert_eq!(PendingLogin::from_json(json.as_bytes()).unwrap(), p);
        let debug = format!("{p:?}");
        assert!(!debug.contains("\"st\"") && !debug.contains("\"no\"") && !debug.contains("ve"));
        assert!(p.is_older_than(Duration::from_secs(600), UnixTime::from_secs(1601)));
        assert!(!p.is_older_than(Duration::from_secs(600), UnixTime::from_secs(1600)));
        assert_eq!(p.max_age(), Some(Duration::from_secs(600)));
    }

    #[test]
    fn new_keeps_the_parts() {
        let p = PendingLogin::new(
            "st".into(),
            "no".into(),
            None,
            "https://rp.example/cb".into(),
            UnixTime::from_secs(1000),
        );
        assert_eq!(
            (p.state(), p.nonce(), p.code_verifier()),
            ("st", "no", None)
        );
        assert_eq!(p.redirect_uri(), "https://rp.example/cb");
        assert_eq!(p.created_at(), UnixTime::from_secs(1000));
        assert_eq!((p.max_age(), p.acr_values().len()), (None, 0));
        assert_eq!(sample().code_verifier(), Some("ve"));
    }

    #[test]
    fn refuses_bad_json() {
        assert!(matches!(
            PendingLogin::from_json(br#"{"state":"a","state":"b"}"#),
            Err(Error::Json { .. })
        ));
        assert!(matches!(
            PendingLogin::from_json(br#"{"state":"a"}"#),
            Err(Error::InvalidMember {
                document: Document::PendingLogin,
                ..
            })
        ));
    }
}
