//! Strict JSON: duplicate member names refused, nesting depth bounded.
//!
//! `serde_json::Value` silently keeps the last of two members with the same name, so
//! `{"alg":"RS256","alg":"none"}` would read as `none` to one parser and `RS256` to another.
//! RFC 7515 §5.2 and RFC 7516 §5.2 let an implementation reject such input, and zegel always
//! does: every header, JWK, JWK Set and claim set goes through this module.
//!
//! There is one strict parser, [`Strict`]: a [`DeserializeSeed`] that wraps any other seed and
//! sees every value the wrapped one reads, refusing a member name as soon as it repeats and an
//! object or array past the depth limit. [`parse_object`] builds a `serde_json` map through it,
//! [`check_object`] only checks, and a layer above (zegel-jwt's claims) deserializes its own
//! types through it in a single pass.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde_json::{Map, Value};

use crate::error::{Error, JsonError, Part};

/// The default maximum nesting depth of objects and arrays.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// `serde_json`'s private name for `RawValue`, which reads its text without visiting it: refused,
/// since nothing inside would be checked.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

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

/// Checks `input` as [`parse_object`] does, building nothing: the same errors, in the same
/// order (the whole text is read before its top level is looked at).
///
/// # Errors
/// As [`parse_object`].
pub fn check_object(input: &[u8], part: Part, max_depth: usize) -> Result<(), Error> {
    deserialize::<IgnoredAny>(input, max_depth).map_err(|reason| Error::Json { part, reason })?;
    // Valid JSON by now: its first character says what the top level is.
    match input.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => Err(Error::Json {
            part,
            reason: JsonError::NotAnObject,
        }),
    }
}

/// Parses any JSON value strictly (see [`parse_object`]), through [`StrictValue`].
///
/// # Errors
/// The [`JsonError`] that made the input unacceptable.
pub fn parse_value(input: &[u8], max_depth: usize) -> Result<Value, JsonError> {
    let found = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(input);
    let seed = Rules::new(max_depth, &found).value();
    let value = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    value.map_err(|e| {
        found.take().unwrap_or(JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        })
    })
}

/// Deserializes the whole of `input` into `T` through [`Strict`].
fn deserialize<'de, T: de::Deserialize<'de>>(
    input: &'de [u8],
    max_depth: usize,
) -> Result<T, JsonError> {
    let found = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(input);
    let seed = Rules::new(max_depth, &found).seed(PhantomData::<T>);
    let value = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    value.map_err(|e| {
        found.take().unwrap_or(JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        })
    })
}

/// The state of a strict pass at one depth: the limit, how many levels are left, and where the
/// first broken rule is reported (serde's errors carry only a message, so the structured
/// [`JsonError`] travels beside them).
#[derive(Clone, Copy)]
pub struct Rules<'r> {
    limit: usize,
    depth_left: usize,
    found: &'r Cell<Option<JsonError>>,
}

impl fmt::Debug for Rules<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("limit", &self.limit)
            .field("depth_left", &self.depth_left)
            .finish_non_exhaustive()
    }
}

impl<'r> Rules<'r> {
    /// The rules for a top-level value: objects and arrays nest at most `max_depth` deep; the
    /// first rule broken is stored in `found`.
    #[must_use]
    pub fn new(max_depth: usize, found: &'r Cell<Option<JsonError>>) -> Self {
        Self {
            limit: max_depth,
            depth_left: max_depth,
            found,
        }
    }

    /// `seed`, made strict under these rules.
    #[must_use]
    pub fn seed<S>(self, seed: S) -> Strict<'r, S> {
        Strict { seed, rules: self }
    }

    /// A strict [`Value`] under these rules: the same value and the same errors as
    /// `self.seed(PhantomData::<Value>)`, faster.
    #[must_use]
    pub fn value(self) -> StrictValue<'r> {
        StrictValue { rules: self }
    }

    /// Enters an object or an array at this depth: the rules for its members, or
    /// [`JsonError::TooDeep`].
    ///
    /// # Errors
    /// [`JsonError::TooDeep`] (also stored), as a serde error.
    pub fn enter<E: de::Error>(self) -> Result<Self, E> {
        match self.depth_left.checked_sub(1) {
            Some(depth_left) => Ok(Self { depth_left, ..self }),
            None => Err(self.fail(JsonError::TooDeep { limit: self.limit })),
        }
    }

    /// Stores `e` (unless a rule was already reported) and returns it as a serde error.
    #[must_use]
    pub fn fail<E: de::Error>(self, e: JsonError) -> E {
        let msg = e.to_string();
        let first = self.found.take().unwrap_or(e);
        self.found.set(Some(first));
        E::custom(msg)
    }
}

