//! Where the itsme® provider is: E2E (the test environment), production, or any discovery URL
//! (the local itsme®-like provider, tests).
//!
//! The issuers and the discovery path come from the itsme® documentation
//! (`_OIDC/authentication.md`, "itsme® Discovery Document": `GET
//! https://idp.[e2e/prd].itsme.services/v2/.well-known/openid-configuration`).

use crate::uri::{self, UrlProblem, WELL_KNOWN};

/// The issuer of the itsme® E2E (test) environment.
pub const E2E_ISSUER: &str = "https://idp.e2e.itsme.services/v2";

/// The issuer of the itsme® production environment.
pub const PRODUCTION_ISSUER: &str = "https://idp.prd.itsme.services/v2";

/// An itsme® environment: the provider a client talks to.
///
/// Its [`issuer`](Self::issuer) is what the ID token's `iss` must be, and the `aud` of the
/// request object; its [`discovery_url`](Self::discovery_url) is the issuer followed by
/// `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// E2E, itsme®'s test environment: [`E2E_ISSUER`].
    E2e,
    /// Production: [`PRODUCTION_ISSUER`].
    Production,
    /// Any provider, named by its discovery URL (checked by [`Environment::discovery`]).
    Discovery(String),
}

impl Environment {
    /// The environment of a configuration file's `environment` value: `"e2e"` or `"prd"`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "e2e" => Some(Self::E2e),
            "prd" => Some(Self::Production),
            _ => None,
        }
    }

    /// A provider named by its discovery URL, which must be `https` (or `http` to 127.0.0.1
    /// or `[::1]` with `allow_insecure_loopback`), end with
    /// `/.well-known/openid-configuration` and have no query or fragment.
    ///
    /// # Errors
    /// The [`UrlProblem`] of the URL.
    pub fn discovery(url: &str, allow_insecure_loopback: bool) -> Result<Self, UrlProblem> {
        uri::check_discovery_url(url, allow_insecure_loopback)?;
        Ok(Self::Discovery(url.to_owned()))
    }

    /// The issuer identifier: the discovery URL without `/.well-known/openid-configuration`.
    #[must_use]
    pub fn issuer(&self) -> &str {
        match self {
            Self::E2e => E2E_ISSUER,
            Self::Production => PRODUCTION_ISSUER,
            Self::Discovery(url) => url.strip_suffix(WELL_KNOWN).unwrap_or(url),
        }
    }

    /// The URL of the discovery document.
    #[must_use]
    pub fn discovery_url(&self) -> String {
        match self {
            Self::Discovery(url) => url.clone(),
            _ => format!("{}{WELL_KNOWN}", self.issuer()),
        }
    }

    /// Whether this is one of itsme®'s own environments (E2E or production).
    #[must_use]
    pub fn is_itsme(&self) -> bool {
        matches!(self, Self::E2e | Self::Production)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itsme_environments_have_the_documented_urls() {
        assert_eq!(Environment::from_name("e2e"), Some(Environment::E2e));
        assert_eq!(Environment::from_name("prd"), Some(Environment::Production));
        assert_eq!(
            Environment::E2e.issuer(),
            "https://idp.e2e.itsme.services/v2"
        );
        assert_eq!(
            Environment::Production.discovery_url(),
            "https://idp.prd.itsme.services/v2/.well-known/openid-configuration"
        );
        assert_eq!(
            Environment::E2e.discovery_url(),
            "https://idp.e2e.itsme.services/v2/.well-known/openid-configuration"
        );
        assert!(Environment::E2e.is_itsme());
    }

    #[test]
    fn other_names_are_not_environments() {
        for name in ["", "E2E", "prod", "production", "e2e "] {
            assert_eq!(Environment::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn a_discovery_url_gives_its_issuer() {
        let env = Environment::discovery(
            "http://127.0.0.1:4000/.well-known/openid-configuration",
            true,
        )
        .unwrap();
        assert_eq!(env.issuer(), "http://127.0.0.1:4000");
        assert_eq!(
            env.discovery_url(),
            "http://127.0.0.1:4000/.well-known/openid-configuration"
        );
        assert!(!env.is_itsme());
    }

    #[test]
    fn a_bad_discovery_url_is_refused() {
        assert_eq!(
            Environment::discovery(
                "http://127.0.0.1:4000/.well-known/openid-configuration",
                false
            ),
            Err(UrlProblem::NotHttps)
        );
        assert_eq!(
            Environment::discovery("https://idp.example/v2", false),
            Err(UrlProblem::NotDiscoveryUrl)
        );
    }
}
