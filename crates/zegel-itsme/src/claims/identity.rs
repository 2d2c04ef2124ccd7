//! [`Identity`]: the claims of a verified ID token or UserInfo response, read through typed
//! accessors, with every claim (known or not) still reachable by name.
//!
//! The value shapes are those of `_Appendix/claims.md` and
//! `_OIDC/chapters/authorization_request.md`; the metadata claims (`validityFrom`,
//! `validityTo`, `verificationDate`, `issuance_locality`, ...) are objects keyed by the
//! claims they describe (`_OIDC/chapters/user_data.md`, "Metadata"), read as [`Metadata`].

use core::fmt;

use serde_json::{Map, Value};
use zeroize::Zeroize;

use super::national_number::Date;
use super::{self as claims, Claim, ValueKind};
use crate::error::ClaimError;

/// The claims itsme® returned about a user, typed.
///
/// Built from the claim set of a verified token with [`Identity::from_claims`], which checks
/// that every claim it knows has the documented JSON shape. The accessors then return the
/// value, or `None` when the claim is absent. Claims this crate does not know are kept:
/// [`get`](Self::get) reaches any claim by name and [`unknown_claims`](Self::unknown_claims)
/// lists the others.
///
/// # Security
/// Personal data. `Debug` prints the claim names only, never a value; on drop, every string
/// in the claim set is overwritten (numbers and map keys, which are claim names, are not).
pub struct Identity {
    claims: Map<String, Value>,
}

impl Identity {
    /// Takes the claim set of a verified ID token or UserInfo response.
    ///
    /// # Errors
    /// [`ClaimError::WrongShape`] naming the first claim this crate knows whose value does not
    /// have the documented shape (a `family_name` that is not a string, a `birthdate` that is
    /// not a `YYYY-MM-DD` date, an `address` that is not an object, ...). The value is not in
    /// the error.
    pub fn from_claims(claims: Map<String, Value>) -> Result<Self, ClaimError> {
        let identity = Self { claims };
        for (name, value) in &identity.claims {
            let Some(claim) = claims::by_name(name) else {
                continue;
            };
            if !fits(claim.kind(), value) {
                return Err(ClaimError::WrongShape {
                    claim: claim.name().into_owned(),
                });
            }
        }
        Ok(identity)
    }

    /// The ID token's claims completed by the UserInfo response's, for claims asked for in
    /// either place. Both must name the same user: the UserInfo `sub` must equal the ID
    /// token's (OpenID Connect Core §5.3.2). A claim in both keeps the ID token's value.
    ///
    /// # Errors
    /// [`ClaimError::SubjectMismatch`] when a `sub` is missing or they differ.
    pub fn merged(id_token: Self, mut userinfo: Self) -> Result<Self, ClaimError> {
        match (id_token.sub(), userinfo.sub()) {
            (Some(a), Some(b)) if a == b => {}
            _ => return Err(ClaimError::SubjectMismatch),
        }
        let mut claims = id_token;
        for (name, value) in core::mem::take(&mut userinfo.claims) {
            if !claims.claims.contains_key(&name) {
                claims.claims.insert(name, value);
            } else {
                let mut value = value;
                wipe(&mut value);
            }
        }
        Ok(claims)
    }

    /// The whole claim set, for a caller that passes it on (the CLI prints it).
    ///
    /// # Security
    /// Personal data: do not log it.
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Any claim by its exact name, known to this crate or not.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// A claim of the table by its [`Claim`].
    #[must_use]
    pub fn claim(&self, claim: &Claim) -> Option<&Value> {
        self.claims.get(claim.name().as_ref())
    }

