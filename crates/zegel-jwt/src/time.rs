//! The clock argument: [`UnixTime`], whole seconds since the Unix epoch.
//!
//! zegel-jwt never reads the clock. Every check that depends on the time (`exp`, `nbf`, `iat`,
//! `max_age`) takes a `now: UnixTime` the caller supplies, which makes validation deterministic
//! and testable, and leaves the choice of clock (system, monotonic-corrected, mocked) to the
//! application.

use core::fmt;
use core::time::Duration;
use std::time::SystemTime;

/// A point in time: whole seconds since 1970-01-01T00:00:00Z, ignoring leap seconds (the
/// NumericDate scale of RFC 7519 §2).
///
/// Build one from the system clock in the application, not in a library:
///
/// ```
/// # use zegel_jwt::UnixTime;
/// let now = UnixTime::from_system_time(std::time::SystemTime::now()).unwrap_or(UnixTime::EPOCH);
/// assert!(now.as_secs() > 1_700_000_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The Unix epoch itself.
    pub const EPOCH: Self = Self(0);

    /// The time `secs` seconds after the epoch.
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// The time `since` after the epoch, rounded down to the second.
    #[must_use]
    pub const fn since_unix_epoch(since: Duration) -> Self {
        Self(since.as_secs())
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The time `t` of the system clock, or `None` for a time before the epoch.
    #[must_use]
    pub fn from_system_time(t: SystemTime) -> Option<Self> {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .ok()
            .map(Self::since_unix_epoch)
    }

    /// `self + d`, or `None` past the end of the representable range.
    #[must_use]
    pub const fn checked_add(self, d: Duration) -> Option<Self> {
        match self.0.checked_add(d.as_secs()) {
            Some(s) => Some(Self(s)),
            None => None,
        }
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(UnixTime::from_secs(5).as_secs(), 5);
        assert_eq!(
            UnixTime::since_unix_epoch(Duration::from_millis(5_999)).as_secs(),
            5
        );
        assert_eq!(
            UnixTime::from_secs(5).checked_add(Duration::from_secs(2)),
            Some(UnixTime(7))
        );
        assert_eq!(
            UnixTime::from_secs(u64::MAX).checked_add(Duration::from_secs(1)),
            None
        );
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(UnixTime::from_system_time(t), Some(UnixTime(1_700_000_000)));
        assert_eq!(
            UnixTime::from_system_time(SystemTime::UNIX_EPOCH - Duration::from_secs(1)),
            None
        );
        assert_eq!(UnixTime::from_secs(42).to_string(), "42");
    }
}
