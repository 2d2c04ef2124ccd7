//! The confirmation (WYSIWYS, "what you see is what you sign") templates of
//! `_OIDC/confirmation.md` ("WYSIWYS template"): what the user is shown in the itsme® app
//! and approves, sent as essential claims with values in the `claims` request.
//!
//! - [`Confirmation::payment`]: the `adv_payment` template, an amount, an ISO 4217
//!   currency and an IBAN whose check digits are verified (ISO 13616, mod 97);
//! - [`Confirmation::free_text`]: the `free_text` template, at most
//!   [`FREE_TEXT_MAX_CHARS`] characters of ISO-8859-15 text, with no HTML tags but `<b>`,
//!   `<i>`, `<u>` and `<br>`.
//!
//! Both constructors refuse what itsme® would refuse, so a confirmation that builds is one
//! the user can see.

use crate::claims::{ClaimsRequest, Location};
use crate::error::ConfirmationError;

/// The claim naming the template.
pub const TEMPLATE_NAME_CLAIM: &str = "http://itsme.services/v2/claim/claim_approval_template_name";
/// The payment template's amount claim.
pub const AMOUNT_CLAIM: &str = "http://itsme.services/v2/claim/claim_approval_amount_key";
/// The payment template's currency claim.
pub const CURRENCY_CLAIM: &str = "http://itsme.services/v2/claim/claim_approval_currency_key";
/// The payment template's IBAN claim.
pub const IBAN_CLAIM: &str = "http://itsme.services/v2/claim/claim_approval_iban_key";
/// The free-text template's text claim.
pub const TEXT_CLAIM: &str = "http://itsme.services/v2/claim/claim_approval_text_key";

/// The longest free text, in characters, tags included.
pub const FREE_TEXT_MAX_CHARS: usize = 7500;

/// The HTML tags the free-text template renders.
const ALLOWED_TAGS: &[&str] = &[
    "<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<br>", "<br/>", "<br />", "</br>",
];

/// A confirmation screen, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Confirmation {
    template: Template,
}

#[derive(Clone, PartialEq, Eq)]
enum Template {
    Payment {
        amount: String,
        currency: String,
        iban: String,
    },
    FreeText(String),
}

impl Confirmation {
    /// The `adv_payment` template: `amount` (an integer, sent as a string as the template
    /// asks), `currency` (an ISO 4217 code such as `EUR`) and `iban`, in its electronic form
    /// or printed in groups of four (spaces are removed; letters may be lower case).
    ///
    /// # Errors
    /// [`ConfirmationError::Currency`] unless the currency is three capital letters;
    /// [`ConfirmationError::IbanShape`] or [`ConfirmationError::IbanCheckDigits`] for an
    /// account number that is not a valid IBAN.
    pub fn payment(amount: u64, currency: &str, iban: &str) -> Result<Self, ConfirmationError> {
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ConfirmationError::Currency);
        }
        let iban = normalize_iban(iban)?;
        Ok(Self {
            template: Template::Payment {
                amount: amount.to_string(),
                currency: currency.to_owned(),
                iban,
            },
        })
    }

    /// The `free_text` template: `text`, shown as is in the app.
    ///
    /// # Errors
    /// [`ConfirmationError::EmptyText`]; [`ConfirmationError::TextTooLong`] beyond
    /// [`FREE_TEXT_MAX_CHARS`] characters; [`ConfirmationError::NotLatin9`] for a character
    /// outside ISO-8859-15 or a control character other than a line break or a tab;
    /// [`ConfirmationError::Tag`] for a `<` that does not open one of the allowed tags.
    pub fn free_text(text: &str) -> Result<Self, ConfirmationError> {
        if text.is_empty() {
            return Err(ConfirmationError::EmptyText);
        }
        let mut chars = 0usize;
        for (position, (offset, c)) in text.char_indices().enumerate() {
            chars = position + 1;
            if chars > FREE_TEXT_MAX_CHARS {
                return Err(ConfirmationError::TextTooLong {
                    max: FREE_TEXT_MAX_CHARS,
                });
            }
            if !is_latin9(c) {
                return Err(ConfirmationError::NotLatin9 { position });
            }
            if c == '<' {
                let rest = &text[offset..];
                if !ALLOWED_TAGS
                    .iter()
                    .any(|tag| starts_with_ignore_case(rest, tag))
                {
                    return Err(ConfirmationError::Tag { position });
                }
            }
        }
        debug_assert!(chars <= FREE_TEXT_MAX_CHARS);
        Ok(Self {
            template: Template::FreeText(text.to_owned()),
        })
    }

    /// The template's name: `adv_payment` or `free_text`.
    #[must_use]
    pub fn template_name(&self) -> &'static str {
        match self.template {
            Template::Payment { .. } => "adv_payment",
            Template::FreeText(_) => "free_text",
        }
    }

    /// The essential claims with values the template is sent as, (name, value) in the
    /// documented order.
    #[must_use]
    pub fn claims(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![(TEMPLATE_NAME_CLAIM, self.template_name())];
        match &self.template {
            Template::Payment {
                amount,
                currency,
                iban,
            } => {
                out.push((AMOUNT_CLAIM, amount));
                out.push((CURRENCY_CLAIM, currency));
                out.push((IBAN_CLAIM, iban));
            }
            Template::FreeText(text) => out.push((TEXT_CLAIM, text)),
        }
        out
    }

    /// Adds the template's essential claims to a claims request, in `location` (itsme®
    /// recommends the ID token).
    #[must_use]
    pub fn add_to(&self, mut request: ClaimsRequest, location: Location) -> ClaimsRequest {
        for (name, value) in self.claims() {
            request.insert_essential_value(location, name, value);
        }
        request
    }
}

