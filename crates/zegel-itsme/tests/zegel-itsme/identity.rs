//! Reading claims: every documented claim through its accessor, the shapes checked, unknown
//! claims kept, personal data kept out of `Debug`.

use serde_json::{Map, Value, json};
use zegel_itsme::claims::{self, BeNationalNumber, Date, Gender, Identity};
use zegel_itsme::error::ClaimError;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn sample() -> Map<String, Value> {
    object(json!({
        "iss": "https://idp.e2e.itsme.services/v2",
        "sub": "u-123",
        "aud": "my-client-id",
        "exp": 2_000_000_000u64,
        "nonce": "n",
        "acr": "http://itsme.services/v2/claim/acr_basic",
        "name": "Jan Peeters",
        "given_name": "Jan",
        "family_name": "Peeters",
        "birthdate": "1985-07-30",
        "http://itsme.services/v2/claim/birthdate_as_string": "30 JUL 1985",
        "gender": "male",
        "http://itsme.services/v2/claim/official_gender": "M",
        "locale": "NL",
        "picture": "https://idp.e2e.itsme.services/v2/picture",
        "http://itsme.services/v2/claim/physical_person_photo": {"format": "image/jpeg", "value": "/9j/4AAQ"},
        "email": "jan@example.be",
        "email_verified": false,
        "phone_number": "+32 470123456",
        "phone_number_verified": true,
        "address": {
            "formatted": "Wetstraat 16\n1000 Brussel",
            "street_address": "Wetstraat 16",
            "postal_code": "1000",
            "locality": "Brussel"
        },
        "http://itsme.services/v2/claim/claim_citizenship": "belge",
        "http://itsme.services/v2/claim/claim_citizenship_as_iso": "BEL",
        "http://itsme.services/v2/claim/place_of_birth": {"formatted": "Leuven, BEL", "city": "Leuven", "country": "BEL"},
        "http://itsme.services/v2/claim/BEeidSn": "591-1234567-53",
        "http://itsme.services/v2/claim/BENationalNumber": "85073003328",
        "http://itsme.services/v2/claim/RONationalNumber": "1850730123456",
        "http://itsme.services/v2/claim/claim_device": {
            "os": "ANDROID", "appName": "itsme", "appRelease": "4.9.1", "deviceLabel": "Jan's phone",
            "debugEnabled": "false", "deviceID": "d-1", "osRelease": "14", "manufacturer": "Acme",
            "deviceLockLevel": "PIN", "smsEnabled": true, "rooted": false, "msisdn": "+32470123456",
            "deviceModel": "A1", "sdkRelease": "2.0"
        },
        "http://itsme.services/v2/claim/transaction_info": {"securityLevel": "SOFT", "bindLevel": "HARD", "appRelease": "4.9.1"},
        "http://itsme.services/v2/claim/validityFrom": {"http://itsme.services/v2/claim/IDDocumentSN": "2020-01-02T00:00:00.000Z"},
        "http://itsme.services/v2/claim/validityTo": {"http://itsme.services/v2/claim/IDDocumentSN": "2030-01-02T00:00:00.000Z"},
        "http://itsme.services/v2/claim/verificationDate": {
            "birthdate": "2023-06-01T13:04:26Z",
            "given_name": "2023-06-01T13:04:26Z"
        },
        "http://itsme.services/v2/claim/IDDocumentSN": "591-1234567-53",
        "http://itsme.services/v2/claim/IDDocumentType": "ID",
        "http://itsme.services/v2/claim/IDIssuingCountry": "BEL",
        "http://itsme.services/v2/claim/issuance_locality": {"http://itsme.services/v2/claim/IDDocumentSN": "Leuven"},
        "http://itsme.services/v2/claim/app": {"appInstalledDate": "2021-01-01T10:00:00.000Z", "appName": "itsme", "appRelease": "4.9.1"},
        "http://itsme.services/v2/claim/account": {"activationDate": "2021-01-01T10:05:00.000Z", "activationMechanism": "CARD_READER"},
        "http://itsme.services/v2/claim/transaction_ip": "192.0.2.7",
        "http://itsme.services/v2/claim/ongoing_call": false,
        "http://itsme.services/v2/claim/identification_mode": "EID",
        "http://itsme.services/v2/claim/age_gte_18": true,
        "http://example.com/claim/custom": {"a": 1}
    }))
}

