//! Hostile inputs found in review: a token of one kind where another is expected, nested
//! tokens inside out, and claim values at the edges of every type.

use core::time::Duration;

use serde_json::{Map, Value, json};
use zegel_jose::jwe::{self, Encryptor, Recipient};
use zegel_jose::jws::{self, JwsHeader, SigningKey};
use zegel_jwt::{Claims, Decryption, Error, NumericDate, UnixTime, Validation};

use crate::common::{NOW, hmac_key, issuer_set, key, partner_set, public};

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn claims() -> Claims<Map<String, Value>> {
    Claims::new(Map::new())
        .with_issuer("https://idp.example")
        .with_lifetime(now(), Duration::from_secs(300))
        .unwrap()
}

fn validation() -> Validation {
    Validation::new(&[&jws::RS256]).issuer("https://idp.example")
}

fn decryption() -> Decryption {
    Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256])
}

fn signed() -> String {
    zegel_jwt::sign(
        &claims(),
        &SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap(),
    )
    .unwrap()
}

fn encrypt(plaintext: &[u8], cty: Option<&str>) -> String {
    let mut e = Encryptor::new(&jwe::A128CBC_HS256);
    if let Some(cty) = cty {
        e = e.with_cty(cty);
    }
    e.encrypt_compact(
        plaintext,
        &Recipient::new(&public("partner_enc_new"), &jwe::RSA_OAEP_256),
    )
    .unwrap()
}

fn open(token: &str) -> Result<Claims<Map<String, Value>>, Error> {
    zegel_jwt::open(
        token,
        &decryption(),
        &validation(),
        zegel_jwt::OpenKeys {
            recipient: &partner_set(),
            issuer: &issuer_set(),
        },
        now(),
    )
    .map(zegel_jwt::Verified::into_claims)
}

fn verify(token: &str) -> Result<Claims<Map<String, Value>>, Error> {
    zegel_jwt::verify(token, &issuer_set(), &validation(), now())
        .map(zegel_jwt::Verified::into_claims)
}

/// A nested (encrypted) token where a signed one is expected, and the reverse.
#[test]
fn jws_and_jwe_are_not_interchangeable() {
    if !crate::common::available(&[&jwe::RSA_OAEP_256]) {
        return;
    }
    let nested = encrypt(signed().as_bytes(), Some("JWT"));
    assert_eq!(open(&nested).unwrap(), claims());
    assert_eq!(verify(&signed()).unwrap(), claims());
    // The JWE's `alg` is not a signature algorithm.
    assert_eq!(
        verify(&nested),
        Err(Error::Jose(zegel_jose::Error::UnknownAlgorithm {
            name: "RSA-OAEP-256".into()
        }))
    );
    assert_eq!(
        open(&signed()),
        Err(Error::Jose(zegel_jose::Error::Structure {
            expected: zegel_jose::error::Shape::CompactJwe
        }))
    );
}

/// Inside a JWE: another JWE, an unsecured JWT, a JWS whose algorithm the validation does not
/// accept, a signed token in the JSON serialization.
#[test]
fn what_a_nested_token_may_wrap() {
    if !crate::common::available(&[&jwe::RSA_OAEP_256]) {
        return;
    }
    let inner_jwe = encrypt(signed().as_bytes(), Some("JWT"));
    assert_eq!(
        open(&encrypt(inner_jwe.as_bytes(), Some("JWT"))),
        Err(Error::Jose(zegel_jose::Error::UnknownAlgorithm {
            name: "RSA-OAEP-256".into()
        }))
    );
    let unsecured = format!(
        "{}.{}.",
        zegel_jose::base64url::encode(br#"{"alg":"none"}"#),
        zegel_jose::base64url::encode(claims().to_json().unwrap().as_bytes())
    );
    assert_eq!(
        open(&encrypt(unsecured.as_bytes(), Some("JWT"))),
        Err(Error::Jose(zegel_jose::Error::UnknownAlgorithm {
            name: "none".into()
        }))
    );
    let hs = zegel_jwt::sign(
        &claims(),
        &SigningKey::new(&hmac_key(), &jws::HS256).unwrap(),
    )
    .unwrap();
    assert_eq!(
        open(&encrypt(hs.as_bytes(), Some("JWT"))),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed {
            alg: "HS256".into()
        }))
    );
    let flattened = jws::sign_flattened(
        claims().to_json().unwrap().as_bytes(),
        &SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap(),
        &JwsHeader::new(),
        None,
    )
    .unwrap();
    assert_eq!(
        open(&encrypt(flattened.as_bytes(), Some("JWT"))),
        Err(Error::Jose(zegel_jose::Error::Structure {
            expected: zegel_jose::error::Shape::Compact
        }))
    );
    // Claims inside with `cty: JWT`: not a signed token.
    assert_eq!(
        open(&encrypt(
            claims().to_json().unwrap().as_bytes(),
            Some("JWT")
        )),
        Err(Error::Jose(zegel_jose::Error::Structure {
            expected: zegel_jose::error::Shape::Compact
        }))
    );
}

