//! A token of a PKCS #11 module: the loaded module, the slot, the PIN source and a pool of
//! logged-in sessions shared by every key of the token, across threads and tasks.
//!
//! A call takes an idle session from the pool (or opens one and logs in), runs, and puts the
//! session back. When the module says the session is gone (an HSM restart, a removed token, a
//! finalized library), the failing call returns [`Pkcs11Error::SessionLost`], the whole pool
//! is dropped and its generation advances, so keys look their objects up again and the next
//! call opens a new session.

use core::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;

use crate::error::Pkcs11Error;
use crate::pin::PinSource;
use crate::uri::{PinSourceSpec, Pkcs11Uri};

/// The environment variable naming the PKCS #11 module when a URI has no `module-path`.
pub const MODULE_ENV: &str = "ZEGEL_PKCS11_MODULE";

/// The environment variable holding the PIN when a URI has no `pin-source`.
pub const PIN_ENV: &str = "ZEGEL_PKCS11_PIN";

/// The most idle sessions the pool keeps; more concurrent calls open more sessions, closed
/// when they are done (tokens limit their sessions).
const MAX_IDLE: usize = 32;

/// A PKCS #11 token with a pool of logged-in sessions. Cheap to clone (all clones share the
/// pool), `Send + Sync`.
///
/// Calls block for as long as the token takes (an RSA-2048 signature: about 0.7 ms in
/// SoftHSM2, more over a network HSM): from an async runtime, call through its blocking pool
/// (e.g. `tokio::task::spawn_blocking`).
#[derive(Clone)]
pub struct Token {
    shared: Arc<Shared>,
}

struct Shared {
    ctx: Pkcs11,
    slot: Slot,
    name: String,
    pin: PinSource,
    pool: Mutex<Pool>,
}

/// The idle sessions and the pool's generation, which advances when the sessions are lost.
struct Pool {
    idle: Vec<Session>,
    generation: u64,
}

/// Which token of the module to use.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum TokenSelector<'a> {
    /// The token with this label.
    Label(&'a str),
    /// The token in this slot.
    SlotId(u64),
    /// The first slot with an initialized token.
    First,
}

impl Token {
    /// Loads the module at `module_path` (initializing it unless this process already did),
    /// finds the token and logs in once, to report a wrong PIN now rather than at first use.
    ///
    /// # Errors
    /// [`Pkcs11Error::ModuleNotLoadable`], [`Pkcs11Error::TokenNotFound`],
    /// [`Pkcs11Error::PinUnavailable`], [`Pkcs11Error::WrongPin`], [`Pkcs11Error::PinLocked`],
    /// or [`Pkcs11Error::Device`].
    pub fn open(
        module_path: impl AsRef<Path>,
        token: TokenSelector<'_>,
        pin: PinSource,
    ) -> Result<Self, Pkcs11Error> {
        let path = module_path.as_ref();
        let not_loadable = || Pkcs11Error::ModuleNotLoadable {
            path: path.display().to_string(),
        };
        if !path.is_file() {
            return Err(not_loadable());
        }
        let ctx = Pkcs11::new(path).map_err(|_| not_loadable())?;
        initialize(&ctx).map_err(|_| not_loadable())?;
        let (slot, name) = find_slot(&ctx, token)?;
        let token = Self {
            shared: Arc::new(Shared {
                ctx,
                slot,
                name,
                pin,
                pool: Mutex::new(Pool {
                    idle: Vec::new(),
                    generation: 0,
                }),
            }),
        };
        let session = token.open_session(false)?;
        token.lock().idle.push(session);
        Ok(token)
    }

