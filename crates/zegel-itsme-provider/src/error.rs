//! The errors of starting a provider. Requests a client gets wrong are answered over HTTP, with
//! the OAuth 2.0 / itsme® error codes, never as this type.

use std::fmt;

/// Why the provider could not start.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// Binding or reading the listening socket failed.
    Io(std::io::Error),
    /// Generating or preparing the provider's keys failed.
    Key(zegel_jose::Error),
    /// The keys given to [`ProviderBuilder::keys`](crate::ProviderBuilder::keys) are not
    /// private RSA keys.
    Keys,
    /// A registered client is not usable: two with one `client_id`, no redirect URI, or no
    /// service code.
    Client {
        /// The field at fault.
        field: &'static str,
    },
}

impl Error {
    /// A short, stable code: `provider.io`, `provider.key`, `provider.keys`,
    /// `provider.client`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io(_) => "provider.io",
            Self::Key(_) => "provider.key",
            Self::Keys => "provider.keys",
            Self::Client { .. } => "provider.client",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(_) => f.write_str("the provider could not listen on 127.0.0.1"),
            Self::Key(_) => f.write_str("the provider could not make its keys"),
            Self::Keys => f.write_str("the provider's keys must be private RSA keys"),
            Self::Client { field } => write!(f, "a registered client's {field} is not usable"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::Key(e) => Some(e),
            Self::Keys | Self::Client { .. } => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<zegel_jose::Error> for Error {
    fn from(e: zegel_jose::Error) -> Self {
        Self::Key(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let e = Error::Client {
            field: "redirect_uri",
        };
        assert_eq!(e.code(), "provider.client");
        assert_eq!(
            e.to_string(),
            "a registered client's redirect_uri is not usable"
        );
        let e = Error::from(std::io::Error::other("x"));
        assert_eq!(e.code(), "provider.io");
        assert_eq!(e.to_string(), "the provider could not listen on 127.0.0.1");
    }
}