/// The member names of one object, to refuse a name as soon as it repeats.
///
/// The first 64 names are kept in a list with a 64-bit hash of each, found
/// through a small open-addressing table of their positions (claim sets and headers have tens
/// of members: one hash and a probe or two per name, where a sorted list compared whole names
/// in its binary search and moved them on insert; callgrind, the 37 names of the claim set of
/// `benches/compare.rs`: 8.1k instructions per claim set before, 4.9k after). Past that, the
/// names move to an ordered set, so a hostile object of many members stays O(n log n), and
/// names whose hashes collide cost at most 64 comparisons each. (The limit was 32: the 33
/// members of the itsme® ID token of `benches/open.rs` then moved to the set, and its typed
/// parse spent 20.1k instructions in `insert` and 2.8k dropping the set; 64 takes a
/// second, larger list only past 32 names.)
#[derive(Debug)]
pub struct MemberNames<'de> {
    few: Vec<(u64, Cow<'de, str>)>,
    /// For each slot, 1 + the position in `few` of a name whose probe passed here; 0 for none.
    /// At most half full, so every probe ends on an empty slot.
    slots: [u8; 128],
    many: BTreeSet<Cow<'de, str>>,
}

impl Default for MemberNames<'_> {
    fn default() -> Self {
        Self {
            few: Vec::new(),
            slots: [0; 128],
            many: BTreeSet::new(),
        }
    }
}

impl<'de> MemberNames<'de> {
    /// How many names the list holds before they move to a set (half the slots).
    const FEW: usize = 64;

    /// The list's first capacity: 32 names, 1 KiB, which glibc still serves from its
    /// per-thread cache (most objects stop there).
    const FIRST: usize = 32;

    /// No names yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name`.
    ///
    /// # Errors
    /// [`JsonError::DuplicateMember`] (also stored in `rules`), as a serde error, when `name`
    /// was added before.
    pub fn insert<E: de::Error>(&mut self, name: Cow<'de, str>, rules: Rules<'_>) -> Result<(), E> {
        if self.many.is_empty() {
            let hash = name_hash(name.as_bytes());
            // The top seven bits: FxHash's multiplication mixes upwards.
            let mut slot = usize::try_from(hash >> 57).unwrap_or(0);
            let mut seen = false;
            while let Some(&at) = self.slots.get(slot)
                && at != 0
            {
                if self
                    .few
                    .get(usize::from(at - 1))
                    .is_some_and(|(h, n)| *h == hash && *n == name)
                {
                    seen = true;
                    break;
                }
                slot = (slot + 1) % self.slots.len();
            }
            if !seen {
                if self.few.len() < Self::FEW {
                    if self.few.capacity() == 0 {
                        self.few.reserve_exact(Self::FIRST);
                    }
                    self.few.push((hash, name));
                    if let (Some(s), Ok(at)) =
                        (self.slots.get_mut(slot), u8::try_from(self.few.len()))
                    {
                        *s = at;
                    }
                } else {
                    self.many.extend(self.few.drain(..).map(|(_, n)| n));
                    self.many.insert(name);
                }
                return Ok(());
            }
        } else if !self.many.contains(&name) {
            self.many.insert(name);
            return Ok(());
        }
        Err(rules.fail(JsonError::DuplicateMember {
            name: name.into_owned(),
        }))
    }
}

/// A 64-bit hash of a member name (FxHash's mixing, eight bytes at a time, the length first):
/// equal names hash equal; unequal ones are told apart by comparing them.
fn name_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = mix(0, u64::try_from(bytes.len()).unwrap_or(u64::MAX));
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0_u8; 8];
        if let Some(head) = word.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        h = mix(h, u64::from_le_bytes(word));
    }
    h
}

/// Reads a member name, borrowed from the input when it has no escapes.
#[derive(Clone, Copy, Debug)]
pub struct MemberName;

