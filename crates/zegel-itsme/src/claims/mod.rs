//! The itsme® claims, typed: asking for them ([`Claim`], [`ClaimsRequest`]) and reading them
//! ([`Identity`]).
//!
//! Every claim of the itsme® documentation (`_Appendix/claims.md`,
//! `_OIDC/chapters/authorization_request.md`, `claims` parameter) is a `static` [`Claim`] row in
//! [`ALL`], the one table of claim names: the OpenID Connect standard claims (`name`,
//! `family_name`, `birthdate`, `address`, ...) and itsme®'s own
//! `http://itsme.services/v2/claim/...` claims (`BENationalNumber`, `BEeidSn`,
//! `IDDocumentSN`, `place_of_birth`, `physical_person_photo`, the metadata `validityFrom`,
//! `validityTo`, `verificationDate`, `issuance_locality`, ...). Claims whose name is built
//! from a parameter are constructors: [`Claim::national_number`] (`RONationalNumber`, ...) and
//! [`Claim::age_gte`] (`age_gte_18`, ...).
//!
//! A [`ClaimsRequest`] puts each claim where the caller wants it, in the ID token or in the
//! UserInfo response ([`Location`]), and writes the OpenID Connect `claims` request parameter
//! (OpenID Connect Core §5.5).

mod identity;
mod national_number;
mod request;

pub use identity::{
    Account, Address, App, Device, Gender, Identity, Metadata, Photo, PlaceOfBirth, TransactionInfo,
};
pub use national_number::{BeEidSn, BeNationalNumber, Date, NationalNumberError};
pub use request::{ClaimsRequest, Location};

use std::borrow::Cow;
use std::fmt;

/// The prefix of itsme®'s own claim names.
pub const ITSME_CLAIM_PREFIX: &str = "http://itsme.services/v2/claim/";

/// The JSON shape of a claim's value, as the itsme® documentation describes it. An
/// [`Identity`] checks the claims it knows against their shape when it is built.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Bool,
    /// A JSON object with the members the documentation lists (`address`, `place_of_birth`,
    /// `claim_device`, ...).
    Object,
    /// A `YYYY-MM-DD` date string (`birthdate`).
    Date,
    /// A metadata claim: a JSON object whose members are the names of the other claims it
    /// describes, each with a string value (`_OIDC/chapters/user_data.md`, "Metadata").
    Metadata,
    /// A string, or a metadata object (`IDIssuingCountry`, described both ways).
    StringOrMetadata,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Name {
    Static(&'static str),
    /// `http://itsme.services/v2/claim/<CC>NationalNumber`.
    NationalNumber([u8; 2]),
    /// `http://itsme.services/v2/claim/age_gte_<N>`.
    AgeGte(u8),
}

/// A claim itsme® can return: its name (for the request and in the token) and the shape of
/// its value.
///
/// The table rows are the `static`s of this module ([`FAMILY_NAME`], [`BE_NATIONAL_NUMBER`],
/// ...), all listed in [`ALL`]; [`by_name`] finds one by its exact name.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claim {
    name: Name,
    kind: ValueKind,
}

impl Claim {
    const fn standard(name: &'static str, kind: ValueKind) -> Self {
        Self {
            name: Name::Static(name),
            kind,
        }
    }

    /// The national number claim of the country with this ISO 3166-1 alpha-2 code
    /// (`"BE"` gives `http://itsme.services/v2/claim/BENationalNumber`, `"RO"`
    /// `RONationalNumber`), a string. `None` unless `country` is two ASCII capital letters.
    #[must_use]
    pub fn national_number(country: &str) -> Option<Self> {
        let bytes: [u8; 2] = country.as_bytes().try_into().ok()?;
        if !bytes.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        let claim = Self {
            name: Name::NationalNumber(bytes),
            kind: ValueKind::String,
        };
        // The documented countries are table rows; the same name gives the same value.
        let name = claim.name();
        Some(ALL.iter().find(|c| c.name() == name).map_or(claim, |c| **c))
    }