    /// Opens the token a PKCS #11 URI names: `module-path` or else [`MODULE_ENV`], `token`,
    /// `slot-id` or else the first token, `pin-source` or else [`PIN_ENV`].
    ///
    /// # Errors
    /// [`Pkcs11Error::NoModulePath`] and those of [`open`](Self::open).
    pub fn from_uri(uri: &Pkcs11Uri) -> Result<Self, Pkcs11Error> {
        let module = match uri.module_path() {
            Some(path) => path.to_owned(),
            None => std::env::var(MODULE_ENV).map_err(|_| Pkcs11Error::NoModulePath)?,
        };
        let selector = match (uri.token(), uri.slot_id()) {
            (Some(label), _) => TokenSelector::Label(label),
            (None, Some(id)) => TokenSelector::SlotId(id),
            (None, None) => TokenSelector::First,
        };
        let pin = match uri.pin_source() {
            Some(PinSourceSpec::Env(name)) => PinSource::env(name.clone()),
            None => PinSource::env(PIN_ENV),
        };
        Self::open(module, selector, pin)
    }

    /// The token's label.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.shared.name
    }

    /// Checks that the token offers `mechanism`.
    pub(crate) fn require(
        &self,
        mechanism: MechanismType,
        name: &'static str,
    ) -> Result<(), Pkcs11Error> {
        self.shared
            .ctx
            .get_mechanism_info(self.shared.slot, mechanism)
            .map(|_| ())
            .map_err(|_| Pkcs11Error::MechanismUnsupported { mechanism: name })
    }

    /// Runs `f` with a logged-in session of the pool and the pool's generation.
    pub(crate) fn run<T>(
        &self,
        f: impl FnOnce(&Session, u64) -> Result<T, Pkcs11Error>,
    ) -> Result<T, Pkcs11Error> {
        let (session, generation) = {
            let mut pool = self.lock();
            (pool.idle.pop(), pool.generation)
        };
        let session = match session {
            Some(s) => s,
            None => self.open_session(false)?,
        };
        let result = f(&session, generation);
        self.give_back(session, generation, &result);
        result
    }

    /// Runs `f` with a new read-write session (key generation), not pooled.
    pub(crate) fn run_rw<T>(
        &self,
        f: impl FnOnce(&Session) -> Result<T, Pkcs11Error>,
    ) -> Result<T, Pkcs11Error> {
        let session = self.open_session(true)?;
        let generation = self.lock().generation;
        let result = f(&session);
        if matches!(result, Err(Pkcs11Error::SessionLost { .. })) {
            self.lose(generation);
        }
        result
    }

    /// Puts `session` back, or drops the pool when the session was lost.
    fn give_back<T>(&self, session: Session, generation: u64, result: &Result<T, Pkcs11Error>) {
        if matches!(result, Err(Pkcs11Error::SessionLost { .. })) {
            drop(session);
            self.lose(generation);
        } else {
            let mut pool = self.lock();
            if pool.generation == generation && pool.idle.len() < MAX_IDLE {
                pool.idle.push(session);
            }
        }
    }

    /// Drops every idle session of `generation` and advances the generation.
    fn lose(&self, generation: u64) {
        let stale = {
            let mut pool = self.lock();
            if pool.generation != generation {
                return;
            }
            pool.generation = pool.generation.wrapping_add(1);
            core::mem::take(&mut pool.idle)
        };
        drop(stale);
    }

    fn lock(&self) -> MutexGuard<'_, Pool> {
        // A panic while holding the lock leaves only a list of sessions: keep using it.
        self.shared
            .pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens a session and logs the user in (once per token and application: an
    /// already-logged-in user is fine). Re-initializes a library finalized behind our back.
    fn open_session(&self, rw: bool) -> Result<Session, Pkcs11Error> {
        let open = || {
            if rw {
                self.shared.ctx.open_rw_session(self.shared.slot)
            } else {
                self.shared.ctx.open_ro_session(self.shared.slot)
            }
        };
        let session = match open() {
            Err(CkError::Pkcs11(RvError::CryptokiNotInitialized, _)) => {
                initialize(&self.shared.ctx).map_err(|e| classify(&e))?;
                open()
            }
            other => other,
        }
        .map_err(|e| classify(&e))?;
        let pin = self.shared.pin.read()?;
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(CkError::Pkcs11(
                RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange,
                _,
            )) => Err(Pkcs11Error::WrongPin),
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Pkcs11Error::PinLocked),
            Err(e) => Err(classify(&e)),
        }
    }
}

