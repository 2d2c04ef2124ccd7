//! [`Clock`]: where the crate's async edge reads the time. The sans-IO core takes `now` as an
//! argument; only [`SystemClock`] reads the system clock.

use core::fmt;

use zegel_jwt::UnixTime;

/// A source of the current time (inject a fixed one in tests).
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now.
    fn now(&self) -> UnixTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_system_time(std::time::SystemTime::now()).unwrap_or(UnixTime::EPOCH)
    }
}
