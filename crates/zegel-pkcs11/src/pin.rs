//! Where the user PIN comes from: an environment variable or a callback. The PIN is read only
//! when a session logs in, handed to the module as a zeroizing secret, and never printed.

use core::fmt;
use std::sync::Arc;

use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::error::Pkcs11Error;

/// The callback form of a [`PinSource`].
type PinCallback = dyn Fn() -> Option<Zeroizing<String>> + Send + Sync;

/// Where the user PIN comes from. `Debug` shows the source (`env:NAME`, `callback`), never
/// the PIN.
#[derive(Clone)]
pub struct PinSource(Source);

#[derive(Clone)]
enum Source {
    Env(String),
    Callback(Arc<PinCallback>),
}

impl PinSource {
    /// The PIN is the value of the environment variable `name`, read at each login.
    #[must_use]
    pub fn env(name: impl Into<String>) -> Self {
        Self(Source::Env(name.into()))
    }

    /// The PIN is what `callback` returns at each login (`None`: not available).
    #[must_use]
    pub fn callback(
        callback: impl Fn() -> Option<Zeroizing<String>> + Send + Sync + 'static,
    ) -> Self {
        Self(Source::Callback(Arc::new(callback)))
    }

    /// Reads the PIN.
    pub(crate) fn read(&self) -> Result<AuthPin, Pkcs11Error> {
        let pin = match &self.0 {
            Source::Env(name) => std::env::var(name).ok().map(Zeroizing::new),
            Source::Callback(callback) => callback(),
        };
        let pin = pin.ok_or_else(|| Pkcs11Error::PinUnavailable {
            source: self.describe(),
        })?;
        // `AuthPin` zeroizes its copy on drop; `pin` zeroizes ours.
        Ok(AuthPin::from(pin.as_str()))
    }

    /// `env:NAME` or `callback`.
    fn describe(&self) -> String {
        match &self.0 {
            Source::Env(name) => format!("env:{name}"),
            Source::Callback(_) => "callback".to_owned(),
        }
    }
}

impl fmt::Debug for PinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PinSource").field(&self.describe()).finish()
    }
}
