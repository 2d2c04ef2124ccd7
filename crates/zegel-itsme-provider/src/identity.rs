//! A ready-made, realistic Belgian demo identity: what the scripted user approves with unless the
//! test gives other claims.

use serde_json::{Map, Value, json};
use zegel_itsme::claims;

/// The demo user's Belgian national register number (born 14 July 1985, a man, check digits
/// valid mod 97).
pub const DEMO_NATIONAL_NUMBER: &str = "85071415595";

/// The claims of a demo Belgian user, keyed by their itsme® claim names: name, birth date,
/// national number, eID card number, address, e-mail, phone, gender, locale, nationality, place of
/// birth and the ID document's validity metadata. Fictitious: any resemblance is a coincidence.
#[must_use]
pub fn demo_identity() -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |c: &claims::Claim, v: Value| {
        m.insert(c.name().into_owned(), v);
    };
    put(&claims::NAME, json!("Jan Peeters"));
    put(&claims::GIVEN_NAME, json!("Jan"));
    put(&claims::FAMILY_NAME, json!("Peeters"));
    put(&claims::BIRTHDATE, json!("1985-07-14"));
    put(&claims::BIRTHDATE_AS_STRING, json!("14 JUL 1985"));
    put(&claims::GENDER, json!("male"));
    put(&claims::OFFICIAL_GENDER, json!("M"));
    put(&claims::LOCALE, json!("NL"));
    put(&claims::EMAIL, json!("jan.peeters@example.be"));
    put(&claims::EMAIL_VERIFIED, json!(false));
    put(&claims::PHONE_NUMBER, json!("+32 470123456"));
    put(&claims::PHONE_NUMBER_VERIFIED, json!(true));
    put(
        &claims::ADDRESS,
        json!({
            "formatted": "Grote Markt 1\n2000 Antwerpen",
            "street_address": "Grote Markt 1",
            "postal_code": "2000",
            "locality": "Antwerpen"
        }),
    );
    put(&claims::BE_NATIONAL_NUMBER, json!(DEMO_NATIONAL_NUMBER));
    put(&claims::BE_EID_SN, json!("591-1234567-53"));
    put(&claims::ID_DOCUMENT_SN, json!("591123456753"));
    put(&claims::ID_DOCUMENT_TYPE, json!("ID"));
    put(&claims::CITIZENSHIP, json!("belge"));
    put(&claims::CITIZENSHIP_AS_ISO, json!("BEL"));
    put(
        &claims::PLACE_OF_BIRTH,
        json!({"formatted": "Antwerpen, BEL", "city": "Antwerpen", "country": "BEL"}),
    );
    // Metadata claims: maps keyed by the claim they describe.
    let eid_sn = claims::BE_EID_SN.name().into_owned();
    put(
        &claims::VALIDITY_FROM,
        json!({ eid_sn.as_str(): "2021-03-15T00:00:00Z" }),
    );
    put(
        &claims::VALIDITY_TO,
        json!({ eid_sn.as_str(): "2031-03-15T00:00:00Z" }),
    );
    put(
        &claims::ISSUANCE_LOCALITY,
        json!({ eid_sn.as_str(): "ANTWERPEN" }),
    );
    let read = "2025-11-02T09:30:00Z";
    let national_number = claims::BE_NATIONAL_NUMBER.name().into_owned();
    put(
        &claims::VERIFICATION_DATE,
        json!({ national_number.as_str(): read, eid_sn.as_str(): read, "birthdate": read, "address": read }),
    );
    put(
        &claims::ID_ISSUING_COUNTRY,
        json!({ national_number.as_str(): "BEL", eid_sn.as_str(): "BEL", "birthdate": "BEL", "address": "BEL" }),
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use zegel_itsme::claims::{BeEidSn, BeNationalNumber};

    #[test]
    fn the_demo_identifiers_are_valid() {
        let id = demo_identity();
        let nn = id[claims::BE_NATIONAL_NUMBER.name().as_ref()]
            .as_str()
            .unwrap();
        assert!(BeNationalNumber::parse(nn).is_ok());
        assert!(BeNationalNumber::parse("85071415596").is_err());
        let sn = id[claims::BE_EID_SN.name().as_ref()].as_str().unwrap();
        assert!(BeEidSn::parse(sn).is_ok(), "{sn}");
    }

    #[test]
    fn the_demo_identity_reads_as_zegel_itsme_types() {
        let id = zegel_itsme::Identity::from_claims(demo_identity()).unwrap();
        assert_eq!(id.family_name(), Some("Peeters"));
        assert_eq!(id.be_national_number(), Some(DEMO_NATIONAL_NUMBER));
        assert_eq!(id.be_eid_sn(), Some("591-1234567-53"));
        assert_eq!(
            id.birthdate().map(|d| d.to_string()).as_deref(),
            Some("1985-07-14")
        );
        assert_eq!(id.address().and_then(|a| a.locality), Some("Antwerpen"));
        assert_eq!(id.unknown_claims().count(), 0);
    }
}
