//! Belgian identifiers, checked: the national register number ([`BeNationalNumber`], claim
//! `BENationalNumber`) and the ID card number ([`BeEidSn`], claim `BEeidSn`), and the
//! [`Date`] both kinds of birth date are read as.
//!
//! The shapes are those of `_Appendix/claims.md`: `BENationalNumber` is 11 digits
//! `YYMMDDxxxcd` (birth date, a sequence number odd for men and even for women, two check
//! digits); `BEeidSn` is `xxx-xxxxxxx-yy`, `yy` being the first ten digits modulo 97, or a
//! letter and nine digits (`B xxxxxxx xx`) for EU/EEA/Swiss citizens' cards.
//!
//! The check digits of a national number are 97 minus the first nine digits modulo 97; for
//! people born from 2000 on, the nine digits are prefixed with a `2` first (the Belgian
//! national register's rule), which is also how the century is known.

use core::fmt;

use zeroize::Zeroize;

/// Why a Belgian identifier was refused. Carries no digit of the value: an identifier is
/// personal data.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NationalNumberError {
    /// Not the documented shape (length, digits, separators).
    Shape,
    /// The check digits do not match.
    CheckDigits,
}

impl NationalNumberError {
    /// A short, stable code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Shape => "itsme.identifier.shape",
            Self::CheckDigits => "itsme.identifier.check_digits",
        }
    }
}

impl fmt::Display for NationalNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Shape => "the identifier does not have the documented shape",
            Self::CheckDigits => "the identifier's check digits do not match",
        })
    }
}

impl std::error::Error for NationalNumberError {}

/// A calendar date, as `birthdate` (`YYYY-MM-DD`) and the national number give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists in the proleptic Gregorian calendar (years 1 to 9999).
    #[must_use]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (day <= days).then_some(Self { year, month, day })
    }

    /// Reads exactly `YYYY-MM-DD`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        Self::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The value of ASCII digits, or `None` for another byte (or more than 18 digits).
fn digits(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    b.iter().try_fold(0u64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
    })
}

/// A Belgian national register number (`rijksregisternummer` / `numéro de registre
/// national`), check digits verified.
///
/// Read from the 11 digits, alone or in the printed form `YY.MM.DD-xxx.cd`. Personal data:
/// the digits are zeroized on drop and `Debug` does not show them.
#[derive(Clone, PartialEq, Eq)]
pub struct BeNationalNumber {
    digits: [u8; 11],
    born_from_2000: bool,
}

impl BeNationalNumber {
    /// Parses and checks a national number: 11 digits, optionally with the `.`, `-` and
    /// space separators of the printed form; the check digits must match either the
    /// before-2000 rule or the from-2000 rule (`2` prefixed).
    ///
    /// # Errors
    /// [`NationalNumberError::Shape`] when it is not 11 digits; [`NationalNumberError::CheckDigits`]
    /// when the check digits match neither rule.
    pub fn parse(s: &str) -> Result<Self, NationalNumberError> {
        let mut out = [0u8; 11];
        let mut n = 0usize;
        for b in s.bytes() {
            match b {
                b'0'..=b'9' => {
                    let slot = out.get_mut(n).ok_or(NationalNumberError::Shape)?;
                    *slot = b;
                    n += 1;
                }
                b'.' | b'-' | b' ' => {}
                _ => return Err(NationalNumberError::Shape),
            }
        }
        if n != 11 {
            out.zeroize();
            return Err(NationalNumberError::Shape);
        }
        let result = Self::check(out);
        out.zeroize();
        result
    }

    fn check(digits: [u8; 11]) -> Result<Self, NationalNumberError> {
        let base = self::digits(&digits[..9]).ok_or(NationalNumberError::Shape)?;
        let check = self::digits(&digits[9..]).ok_or(NationalNumberError::Shape)?;
        let born_from_2000 = if 97 - base % 97 == check {
            false
        } else if 97 - (2_000_000_000 + base) % 97 == check {
            true
        } else {
            return Err(NationalNumberError::CheckDigits);
        };
        Ok(Self {
            digits,
            born_from_2000,
        })
    }

