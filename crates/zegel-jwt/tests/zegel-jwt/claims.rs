//! Claim sets: the RFC 7519 §3.1 example, typed extra claims, and round trips.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use zegel_jwt::{Audience, Claims, Error, NumericDate};

/// The claim set of RFC 7519 §3.1, with its CR LF line breaks.
const RFC7519_3_1: &[u8] =
    b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

#[test]
fn rfc7519_section_3_1_claims() {
    let c: Claims = Claims::from_json(RFC7519_3_1).unwrap();
    assert_eq!(c.iss.as_deref(), Some("joe"));
    assert_eq!(c.exp, Some(NumericDate::from_secs(1_300_819_380)));
    assert_eq!(
        c.extra.get("http://example.com/is_root"),
        Some(&Value::Bool(true))
    );
    assert_eq!(c.extra.len(), 1);

    #[derive(Debug, Deserialize, PartialEq)]
    struct Root {
        #[serde(rename = "http://example.com/is_root")]
        is_root: bool,
    }
    let c: Claims<Root> = Claims::from_json(RFC7519_3_1).unwrap();
    assert!(c.extra.is_root);
}

#[test]
fn unknown_claims_are_preserved() {
    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Known {
        nonce: String,
        #[serde(flatten)]
        rest: Map<String, Value>,
    }
    let json = json!({"sub":"s","nonce":"n","x":[1,2],"y":{"z":null}});
    let c: Claims<Known> = Claims::from_json(json.to_string().as_bytes()).unwrap();
    assert_eq!(c.extra.nonce, "n");
    assert_eq!(c.extra.rest.len(), 2);
    assert_eq!(Value::Object(c.to_map().unwrap()), json);
}

#[test]
fn claims_are_refused_when_they_do_not_fit() {
    #[derive(Debug, Deserialize)]
    struct Strict {
        age: u8,
    }
    assert!(matches!(
        Claims::<Strict>::from_json(br#"{"age":300}"#),
        Err(Error::CustomClaims { .. })
    ));
    assert!(matches!(
        Claims::<Strict>::from_json(br#"{}"#),
        Err(Error::CustomClaims { .. })
    ));
    assert_eq!(
        Claims::<Strict>::from_json(br#"{"age":30}"#).map(|c| c.extra.age),
        Ok(30)
    );
    // Depth is bounded.
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(64), "]".repeat(64));
    assert!(matches!(
        Claims::<Map<String, Value>>::from_json(deep.as_bytes()),
        Err(Error::Jose(_))
    ));
}

#[test]
fn audience_forms() {
    assert_eq!(
        serde_json::to_string(&Audience::one("a")).unwrap(),
        r#""a""#
    );
    assert_eq!(
        serde_json::to_string(&Audience::many(["a"])).unwrap(),
        r#"["a"]"#
    );
    assert_eq!(
        serde_json::to_string(&Audience::from(vec!["a".to_owned(), "b".to_owned()])).unwrap(),
        r#"["a","b"]"#
    );
    let a: Audience = serde_json::from_str(r#"["a","b"]"#).unwrap();
    assert!(a.contains("b") && !a.contains("c"));
    assert!(serde_json::from_str::<Audience>("1").is_err());
    assert!(serde_json::from_str::<Audience>(r#"["a",null]"#).is_err());
}

fn arb_date() -> impl Strategy<Value = NumericDate> {
    prop_oneof![
        any::<i64>().prop_map(NumericDate::from_secs),
        (0i64..4_000_000_000, 1u32..1000).prop_map(|(s, ms)| {
            NumericDate::from_f64(s as f64 + f64::from(ms) / 1000.0).unwrap()
        }),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

prop_compose! {
    fn arb_claims()(
        iss in proptest::option::of("[ -~]{0,16}"),
        sub in proptest::option::of("\\PC{0,16}"),
        aud in proptest::option::of(prop_oneof![
            "[a-z]{1,8}".prop_map(Audience::one),
            prop::collection::vec("[a-z]{1,8}", 0..4).prop_map(Audience::many),
        ]),
        exp in proptest::option::of(arb_date()),
        nbf in proptest::option::of(arb_date()),
        iat in proptest::option::of(arb_date()),
        jti in proptest::option::of("[A-Za-z0-9_-]{1,32}"),
        extra in prop::collection::btree_map("[a-z_]{4,10}", arb_value(), 0..6),
    ) -> Claims {
        Claims { iss, sub, aud, exp, nbf, iat, jti, extra: extra.into_iter().collect() }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn claims_round_trip(c in arb_claims()) {
        let json = c.to_json().unwrap();
        let back: Claims = Claims::from_json(json.as_bytes()).unwrap();
        // Fractions pass through an f64: equal to within a microsecond.
        for (a, b) in [(c.exp, back.exp), (c.nbf, back.nbf), (c.iat, back.iat)] {
            prop_assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert_eq!(a.secs(), b.secs());
                prop_assert!(a.subsec_nanos().abs_diff(b.subsec_nanos()) < 1_000);
            }
        }
        prop_assert_eq!(&c.iss, &back.iss);
        prop_assert_eq!(&c.sub, &back.sub);
        prop_assert_eq!(&c.aud, &back.aud);
        prop_assert_eq!(&c.jti, &back.jti);
        prop_assert_eq!(&c.extra, &back.extra);
    }

    #[test]
    fn any_claims_text_is_parsed_or_refused_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = Claims::<Map<String, Value>>::from_json(&bytes);
    }

    /// The property of the `claims` fuzz target, on JSON-ish fragments spliced into a real
    /// claim set: the one pass refuses exactly what the strict parser refuses, with its error,
    /// and otherwise agrees with the strict parse followed by `from_map`.
    #[test]
    fn one_pass_agrees_with_the_strict_parser(
        at in 0..SPLICE_SEED.len(),
        fragment in prop::collection::vec(
            prop::sample::select(&br#"{}[]",:\u0069ssnoce 1e9-.0trufalsn"#[..]),
            0..24,
        ),
    ) {
        let (head, tail) = SPLICE_SEED.split_at(at);
        for text in [&fragment[..], &[head, &fragment, tail].concat()] {
            let strict = zegel_jose::json::parse_object(
                text,
                zegel_jose::error::Part::Payload,
                zegel_jwt::claims::MAX_CLAIMS_DEPTH,
            );
            let expected: Result<Claims, Error> =
                strict.clone().map_err(Error::Jose).and_then(Claims::from_map);
            prop_assert_eq!(Claims::<Map<String, Value>>::from_json(text), expected);
            let typed = Claims::<Extra>::from_json(text).err();
            match strict {
                Err(e) => prop_assert_eq!(typed, Some(Error::Jose(e))),
                Ok(_) => prop_assert!(!matches!(typed, Some(Error::Jose(_)))),
            }
        }
    }
}

/// A claim set for [`one_pass_agrees_with_the_strict_parser`] to splice into.
const SPLICE_SEED: &[u8] =
    br#"{"iss":"a","aud":["c"],"exp":10,"nonce":"n","x":{"y":[1,{"z":true}]}}"#;

/// A caller's type for [`one_pass_agrees_with_the_strict_parser`]: a nested struct, options.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Extra {
    nonce: Option<String>,
    x: Option<Nested>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Nested {
    y: Vec<Value>,
}