#[test]
fn every_documented_claim_is_read_without_string_keys() {
    let id = Identity::from_claims(sample()).unwrap();
    assert_eq!(id.sub(), Some("u-123"));
    assert_eq!(id.name(), Some("Jan Peeters"));
    assert_eq!(id.given_name(), Some("Jan"));
    assert_eq!(id.family_name(), Some("Peeters"));
    assert_eq!(id.birthdate(), Date::new(1985, 7, 30));
    assert_eq!(id.birthdate_as_string(), Some("30 JUL 1985"));
    assert_eq!(id.gender(), Some(Gender::Male));
    assert_eq!(id.official_gender(), Some("M"));
    assert_eq!(id.locale(), Some("NL"));
    assert_eq!(
        id.picture(),
        Some("https://idp.e2e.itsme.services/v2/picture")
    );
    let photo = id.physical_person_photo().unwrap();
    assert_eq!(
        (photo.format, photo.value),
        (Some("image/jpeg"), Some("/9j/4AAQ"))
    );
    assert_eq!(id.email(), Some("jan@example.be"));
    assert_eq!(id.email_verified(), Some(false));
    assert_eq!(id.phone_number(), Some("+32 470123456"));
    assert_eq!(id.phone_number_verified(), Some(true));
    let address = id.address().unwrap();
    assert_eq!(address.street_address, Some("Wetstraat 16"));
    assert_eq!(address.postal_code, Some("1000"));
    assert_eq!(address.locality, Some("Brussel"));
    assert_eq!(address.formatted, Some("Wetstraat 16\n1000 Brussel"));
    assert_eq!(address.country, None);
    assert_eq!(id.citizenship(), Some("belge"));
    assert_eq!(id.citizenship_as_iso(), Some("BEL"));
    let pob = id.place_of_birth().unwrap();
    assert_eq!((pob.city, pob.country), (Some("Leuven"), Some("BEL")));
    assert_eq!(id.be_eid_sn(), Some("591-1234567-53"));
    assert_eq!(id.be_national_number(), Some("85073003328"));
    assert_eq!(id.national_number("BE"), Some("85073003328"));
    assert_eq!(id.national_number("RO"), Some("1850730123456"));
    assert_eq!(id.national_number("NL"), None);
    assert_eq!(id.national_number("nl"), None);
    let device = id.device().unwrap();
    assert_eq!(device.os, Some("ANDROID"));
    assert_eq!(device.debug_enabled, Some(false));
    assert_eq!(device.sms_enabled, Some(true));
    assert_eq!(device.rooted, Some(false));
    assert_eq!(device.device_lock_level, Some("PIN"));
    assert_eq!(device.sdk_release, Some("2.0"));
    let info = id.transaction_info().unwrap();
    assert_eq!(info.security_level, Some("SOFT"));
    assert_eq!(
        id.validity_to().unwrap().for_claim(&claims::ID_DOCUMENT_SN),
        Some("2030-01-02T00:00:00.000Z")
    );
    assert_eq!(
        id.validity_from()
            .unwrap()
            .for_claim(&claims::ID_DOCUMENT_SN),
        Some("2020-01-02T00:00:00.000Z")
    );
    let verified = id.verification_date().unwrap();
    assert_eq!(verified.len(), 2);
    assert_eq!(
        verified.for_claim(&claims::BIRTHDATE),
        Some("2023-06-01T13:04:26Z")
    );
    assert_eq!(verified.for_claim(&claims::FAMILY_NAME), None);
    assert_eq!(
        verified.date_for_claim(&claims::BIRTHDATE),
        Date::new(2023, 6, 1)
    );
    assert_eq!(verified.date_for_claim(&claims::FAMILY_NAME), None);
    assert_eq!(
        id.validity_to()
            .unwrap()
            .date_for_claim(&claims::ID_DOCUMENT_SN),
        Date::new(2030, 1, 2)
    );
    // A locality is not a date.
    assert_eq!(
        id.issuance_locality()
            .unwrap()
            .date_for_claim(&claims::ID_DOCUMENT_SN),
        None
    );
    assert_eq!(
        verified.iter().collect::<Vec<_>>(),
        [
            ("birthdate", "2023-06-01T13:04:26Z"),
            ("given_name", "2023-06-01T13:04:26Z")
        ]
    );
    assert_eq!(id.id_document_sn(), Some("591-1234567-53"));
    assert_eq!(id.id_document_type(), Some("ID"));
    assert_eq!(id.id_issuing_country(), Some("BEL"));
    assert!(id.id_issuing_country_metadata().is_none());
    assert_eq!(
        id.issuance_locality()
            .unwrap()
            .for_name("http://itsme.services/v2/claim/IDDocumentSN"),
        Some("Leuven")
    );
    let app = id.app().unwrap();
    assert_eq!(app.release, Some("4.9.1"));
    assert_eq!(app.installed_date, Some("2021-01-01T10:00:00.000Z"));
    let account = id.account().unwrap();
    assert_eq!(account.activation_mechanism, Some("CARD_READER"));
    assert_eq!(id.transaction_ip(), Some("192.0.2.7"));
    assert_eq!(id.ongoing_call(), Some(false));
    assert_eq!(id.identification_mode(), Some("EID"));
    assert_eq!(id.age_gte(18), Some(true));
    assert_eq!(id.age_gte(21), None);
    // The national number checks out, and gives the birth date.
    let nn = BeNationalNumber::parse(id.be_national_number().unwrap()).unwrap();
    assert_eq!(nn.birth_date(), id.birthdate());
}