/// Dates at the ends of their range, with the largest leeway and maximum age, never overflow.
#[test]
fn extreme_dates_and_durations_do_not_overflow() {
    let c =
        |v: Value| Claims::<Map<String, Value>>::from_map(v.as_object().unwrap().clone()).unwrap();
    let v = Validation::new(&[&jws::RS256])
        .leeway(Duration::MAX)
        .max_age(Duration::MAX);
    let far = json!({"exp": i64::MAX, "nbf": i64::MAX, "iat": i64::MAX});
    assert_eq!(
        v.validate(&c(far.clone()), UnixTime::from_secs(u64::MAX)),
        Ok(())
    );
    let past = json!({"exp": i64::MIN, "nbf": i64::MIN, "iat": i64::MIN});
    assert_eq!(v.validate(&c(past.clone()), UnixTime::from_secs(0)), Ok(()));
    let strict = Validation::new(&[&jws::RS256])
        .leeway(Duration::ZERO)
        .max_age(Duration::from_secs(1));
    assert_eq!(
        strict.validate(&c(past), UnixTime::from_secs(u64::MAX)),
        Err(Error::Expired {
            exp: NumericDate::from_secs(i64::MIN),
            now: UnixTime::from_secs(u64::MAX)
        })
    );
    assert_eq!(
        strict.validate(&c(json!({"exp": i64::MAX, "iat": i64::MIN})), now()),
        Err(Error::TooOld {
            iat: NumericDate::from_secs(i64::MIN),
            max_age: Duration::from_secs(1),
            now: now()
        })
    );
    assert_eq!(
        strict.validate(&c(far), UnixTime::from_secs(0)),
        Err(Error::NotYetValid {
            nbf: NumericDate::from_secs(i64::MAX),
            now: UnixTime::from_secs(0)
        })
    );
    // Fractions and negative values are dates too.
    assert_eq!(c(json!({"exp": -0.5})).exp, NumericDate::from_f64(-0.5));
    for (bad, name) in [
        (json!({"exp": -1e300}), "exp"),
        (json!({"nbf": "1"}), "nbf"),
        (json!({"iat": true}), "iat"),
        (json!({"aud": [null]}), "aud"),
        (json!({"aud": [["a"]]}), "aud"),
        (json!({"aud": 1}), "aud"),
    ] {
        assert_eq!(
            Claims::<Map<String, Value>>::from_map(bad.as_object().unwrap().clone()),
            Err(Error::InvalidClaim { name }),
            "{bad}"
        );
    }
}

