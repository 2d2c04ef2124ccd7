//! Strict JSON: duplicate member names refused, nesting depth bounded.
//!
//! `serde_json::Value` silently keeps the last of two members with the same name, so
//! `{"alg":"RS256","alg":"none"}` would read as `none` to one parser and `RS256` to another.
//! RFC 7515 §5.2 and RFC 7516 §5.2 let an implementation reject such input, and zegel always
//! does: every header, JWK, JWK Set and claim set goes through [`parse_object`].

use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, JsonError, Part};

/// The default maximum nesting depth of objects and arrays.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// Parses `input` as a JSON object, refusing duplicate member names at any depth and nesting
/// deeper than `max_depth` (the top-level object is depth 1).
///
/// # Errors
/// [`Error::Json`] with the [`Part`] given, for invalid JSON, a duplicate member, too much
/// nesting, or a top level that is not an object.
pub fn parse_object(
    input: &[u8],
    part: Part,
    max_depth: usize,
) -> Result<Map<String, Value>, Error> {
    match parse_value(input, max_depth).map_err(|reason| Error::Json { part, reason })? {
        Value::Object(map) => Ok(map),
        _ => Err(Error::Json {
            part,
            reason: JsonError::NotAnObject,
        }),
    }
}

/// Parses any JSON value strictly (see [`parse_object`]).
///
/// # Errors
/// The [`JsonError`] that made the input unacceptable.
pub fn parse_value(input: &[u8], max_depth: usize) -> Result<Value, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(input);
    let mut found = None;
    let seed = Strict {
        limit: max_depth,
        depth_left: max_depth,
        found: &mut found,
    };
    let value = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match value {
        Ok(v) => Ok(v),
        Err(e) => Err(found.unwrap_or(JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        })),
    }
}

/// A seed that builds a `Value` while checking duplicates and depth. Structured failures are
/// reported through `report` because serde's error type can only carry a message.
struct Strict<'r> {
    limit: usize,
    depth_left: usize,
    found: &'r mut Option<JsonError>,
}

impl Strict<'_> {
    fn fail<E: de::Error>(&mut self, e: JsonError) -> E {
        let msg = e.to_string();
        *self.found = Some(e);
        E::custom(msg)
    }

    /// The seed for a member or element one level down; only called when `depth_left > 0`.
    fn child(&mut self) -> Strict<'_> {
        Strict {
            limit: self.limit,
            depth_left: self.depth_left - 1,
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth_left == 0 {
            return Err(self.fail(JsonError::TooDeep { limit: self.limit }));
        }
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element_seed(self.child())? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        if self.depth_left == 0 {
            return Err(self.fail(JsonError::TooDeep { limit: self.limit }));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(self.fail(JsonError::DuplicateMember { name: key }));
            }
            let v = map.next_value_seed(self.child())?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_objects() {
        let m = parse_object(br#"{"alg":"RS256","n":[1,{"a":null}]}"#, Part::Header, 4).unwrap();
        assert_eq!(m["alg"], "RS256");
    }

    #[test]
    fn refuses_duplicates_at_any_depth() {
        let dup = |s: &str| parse_object(s.as_bytes(), Part::Header, 8).unwrap_err();
        let want = |name: &str| Error::Json {
            part: Part::Header,
            reason: JsonError::DuplicateMember { name: name.into() },
        };
        assert_eq!(dup(r#"{"alg":"RS256","alg":"none"}"#), want("alg"));
        assert_eq!(dup(r#"{"a":{"b":1,"b":2}}"#), want("b"));
        assert_eq!(dup(r#"{"a":[{"c":1,"c":1}]}"#), want("c"));
        // Escapes that decode to the same name are the same name.
        assert_eq!(dup(r#"{"alg":1,"\u0061lg":2}"#), want("alg"));
    }

    #[test]
    fn bounds_depth() {
        assert!(parse_object(br#"{"a":{"b":{}}}"#, Part::Jwk, 3).is_ok());
        assert_eq!(
            parse_object(br#"{"a":{"b":{"c":[]}}}"#, Part::Jwk, 3),
            Err(Error::Json {
                part: Part::Jwk,
                reason: JsonError::TooDeep { limit: 3 }
            })
        );
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse_value(deep.as_bytes(), 32),
            Err(JsonError::TooDeep { limit: 32 })
        ));
    }

    #[test]
    fn refuses_non_objects_and_trailing_data() {
        assert_eq!(
            parse_object(b"[1]", Part::Header, 4),
            Err(Error::Json {
                part: Part::Header,
                reason: JsonError::NotAnObject
            })
        );
        assert!(matches!(
            parse_object(b"{} {}", Part::Header, 4),
            Err(Error::Json {
                reason: JsonError::Syntax { .. },
                ..
            })
        ));
        assert!(matches!(
            parse_object(b"{\"a\":\"\xff\"}", Part::Header, 4),
            Err(Error::Json {
                reason: JsonError::Syntax { .. },
                ..
            })
        ));
    }
}