#[test]
fn unknown_claims_are_kept_and_reachable() {
    let id = Identity::from_claims(sample()).unwrap();
    assert_eq!(
        id.unknown_claims().collect::<Vec<_>>(),
        [("http://example.com/claim/custom", &json!({"a": 1}))]
    );
    assert_eq!(
        id.get("http://example.com/claim/custom"),
        Some(&json!({"a": 1}))
    );
    assert_eq!(id.get("aud"), Some(&json!("my-client-id")));
    assert_eq!(id.claim(&claims::LOCALE), Some(&json!("NL")));
    assert!(id.names().any(|n| n == "exp"));
}

#[test]
fn absent_claims_are_none() {
    let id = Identity::from_claims(Map::new()).unwrap();
    assert_eq!(id.family_name(), None);
    assert_eq!(id.birthdate(), None);
    assert!(id.address().is_none());
    assert!(id.validity_to().is_none());
    assert_eq!(id.gender(), None);
    assert_eq!(id.unknown_claims().count(), 0);
}

#[test]
fn claims_of_the_wrong_shape_are_refused_by_name() {
    let cases = [
        ("family_name", json!(42)),
        ("birthdate", json!("30/07/1985")),
        ("birthdate", json!("1985-02-30")),
        ("address", json!("Wetstraat 16")),
        ("email_verified", json!("true")),
        ("http://itsme.services/v2/claim/validityTo", json!({"x": 1})),
        (
            "http://itsme.services/v2/claim/validityTo",
            json!("2030-01-02"),
        ),
        (
            "http://itsme.services/v2/claim/BENationalNumber",
            json!(85073003328u64),
        ),
        ("http://itsme.services/v2/claim/ongoing_call", json!("no")),
        ("http://itsme.services/v2/claim/age_gte_18", json!(1)),
        (
            "http://itsme.services/v2/claim/NLNationalNumber",
            json!(null),
        ),
        (
            "http://itsme.services/v2/claim/IDIssuingCountry",
            json!(["BEL"]),
        ),
    ];
    for (name, value) in cases {
        let mut claims = Map::new();
        claims.insert(name.to_owned(), value.clone());
        let err = Identity::from_claims(claims).unwrap_err();
        assert_eq!(
            err,
            ClaimError::WrongShape {
                claim: name.to_owned()
            },
            "{name} = {value}"
        );
        assert_eq!(err.code(), "itsme.claim.wrong_shape");
        assert!(!err.to_string().contains(&value.to_string()) || value.to_string().len() < 3);
    }
}

