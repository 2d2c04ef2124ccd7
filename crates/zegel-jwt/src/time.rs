//! The clock argument: [`UnixTime`], whole seconds since the Unix epoch.
//!
//! Every check that depends on the time (`exp`, `nbf`, `iat`, `max_age`) takes a `now: UnixTime`
//! the caller supplies, which makes validation deterministic and testable, and leaves the choice
//! of clock (system, monotonic-corrected, mocked) to the application. [`UnixTime::now`] is the
//! one place the libraries read the system clock, for the caller to pass on; it fails rather
//! than answer the epoch when the clock is set before it.

use core::fmt;
use core::time::Duration;
use std::time::SystemTime;

/// A point in time: whole seconds since 1970-01-01T00:00:00Z, ignoring leap seconds (the
/// NumericDate scale of RFC 7519 §2).
///
/// Read the system clock with [`now`](Self::now), in the application, and pass it on:
///
/// ```
/// # use core::time::Duration;
/// # use zegel_jwt::UnixTime;
/// let now = UnixTime::now()?;
/// assert!(now.as_secs() > 1_700_000_000);
/// let later = now + Duration::from_secs(60);
/// assert_eq!(later - now, Duration::from_secs(60));
/// # Ok::<(), zegel_jwt::ClockError>(())
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

    /// The system clock, now.
    ///
    /// # Errors
    /// [`ClockError`] when the clock reads before the Unix epoch: a broken clock is an error,
    /// never the epoch (at which every token would look valid or expired by decades).
    #[allow(
        clippy::disallowed_methods,
        reason = "the one sanctioned clock read of the libraries"
    )]
    pub fn now() -> Result<Self, ClockError> {
        Self::from_system_time(SystemTime::now()).ok_or(ClockError)
    }

    /// `self + d` (whole seconds of `d`), or `None` past the end of the representable range.
    #[must_use]
    pub const fn checked_add(self, d: Duration) -> Option<Self> {
        match self.0.checked_add(d.as_secs()) {
            Some(s) => Some(Self(s)),
            None => None,
        }
    }

    /// `self - d` (whole seconds of `d`), or `None` before the epoch.
    #[must_use]
    pub const fn checked_sub(self, d: Duration) -> Option<Self> {
        match self.0.checked_sub(d.as_secs()) {
            Some(s) => Some(Self(s)),
            None => None,
        }
    }

    /// `self + d`, at most the last representable second.
    #[must_use]
    pub const fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_secs()))
    }

    /// `self - d`, at least the epoch.
    #[must_use]
    pub const fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_secs()))
    }

    /// The time from `earlier` to `self`, or `None` if `earlier` is later.
    #[must_use]
    pub const fn checked_duration_since(self, earlier: Self) -> Option<Duration> {
        match self.0.checked_sub(earlier.0) {
            Some(s) => Some(Duration::from_secs(s)),
            None => None,
        }
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    #[must_use]
    pub const fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_secs(self.0.saturating_sub(earlier.0))
    }
}

/// `self + d`, saturating at the last representable second (some 584 billion years on: only a
/// hostile duration gets there, and a later time is then the safe answer for an expiry).
impl core::ops::Add<Duration> for UnixTime {
    type Output = Self;

    fn add(self, d: Duration) -> Self {
        self.saturating_add(d)
    }
}

impl core::ops::AddAssign<Duration> for UnixTime {
    fn add_assign(&mut self, d: Duration) {
        *self = self.saturating_add(d);
    }
}

/// `self - d`, saturating at the epoch.
impl core::ops::Sub<Duration> for UnixTime {
    type Output = Self;

    fn sub(self, d: Duration) -> Self {
        self.saturating_sub(d)
    }
}

impl core::ops::SubAssign<Duration> for UnixTime {
    fn sub_assign(&mut self, d: Duration) {
        *self = self.saturating_sub(d);
    }
}

/// The time between two instants, zero if the right one is later.
impl core::ops::Sub for UnixTime {
    type Output = Duration;

    fn sub(self, earlier: Self) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

/// The system clock reads before the Unix epoch: [`UnixTime::now`] cannot answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockError;

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the system clock is set before 1970")
    }
}

impl std::error::Error for ClockError {}

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
        assert!(UnixTime::now().unwrap().as_secs() > 1_700_000_000);
    }

    #[test]
    fn arithmetic() {
        let (t, d) = (UnixTime::from_secs(10), Duration::from_millis(2_900));
        assert_eq!(t.checked_add(d), Some(UnixTime(12)));
        assert_eq!(t.checked_sub(d), Some(UnixTime(8)));
        assert_eq!(t.checked_sub(Duration::from_secs(11)), None);
        assert_eq!(t.saturating_sub(Duration::from_secs(11)), UnixTime::EPOCH);
        assert_eq!(UnixTime(u64::MAX).saturating_add(d), UnixTime(u64::MAX));
        assert_eq!(t + d, UnixTime(12));
        assert_eq!(t - d, UnixTime(8));
        assert_eq!(t - Duration::MAX, UnixTime::EPOCH);
        assert_eq!(UnixTime(u64::MAX) + Duration::MAX, UnixTime(u64::MAX));
        let mut m = t;
        m += Duration::from_secs(5);
        m -= Duration::from_secs(1);
        assert_eq!(m, UnixTime(14));
        assert_eq!(m - t, Duration::from_secs(4));
        assert_eq!(t - m, Duration::ZERO);
        assert_eq!(m.checked_duration_since(t), Some(Duration::from_secs(4)));
        assert_eq!(t.checked_duration_since(m), None);
        assert_eq!(
            ClockError.to_string(),
            "the system clock is set before 1970"
        );
    }
}
