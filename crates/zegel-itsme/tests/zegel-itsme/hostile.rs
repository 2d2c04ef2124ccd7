//! Any input gets a typed answer, never a panic; checked values round-trip.

use std::path::Path;

use proptest::prelude::*;
use zegel_itsme::claims::{BeEidSn, BeNationalNumber, Date};
use zegel_itsme::config::Config;
use zegel_itsme::confirmation::Confirmation;
use zegel_itsme::error::ConfirmationError;
use zegel_itsme::pending::{PendingLogin, SealingKey};
use zegel_jwt::UnixTime;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(s in "\\PC{0,64}") {
        let _ = BeNationalNumber::parse(&s);
        let _ = BeEidSn::parse(&s);
        let _ = Date::parse(&s);
        let _ = Confirmation::free_text(&s);
        let _ = Confirmation::payment(1, &s, &s);
        let _ = Config::from_toml(&s, Path::new("."), |_| None);
        let key = SealingKey::from_bytes(&[5; 32]).unwrap();
        prop_assert!(PendingLogin::open(&s, &key, UnixTime::from_secs(0)).is_err());
    }

    #[test]
    fn every_valid_national_number_parses_with_its_century(
        base in 0u64..1_000_000_000,
        from_2000 in any::<bool>(),
    ) {
        let n = if from_2000 { 2_000_000_000 + base } else { base };
        let s = format!("{base:09}{:02}", 97 - n % 97);
        let nn = BeNationalNumber::parse(&s).unwrap();
        prop_assert_eq!(nn.as_str(), s.as_str());
        prop_assert_eq!(nn.born_from_2000(), from_2000);
        if let Some(date) = nn.birth_date() {
            prop_assert_eq!(u64::from(date.year() % 100), base / 10_000_000);
        }
    }

    #[test]
    fn a_changed_check_digit_is_refused(base in 0u64..1_000_000_000, delta in 1u64..97) {
        // Digits that match neither rule: away from both check values.
        let before = 97 - base % 97;
        let after = 97 - (2_000_000_000 + base) % 97;
        let check = (before + delta) % 100;
        prop_assume!(check != before && check != after);
        let s = format!("{base:09}{check:02}");
        prop_assert!(BeNationalNumber::parse(&s).is_err());
    }

    #[test]
    fn any_single_digit_change_breaks_an_iban(pos in 4usize..16, digit in 0u8..10) {
        let good = *b"BE68539007547034";
        prop_assume!(good[pos] != b'0' + digit);
        let mut bad = good;
        bad[pos] = b'0' + digit;
        let bad = String::from_utf8(bad.to_vec()).unwrap();
        prop_assert_eq!(
            Confirmation::payment(1, "EUR", &bad),
            Err(ConfirmationError::IbanCheckDigits)
        );
    }
}
