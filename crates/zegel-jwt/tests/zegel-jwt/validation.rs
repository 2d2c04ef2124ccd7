//! Every validation rule, accepted and rejected, and the clock edges.

use core::time::Duration;

use serde_json::{Map, Value, json};
use zegel_jwt::{Claim, Claims, Error, NumericDate, UnixTime, Validation};

const NOW: u64 = 1_700_000_000;

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

fn claims(v: Value) -> Claims {
    Claims::from_json(v.to_string().as_bytes()).unwrap()
}

fn at(secs: i64) -> NumericDate {
    NumericDate::from_secs(secs)
}

fn base() -> Validation {
    Validation::new(&[])
}

#[expect(clippy::cast_possible_wrap)]
const N: i64 = NOW as i64;

#[test]
fn exp_is_required_unless_waived() {
    let c = claims(json!({}));
    assert_eq!(
        base().validate(&c, now()),
        Err(Error::MissingClaim { name: "exp" })
    );
    assert_eq!(base().dangerous_without_exp().validate(&c, now()), Ok(()));
    // A waived exp is still checked when present.
    let c = claims(json!({"exp": N - 100}));
    assert_eq!(
        base().dangerous_without_exp().validate(&c, now()),
        Err(Error::Expired {
            exp: at(N - 100),
            now: now()
        })
    );
    assert_eq!(base().required_claims(), [Claim::Exp]);
    assert!(base().dangerous_without_exp().required_claims().is_empty());
}