    /// The names of all claims present.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.claims.keys().map(String::as_str)
    }

    /// The claims this crate does not know (neither a standard nor a documented itsme®
    /// claim, nor a registered JWT claim such as `iss` or `exp`).
    pub fn unknown_claims(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.claims
            .iter()
            .filter(|(name, _)| claims::by_name(name).is_none() && !is_registered(name))
            .map(|(name, value)| (name.as_str(), value))
    }

    fn str(&self, claim: &Claim) -> Option<&str> {
        self.claim(claim).and_then(Value::as_str)
    }

    fn bool(&self, claim: &Claim) -> Option<bool> {
        self.claim(claim).and_then(Value::as_bool)
    }

    fn object(&self, claim: &Claim) -> Option<&Map<String, Value>> {
        self.claim(claim).and_then(Value::as_object)
    }

    /// `sub`: the user's identifier at itsme® for this partner, stable across logins.
    #[must_use]
    pub fn sub(&self) -> Option<&str> {
        self.claims.get("sub").and_then(Value::as_str)
    }

    /// `name`: the full name.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.str(&claims::NAME)
    }

    /// `given_name`: the given name(s); absent for a user who has none.
    #[must_use]
    pub fn given_name(&self) -> Option<&str> {
        self.str(&claims::GIVEN_NAME)
    }

    /// `family_name`: the surname(s).
    #[must_use]
    pub fn family_name(&self) -> Option<&str> {
        self.str(&claims::FAMILY_NAME)
    }

    /// `birthdate`, as a date.
    #[must_use]
    pub fn birthdate(&self) -> Option<Date> {
        self.str(&claims::BIRTHDATE).and_then(Date::parse)
    }

    /// `birthdate_as_string`: the birth date exactly as on the document.
    #[must_use]
    pub fn birthdate_as_string(&self) -> Option<&str> {
        self.str(&claims::BIRTHDATE_AS_STRING)
    }

    /// `gender`, mapped by itsme® to one of four values.
    #[must_use]
    pub fn gender(&self) -> Option<Gender> {
        self.str(&claims::GENDER).map(Gender::from_claim)
    }

    /// `official_gender`: the gender exactly as on the document.
    #[must_use]
    pub fn official_gender(&self) -> Option<&str> {
        self.str(&claims::OFFICIAL_GENDER)
    }

    /// `locale`: the language of the user's app (`NL`, `FR`, `DE`, `EN`).
    #[must_use]
    pub fn locale(&self) -> Option<&str> {
        self.str(&claims::LOCALE)
    }

    /// `picture`: the URL of the raw ID picture (fetched with the access token).
    #[must_use]
    pub fn picture(&self) -> Option<&str> {
        self.str(&claims::PICTURE)
    }

    /// `physical_person_photo`: the ID picture itself.
    #[must_use]
    pub fn physical_person_photo(&self) -> Option<Photo<'_>> {
        self.object(&claims::PHYSICAL_PERSON_PHOTO).map(|m| Photo {
            format: member_str(m, "format"),
            value: member_str(m, "value"),
        })
    }

    /// `email`.
    #[must_use]
    pub fn email(&self) -> Option<&str> {
        self.str(&claims::EMAIL)
    }

    /// `email_verified`.
    #[must_use]
    pub fn email_verified(&self) -> Option<bool> {
        self.bool(&claims::EMAIL_VERIFIED)
    }

    /// `phone_number`.
    #[must_use]
    pub fn phone_number(&self) -> Option<&str> {
        self.str(&claims::PHONE_NUMBER)
    }

    /// `phone_number_verified`.
    #[must_use]
    pub fn phone_number_verified(&self) -> Option<bool> {
        self.bool(&claims::PHONE_NUMBER_VERIFIED)
    }

    /// `address`: the postal address (Belgian documents).
    #[must_use]
    pub fn address(&self) -> Option<Address<'_>> {
        self.object(&claims::ADDRESS).map(|m| Address {
            formatted: member_str(m, "formatted"),
            street_address: member_str(m, "street_address"),
            postal_code: member_str(m, "postal_code"),
            locality: member_str(m, "locality"),
            country: member_str(m, "country"),
        })
    }

    /// `claim_citizenship`: the nationality as on the document.
    #[must_use]
    pub fn citizenship(&self) -> Option<&str> {
        self.str(&claims::CITIZENSHIP)
    }

    /// `claim_citizenship_as_iso`: the nationality, ISO 3166-1 alpha-3.
    #[must_use]
    pub fn citizenship_as_iso(&self) -> Option<&str> {
        self.str(&claims::CITIZENSHIP_AS_ISO)
    }

    /// `place_of_birth`.
    #[must_use]
    pub fn place_of_birth(&self) -> Option<PlaceOfBirth<'_>> {
        self.object(&claims::PLACE_OF_BIRTH).map(|m| PlaceOfBirth {
            formatted: member_str(m, "formatted"),
            city: member_str(m, "city"),
            country: member_str(m, "country"),
        })
    }

    /// `BENationalNumber`, as sent. Check it with
    /// [`BeNationalNumber::parse`](super::BeNationalNumber::parse) when the check digits
    /// matter (the documentation warns that "some exceptions could apply").
    #[must_use]
    pub fn be_national_number(&self) -> Option<&str> {
        self.str(&claims::BE_NATIONAL_NUMBER)
    }

    /// The national number of the country with this ISO 3166-1 alpha-2 code
    /// (`<CC>NationalNumber`, e.g. `RO`).
    #[must_use]
    pub fn national_number(&self, country: &str) -> Option<&str> {
        self.str(&Claim::national_number(country)?)
    }

    /// `BEeidSn`: the Belgian ID card number, as sent (see
    /// [`BeEidSn::parse`](super::BeEidSn::parse)).
    #[must_use]
    pub fn be_eid_sn(&self) -> Option<&str> {
        self.str(&claims::BE_EID_SN)
    }

    /// `IDDocumentSN`: the ID document number.
    #[must_use]
    pub fn id_document_sn(&self) -> Option<&str> {
        self.str(&claims::ID_DOCUMENT_SN)
    }

    /// `IDDocumentType`: the ICAO document type code.
    #[must_use]
    pub fn id_document_type(&self) -> Option<&str> {
        self.str(&claims::ID_DOCUMENT_TYPE)
    }

    /// `IDIssuingCountry`, when sent as a plain string (ISO 3166-1 alpha-3). When itsme® sends
    /// it as metadata, read it with [`id_issuing_country_metadata`](Self::id_issuing_country_metadata).
    #[must_use]
    pub fn id_issuing_country(&self) -> Option<&str> {
        self.str(&claims::ID_ISSUING_COUNTRY)
    }

    /// `IDIssuingCountry`, when sent as metadata keyed by claim.
    #[must_use]
    pub fn id_issuing_country_metadata(&self) -> Option<Metadata<'_>> {
        self.metadata(&claims::ID_ISSUING_COUNTRY)
    }

    fn metadata(&self, claim: &Claim) -> Option<Metadata<'_>> {
        self.object(claim).map(|map| Metadata { map })
    }

    /// `validityFrom` (metadata): the document's issuance date, per claim.
    #[must_use]
    pub fn validity_from(&self) -> Option<Metadata<'_>> {
        self.metadata(&claims::VALIDITY_FROM)
    }

    /// `validityTo` (metadata): the document's expiry date, per claim.
    #[must_use]
    pub fn validity_to(&self) -> Option<Metadata<'_>> {
        self.metadata(&claims::VALIDITY_TO)
    }

    /// `verificationDate` (metadata): when each attribute was last read from the document.
    #[must_use]
    pub fn verification_date(&self) -> Option<Metadata<'_>> {
        self.metadata(&claims::VERIFICATION_DATE)
    }

    /// `issuance_locality` (metadata): the locality that issued the document, per claim.
    #[must_use]
    pub fn issuance_locality(&self) -> Option<Metadata<'_>> {
        self.metadata(&claims::ISSUANCE_LOCALITY)
    }

    /// `claim_device`: the user's phone.
    #[must_use]
    pub fn device(&self) -> Option<Device<'_>> {
        self.object(&claims::DEVICE).map(|m| Device {
            os: member_str(m, "os"),
            app_name: member_str(m, "appName"),
            app_release: member_str(m, "appRelease"),
            device_label: member_str(m, "deviceLabel"),
            debug_enabled: member_bool(m, "debugEnabled"),
            device_id: member_str(m, "deviceID"),
            os_release: member_str(m, "osRelease"),
            manufacturer: member_str(m, "manufacturer"),
            device_lock_level: member_str(m, "deviceLockLevel"),
            sms_enabled: member_bool(m, "smsEnabled"),
            rooted: member_bool(m, "rooted"),
            msisdn: member_str(m, "msisdn"),
            device_model: member_str(m, "deviceModel"),
            sdk_release: member_str(m, "sdkRelease"),
        })
    }

    /// `transaction_info`.
    #[must_use]
    pub fn transaction_info(&self) -> Option<TransactionInfo<'_>> {
        self.object(&claims::TRANSACTION_INFO)
            .map(|m| TransactionInfo {
                security_level: member_str(m, "securityLevel"),
                bind_level: member_str(m, "bindLevel"),
                app_release: member_str(m, "appRelease"),
            })
    }

    /// `app`: the itsme® app installation.
    #[must_use]
    pub fn app(&self) -> Option<App<'_>> {
        self.object(&claims::APP).map(|m| App {
            installed_date: member_str(m, "appInstalledDate"),
            name: member_str(m, "appName"),
            release: member_str(m, "appRelease"),
        })
    }

    /// `account`: when and how the itsme® account was activated.
    #[must_use]
    pub fn account(&self) -> Option<Account<'_>> {
        self.object(&claims::ACCOUNT).map(|m| Account {
            activation_date: member_str(m, "activationDate"),
            activation_mechanism: member_str(m, "activationMechanism"),
        })
    }

    /// `transaction_ip`: the IP address of the approving phone.
    #[must_use]
    pub fn transaction_ip(&self) -> Option<&str> {
        self.str(&claims::TRANSACTION_IP)
    }

    /// `ongoing_call`: whether a phone call was going on during the approval.
    #[must_use]
    pub fn ongoing_call(&self) -> Option<bool> {
        self.bool(&claims::ONGOING_CALL)
    }

    /// `identification_mode`.
    #[must_use]
    pub fn identification_mode(&self) -> Option<&str> {
        self.str(&claims::IDENTIFICATION_MODE)
    }

    /// `age_gte_<years>`: whether the user is at least `years` old.
    #[must_use]
    pub fn age_gte(&self, years: u8) -> Option<bool> {
        self.bool(&Claim::age_gte(years))
    }
}