    /// `http://itsme.services/v2/claim/age_gte_<years>`: whether the user is at least `years`
    /// old, a boolean. The value is read with [`Identity::age_gte`].
    #[must_use]
    pub const fn age_gte(years: u8) -> Self {
        Self {
            name: Name::AgeGte(years),
            kind: ValueKind::Bool,
        }
    }

    /// The claim's name, exactly as in the request and in the token.
    #[must_use]
    pub fn name(&self) -> Cow<'static, str> {
        match self.name {
            Name::Static(name) => Cow::Borrowed(name),
            Name::NationalNumber([a, b]) => Cow::Owned(format!(
                "{ITSME_CLAIM_PREFIX}{}{}NationalNumber",
                char::from(a),
                char::from(b)
            )),
            Name::AgeGte(years) => Cow::Owned(format!("{ITSME_CLAIM_PREFIX}age_gte_{years}")),
        }
    }

    /// The shape of the claim's value.
    #[must_use]
    pub fn kind(&self) -> ValueKind {
        self.kind
    }

    /// Whether this is a metadata claim, describing the other claims requested with it.
    #[must_use]
    pub fn is_metadata(&self) -> bool {
        matches!(self.kind, ValueKind::Metadata | ValueKind::StringOrMetadata)
    }

    /// Whether this is one of itsme®'s own `http://itsme.services/v2/claim/...` claims.
    #[must_use]
    pub fn is_itsme(&self) -> bool {
        self.name().starts_with(ITSME_CLAIM_PREFIX)
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Claim").field(&self.name()).finish()
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

macro_rules! claims {
    ($($(#[$doc:meta])* $ident:ident = $name:expr, $kind:ident;)*) => {
        $(
            $(#[$doc])*
            pub static $ident: Claim = Claim::standard($name, ValueKind::$kind);
        )*
        /// Every claim of the table, in the order of the itsme® claims list.
        pub static ALL: &[&Claim] = &[$(&$ident),*];
    };
}

claims! {
    /// `name`: the full name, with every name part, titles and suffixes.
    NAME = "name", String;
    /// `given_name`: the given name(s), space separated; absent for a user without one.
    GIVEN_NAME = "given_name", String;
    /// `family_name`: the surname(s), space separated.
    FAMILY_NAME = "family_name", String;
    /// `birthdate`: `YYYY-MM-DD`. For Belgian documents, at least one of `birthdate` and
    /// [`BIRTHDATE_AS_STRING`] is present.
    BIRTHDATE = "birthdate", Date;
    /// `birthdate_as_string`: the birth date exactly as written on the ID document.
    BIRTHDATE_AS_STRING = "http://itsme.services/v2/claim/birthdate_as_string", String;
    /// `gender`: `female`, `male`, `unknown` or `n/a` (read as [`Gender`]).
    GENDER = "gender", String;
    /// `official_gender`: the gender exactly as written on the ID document.
    OFFICIAL_GENDER = "http://itsme.services/v2/claim/official_gender", String;
    /// `locale`: the language of the user's itsme® app (`NL`, `FR`, `DE`, `EN`).
    LOCALE = "locale", String;
    /// `picture`: a URL of the raw ID picture, fetched with the access token.
    PICTURE = "picture", String;
    /// `physical_person_photo`: the ID picture as `{format, value}` (MIME type and base64),
    /// a 200x140 JPEG.
    PHYSICAL_PERSON_PHOTO = "http://itsme.services/v2/claim/physical_person_photo", Object;
    /// `email`: the e-mail address, when the user gave one.
    EMAIL = "email", String;
    /// `email_verified`: always `false` today, per the documentation.
    EMAIL_VERIFIED = "email_verified", Bool;
    /// `phone_number`: `+<country code> <subscriber number>`.
    PHONE_NUMBER = "phone_number", String;
    /// `phone_number_verified`: always `true` today, per the documentation.
    PHONE_NUMBER_VERIFIED = "phone_number_verified", Bool;
    /// `address`: `{formatted, street_address, postal_code, locality}` (Belgian documents).
    ADDRESS = "address", Object;
    /// `claim_citizenship`: the nationality as on the document (`belge`, or ISO 3166-1
    /// alpha-3 for other countries' documents).
    CITIZENSHIP = "http://itsme.services/v2/claim/claim_citizenship", String;
    /// `claim_citizenship_as_iso`: the nationality, always ISO 3166-1 alpha-3.
    CITIZENSHIP_AS_ISO = "http://itsme.services/v2/claim/claim_citizenship_as_iso", String;
    /// `place_of_birth`: `{formatted, city, country}`.
    PLACE_OF_BIRTH = "http://itsme.services/v2/claim/place_of_birth", Object;
    /// `BEeidSn`: the Belgian ID card number (`xxx-xxxxxxx-yy`, or `B xxxxxxx xx`); see
    /// [`BeEidSn`]. Superseded by [`ID_DOCUMENT_SN`].
    BE_EID_SN = "http://itsme.services/v2/claim/BEeidSn", String;
    /// `claim_device`: the user's phone (`os`, `appName`, `appRelease`, `deviceLabel`,
    /// `debugEnabled`, `deviceID`, `osRelease`, `manufacturer`, `deviceLockLevel`,
    /// `smsEnabled`, `rooted`, `msisdn`, `deviceModel`, `sdkRelease`).
    DEVICE = "http://itsme.services/v2/claim/claim_device", Object;
    /// `transaction_info`: `{securityLevel, bindLevel, appRelease}`.
    TRANSACTION_INFO = "http://itsme.services/v2/claim/transaction_info", Object;
    /// `BENationalNumber`: the Belgian national register number, 11 digits; see
    /// [`BeNationalNumber`].
    BE_NATIONAL_NUMBER = "http://itsme.services/v2/claim/BENationalNumber", String;
    /// `RONationalNumber`: the Romanian national identification number.
    RO_NATIONAL_NUMBER = "http://itsme.services/v2/claim/RONationalNumber", String;
    /// `validityFrom` (metadata): the issuance date of the ID document, for `BEeidSn` and
    /// `IDDocumentSN`.
    VALIDITY_FROM = "http://itsme.services/v2/claim/validityFrom", Metadata;
    /// `validityTo` (metadata): the expiry date of the ID document, for `BEeidSn` and
    /// `IDDocumentSN`.
    VALIDITY_TO = "http://itsme.services/v2/claim/validityTo", Metadata;
    /// `verificationDate` (metadata): when each requested attribute was last read from the
    /// document.
    VERIFICATION_DATE = "http://itsme.services/v2/claim/verificationDate", Metadata;
    /// `IDDocumentSN`: the ID document number.
    ID_DOCUMENT_SN = "http://itsme.services/v2/claim/IDDocumentSN", String;
    /// `IDDocumentType`: the ICAO document type code (`I...` identity card, `P...` passport).
    ID_DOCUMENT_TYPE = "http://itsme.services/v2/claim/IDDocumentType", String;
    /// `IDIssuingCountry` (metadata): the ISO 3166-1 alpha-3 code of the issuing country.
    ID_ISSUING_COUNTRY = "http://itsme.services/v2/claim/IDIssuingCountry", StringOrMetadata;
    /// `issuance_locality` (metadata): the locality that issued the ID document.
    ISSUANCE_LOCALITY = "http://itsme.services/v2/claim/issuance_locality", Metadata;
    /// `app`: `{appInstalledDate, appName, appRelease}`, for fraud detection.
    APP = "http://itsme.services/v2/claim/app", Object;
    /// `account`: `{activationDate, activationMechanism}`, for fraud detection.
    ACCOUNT = "http://itsme.services/v2/claim/account", Object;
    /// `transaction_ip`: the IP address of the phone approving the transaction.
    TRANSACTION_IP = "http://itsme.services/v2/claim/transaction_ip", String;
    /// `ongoing_call`: whether the user was in a phone call while approving, a fraud signal.
    ONGOING_CALL = "http://itsme.services/v2/claim/ongoing_call", Bool;
    /// `identification_mode`: how the account's identity was established.
    IDENTIFICATION_MODE = "http://itsme.services/v2/claim/identification_mode", String;
}

/// The claim with exactly this name: a row of [`ALL`], or a national number
/// (`...claim/XXNationalNumber`) or age (`...claim/age_gte_N`) claim.
#[must_use]
pub fn by_name(name: &str) -> Option<Claim> {
    if let Some(claim) = ALL.iter().find(|c| c.name() == name) {
        return Some(**claim);
    }
    let rest = name.strip_prefix(ITSME_CLAIM_PREFIX)?;
    if let Some(country) = rest.strip_suffix("NationalNumber") {
        return Claim::national_number(country);
    }
    let years = rest.strip_prefix("age_gte_")?;
    if years.is_empty() || years.starts_with('0') || !years.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    years.parse().ok().map(Claim::age_gte)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_claim_name_is_unique_and_found_by_name() {
        let names: BTreeSet<_> = ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), ALL.len());
        for claim in ALL {
            assert_eq!(by_name(&claim.name()), Some(**claim));
        }
        assert_eq!(ALL.len(), 35);
    }

    #[test]
    fn names_are_the_documented_ones() {
        assert_eq!(
            BE_NATIONAL_NUMBER.name(),
            "http://itsme.services/v2/claim/BENationalNumber"
        );
        assert_eq!(FAMILY_NAME.name(), "family_name");
        assert_eq!(
            Claim::national_number("BE"),
            Some(BE_NATIONAL_NUMBER),
            "BE is the table row"
        );
        assert_eq!(
            Claim::national_number("NL").unwrap().name(),
            "http://itsme.services/v2/claim/NLNationalNumber"
        );
        assert_eq!(
            Claim::age_gte(18).name(),
            "http://itsme.services/v2/claim/age_gte_18"
        );
        assert_eq!(Claim::age_gte(18).to_string(), Claim::age_gte(18).name());
        assert!(VALIDITY_TO.is_metadata());
        assert!(ID_ISSUING_COUNTRY.is_metadata());
        assert!(!FAMILY_NAME.is_metadata());
        assert!(BE_EID_SN.is_itsme());
        assert!(!EMAIL.is_itsme());
    }

    #[test]
    fn parameterised_claims_are_found_by_name() {
        assert_eq!(
            by_name("http://itsme.services/v2/claim/NLNationalNumber"),
            Claim::national_number("NL")
        );
        assert_eq!(
            by_name("http://itsme.services/v2/claim/age_gte_21"),
            Some(Claim::age_gte(21))
        );
    }

    #[test]
    fn other_names_are_not_claims() {
        for name in [
            "",
            "family-name",
            "FAMILY_NAME",
            "http://itsme.services/v2/claim/",
            "http://itsme.services/v2/claim/beNationalNumber",
            "http://itsme.services/v2/claim/BELNationalNumber",
            "http://itsme.services/v2/claim/age_gte_",
            "http://itsme.services/v2/claim/age_gte_018",
            "http://itsme.services/v2/claim/age_gte_300",
            "http://itsme.services/v2/claim/age_gte_+1",
            "https://itsme.services/v2/claim/BEeidSn",
            "BEeidSn",
        ] {
            assert_eq!(by_name(name), None, "{name:?}");
        }
        assert_eq!(Claim::national_number("be"), None);
        assert_eq!(Claim::national_number("BEL"), None);
    }
}