    /// The 11 digits, without separators.
    ///
    /// # Security
    /// Personal data: do not log it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        core::str::from_utf8(&self.digits).unwrap_or_default()
    }

    /// Whether the check digits say the person was born in 2000 or later.
    #[must_use]
    pub fn born_from_2000(&self) -> bool {
        self.born_from_2000
    }

    /// Whether this is a BIS number (a person not in the population register): the month is
    /// raised by 20 or 40.
    #[must_use]
    pub fn is_bis(&self) -> bool {
        self.raw_month() > 12
    }

    fn raw_month(&self) -> u8 {
        (self.digits[2] - b'0') * 10 + (self.digits[3] - b'0')
    }

    /// The birth date the number encodes, when it is a full date: `None` when the register
    /// does not know the day or month (encoded as `00`).
    #[must_use]
    pub fn birth_date(&self) -> Option<Date> {
        let yy = u16::from((self.digits[0] - b'0') * 10 + (self.digits[1] - b'0'));
        let year = if self.born_from_2000 { 2000 } else { 1900 } + yy;
        let month = match self.raw_month() {
            m @ 1..=12 => m,
            m @ 21..=32 => m - 20,
            m @ 41..=52 => m - 40,
            _ => return None,
        };
        let day = (self.digits[4] - b'0') * 10 + (self.digits[5] - b'0');
        Date::new(year, month, day)
    }

    /// The sequence number `xxx`: odd for men, even for women (in the population register).
    #[must_use]
    pub fn sequence(&self) -> u16 {
        self.digits[6..9]
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'))
    }
}

impl Drop for BeNationalNumber {
    fn drop(&mut self) {
        self.digits.zeroize();
    }
}

impl fmt::Debug for BeNationalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeNationalNumber([redacted])")
    }
}

/// A Belgian ID card number (claim `BEeidSn`), its shape checked.
///
/// Personal data: zeroized on drop, not shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct BeEidSn {
    value: String,
    eu_citizen: bool,
}

impl BeEidSn {
    /// Checks a card number: `xxx-xxxxxxx-yy` (12 digits, dashes optional) with `yy` the first
    /// ten digits modulo 97 (97 when that is 0), or a capital letter and nine digits
    /// (`B xxxxxxx xx`, spaces optional) for an EU/EEA/Swiss citizen's card.
    ///
    /// # Errors
    /// [`NationalNumberError::Shape`] or [`NationalNumberError::CheckDigits`].
    pub fn parse(s: &str) -> Result<Self, NationalNumberError> {
        let first = s.bytes().next().ok_or(NationalNumberError::Shape)?;
        if first.is_ascii_uppercase() {
            let rest: Vec<u8> = s.bytes().skip(1).filter(|&b| b != b' ').collect();
            if rest.len() != 9 || !rest.iter().all(u8::is_ascii_digit) {
                return Err(NationalNumberError::Shape);
            }
            return Ok(Self {
                value: s.to_owned(),
                eu_citizen: true,
            });
        }
        let mut digits: Vec<u8> = Vec::with_capacity(12);
        for b in s.bytes() {
            match b {
                b'0'..=b'9' => digits.push(b),
                b'-' => {}
                _ => return Err(NationalNumberError::Shape),
            }
        }
        if digits.len() != 12 {
            return Err(NationalNumberError::Shape);
        }
        let base = self::digits(&digits[..10]).ok_or(NationalNumberError::Shape)?;
        let check = self::digits(&digits[10..]).ok_or(NationalNumberError::Shape)?;
        digits.zeroize();
        let expected = match base % 97 {
            0 => 97,
            r => r,
        };
        if check != expected {
            return Err(NationalNumberError::CheckDigits);
        }
        Ok(Self {
            value: s.to_owned(),
            eu_citizen: false,
        })
    }

    /// The number as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether this is the `B xxxxxxx xx` card of an EU/EEA/Swiss citizen.
    #[must_use]
    pub fn is_eu_citizen_card(&self) -> bool {
        self.eu_citizen
    }
}