/// Registered JWT and ID token claims, which are not itsme® claims but are not unknown.
fn is_registered(name: &str) -> bool {
    matches!(
        name,
        "iss"
            | "sub"
            | "aud"
            | "exp"
            | "nbf"
            | "iat"
            | "jti"
            | "nonce"
            | "acr"
            | "amr"
            | "azp"
            | "auth_time"
            | "at_hash"
            | "c_hash"
            | "sid"
    )
}

fn fits(kind: ValueKind, value: &Value) -> bool {
    match kind {
        ValueKind::String => value.is_string(),
        ValueKind::Bool => value.is_boolean(),
        ValueKind::Object => value.is_object(),
        ValueKind::Date => value.as_str().and_then(Date::parse).is_some(),
        ValueKind::Metadata => is_metadata(value),
        ValueKind::StringOrMetadata => value.is_string() || is_metadata(value),
    }
}

fn is_metadata(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| m.values().all(Value::is_string))
}

fn member_str<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(Value::as_str)
}

/// A boolean member, also accepted as the strings `"true"` and `"false"`.
fn member_bool(map: &Map<String, Value>, name: &str) -> Option<bool> {
    match map.get(name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .field("values", &"[redacted]")
            .finish()
    }
}

impl Drop for Identity {
    fn drop(&mut self) {
        for value in self.claims.values_mut() {
            wipe(value);
        }
    }
}