impl<'de> DeserializeSeed<'de> for MemberName {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MemberName {
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

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A member name already read, handed to the seed that wants it (a struct's field names, a
/// map's keys). Integer keys are parsed, as `serde_json` does for maps keyed by integers.
#[derive(Debug)]
pub struct NameDeserializer<'de, E> {
    name: Cow<'de, str>,
    error: PhantomData<E>,
}

impl<'de, E> NameDeserializer<'de, E> {
    /// A deserializer of `name`.
    #[must_use]
    pub fn new(name: Cow<'de, str>) -> Self {
        Self {
            name,
            error: PhantomData,
        }
    }
}

macro_rules! name_as_integer {
    ($($method:ident $visit:ident $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            match self.name.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de, E: de::Error> Deserializer<'de> for NameDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.name {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.name {
            Cow::Borrowed(s) => {
                de::value::BorrowedStrDeserializer::new(s).deserialize_enum(name, variants, visitor)
            }
            Cow::Owned(s) => {
                de::value::StringDeserializer::new(s).deserialize_enum(name, variants, visitor)
            }
        }
    }

    name_as_integer!(
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64
    );

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// A [`DeserializeSeed`] made strict: the wrapped seed reads the value as it would, while every
/// object and array inside is checked for depth and every object for repeated member names.
#[derive(Clone, Copy, Debug)]
pub struct Strict<'r, S> {
    seed: S,
    rules: Rules<'r>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Strict<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(StrictDeserializer {
            inner: d,
            rules: self.rules,
        })
    }
}

/// A strict [`Value`]: the value [`Strict`] would build around `serde_json`'s own, with the
/// same errors, built directly.
///
/// [`Strict`] around `PhantomData::<Value>` keeps a separate [`MemberNames`] table per object
/// beside the map `serde_json` builds. Here the map is the table: a member's name is looked up
/// once, as the entry its value will fill, and found taken means a repeated name; the lookup
/// comes before the value is read, so errors come in the same order. Callgrind, the 1217-byte
/// claim set of `zegel-jwt`'s `benches/compare.rs` (4 objects, 37 names): `parse_object`
/// 56.2k instructions per call before, 48.4k after (`serde_json::from_slice::<Map>`: 47.9k).
///
/// Assumes `serde_json` without its `arbitrary_precision` feature (numbers arrive as numbers,
/// not as maps), as everywhere in zegel; a test checks the feature is off.
#[derive(Clone, Copy, Debug)]
pub struct StrictValue<'r> {
    rules: Rules<'r>,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // As `serde_json`'s own visitor (JSON text never holds a non-finite number).
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.rules.enter()?.value();
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let rules = self.rules.enter()?;
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            match map.entry(name) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(access.next_value_seed(rules.value())?);
                }
                serde_json::map::Entry::Occupied(taken) => {
                    return Err(rules.fail(JsonError::DuplicateMember {
                        name: taken.key().clone(),
                    }));
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// A deserializer whose visitors are wrapped (see [`Strict`]).
struct StrictDeserializer<'r, D> {
    inner: D,
    rules: Rules<'r>,
}

macro_rules! forward_wrapped {
    ($($method:ident ($($arg:ident: $ty:ty),*)),*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($arg,)* StrictVisitor { inner: visitor, rules: self.rules })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StrictDeserializer<'_, D> {
    type Error = D::Error;

    forward_wrapped!(
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(), deserialize_option(),
        deserialize_unit(), deserialize_unit_struct(name: &'static str), deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier()
    );

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name == RAW_VALUE_TOKEN {
            return Err(de::Error::custom("raw json values cannot be read strictly"));
        }
        self.inner.deserialize_newtype_struct(
            name,
            StrictVisitor {
                inner: visitor,
                rules: self.rules,
            },
        )
    }

    /// An ignored value is still read, and checked.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(StrictVisitor {
            inner: IgnoredAny,
            rules: self.rules,
        })?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A visitor whose nested accesses are wrapped (see [`Strict`]).
struct StrictVisitor<'r, V> {
    inner: V,
    rules: Rules<'r>,
}