/// `C_Initialize` with OS locking; a library this process initialized already is fine.
fn initialize(ctx: &Pkcs11) -> Result<(), CkError> {
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The slot of the token `selector` names, and the token's label.
fn find_slot(ctx: &Pkcs11, selector: TokenSelector<'_>) -> Result<(Slot, String), Pkcs11Error> {
    let slots = ctx.get_slots_with_token().map_err(|e| classify(&e))?;
    let wanted = match selector {
        TokenSelector::Label(l) => l.to_owned(),
        TokenSelector::SlotId(id) => format!("slot-id={id}"),
        TokenSelector::First => "(any)".to_owned(),
    };
    for slot in slots {
        let Ok(info) = ctx.get_token_info(slot) else {
            continue;
        };
        let label = info.label().trim_end().to_owned();
        let hit = match selector {
            TokenSelector::Label(l) => label == l,
            TokenSelector::SlotId(id) => slot.id() == id,
            TokenSelector::First => info.token_initialized(),
        };
        if hit {
            return Ok((slot, label));
        }
    }
    Err(Pkcs11Error::TokenNotFound { token: wanted })
}

/// The return values that mean the session (or its handles) is gone.
const SESSION_LOST: &[RvError] = &[
    RvError::SessionHandleInvalid,
    RvError::SessionClosed,
    RvError::DeviceRemoved,
    RvError::TokenNotPresent,
    RvError::CryptokiNotInitialized,
    RvError::UserNotLoggedIn,
    RvError::DeviceError,
    RvError::KeyHandleInvalid,
    RvError::ObjectHandleInvalid,
];

/// A cryptoki error as a [`Pkcs11Error`]: a lost session, an unsupported mechanism, or the
/// function and return value that failed.
pub(crate) fn classify(e: &CkError) -> Pkcs11Error {
    match e {
        CkError::Pkcs11(rv, _) if SESSION_LOST.contains(rv) => Pkcs11Error::SessionLost {
            rv: format!("{rv:?}"),
        },
        CkError::Pkcs11(RvError::MechanismInvalid | RvError::MechanismParamInvalid, _) => {
            Pkcs11Error::MechanismUnsupported {
                mechanism: "the mechanism",
            }
        }
        CkError::Pkcs11(rv, function) => Pkcs11Error::Device {
            function: format!("{function:?}"),
            rv: format!("{rv:?}"),
        },
        _ => Pkcs11Error::Device {
            function: "cryptoki".to_owned(),
            rv: "binding error".to_owned(),
        },
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("label", &self.shared.name)
            .field("slot", &self.shared.slot.id())
            .field("pin", &self.shared.pin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use cryptoki::context::Function;
    use zegel_jose::error::Fault;

    use super::*;

    #[test]
    fn lost_sessions_are_told_from_other_failures() {
        for rv in SESSION_LOST {
            let e = classify(&CkError::Pkcs11(*rv, Function::Sign));
            assert_eq!(e.code(), "pkcs11.session_lost", "{rv:?}");
            assert_eq!(e.fault(), Fault::Unavailable);
        }
        let e = classify(&CkError::Pkcs11(RvError::DeviceRemoved, Function::Decrypt));
        assert_eq!(
            e.to_string(),
            "the pkcs #11 session was lost (DeviceRemoved); the next call opens a new one"
        );
        let e = classify(&CkError::Pkcs11(
            RvError::MechanismInvalid,
            Function::SignInit,
        ));
        assert_eq!(e.code(), "pkcs11.mechanism_unsupported");
        let e = classify(&CkError::Pkcs11(RvError::DataLenRange, Function::Decrypt));
        assert_eq!(
            e,
            Pkcs11Error::Device {
                function: "Decrypt".into(),
                rv: "DataLenRange".into()
            }
        );
        assert_eq!(e.fault(), Fault::Unavailable);
        assert_eq!(
            e.to_string(),
            "the pkcs #11 token refused Decrypt (DataLenRange)"
        );
    }
}