/// Overwrites every string in a JSON value.
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `gender`: itsme® maps the document's value to one of four (`_Appendix/claims.md`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `female`.
    Female,
    /// `male`.
    Male,
    /// `unknown`.
    Unknown,
    /// `n/a`.
    NotApplicable,
    /// A value the documentation does not list (read it with [`Identity::get`]).
    Other,
}

impl Gender {
    fn from_claim(s: &str) -> Self {
        match s {
            "female" => Self::Female,
            "male" => Self::Male,
            "unknown" => Self::Unknown,
            "n/a" => Self::NotApplicable,
            _ => Self::Other,
        }
    }
}

/// A metadata claim: one value (a date, a country, a locality) per claim it describes.
#[derive(Clone, Copy)]
pub struct Metadata<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Metadata<'a> {
    /// The value for `claim` (`validity_to.for_claim(&claims::ID_DOCUMENT_SN)`).
    #[must_use]
    pub fn for_claim(&self, claim: &Claim) -> Option<&'a str> {
        self.map.get(claim.name().as_ref()).and_then(Value::as_str)
    }

    /// The date part of the value for `claim`, for the date metadata (`validityFrom`,
    /// `validityTo`, `verificationDate`: `YYYY-MM-DDThh:mm:ss[.nnn]Z`); `None` when absent or
    /// not a date.
    #[must_use]
    pub fn date_for_claim(&self, claim: &Claim) -> Option<Date> {
        let value = self.for_claim(claim)?;
        let (date, time) = value.split_at_checked(10)?;
        if !time.is_empty() && !time.starts_with('T') {
            return None;
        }
        Date::parse(date)
    }

    /// The value for the claim with this exact name.
    #[must_use]
    pub fn for_name(&self, name: &str) -> Option<&'a str> {
        self.map.get(name).and_then(Value::as_str)
    }

    /// Every (claim name, value) pair.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.map
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }

    /// How many claims it describes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether it describes none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl fmt::Debug for Metadata<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metadata")
            .field("claims", &self.map.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

macro_rules! view {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        ///
        /// Personal data: `Debug` shows which members are present, not their values.
        #[non_exhaustive]
        #[derive(Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name<'a> {
            $($(#[$fdoc])* pub $field: $ty,)*
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut s = f.debug_struct(stringify!($name));
                $(s.field(stringify!($field), &self.$field.map(|_| "[redacted]"));)*
                s.finish()
            }
        }
    };
}