impl core::fmt::Debug for Confirmation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The account number and the text can be personal data.
        f.debug_struct("Confirmation")
            .field("template", &self.template_name())
            .finish_non_exhaustive()
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Whether `c` is in ISO-8859-15 (Latin-9) and is not a control character other than a line
/// break or a tab.
fn is_latin9(c: char) -> bool {
    match u32::from(c) {
        0x09 | 0x0A | 0x0D => true,
        0x00..=0x1F | 0x7F..=0x9F => false,
        // The eight Latin-1 characters Latin-9 replaces: ¤ ¦ ¨ ´ ¸ ¼ ½ ¾.
        0xA4 | 0xA6 | 0xA8 | 0xB4 | 0xB8 | 0xBC | 0xBD | 0xBE => false,
        0x20..=0xFF => true,
        // What Latin-9 puts in their place: € Š š Ž ž Œ œ Ÿ.
        0x20AC | 0x0160 | 0x0161 | 0x017D | 0x017E | 0x0152 | 0x0153 | 0x0178 => true,
        _ => false,
    }
}

/// IBAN lengths by country, from the SWIFT IBAN registry (ISO 13616). A country not listed
/// is held to the general bounds, 15 to 34 characters.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// The electronic form of an IBAN, its check digits verified (ISO 13616-1: move the first
/// four characters to the end, letters to numbers A=10 ... Z=35, the number mod 97 is 1).
fn normalize_iban(iban: &str) -> Result<String, ConfirmationError> {
    let compact: String = iban
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b[4..].iter().all(u8::is_ascii_alphanumeric)
    {
        return Err(ConfirmationError::IbanShape);
    }
    if let Some((_, len)) = IBAN_LENGTHS.iter().find(|(cc, _)| cc.as_bytes() == &b[..2])
        && b.len() != *len
    {
        return Err(ConfirmationError::IbanShape);
    }
    let mut remainder = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        let value = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    if remainder != 1 {
        return Err(ConfirmationError::IbanCheckDigits);
    }
    Ok(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin9_is_latin1_with_eight_swaps() {
        for c in [
            'a', 'é', 'ß', 'ÿ', '€', 'Š', 'š', 'Ž', 'ž', 'Œ', 'œ', 'Ÿ', '\n', ' ', '~',
        ] {
            assert!(is_latin9(c), "{c:?}");
        }
        for c in [
            '¤', '¦', '¨', '´', '¸', '¼', '½', '¾', 'ł', '→', '😀', '\u{0}', '\u{7f}', '\u{85}',
        ] {
            assert!(!is_latin9(c), "{c:?}");
        }
    }

    #[test]
    fn iban_check_digits() {
        assert_eq!(
            normalize_iban("BE68 5390 0754 7034").unwrap(),
            "BE68539007547034"
        );
        assert_eq!(
            normalize_iban("gb82west12345698765432").unwrap(),
            "GB82WEST12345698765432"
        );
        assert_eq!(
            normalize_iban("BE69539007547034"),
            Err(ConfirmationError::IbanCheckDigits)
        );
        for bad in [
            "",
            "BE68",
            "1E68539007547034",
            "BEX8539007547034",
            "BE68-5390-0754-7034",
        ] {
            assert_eq!(
                normalize_iban(bad),
                Err(ConfirmationError::IbanShape),
                "{bad:?}"
            );
        }
    }
}
