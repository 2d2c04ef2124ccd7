//! Errors redact themselves (issue 7 §2): values planted in a token never reach `Display`, and
//! every error says whose fault it is.

use core::time::Duration;

use serde_json::{Map, Value};
use zegel_jose::base64url;
use zegel_jose::error::Fault;
use zegel_jose::jws::{self, SigningKey};
use zegel_jwt::{Claims, Error, UnixTime, Validation};

use crate::common::hmac_key;

/// Signs `json` (a claim set) with HS256.
fn token(json: &str) -> String {
    let claims = Claims::<Map<String, Value>>::from_json(json.as_bytes()).unwrap();
    let signing = SigningKey::new(&hmac_key(), &jws::HS256).unwrap();
    zegel_jwt::sign(&claims, &signing).unwrap()
}

/// A compact JWS with `header` and a signature that is not one.
fn forged(header: &str) -> String {
    format!(
        "{}.{}.{}",
        base64url::encode(header.as_bytes()),
        base64url::encode(br#"{"exp":9999999999}"#),
        base64url::encode(b"not a signature")
    )
}

/// The values planted below; none may appear in a message.
const PLANTED: &[&str] = &["SECRET", "EVILALG", "1010", "7777", "8888", "5000"];

fn refused(token: &str, validation: &Validation, now: u64) -> Error {
    let e = zegel_jwt::verify_as::<Map<String, Value>>(
        token.as_bytes(),
        &hmac_key(),
        validation,
        UnixTime::from_secs(now),
    )
    .unwrap_err();
    let shown = e.to_string();
    for planted in PLANTED {
        assert!(!shown.contains(planted), "{planted} in {shown:?}");
    }
    assert_eq!(e.fault(), Fault::Input, "{e:?}");
    e
}

#[test]
fn claim_values_stay_out_of_messages() {
    let hs = Validation::new(&[&jws::HS256]);
    let t = token(r#"{"iss":"SECRET-ISS","sub":"SECRET-SUB","aud":"SECRET-AUD","exp":1010}"#);
    let cases: [(Validation, u64, &str); 5] = [
        (
            hs.clone().audience("SECRET-AUD"),
            5000,
            "the token has expired",
        ),
        (
            hs.clone().audience("SECRET-AUD").issuer("other"),
            1000,
            "the issuer is not the expected one",
        ),
        (
            hs.clone().audience("SECRET-AUD").subject("other"),
            1000,
            "the subject is not the expected one",
        ),
        (
            hs.clone().audience("other"),
            1000,
            "the audience contains none of the expected ones",
        ),
        (
            hs.clone(),
            1000,
            "the token carries an audience, and no audience is expected",
        ),
    ];
    for (validation, now, text) in cases {
        assert_eq!(refused(&t, &validation, now).to_string(), text);
    }
    // The values stay in the fields, for callers who want them.
    assert_eq!(
        refused(&t, &hs.clone().audience("SECRET-AUD").issuer("other"), 1000),
        Error::WrongIssuer {
            expected: "other".into(),
            found: "SECRET-ISS".into(),
        }
    );
    let t = token(r#"{"nbf":7777,"exp":9999}"#);
    assert_eq!(
        refused(&t, &hs, 1000).to_string(),
        "the token is not valid yet"
    );
    let t = token(r#"{"iat":8888,"exp":9999}"#);
    assert_eq!(
        refused(&t, &hs, 1000).to_string(),
        "the token was issued in the future"
    );
    let t = token(r#"{"iat":1010,"exp":9999}"#);
    assert_eq!(
        refused(&t, &hs.clone().max_age(Duration::from_secs(60)), 5000).to_string(),
        "the token was issued more than 60 s ago"
    );
    // The accept twin: the same token, the right expectations.
    let t = token(r#"{"iss":"SECRET-ISS","aud":"SECRET-AUD","exp":1010}"#);
    zegel_jwt::verify_as::<Map<String, Value>>(
        t.as_bytes(),
        &hmac_key(),
        &hs.issuer("SECRET-ISS").audience("SECRET-AUD"),
        UnixTime::from_secs(1000),
    )
    .unwrap();
}

#[test]
fn header_values_stay_out_of_messages() {
    let hs = Validation::new(&[&jws::HS256]);
    assert_eq!(
        refused(&forged(r#"{"alg":"EVILALG"}"#), &hs, 1000).to_string(),
        "unknown algorithm"
    );
    assert_eq!(
        refused(
            &forged(r#"{"alg":"HS256","crit":["SECRET-CRIT"],"SECRET-CRIT":1}"#),
            &hs,
            1000
        )
        .to_string(),
        "\"crit\" names a parameter that is not understood"
    );
    assert_eq!(
        refused(&forged(r#"{"alg":"HS256","crit":["exp"]}"#), &hs, 1000).to_string(),
        "\"crit\" names \"exp\" that is not understood"
    );
    let t = token(r#"{"exp":9999}"#);
    assert_eq!(
        refused(&t, &hs.typ("at+jwt"), 1000).to_string(),
        "the token type is not the expected one"
    );
    // A known algorithm outside the allowlist is named: it is zegel's own name.
    assert_eq!(
        refused(&t, &Validation::new(&[&jws::ES256]), 1000).to_string(),
        "algorithm \"HS256\" is not allowed"
    );
}

#[test]
fn jose_errors_print_once() {
    let e = Error::from(zegel_jose::Error::InvalidSignature);
    assert_eq!(e.to_string(), "invalid signature");
    assert!(std::error::Error::source(&e).is_none());
    assert_eq!(e.fault(), Fault::Input);
    let e = Error::from(zegel_jose::Error::Random);
    assert_eq!(e.fault(), Fault::Unavailable);
    let e = Error::DuplicateClaim { name: "iss" };
    assert_eq!(e.fault(), Fault::Config);
}
