//! zegel-jwt's one-pass claim parser against zegel-jose's strict parser, on random claim sets
//! and on a real claim set with the input spliced in (duplicates, escapes, nesting, bad UTF-8
//! land inside a plausible object). For every claims type, the one pass refuses exactly what
//! the strict parser refuses, with the same error; for the default map type, its result is the
//! strict parse followed by `Claims::from_map`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use zegel_jose::error::Part;
use zegel_jose::json::parse_object;
use zegel_jwt::claims::MAX_CLAIMS_DEPTH;
use zegel_jwt::{Claims, Error};

/// An itsme®-shaped claim set to mutate.
const SEED: &[u8] = br#"{"iss":"https://idp.prd.itsme.services/v2","sub":"s-1","aud":["c"],"exp":1700000600,"iat":1700000000.5,"nonce":"n-0S6_WzA2Mj","address":{"street_address":"Rue 1","country":"BE"},"amr":["mobile"],"email_verified":true}"#;

/// A caller's type, with a nested struct and an optional field.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Typed {
    nonce: Option<String>,
    address: Option<Address>,
    amr: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Address {
    street_address: Option<String>,
    country: String,
}

fuzz_target!(|data: &[u8]| {
    compare(data);
    if let Some((&at, rest)) = data.split_first() {
        let at = usize::from(at) * SEED.len() / 256;
        let (head, tail) = SEED.split_at(at);
        compare(&[head, rest, tail].concat());
    }
});

fn compare(text: &[u8]) {
    let strict = parse_object(text, Part::Payload, MAX_CLAIMS_DEPTH);
    let expected: Result<Claims, Error> = strict
        .clone()
        .map_err(Error::Jose)
        .and_then(Claims::from_map);
    assert_eq!(Claims::<Map<String, Value>>::from_json(text), expected);
    let refused = strict.err().map(Error::Jose);
    agree(Claims::<()>::from_json(text).err(), &refused);
    agree(Claims::<IgnoredAny>::from_json(text).err(), &refused);
    agree(Claims::<Typed>::from_json(text).err(), &refused);
}

/// A strict refusal is the same refusal; an accepted text is not refused as JSON.
fn agree(one_pass: Option<Error>, strict: &Option<Error>) {
    match strict {
        Some(e) => assert_eq!(one_pass.as_ref(), Some(e)),
        None => assert!(
            !matches!(one_pass, Some(Error::Jose(_))),
            "one pass refused what the strict parser accepts: {one_pass:?}"
        ),
    }
}