macro_rules! forward_visit {
    ($($method:ident $ty:ty),*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StrictVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit!(
        visit_bool bool, visit_i8 i8, visit_i16 i16, visit_i32 i32, visit_i64 i64,
        visit_i128 i128, visit_u8 u8, visit_u16 u16, visit_u32 u32, visit_u64 u64,
        visit_u128 u128, visit_f32 f32, visit_f64 f64, visit_char char, visit_str &str,
        visit_borrowed_str &'de str, visit_string String, visit_bytes &[u8],
        visit_borrowed_bytes &'de [u8], visit_byte_buf Vec<u8>
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(StrictDeserializer {
            inner: d,
            rules: self.rules,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(StrictDeserializer {
            inner: d,
            rules: self.rules,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let rules = self.rules.enter()?;
        self.inner.visit_seq(StrictSeq { inner: seq, rules })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let rules = self.rules.enter()?;
        self.inner.visit_map(StrictMap {
            inner: map,
            rules,
            names: MemberNames::new(),
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(StrictEnum {
            inner: data,
            rules: self.rules,
        })
    }
}

struct StrictSeq<'r, A> {
    inner: A,
    rules: Rules<'r>,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.inner.next_element_seed(self.rules.seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

struct StrictMap<'de, 'r, A> {
    inner: A,
    rules: Rules<'r>,
    names: MemberNames<'de>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(name) = self.inner.next_key_seed(MemberName)? else {
            return Ok(None);
        };
        // A borrowed name costs nothing to keep; an escaped one is copied.
        self.names.insert(name.clone(), self.rules)?;
        seed.deserialize(NameDeserializer::new(name)).map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(self.rules.seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// An enum written `"Variant"` or `{"Variant": value}`; the second form's object is a level.
struct StrictEnum<'r, A> {
    inner: A,
    rules: Rules<'r>,
}

impl<'de, 'r, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<'r, A> {
    type Error = A::Error;
    type Variant = StrictEnum<'r, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((
            value,
            StrictEnum {
                inner: variant,
                rules: self.rules,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictEnum<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let rules = self.rules.enter()?;
        self.inner.newtype_variant_seed(rules.seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let rules = self.rules.enter()?;
        self.inner.tuple_variant(
            len,
            StrictVisitor {
                inner: visitor,
                rules,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let rules = self.rules.enter()?;
        self.inner.struct_variant(
            fields,
            StrictVisitor {
                inner: visitor,
                rules,
            },
        )
    }
}

/// Random JSON texts for differential tests of the strict parsers: small name alphabets (so
/// names repeat, also through escapes), nesting around the depth limits, and byte-level
/// mutations (so syntax errors, bad UTF-8 and lone surrogates land anywhere).
#[cfg(test)]
pub(crate) mod arbitrary {
    use proptest::prelude::*;

    /// A member name as written: plain, or escaped to the same text.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-c]{1,2}".prop_map(|n| format!("\"{n}\"")),
            Just(r#""\u0061""#.to_owned()),
            Just(r#""\u0062b""#.to_owned()),
            Just(r#""iss""#.to_owned()),
            Just(r#""\u0069ss""#.to_owned()),
            Just(r#""exp""#.to_owned()),
            Just(r#""aud""#.to_owned()),
        ]
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("1.5e3".to_owned()),
            Just("-0.25".to_owned()),
            Just("1e400".to_owned()),
            "[a-z ]{0,6}".prop_map(|s| format!("\"{s}\"")),
            Just(r#""\ud800""#.to_owned()),
            Just(r#""\ud83d\ude00""#.to_owned()),
            Just(r#""\u00e9\n""#.to_owned()),
        ]
    }

    /// A JSON text (object, array or scalar), nested up to about six levels.
    pub(crate) fn text() -> impl Strategy<Value = String> {
        scalar().prop_recursive(6, 48, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((name(), inner), 0..6).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(n, v)| format!("{n}:{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    /// An object text, then up to three byte edits (set, insert, delete) at random places.
    pub(crate) fn mutated_object() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::collection::vec((name(), text()), 0..8),
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3_u8), 0..3),
        )
            .prop_map(|(members, edits)| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(n, v)| format!("{n}:{v}"))
                    .collect();
                let mut bytes = format!("{{{}}}", members.join(",")).into_bytes();
                for (at, byte, kind) in edits {
                    let at = at.index(bytes.len() + 1);
                    match kind {
                        0 if at < bytes.len() => bytes[at] = byte,
                        1 => bytes.insert(at, byte),
                        _ if at < bytes.len() => {
                            bytes.remove(at);
                        }
                        _ => {}
                    }
                }
                bytes
            })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        /// `StrictValue` builds what `Strict` builds around `serde_json`'s own `Value`, and
        /// refuses what it refuses with the same error, at every depth limit.
        #[test]
        fn strict_value_agrees_with_the_general_wrapper(
            text in prop_oneof![arbitrary::text().prop_map(String::into_bytes), arbitrary::mutated_object()],
            max_depth in 1_usize..6,
        ) {
            prop_assert_eq!(parse_value(&text, max_depth), deserialize::<Value>(&text, max_depth));
        }
    }

    #[test]
    fn numbers_arrive_as_numbers() {
        // `StrictValue` relies on it: with serde_json's `arbitrary_precision`, numbers would
        // arrive as maps.
        assert_eq!(
            parse_value(b"[1,-1,1.5]", 2),
            Ok(serde_json::json!([1, -1, 1.5]))
        );
        assert_eq!(size_of::<serde_json::Number>(), 16);
    }

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

    #[test]
    fn checking_agrees_with_parsing() {
        let cases: &[&[u8]] = &[
            br#"{"a":1,"b":[1,{"c":null,"d":"\u0041"}],"e":{"f":{}}}"#,
            br#"{"alg":"RS256","alg":"none"}"#,
            br#"{"a":{"b":1,"b":2}}"#,
            br#"{"a":[{"c":1,"c":1}]}"#,
            br#"{"alg":1,"\u0061lg":2}"#,
            br#"{"a":{"b":{"c":[]}}}"#,
            br#"[{"a":1,"a":2}]"#,
            b"[1]",
            b"1",
            b"\"s\"",
            b"null",
            b"{} {}",
            b"{\"a\":\"\xff\"}",
            br#"{"a":"\ud800"}"#,
            b"{",
            b"",
        ];
        for input in cases {
            assert_eq!(
                check_object(input, Part::Payload, 3),
                parse_object(input, Part::Payload, 3).map(|_| ()),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn duplicates_are_found_before_and_after_the_list_moves_to_a_set() {
        let dup = |n: usize, again: &str| {
            let obj: String = (0..n)
                .map(|i| format!("\"name-{i:03}-long\":{i},"))
                .collect();
            check_object(
                format!("{{{obj}\"{again}\":0}}").as_bytes(),
                Part::Payload,
                4,
            )
        };
        let want = |name: &str| {
            Err(Error::Json {
                part: Part::Payload,
                reason: JsonError::DuplicateMember { name: name.into() },
            })
        };
        for n in [1, 31, 32, 33, 63, 64, 65, 80] {
            assert_eq!(dup(n, "name-000-long"), want("name-000-long"), "{n}");
            assert_eq!(dup(n, "name-000-lonh"), Ok(()), "{n}");
            assert_eq!(dup(n, "name-000-lon"), Ok(()), "{n}");
            assert_eq!(
                dup(n, &format!("name-{:03}-long", n - 1)),
                want(&format!("name-{:03}-long", n - 1)),
                "{n}"
            );
        }
        assert_eq!(dup(80, "name-070-long"), want("name-070-long"));
        assert_eq!(name_hash(b"ab"), name_hash(b"ab"));
        assert_ne!(name_hash(b"ab"), name_hash(b"ab\0"));
    }

    #[test]
    fn many_members_stay_fast() {
        let obj: String = (0..20_000).map(|i| format!("\"k{i}\":{i},")).collect();
        let text = format!("{{{obj}\"end\":0,\"k19999\":1}}");
        assert_eq!(
            check_object(text.as_bytes(), Part::Payload, 4),
            Err(Error::Json {
                part: Part::Payload,
                reason: JsonError::DuplicateMember {
                    name: "k19999".into()
                }
            })
        );
    }

    #[test]
    fn typed_values_are_checked_too() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Typed {
            a: Vec<u8>,
            b: Option<Box<Self>>,
        }
        let found = Cell::new(None);
        let read = |s: &str| {
            found.set(None);
            let mut de = serde_json::Deserializer::from_str(s);
            Rules::new(3, &found)
                .seed(PhantomData::<Typed>)
                .deserialize(&mut de)
                .map_err(|_| found.take())
        };
        assert!(read(r#"{"a":[1],"b":{"a":[2]}}"#).is_ok());
        assert_eq!(
            read(r#"{"a":[1],"a":[2]}"#).unwrap_err(),
            Some(JsonError::DuplicateMember { name: "a".into() })
        );
        assert_eq!(
            read(r#"{"a":[1],"b":{"a":[2],"x":{"y":1,"y":2}}}"#).unwrap_err(),
            Some(JsonError::DuplicateMember { name: "y".into() })
        );
        assert_eq!(
            read(r#"{"a":[1],"b":{"a":[2],"b":{"a":[]}}}"#).unwrap_err(),
            Some(JsonError::TooDeep { limit: 3 })
        );
    }
}