#[test]
fn issuing_country_may_be_metadata() {
    let mut claims = Map::new();
    claims.insert(
        "http://itsme.services/v2/claim/IDIssuingCountry".into(),
        json!({"http://itsme.services/v2/claim/IDDocumentSN": "BEL"}),
    );
    let id = Identity::from_claims(claims).unwrap();
    assert_eq!(id.id_issuing_country(), None);
    assert_eq!(
        id.id_issuing_country_metadata()
            .unwrap()
            .for_claim(&claims::ID_DOCUMENT_SN),
        Some("BEL")
    );
}

#[test]
fn genders_map_to_the_documented_values() {
    for (value, gender) in [
        ("female", Gender::Female),
        ("male", Gender::Male),
        ("unknown", Gender::Unknown),
        ("n/a", Gender::NotApplicable),
        ("X", Gender::Other),
    ] {
        let mut claims = Map::new();
        claims.insert("gender".into(), json!(value));
        assert_eq!(
            Identity::from_claims(claims).unwrap().gender(),
            Some(gender)
        );
    }
}

#[test]
fn debug_shows_names_never_values() {
    let id = Identity::from_claims(sample()).unwrap();
    let debug = format!("{id:?}");
    assert!(debug.contains("family_name"), "{debug}");
    for secret in [
        "Peeters",
        "85073003328",
        "Wetstraat",
        "jan@example.be",
        "/9j/4AAQ",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    let address = format!("{:?}", id.address().unwrap());
    assert!(!address.contains("Wetstraat"), "{address}");
    assert!(
        address.contains("street_address: Some(\"[redacted]\")"),
        "{address}"
    );
    let meta = format!("{:?}", id.verification_date().unwrap());
    assert!(!meta.contains("2023"), "{meta}");
}

#[test]
fn userinfo_completes_the_id_token_for_the_same_user_only() {
    let id_token = Identity::from_claims(object(json!({
        "sub": "u-1", "family_name": "Peeters", "acr": "http://itsme.services/v2/claim/acr_basic"
    })))
    .unwrap();
    let userinfo = Identity::from_claims(object(json!({
        "sub": "u-1", "family_name": "Other", "address": {"locality": "Gent"}
    })))
    .unwrap();
    let merged = Identity::merged(id_token, userinfo).unwrap();
    assert_eq!(merged.family_name(), Some("Peeters"));
    assert_eq!(merged.address().unwrap().locality, Some("Gent"));
    assert_eq!(merged.as_map().len(), 4);

    let make = |v: Value| Identity::from_claims(object(v)).unwrap();
    for (a, b) in [
        (json!({"sub": "u-1"}), json!({"sub": "u-2"})),
        (json!({"sub": "u-1"}), json!({})),
        (json!({}), json!({"sub": "u-1"})),
        (json!({}), json!({})),
    ] {
        let err = Identity::merged(make(a), make(b)).unwrap_err();
        assert_eq!(err, ClaimError::SubjectMismatch);
        assert_eq!(err.code(), "itsme.claim.subject_mismatch");
    }
}
