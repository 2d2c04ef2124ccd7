//! [`NumericDate`]: the JSON number RFC 7519 §2 uses for `exp`, `nbf` and `iat`.
//!
//! A NumericDate is "the number of seconds from 1970-01-01T00:00:00Z UTC until the specified UTC
//! date/time, ignoring leap seconds", and "non-integer values can be represented". zegel keeps
//! whole seconds (`i64`) and nanoseconds separately, so integers are exact, fractions are kept to
//! the nanosecond, and comparisons are exact integer arithmetic. Values outside the `i64` range of
//! seconds, and anything that is not a number, are refused when parsed; every sum with a leeway or
//! a lifetime is checked or computed in `i128`, so nothing overflows.

use core::fmt;
use core::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::time::UnixTime;

const NANOS_PER_SEC: u32 = 1_000_000_000;
/// 2^63 as a float: the first value past `i64::MAX`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// A JWT date: seconds since the Unix epoch, possibly with a fraction (RFC 7519 §2).
///
/// Ordering is by time. Serialized as a JSON integer when there is no fraction, otherwise as a
/// JSON number with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate {
    /// Whole seconds, rounded towards negative infinity.
    secs: i64,
    /// The fraction, in `0..1_000_000_000`.
    nanos: u32,
}

impl NumericDate {
    /// The date `secs` seconds after the epoch.
    #[must_use]
    pub const fn from_secs(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// The date of `t`. Times past `i64::MAX` seconds (some 292 billion years) saturate there.
    #[must_use]
    pub fn from_unix_time(t: UnixTime) -> Self {
        Self::from_secs(i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
    }

    /// The date given as a float, or `None` if it is not finite or out of the `i64` range of
    /// seconds. The fraction is kept to the nearest nanosecond.
    #[must_use]
    pub fn from_f64(value: f64) -> Option<Self> {
        let floor = value.floor();
        // `contains` is false for NaN too.
        if !(-TWO_POW_63..TWO_POW_63).contains(&floor) {
            return None;
        }
        // In range by the check above, and integral: the casts are exact.
        #[allow(clippy::cast_possible_truncation)]
        let secs = floor as i64;
        // In [0, 1e9] because `value - floor` is in [0, 1).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let nanos = ((value - floor) * f64::from(NANOS_PER_SEC)).round() as u32;
        if nanos >= NANOS_PER_SEC {
            return secs.checked_add(1).map(Self::from_secs);
        }
        Some(Self { secs, nanos })
    }

    /// Whole seconds since the epoch, rounded down.
    #[must_use]
    pub const fn secs(self) -> i64 {
        self.secs
    }

    /// The fraction of a second, in nanoseconds.
    #[must_use]
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// `self + d`, or `None` past `i64::MAX` seconds.
    #[must_use]
    pub fn checked_add(self, d: Duration) -> Option<Self> {
        let secs = self.secs.checked_add(i64::try_from(d.as_secs()).ok()?)?;
        let nanos = self.nanos + d.subsec_nanos(); // both below 1e9: no overflow in u32
        if nanos >= NANOS_PER_SEC {
            Some(Self {
                secs: secs.checked_add(1)?,
                nanos: nanos - NANOS_PER_SEC,
            })
        } else {
            Some(Self { secs, nanos })
        }
    }

    /// The date in nanoseconds since the epoch: exact, and far from `i128`'s limits.
    pub(crate) fn as_nanos(self) -> i128 {
        i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos)
    }
}

impl From<UnixTime> for NumericDate {
    fn from(t: UnixTime) -> Self {
        Self::from_unix_time(t)
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return write!(f, "{}", self.secs);
        }
        let frac = format!("{:09}", self.nanos);
        write!(f, "{}.{}", self.secs, frac.trim_end_matches('0'))
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.nanos == 0 {
            s.serialize_i64(self.secs)
        } else {
            // Precision is lost only for fractions of dates far beyond any real use.
            #[allow(clippy::cast_precision_loss)]
            let secs = self.secs as f64;
            s.serialize_f64(secs + f64::from(self.nanos) / f64::from(NANOS_PER_SEC))
        }
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumericDateVisitor)
    }
}

struct NumericDateVisitor;

impl Visitor<'_> for NumericDateVisitor {
    type Value = NumericDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number of seconds since the epoch")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
        Ok(NumericDate::from_secs(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
        i64::try_from(v)
            .map(NumericDate::from_secs)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
        NumericDate::from_f64(v).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<NumericDate, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn integers_and_fractions() {
        assert_eq!(
            parse("1300819380").unwrap(),
            NumericDate::from_secs(1_300_819_380)
        );
        assert_eq!(parse("-1").unwrap(), NumericDate::from_secs(-1));
        let d = parse("1300819380.25").unwrap();
        assert_eq!((d.secs(), d.subsec_nanos()), (1_300_819_380, 250_000_000));
        let d = parse("-0.5").unwrap();
        assert_eq!((d.secs(), d.subsec_nanos()), (-1, 500_000_000));
        assert_eq!(parse("1e3").unwrap(), NumericDate::from_secs(1000));
        assert_eq!(parse("9223372036854775807").unwrap().secs(), i64::MAX);
        assert!(NumericDate::from_secs(1) < parse("1.000000001").unwrap());
        // A fraction that rounds up to the next second.
        assert_eq!(
            NumericDate::from_f64(0.999_999_999_9),
            Some(NumericDate::from_secs(1))
        );
    }

    #[test]
    fn refuses_what_is_not_a_representable_date() {
        for bad in [
            "9223372036854775808",
            "18446744073709551615",
            "1e19",
            "-1e19",
            "1e300",
            "\"1\"",
            "null",
            "true",
            "[1]",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(NumericDate::from_f64(f64::NAN), None);
        assert_eq!(NumericDate::from_f64(f64::INFINITY), None);
        assert_eq!(
            NumericDate::from_f64(-TWO_POW_63),
            Some(NumericDate::from_secs(i64::MIN))
        );
    }

    #[test]
    fn serializes_integers_as_integers() {
        assert_eq!(
            serde_json::to_string(&NumericDate::from_secs(1_300_819_380)).unwrap(),
            "1300819380"
        );
        assert_eq!(
            serde_json::to_string(&parse("10.5").unwrap()).unwrap(),
            "10.5"
        );
        assert_eq!(parse("10.5").unwrap().to_string(), "10.5");
        assert_eq!(NumericDate::from_secs(-3).to_string(), "-3");
    }

    #[test]
    fn arithmetic_never_overflows() {
        let max = NumericDate::from_secs(i64::MAX);
        assert_eq!(max.checked_add(Duration::from_secs(1)), None);
        assert_eq!(
            max.checked_add(Duration::from_nanos(1)),
            Some(NumericDate {
                secs: i64::MAX,
                nanos: 1
            })
        );
        assert_eq!(
            NumericDate {
                secs: i64::MAX,
                nanos: 999_999_999
            }
            .checked_add(Duration::from_nanos(1)),
            None
        );
        assert_eq!(NumericDate::from_secs(0).checked_add(Duration::MAX), None);
        assert_eq!(
            parse("1.75")
                .unwrap()
                .checked_add(Duration::from_millis(500)),
            Some(NumericDate {
                secs: 2,
                nanos: 250_000_000
            })
        );
        assert_eq!(
            NumericDate::from_unix_time(UnixTime::from_secs(u64::MAX)).secs(),
            i64::MAX
        );
        assert_eq!(
            NumericDate {
                secs: i64::MIN,
                nanos: 1
            }
            .as_nanos(),
            i128::from(i64::MIN) * 1_000_000_000 + 1
        );
    }
}