#[test]
fn exp_edges() {
    let v = base().leeway(Duration::ZERO);
    // RFC 7519 §4.1.4: the current time MUST be before exp. exp == now has expired.
    assert_eq!(
        v.validate(&claims(json!({"exp": N})), now()),
        Err(Error::Expired {
            exp: at(N),
            now: now()
        })
    );
    assert_eq!(v.validate(&claims(json!({"exp": N + 1})), now()), Ok(()));
    // A fraction of a second counts.
    assert_eq!(
        v.validate(&claims(json!({"exp": (N as f64) + 0.5})), now()),
        Ok(())
    );
    assert!(
        v.validate(&claims(json!({"exp": (N as f64) - 0.5})), now())
            .is_err()
    );
    // The default leeway is 30 s, and its boundary is exact.
    assert_eq!(
        base().validate(&claims(json!({"exp": N - 29})), now()),
        Ok(())
    );
    assert_eq!(
        base().validate(&claims(json!({"exp": N - 30})), now()),
        Err(Error::Expired {
            exp: at(N - 30),
            now: now()
        })
    );
    let v = base().leeway(Duration::from_secs(5));
    assert_eq!(v.validate(&claims(json!({"exp": N - 4})), now()), Ok(()));
    assert!(matches!(
        v.validate(&claims(json!({"exp": N - 5})), now()),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn nbf_edges() {
    let v = base().leeway(Duration::ZERO).dangerous_without_exp();
    assert_eq!(v.validate(&claims(json!({"nbf": N})), now()), Ok(()));
    assert_eq!(
        v.validate(&claims(json!({"nbf": N + 1})), now()),
        Err(Error::NotYetValid {
            nbf: at(N + 1),
            now: now()
        })
    );
    let v = base().dangerous_without_exp();
    assert_eq!(v.validate(&claims(json!({"nbf": N + 30})), now()), Ok(()));
    assert_eq!(
        v.validate(&claims(json!({"nbf": N + 31})), now()),
        Err(Error::NotYetValid {
            nbf: at(N + 31),
            now: now()
        })
    );
}

#[test]
fn iat_in_the_future() {
    let v = base().dangerous_without_exp();
    assert_eq!(v.validate(&claims(json!({"iat": N + 30})), now()), Ok(()));
    assert_eq!(
        v.validate(&claims(json!({"iat": N + 31})), now()),
        Err(Error::IssuedInFuture {
            iat: at(N + 31),
            now: now()
        })
    );
    let v = v.leeway(Duration::ZERO);
    assert!(matches!(
        v.validate(&claims(json!({"iat": (N as f64) + 0.001})), now()),
        Err(Error::IssuedInFuture { .. })
    ));
}

#[test]
fn max_age() {
    let v = base()
        .dangerous_without_exp()
        .max_age(Duration::from_secs(600));
    assert_eq!(v.required_claims(), [Claim::Iat]);
    assert_eq!(
        v.validate(&claims(json!({})), now()),
        Err(Error::MissingClaim { name: "iat" })
    );
    assert_eq!(v.validate(&claims(json!({"iat": N - 630})), now()), Ok(()));
    assert_eq!(
        v.validate(&claims(json!({"iat": N - 631})), now()),
        Err(Error::TooOld {
            iat: at(N - 631),
            max_age: Duration::from_secs(600),
            now: now()
        })
    );
    let v = v.leeway(Duration::ZERO);
    assert_eq!(v.validate(&claims(json!({"iat": N - 600})), now()), Ok(()));
    assert!(matches!(
        v.validate(&claims(json!({"iat": N - 601})), now()),
        Err(Error::TooOld { .. })
    ));
}

#[test]
fn issuer() {
    let v = base().dangerous_without_exp().issuer("https://idp.example");
    assert_eq!(
        v.validate(&claims(json!({"iss": "https://idp.example"})), now()),
        Ok(())
    );
    assert_eq!(
        v.validate(&claims(json!({})), now()),
        Err(Error::MissingClaim { name: "iss" })
    );
    assert_eq!(
        v.validate(&claims(json!({"iss": "https://idp.example/"})), now()),
        Err(Error::WrongIssuer {
            expected: "https://idp.example".into(),
            found: "https://idp.example/".into()
        })
    );
    // Case-sensitive.
    assert!(matches!(
        v.validate(&claims(json!({"iss": "https://IDP.example"})), now()),
        Err(Error::WrongIssuer { .. })
    ));
    // Without an expected issuer, any is accepted.
    assert_eq!(
        base()
            .dangerous_without_exp()
            .validate(&claims(json!({"iss": "x"})), now()),
        Ok(())
    );
}

#[test]
fn subject() {
    let v = base().dangerous_without_exp().subject("alice");
    assert_eq!(v.validate(&claims(json!({"sub": "alice"})), now()), Ok(()));
    assert_eq!(
        v.validate(&claims(json!({})), now()),
        Err(Error::MissingClaim { name: "sub" })
    );
    assert_eq!(
        v.validate(&claims(json!({"sub": "bob"})), now()),
        Err(Error::WrongSubject {
            expected: "alice".into(),
            found: "bob".into()
        })
    );
}

#[test]
fn audience() {
    let v = base()
        .dangerous_without_exp()
        .audience("client-1")
        .audience("client-2");
    assert_eq!(v.required_claims(), [Claim::Aud]);
    for ok in [
        json!("client-1"),
        json!(["other", "client-2"]),
        json!(["client-1", "client-2"]),
    ] {
        assert_eq!(
            v.validate(&claims(json!({ "aud": ok })), now()),
            Ok(()),
            "{ok}"
        );
    }
    assert_eq!(
        v.validate(&claims(json!({})), now()),
        Err(Error::MissingClaim { name: "aud" })
    );
    assert_eq!(
        v.validate(&claims(json!({"aud": ["other", "CLIENT-1"]})), now()),
        Err(Error::WrongAudience {
            expected: vec!["client-1".into(), "client-2".into()],
            found: vec!["other".into(), "CLIENT-1".into()],
        })
    );
    assert!(matches!(
        v.validate(&claims(json!({"aud": []})), now()),
        Err(Error::WrongAudience { .. })
    ));
}

#[test]
fn audience_present_but_not_expected_is_refused() {
    // RFC 7519 §4.1.3, decided once: refused.
    let v = base().dangerous_without_exp();
    assert_eq!(
        v.validate(&claims(json!({"aud": "someone"})), now()),
        Err(Error::UnexpectedAudience {
            found: vec!["someone".into()]
        })
    );
    assert!(matches!(
        v.validate(&claims(json!({"aud": []})), now()),
        Err(Error::UnexpectedAudience { .. })
    ));
    assert_eq!(v.validate(&claims(json!({})), now()), Ok(()));
}

#[test]
fn require_each_registered_claim() {
    let full = claims(json!({
        "iss": "i", "sub": "s", "aud": "a", "exp": N + 60, "nbf": N, "iat": N, "jti": "j"
    }));
    for claim in Claim::ALL {
        let v = base().audience("a").require(claim);
        assert_eq!(v.validate(&full, now()), Ok(()), "{claim:?}");
        let mut map: Map<String, Value> = full.to_map().unwrap();
        map.remove(claim.name());
        let partial: Claims = Claims::from_map(map).unwrap();
        let v = if claim == Claim::Aud {
            base().require(claim)
        } else {
            v
        };
        assert_eq!(
            v.validate(&partial, now()),
            Err(Error::MissingClaim { name: claim.name() }),
            "{claim:?}"
        );
    }
}

#[test]
fn missing_claims_are_reported_in_rfc_order() {
    let v = base()
        .issuer("i")
        .audience("a")
        .max_age(Duration::from_secs(1))
        .require(Claim::Jti);
    assert_eq!(
        v.required_claims(),
        [Claim::Iss, Claim::Aud, Claim::Exp, Claim::Iat, Claim::Jti]
    );
    assert_eq!(
        v.validate(&claims(json!({})), now()),
        Err(Error::MissingClaim { name: "iss" })
    );
}

#[test]
fn one_validation_serves_many_tokens() {
    let v = base().issuer("i").audience("a");
    let good = claims(json!({"iss": "i", "aud": "a", "exp": N + 60}));
    let late = claims(json!({"iss": "i", "aud": "a", "exp": N - 60}));
    for _ in 0..3 {
        assert_eq!(v.validate(&good, now()), Ok(()));
        assert!(v.validate(&late, now()).is_err());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// The time checks agree with RFC 7519 §4.1.4-4.1.6 written out plainly, for any claim set.
    #[test]
    fn time_checks_match_the_rfc(
        exp in proptest::option::of(-100i64..100),
        nbf in proptest::option::of(-100i64..100),
        iat in proptest::option::of(-100i64..100),
        leeway in 0i64..40,
        max_age in proptest::option::of(0i64..60),
    ) {
        let mut c: Claims = Claims::new(Map::new());
        c.exp = exp.map(|d| at(N + d));
        c.nbf = nbf.map(|d| at(N + d));
        c.iat = iat.map(|d| at(N + d));
        let mut v = base().dangerous_without_exp().leeway(Duration::from_secs(leeway.unsigned_abs()));
        if let Some(m) = max_age {
            v = v.max_age(Duration::from_secs(m.unsigned_abs()));
        }
        let expected = if max_age.is_some() && iat.is_none() {
            Err(Error::MissingClaim { name: "iat" })
        } else if let Some(e) = exp.filter(|e| 0 >= e + leeway) {
            Err(Error::Expired { exp: at(N + e), now: now() })
        } else if let Some(n) = nbf.filter(|n| *n > leeway) {
            Err(Error::NotYetValid { nbf: at(N + n), now: now() })
        } else if let Some(i) = iat.filter(|i| *i > leeway) {
            Err(Error::IssuedInFuture { iat: at(N + i), now: now() })
        } else if let (Some(i), Some(m)) = (iat, max_age)
            && -i > m + leeway
        {
            Err(Error::TooOld { iat: at(N + i), max_age: Duration::from_secs(m.unsigned_abs()), now: now() })
        } else {
            Ok(())
        };
        proptest::prop_assert_eq!(v.validate(&c, now()), expected);
    }
}