/// An empty `aud` array names no audience: refused when one is expected, and refused when none
/// is (it is still an `aud` claim).
#[test]
fn an_empty_audience_array_matches_nothing() {
    let c = Claims::<Map<String, Value>>::from_json(br#"{"exp":1700000200,"aud":[]}"#).unwrap();
    let v = Validation::new(&[&jws::RS256]);
    assert_eq!(
        v.clone().audience("a").validate(&c, now()),
        Err(Error::WrongAudience {
            expected: vec!["a".into()],
            found: vec![]
        })
    );
    assert_eq!(
        v.validate(&c, now()),
        Err(Error::UnexpectedAudience { found: vec![] })
    );
}

/// The claims of a nested token are decrypted plaintext: an error about them names what did
/// not fit, never the value that was there.
#[test]
fn claim_errors_never_echo_claim_values() {
    if !crate::common::available(&[&jwe::RSA_OAEP_256]) {
        return;
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code, reason = "only deserialized")]
    struct Private {
        national_number: u64,
        birth: Option<Kind>,
    }
    #[derive(Debug, serde::Deserialize)]
    enum Kind {
        A,
    }
    let secret = "85.07.30-033.28";
    for (extra, want) in [
        (
            json!({"national_number": secret}),
            "invalid type: string, expected u64",
        ),
        (
            json!({"national_number": 85_073_003_328_i64, "birth": secret}),
            "unknown variant, expected `A`",
        ),
        (
            json!({"national_number": -85_073_003_328_i64}),
            "invalid value: integer, expected u64",
        ),
        (json!({}), "missing field `national_number`"),
    ] {
        let mut c = claims().to_map().unwrap();
        c.extend(extra.as_object().unwrap().clone());
        let json = serde_json::to_vec(&c).unwrap();
        let token = encrypt(
            zegel_jwt::sign(
                &Claims::<Map<String, Value>>::from_map(c).unwrap(),
                &SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap(),
            )
            .unwrap()
            .as_bytes(),
            Some("JWT"),
        );
        let e = zegel_jwt::open_as::<Private>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set(),
            },
            now(),
        )
        .unwrap_err();
        let Error::CustomClaims { reason } = &e else {
            panic!("{e:?}")
        };
        assert!(reason.starts_with(want), "{reason}");
        for shown in [format!("{e}"), format!("{e:?}")] {
            assert!(
                !shown.contains(secret) && !shown.contains("85073003328"),
                "{shown}"
            );
        }
        let Err(Error::CustomClaims { reason }) = Claims::<Private>::from_json(&json) else {
            panic!("from_json accepted it")
        };
        assert!(
            reason.starts_with(want) && !reason.contains(secret),
            "{reason}"
        );
    }
}

/// A JWT's payload is always base64url (RFC 7519 §3, §7.2): an unencoded payload (RFC 7797
/// `b64: false`) is neither issued nor accepted, so a raw-JSON signature made for another
/// protocol with the same key never passes for a JWT.
#[test]
fn unencoded_payloads_are_not_jwts() {
    let key = SigningKey::new(&key("issuer_rsa"), &jws::RS256).unwrap();
    let c = Claims::new(Map::new())
        .with_issuer("idp")
        .with_lifetime(now(), Duration::from_secs(300))
        .unwrap();
    let b64_invalid = Error::Jose(zegel_jose::Error::InvalidParameter { name: "b64".into() });
    let header = JwsHeader::new().with_unencoded_payload();
    assert_eq!(
        zegel_jwt::sign_with_header(&c, &key, &header).unwrap_err(),
        b64_invalid
    );
    // The same, made with the JWS layer directly.
    let raw = jws::sign_compact(c.to_json().unwrap().as_bytes(), &key, &header).unwrap();
    assert_eq!(
        zegel_jwt::verify(
            &raw,
            &issuer_set(),
            &Validation::new(&[&jws::RS256]).issuer("idp"),
            now()
        )
        .unwrap_err(),
        b64_invalid
    );
    // b64: true is the default spelled out: still refused, a JWT has no use for it.
    let mut explicit = JwsHeader::new();
    explicit.b64 = Some(true);
    explicit.crit = Some(vec!["b64".into()]);
    let raw = jws::sign_compact(c.to_json().unwrap().as_bytes(), &key, &explicit);
    if let Ok(raw) = raw {
        assert_eq!(
            zegel_jwt::verify(
                &raw,
                &issuer_set(),
                &Validation::new(&[&jws::RS256]).issuer("idp"),
                now()
            )
            .unwrap_err(),
            b64_invalid
        );
    }
}
