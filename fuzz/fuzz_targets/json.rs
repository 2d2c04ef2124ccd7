//! The strict JSON parser: never panics, and what it accepts survives a round trip.

#![no_main]

use libfuzzer_sys::fuzz_target;
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
    assert_eq!(
        again.as_ref(),
        Ok(&object),
        "round trip of {}",
        String::from_utf8_lossy(&text)
    );
});