view!(
    /// `address`: some or all of its members.
    Address {
        /// `formatted`: the whole address for display.
        formatted: Option<&'a str>,
        /// `street_address`.
        street_address: Option<&'a str>,
        /// `postal_code`.
        postal_code: Option<&'a str>,
        /// `locality`.
        locality: Option<&'a str>,
        /// `country` (OpenID Connect Core §5.1.1; itsme® does not list it).
        country: Option<&'a str>,
    }
);

view!(
    /// `place_of_birth`: some or all of its members.
    PlaceOfBirth {
        /// `formatted`.
        formatted: Option<&'a str>,
        /// `city`.
        city: Option<&'a str>,
        /// `country`.
        country: Option<&'a str>,
    }
);

view!(
    /// `physical_person_photo`: a 200x140 JPEG, base64.
    Photo {
        /// `format`: the MIME type.
        format: Option<&'a str>,
        /// `value`: the base64 image.
        value: Option<&'a str>,
    }
);

view!(
    /// `claim_device`: the user's phone, some or all of its members.
    Device {
        /// `os`.
        os: Option<&'a str>,
        /// `appName`.
        app_name: Option<&'a str>,
        /// `appRelease`.
        app_release: Option<&'a str>,
        /// `deviceLabel`.
        device_label: Option<&'a str>,
        /// `debugEnabled`.
        debug_enabled: Option<bool>,
        /// `deviceID`.
        device_id: Option<&'a str>,
        /// `osRelease`.
        os_release: Option<&'a str>,
        /// `manufacturer`.
        manufacturer: Option<&'a str>,
        /// `deviceLockLevel`.
        device_lock_level: Option<&'a str>,
        /// `smsEnabled`.
        sms_enabled: Option<bool>,
        /// `rooted`.
        rooted: Option<bool>,
        /// `msisdn`.
        msisdn: Option<&'a str>,
        /// `deviceModel`.
        device_model: Option<&'a str>,
        /// `sdkRelease`.
        sdk_release: Option<&'a str>,
    }
);

view!(
    /// `transaction_info`.
    TransactionInfo {
        /// `securityLevel`.
        security_level: Option<&'a str>,
        /// `bindLevel`.
        bind_level: Option<&'a str>,
        /// `appRelease`.
        app_release: Option<&'a str>,
    }
);

view!(
    /// `app`: the itsme® app installation.
    App {
        /// `appInstalledDate` (ISO 8601).
        installed_date: Option<&'a str>,
        /// `appName`.
        name: Option<&'a str>,
        /// `appRelease` (e.g. `4.9.1`).
        release: Option<&'a str>,
    }
);

view!(
    /// `account`: the itsme® account's activation.
    Account {
        /// `activationDate` (ISO 8601).
        activation_date: Option<&'a str>,
        /// `activationMechanism`: `CARD_READER`, `CONTACT_LESS` or `ID_PROVIDER`.
        activation_mechanism: Option<&'a str>,
    }
);
