//! A strict check of a claim set's JSON text, without building it: one object, no member name
//! twice at any depth, nesting bounded. The rules are those of [`zegel_jose::json`]; this pass
//! only checks, so that the claims can then be deserialized straight into the caller's type
//! (one tree fewer to build on every token).

use core::fmt;
use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use zegel_jose::error::{Error, JsonError, Part};

/// Checks that `input` is a JSON object with unique member names at every depth and nesting at
/// most `max_depth` (the top-level object is depth 1).
pub(crate) fn check_object(input: &[u8], max_depth: usize) -> Result<(), Error> {
    let mut de = serde_json::Deserializer::from_slice(input);
    let mut found = None;
    let seed = Check {
        limit: max_depth,
        depth_left: max_depth,
        top: true,
        found: &mut found,
    };
    let result = seed.deserialize(&mut de).and_then(|()| de.end());
    result.map_err(|e| Error::Json {
        part: Part::Payload,
        reason: found.unwrap_or(JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        }),
    })
}

struct Check<'r> {
    limit: usize,
    depth_left: usize,
    /// The top-level value, which must be an object.
    top: bool,
    found: &'r mut Option<JsonError>,
}

impl Check<'_> {
    fn fail<E: de::Error>(&mut self, e: JsonError) -> E {
        let msg = e.to_string();
        *self.found = Some(e);
        E::custom(msg)
    }

    fn child(&mut self) -> Check<'_> {
        Check {
            limit: self.limit,
            depth_left: self.depth_left.saturating_sub(1),
            top: false,
            found: self.found,
        }
    }

    fn scalar<E: de::Error>(mut self) -> Result<(), E> {
        if self.top {
            Err(self.fail(JsonError::NotAnObject))
        } else {
            Ok(())
        }
    }
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        if self.top {
            return Err(self.fail(JsonError::NotAnObject));
        }
        if self.depth_left == 0 {
            return Err(self.fail(JsonError::TooDeep { limit: self.limit }));
        }
        while seq.next_element_seed(self.child())?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.depth_left == 0 {
            return Err(self.fail(JsonError::TooDeep { limit: self.limit }));
        }
        // Names are borrowed from the input (copied only when escaped), collected, then sorted
        // once: duplicates end up side by side. O(n log n), one allocation per object.
        let mut names: Vec<Cow<'de, str>> = Vec::new();
        while let Some(name) = map.next_key_seed(Name)? {
            names.push(name);
            map.next_value_seed(self.child())?;
        }
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w.first() == w.get(1)) {
            let name = pair
                .first()
                .map(|n| n.clone().into_owned())
                .unwrap_or_default();
            return Err(self.fail(JsonError::DuplicateMember { name }));
        }
        Ok(())
    }
}

/// A member name, borrowed from the input when it has no escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(input: &[u8], depth: usize) -> Option<JsonError> {
        match check_object(input, depth) {
            Ok(()) => None,
            Err(Error::Json {
                part: Part::Payload,
                reason,
            }) => Some(reason),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn agrees_with_the_jose_parser() {
        let cases: &[&[u8]] = &[
            br#"{"a":1,"b":[1,{"c":null,"d":"\u0041"}],"e":{"f":{}}}"#,
            br#"{"alg":"RS256","alg":"none"}"#,
            br#"{"a":{"b":1,"b":2}}"#,
            br#"{"a":[{"c":1,"c":1}]}"#,
            br#"{"alg":1,"\u0061lg":2}"#,
            br#"{"a":{"b":{"c":[]}}}"#,
            b"[1]",
            b"1",
            b"\"s\"",
            b"null",
            b"{} {}",
            b"{\"a\":\"\xff\"}",
            b"{",
            b"",
        ];
        for input in cases {
            let jose = zegel_jose::json::parse_object(input, Part::Payload, 3).err();
            let ours = check_object(input, 3).err();
            match (jose, ours) {
                (None, None) => {}
                (Some(Error::Json { reason: a, .. }), Some(Error::Json { reason: b, .. })) => {
                    match (&a, &b) {
                        (JsonError::Syntax { .. }, JsonError::Syntax { .. }) => {}
                        _ => assert_eq!(a, b, "{}", String::from_utf8_lossy(input)),
                    }
                }
                (a, b) => panic!("{}: {a:?} vs {b:?}", String::from_utf8_lossy(input)),
            }
        }
        let deep = "[".repeat(100_000);
        assert_eq!(
            reason(format!("{{\"a\":{deep}").as_bytes(), 32),
            Some(JsonError::TooDeep { limit: 32 })
        );
    }

    #[test]
    fn many_members_stay_fast() {
        let obj: String = (0..20_000).map(|i| format!("\"k{i}\":{i},")).collect();
        let text = format!("{{{obj}\"end\":0}}");
        assert_eq!(reason(text.as_bytes(), 4), None);
    }
}