impl Drop for BeEidSn {
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

impl fmt::Debug for BeEidSn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeEidSn([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-formed number: `base` (9 digits) and its check digits.
    fn with_check(base: &str, from_2000: bool) -> String {
        let n: u64 = base.parse().unwrap();
        let n = if from_2000 { 2_000_000_000 + n } else { n };
        format!("{base}{:02}", 97 - n % 97)
    }

    #[test]
    fn a_number_before_2000_is_read_with_its_birth_date() {
        let s = with_check("850730033", false);
        assert_eq!(s, "85073003328");
        let nn = BeNationalNumber::parse(&s).unwrap();
        assert_eq!(nn.as_str(), "85073003328");
        assert!(!nn.born_from_2000());
        assert_eq!(nn.birth_date(), Date::new(1985, 7, 30));
        assert_eq!(nn.sequence(), 33);
        assert!(!nn.is_bis());
    }

    #[test]
    fn a_number_from_2000_uses_the_2_prefix_rule() {
        let s = with_check("010203004", true);
        let nn = BeNationalNumber::parse(&s).unwrap();
        assert!(nn.born_from_2000());
        assert_eq!(nn.birth_date(), Date::new(2001, 2, 3));
        // The same digits with the before-2000 check digits read as 1901.
        let old = BeNationalNumber::parse(&with_check("010203004", false)).unwrap();
        assert_eq!(old.birth_date(), Date::new(1901, 2, 3));
    }

    #[test]
    fn the_printed_form_is_accepted() {
        let s = with_check("850730033", false);
        let printed = format!(
            "{}.{}.{}-{}.{}",
            &s[0..2],
            &s[2..4],
            &s[4..6],
            &s[6..9],
            &s[9..]
        );
        assert_eq!(printed, "85.07.30-033.28");
        assert_eq!(BeNationalNumber::parse(&printed).unwrap().as_str(), s);
    }

    #[test]
    fn bis_numbers_and_unknown_dates() {
        let bis = BeNationalNumber::parse(&with_check("852730033", false)).unwrap();
        assert!(bis.is_bis());
        assert_eq!(bis.birth_date(), Date::new(1985, 7, 30));
        let bis40 = BeNationalNumber::parse(&with_check("854730033", false)).unwrap();
        assert_eq!(bis40.birth_date(), Date::new(1985, 7, 30));
        let unknown = BeNationalNumber::parse(&with_check("850000033", false)).unwrap();
        assert_eq!(unknown.birth_date(), None);
    }

    #[test]
    fn wrong_check_digits_are_refused() {
        let good = with_check("850730033", false);
        let mut bad = good.into_bytes();
        bad[10] = if bad[10] == b'9' { b'0' } else { bad[10] + 1 };
        let bad = String::from_utf8(bad).unwrap();
        assert_eq!(
            BeNationalNumber::parse(&bad),
            Err(NationalNumberError::CheckDigits)
        );
        // A changed birth digit breaks the check too.
        assert_eq!(
            BeNationalNumber::parse("85073103328"),
            Err(NationalNumberError::CheckDigits)
        );
    }

    #[test]
    fn wrong_shapes_are_refused() {
        for s in [
            "",
            "8507300332",
            "850730033281",
            "85073003328 1",
            "8507300332a",
            "85/07/30-033.28",
            "８5073003328",
        ] {
            assert_eq!(
                BeNationalNumber::parse(s),
                Err(NationalNumberError::Shape),
                "{s:?}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_digits() {
        let nn = BeNationalNumber::parse(&with_check("850730033", false)).unwrap();
        assert_eq!(format!("{nn:?}"), "BeNationalNumber([redacted])");
        let sn = BeEidSn::parse("591-1234567-53").unwrap();
        assert_eq!(format!("{sn:?}"), "BeEidSn([redacted])");
    }

    #[test]
    fn eid_card_numbers_are_checked_mod_97() {
        // 5911234567 mod 97 = 53
        assert_eq!(5_911_234_567u64 % 97, 53);
        let sn = BeEidSn::parse("591-1234567-53").unwrap();
        assert_eq!(sn.as_str(), "591-1234567-53");
        assert!(!sn.is_eu_citizen_card());
        assert!(BeEidSn::parse("591123456753").is_ok());
        assert_eq!(
            BeEidSn::parse("591-1234567-54"),
            Err(NationalNumberError::CheckDigits)
        );
        // Remainder 0 is written 97.
        assert_eq!(9_700_000_000u64 % 97, 0);
        assert!(BeEidSn::parse("970-0000000-97").is_ok());
        assert_eq!(
            BeEidSn::parse("970-0000000-00"),
            Err(NationalNumberError::CheckDigits)
        );
    }

    #[test]
    fn eu_citizen_cards_have_a_letter_and_nine_digits() {
        let sn = BeEidSn::parse("B 1234567 89").unwrap();
        assert!(sn.is_eu_citizen_card());
        assert!(BeEidSn::parse("B123456789").is_ok());
        for s in [
            "B 1234567 8",
            "b 1234567 89",
            "B 1234567 8X",
            "",
            "591-1234567",
            "591_1234567_85",
        ] {
            assert_eq!(BeEidSn::parse(s), Err(NationalNumberError::Shape), "{s:?}");
        }
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        assert_eq!(Date::parse("2000-02-29"), Date::new(2000, 2, 29));
        assert_eq!(Date::parse("2000-02-29").unwrap().to_string(), "2000-02-29");
        let d = Date::parse("1985-07-30").unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (1985, 7, 30));
        for s in [
            "1900-02-29",
            "2001-02-29",
            "2001-04-31",
            "2001-13-01",
            "2001-00-10",
            "2001-01-00",
            "0000-01-01",
            "2001-1-01",
            "2001/01/01",
            "2001-01-01T00:00:00Z",
            "+001-01-01",
        ] {
            assert_eq!(Date::parse(s), None, "{s:?}");
        }
        assert!(NationalNumberError::Shape.code() != NationalNumberError::CheckDigits.code());
        assert_eq!(
            NationalNumberError::CheckDigits.to_string(),
            "the identifier's check digits do not match"
        );
    }
}
