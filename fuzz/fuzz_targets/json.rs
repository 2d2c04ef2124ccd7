//! The strict JSON parser: never panics, and what it accepts survives a round trip.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use zegel_jose::error::Part;
use zegel_jose::json::{DEFAULT_MAX_DEPTH, parse_object};

fuzz_target!(|data: &[u8]| {
    let Ok(object) = parse_object(data, Part::Header, DEFAULT_MAX_DEPTH) else {
        return;
    };
    // Serializing an accepted object and parsing it again gives the same object: no member was
    // lost to a duplicate, and the depth limit does not depend on formatting.
    let text = serde_json::to_vec(&object).unwrap_or_default();
    let again = parse_object(&text, Part::Header, DEFAULT_MAX_DEPTH);
    let same = again.as_ref().is_ok_and(|again| {
        same_shape(
            &Value::Object(object.clone()),
            &Value::Object(again.clone()),
        )
    });
    assert!(
        same,
        "round trip of {}: {again:?}",
        String::from_utf8_lossy(&text)
    );
});

/// Equal, except that floating-point numbers only need to be floats on both sides: serde_json
/// parses long decimal mantissas to within one ulp, not always to the nearest double (its
/// `float_roundtrip` feature is off), so a float may move by one ulp through a round trip.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            x.is_f64() && y.is_f64()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_shape(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        _ => a == b,
    }
}
