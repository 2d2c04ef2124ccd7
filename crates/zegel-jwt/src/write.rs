//! Writing a claim set as JSON text in one pass: the registered claims that are set, then the
//! caller's `extra` members written straight after them into the same buffer, with no
//! intermediate `serde_json::Value`.
//!
//! `extra` must serialize to an object (or to nothing) and must not name a registered claim that
//! is set: its member names are checked as they are written, so the text never names a claim
//! twice.
//!
//! The values are written by [`Json`], a serializer of this module whose output is byte for byte
//! `serde_json`'s compact form; it exists for speed (see [`write_str`]). What it does not write
//! itself (a map key that is not a string, `serde_json`'s raw values and arbitrary-precision
//! numbers) sets a flag, and the extra claims are written again through `serde_json`.

use core::fmt;
use core::fmt::Write as _;

use serde::Serialize;
use serde::ser::{
    self, Impossible, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

use crate::claims::{Claim, Claims};
use crate::error::Error;

/// The initial capacity of a claim set's JSON text: the size of a typical ID token's claims, so
/// that the buffer grows at most once or twice (from 256 bytes, three times for the 1.2 KB
/// itsme® claim set: 0.45k instructions more per `zegel_jwt::sign`).
pub(crate) const CAPACITY: usize = 1024;

/// Appends the claim set `claims` to `out` as one JSON object.
pub(crate) fn write_claims<T: Serialize>(
    claims: &Claims<T>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    write_claims_with(claims, out, true)
}

/// As [`write_claims`]; with `fast == false` every value goes through `serde_json` (the path
/// [`Json`] falls back to, and the reference its tests compare with).
fn write_claims_with<T: Serialize>(
    claims: &Claims<T>,
    out: &mut Vec<u8>,
    fast: bool,
) -> Result<(), Error> {
    let mut exotic = false;
    let mut members = Members {
        out,
        empty: true,
        set: 0,
        fast,
        exotic: &mut exotic,
    };
    members.out.push(b'{');
    members.registered(Claim::Iss, claims.iss.as_ref())?;
    members.registered(Claim::Sub, claims.sub.as_ref())?;
    members.registered(Claim::Aud, claims.aud.as_ref())?;
    members.registered(Claim::Exp, claims.exp.as_ref())?;
    members.registered(Claim::Nbf, claims.nbf.as_ref())?;
    members.registered(Claim::Iat, claims.iat.as_ref())?;
    members.registered(Claim::Jti, claims.jti.as_ref())?;
    let (start, empty) = (members.out.len(), members.empty);
    let mut written = claims.extra.serialize(&mut members);
    if *members.exotic {
        // Something `Json` does not write itself: the extra claims again, through serde_json.
        members.out.truncate(start);
        members.empty = empty;
        members.fast = false;
        written = claims.extra.serialize(&mut members);
    }
    written.map_err(|e| match e {
        Refused::NotAnObject => Error::CustomClaims {
            reason: "the extra claims are not a json object".into(),
        },
        Refused::Duplicate(name) => Error::DuplicateClaim { name },
        Refused::Custom(reason) => Error::CustomClaims { reason },
        Refused::Exotic => Error::CustomClaims {
            reason: "the extra claims cannot be written".into(),
        },
    })?;
    members.out.push(b'}');
    Ok(())
}

/// The object being written.
struct Members<'a> {
    out: &'a mut Vec<u8>,
    /// No member written yet.
    empty: bool,
    /// The registered claims written ([`Claim::bit`]).
    set: u8,
    /// Values are written by [`Json`] (else by `serde_json`).
    fast: bool,
    /// [`Json`] met something it leaves to `serde_json`.
    exotic: &'a mut bool,
}

impl Members<'_> {
    /// Writes the registered claim `claim` if it is set.
    fn registered<V: Serialize>(&mut self, claim: Claim, value: Option<&V>) -> Result<(), Error> {
        let Some(value) = value else { return Ok(()) };
        // Each registered claim comes once, before the extra claims: no check; its name needs no
        // escape.
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.push(b'"');
        self.out.extend_from_slice(claim.name().as_bytes());
        self.out.extend_from_slice(b"\":");
        self.value(value).map_err(|e| Error::CustomClaims {
            reason: e.to_string(),
        })?;
        self.set |= claim.bit();
        Ok(())
    }

    /// Writes `,"name":` (no comma first), refusing a registered claim already written.
    fn name_and_colon(&mut self, name: &str) -> Result<(), Refused> {
        // Every registered name has three bytes: the others skip the lookup.
        if self.set != 0
            && name.len() == 3
            && let Some(claim) = Claim::from_name(name)
            && self.set & claim.bit() != 0
        {
            return Err(Refused::Duplicate(claim.name()));
        }
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        write_str(self.out, name);
        self.out.push(b':');
        Ok(())
    }

    /// Writes a member's value.
    fn value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        if self.fast {
            value.serialize(Json {
                out: self.out,
                exotic: self.exotic,
            })
        } else {
            serde_json::to_writer(&mut *self.out, value).map_err(Refused::custom)
        }
    }
}

/// Why `extra` could not be written.
#[derive(Debug)]
enum Refused {
    NotAnObject,
    Duplicate(&'static str),
    Custom(String),
    /// [`Json`] leaves this value to `serde_json`.
    Exotic,
}

impl Refused {
    #[allow(clippy::needless_pass_by_value, reason = "used as a map_err function")]
    fn custom(e: serde_json::Error) -> Self {
        Self::Custom(e.to_string())
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => f.write_str("the extra claims are not a json object"),
            Self::Duplicate(name) => write!(f, "the claim {name} is set twice"),
            Self::Custom(reason) => f.write_str(reason),
            Self::Exotic => f.write_str("a value left to serde_json"),
        }
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Self::Custom(msg.to_string())
    }
}
macro_rules! not_an_object {
    ($($method:ident($($ty:ty),*)),*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Refused> {
            Err(Refused::NotAnObject)
        }
    )*};
}

impl Serializer for &mut Members<'_> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Impossible<(), Refused>;
    type SerializeTuple = Impossible<(), Refused>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Refused>;

    not_an_object!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_variant(&'static str, u32, &'static str)
    );

    /// `T = ()`: no other claims.
    fn serialize_unit(self) -> Result<(), Refused> {
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Refused> {
        Ok(())
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<(), Refused> {
        Err(Refused::NotAnObject)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refused> {
        Err(Refused::NotAnObject)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        Err(Refused::NotAnObject)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        Err(Refused::NotAnObject)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        Err(Refused::NotAnObject)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Refused> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        Err(Refused::NotAnObject)
    }
}

impl SerializeMap for &mut Members<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Refused> {
        key.serialize(KeyName(self))
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        self.value(value)
    }

    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

impl SerializeStruct for &mut Members<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        self.name_and_colon(name)?;
        self.value(value)
    }

    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

/// A member name of the extra claims, written with [`Members::name_and_colon`]: strings as they
/// are, integers and booleans in decimal, as `serde_json` writes them.
struct KeyName<'m, 'a>(&'m mut Members<'a>);

macro_rules! key_in_decimal {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Refused> {
            let mut name = String::new();
            write!(name, "{v}").map_err(|_| Refused::NotAnObject)?;
            self.0.name_and_colon(&name)
        }
    )*};
}

macro_rules! key_refused {
    ($($method:ident($($ty:ty),*)),*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Refused> {
            Err(Refused::Custom("a claim name must be a string".into()))
        }
    )*};
}

impl Serializer for KeyName<'_, '_> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Impossible<(), Refused>;
    type SerializeTuple = Impossible<(), Refused>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = Impossible<(), Refused>;
    type SerializeStruct = Impossible<(), Refused>;
    type SerializeStructVariant = Impossible<(), Refused>;

    key_in_decimal!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_i128(i128),
        serialize_u128(u128)
    );

    key_refused!(
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str)
    );

    fn serialize_char(self, v: char) -> Result<(), Refused> {
        self.0.name_and_colon(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        self.0.name_and_colon(v)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.0.name_and_colon(variant)
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<(), Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        Err(Refused::Custom("a claim name must be a string".into()))
    }
}

/// A JSON serializer writing `serde_json`'s compact form into `out`, with strings escaped by
/// [`write_str`].
struct Json<'a> {
    out: &'a mut Vec<u8>,
    /// Set when a value is left to `serde_json` ([`Refused::Exotic`]).
    exotic: &'a mut bool,
}

impl<'a> Json<'a> {
    fn reborrow(&mut self) -> Json<'_> {
        Json {
            out: self.out,
            exotic: self.exotic,
        }
    }

    /// A number, as `serde_json` writes it (`itoa`, `ryu`, `null` for a float that is not
    /// finite).
    fn number<N: Serialize>(self, n: N) -> Result<(), Refused> {
        serde_json::to_writer(self.out, &n).map_err(Refused::custom)
    }

    /// Leaves the value to `serde_json`.
    fn exotic<T>(self) -> Result<T, Refused> {
        *self.exotic = true;
        Err(Refused::Exotic)
    }

    /// Opens an array or an object, closed by `close`.
    fn open(self, open: u8, close: &'static [u8]) -> Compound<'a> {
        self.out.push(open);
        Compound {
            json: self,
            first: true,
            close,
        }
    }

    /// Opens `{"variant":` and then an array or an object, closed by `close`.
    fn open_variant(self, variant: &str, open: u8, close: &'static [u8]) -> Compound<'a> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        self.open(open, close)
    }
}

/// An array or object being written by [`Json`].
struct Compound<'a> {
    json: Json<'a>,
    /// No element or member written yet.
    first: bool,
    /// What closes it: `]`, `}`, or `]}` and `}}` for an enum variant.
    close: &'static [u8],
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.json.out.push(b',');
        }
        self.first = false;
    }

    fn element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        self.comma();
        value.serialize(self.json.reborrow())
    }

    fn field<V: Serialize + ?Sized>(&mut self, name: &str, value: &V) -> Result<(), Refused> {
        self.comma();
        write_str(self.json.out, name);
        self.json.out.push(b':');
        value.serialize(self.json.reborrow())
    }

    fn close(self) -> Result<(), Refused> {
        self.json.out.extend_from_slice(self.close);
        Ok(())
    }
}

macro_rules! numbers {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Refused> {
            self.number(v)
        }
    )*};
}

impl<'a> Serializer for Json<'a> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    numbers!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64)
    );

    fn serialize_bool(self, v: bool) -> Result<(), Refused> {
        self.out
            .extend_from_slice(if v { &b"true"[..] } else { &b"false"[..] });
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Refused> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        write_str(self.out, v);
        Ok(())
    }

    /// An array of numbers, as `serde_json` writes bytes.
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Refused> {
        let mut array = self.open(b'[', b"]");
        for byte in v {
            array.element(byte)?;
        }
        array.close()
    }

    fn serialize_none(self) -> Result<(), Refused> {
        self.serialize_unit()
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Refused> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        let mut object = self.open(b'{', b"}");
        object.field(variant, value)?;
        object.close()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Refused> {
        Ok(self.open(b'[', b"]"))
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Refused> {
        Ok(self.open(b'[', b"]"))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Refused> {
        Ok(self.open(b'[', b"]"))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Refused> {
        Ok(self.open_variant(variant, b'[', b"]}"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Refused> {
        Ok(self.open(b'{', b"}"))
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'a>, Refused> {
        // `serde_json`'s `RawValue` and arbitrary-precision `Number` (optional features): it
        // writes them raw.
        if name.starts_with("$serde_json::private::") {
            return self.exotic();
        }
        Ok(self.open(b'{', b"}"))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Refused> {
        Ok(self.open_variant(variant, b'{', b"}}"))
    }
}

impl SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        self.element(value)
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

impl SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        self.element(value)
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

impl SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        self.element(value)
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

impl SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        self.element(value)
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

impl SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Refused> {
        self.comma();
        key.serialize(Key(self.json.reborrow()))?;
        self.json.out.push(b':');
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        value.serialize(self.json.reborrow())
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

impl SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

impl SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), Refused> {
        self.close()
    }
}

/// A map key inside a value: a string (or a unit variant, or a newtype around one); any other
/// key is left to `serde_json`, which quotes numbers and booleans or refuses the key.
struct Key<'a>(Json<'a>);

macro_rules! key_exotic {
    ($($method:ident($($ty:ty),*)),*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Refused> {
            self.0.exotic()
        }
    )*};
}

impl Serializer for Key<'_> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Impossible<(), Refused>;
    type SerializeTuple = Impossible<(), Refused>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = Impossible<(), Refused>;
    type SerializeStruct = Impossible<(), Refused>;
    type SerializeStructVariant = Impossible<(), Refused>;

    key_exotic!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str)
    );

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        write_str(self.0.out, v);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_some<V: Serialize + ?Sized>(self, _: &V) -> Result<(), Refused> {
        self.0.exotic()
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<(), Refused> {
        self.0.exotic()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refused> {
        self.0.exotic()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        self.0.exotic()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        self.0.exotic()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        self.0.exotic()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Refused> {
        self.0.exotic()
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Refused> {
        self.0.exotic()
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        self.0.exotic()
    }
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it: `"` and `\`,
/// control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx` (lowercase hex), everything
/// else as it is.
///
/// `serde_json` looks up every byte in a table and copies each run with its own call; this tests
/// eight bytes at a time ([`is_plain`]) and copies a string without escapes in one call. Measured
/// on the 1.2 KB itsme® claim set (the `claims write` row of the `compare` bench, callgrind):
/// with the rest of [`Json`] (and the 1 KB start, [`CAPACITY`]), `Claims::to_json_bytes` went
/// from 21.8k to 14.2k instructions per call (7.3k of them in this function, against 12.5k in
/// `serde_json`'s escaping), where `serde_json::to_vec` of the same map takes 17.8-18.4k.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if is_plain(bytes) {
        out.extend_from_slice(bytes);
    } else {
        let mut rest = bytes;
        while let Some(at) = rest.iter().position(|&b| needs_escape(b)) {
            let (run, tail) = rest.split_at(at);
            out.extend_from_slice(run);
            let Some((&byte, tail)) = tail.split_first() else {
                break;
            };
            escape(out, byte);
            rest = tail;
        }
        out.extend_from_slice(rest);
    }
    out.push(b'"');
}

/// Whether no byte of `bytes` needs an escape, tested as 64-bit words: eight bytes at a time,
/// the last word overlapping the one before it; from four to seven bytes, one word made of the
/// first four and the last four.
fn is_plain(bytes: &[u8]) -> bool {
    let word = |lo: &[u8; 4], hi: &[u8; 4]| {
        u64::from(u32::from_le_bytes(*lo)) | (u64::from(u32::from_le_bytes(*hi)) << 32)
    };
    if let Some(last) = bytes.last_chunk::<8>() {
        let (words, _) = bytes.as_chunks::<8>();
        let found = words
            .iter()
            .fold(escapes(u64::from_le_bytes(*last)), |found, w| {
                found | escapes(u64::from_le_bytes(*w))
            });
        found == 0
    } else if let (Some(lo), Some(hi)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        escapes(word(lo, hi)) == 0
    } else {
        !bytes.iter().any(|&b| needs_escape(b))
    }
}

/// The high bit of each byte of `word` that needs an escape (and perhaps of bytes after one):
/// zero exactly when none does. Each test is the "has a byte less than n" bit trick: below
/// `0x20`, or equal to `"` or `\` (XOR-ed to zero, then below 1).
const fn escapes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn below(w: u64, n: u64) -> u64 {
        w.wrapping_sub(ONES * n) & !w
    }
    let control = below(word, 0x20);
    // `"` is 0x22, `\` is 0x5c.
    let quote = below(word ^ (ONES * 0x22), 1);
    let backslash = below(word ^ (ONES * 0x5c), 1);
    (control | quote | backslash) & HIGH
}

const fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends the escape of `byte` (one that [`needs_escape`]).
fn escape(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            let hex = |n: u8| HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(byte >> 4), hex(byte)]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::*;

    /// What [`Json`] writes for `value`, or `None` when it leaves it to `serde_json`.
    fn fast<V: Serialize>(value: &V) -> Option<Vec<u8>> {
        let (mut out, mut exotic) = (Vec::new(), false);
        let written = value.serialize(Json {
            out: &mut out,
            exotic: &mut exotic,
        });
        assert_eq!(written.is_err(), exotic);
        written.ok().map(|()| out)
    }

    /// Strings that put escapes, multi-byte characters and plain runs at every offset of the
    /// eight-byte words.
    fn arb_string() -> impl Strategy<Value = String> {
        prop_oneof![
            "[\\x00-\\x1f\"\\\\a-z\\x7f\u{e9}\u{20ac}\u{1f600}]{0,40}",
            any::<String>(),
        ]
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            arb_string().prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(arb_string(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(s in arb_string()) {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            prop_assert_eq!(out, serde_json::to_vec(&s).unwrap());
        }

        /// `is_plain` finds a byte to escape at any position of a string of any length.
        #[test]
        fn one_byte_to_escape_is_found_anywhere(
            len in 0_usize..40,
            at in any::<prop::sample::Index>(),
            byte in prop_oneof![0_u8..0x20, Just(b'"'), Just(b'\\')],
            fill in prop_oneof![0x20_u8..0x7f, Just(0xff_u8)],
        ) {
            let mut bytes = vec![fill; len];
            let plain = len == 0 || !needs_escape(fill);
            prop_assert_eq!(is_plain(&bytes), plain);
            if len > 0 {
                bytes[at.index(len)] = byte;
                prop_assert!(!is_plain(&bytes));
            }
        }

        #[test]
        fn values_are_written_as_serde_json_writes_them(v in arb_value()) {
            prop_assert_eq!(fast(&v), Some(serde_json::to_vec(&v).unwrap()));
        }

        /// The claims writer agrees with its `serde_json` path on every claim set, including the
        /// refusals (a registered claim repeated among the extra claims).
        #[test]
        fn claims_are_written_as_through_serde_json(
            iss in proptest::option::of(arb_string()),
            jti in proptest::option::of("[a-z]{0,4}"),
            exp in proptest::option::of(any::<i64>()),
            extra in prop::collection::btree_map(
                prop_oneof!["iss|jti|exp|nbf|aud|a", arb_string()], arb_value(), 0..6),
        ) {
            let claims = Claims {
                iss,
                jti,
                exp: exp.map(crate::NumericDate::from_secs),
                extra: extra.into_iter().collect::<Map<String, Value>>(),
                ..Claims::default()
            };
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let fast = write_claims(&claims, &mut fast).map(|()| fast);
            let slow = write_claims_with(&claims, &mut slow, false).map(|()| slow);
            prop_assert_eq!(&fast, &slow);
            // The same members as the `Value` path (serde_json reads floats back only nearly).
            match (fast, claims.to_map()) {
                (Ok(text), Ok(expected)) => {
                    let map: Map<String, Value> = serde_json::from_slice(&text).unwrap();
                    prop_assert!(map.keys().eq(expected.keys()));
                }
                // Both refuse a repeated claim (perhaps naming another one of several).
                (fast, expected) => {
                    let both = matches!(fast, Err(Error::DuplicateClaim { .. }))
                        && matches!(expected, Err(Error::DuplicateClaim { .. }));
                    prop_assert!(both);
                }
            }
        }
    }

    #[derive(Serialize)]
    enum Kind {
        Unit,
        Newtype(u8),
        Tuple(i8, char),
        Struct { a: Option<f32>, b: () },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Pair(i128, u128);

    #[derive(Serialize)]
    struct Newtype(String);

    /// Every kind of value of the serde data model.
    #[derive(Serialize)]
    struct Everything {
        kinds: Vec<Kind>,
        #[serde(with = "serde_bytes_like")]
        bytes: Vec<u8>,
        unit: Unit,
        pair: Pair,
        tuple: (bool, f64, f64),
        none: Option<u8>,
        some: Option<Newtype>,
        char: char,
        by_variant: BTreeMap<Key, u8>,
        by_newtype: BTreeMap<Newtype, u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        #[serde(flatten)]
        flattened: BTreeMap<String, u8>,
    }

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Key {
        A,
        B,
    }

    impl PartialEq for Newtype {
        fn eq(&self, other: &Self) -> bool {
            self.0 == other.0
        }
    }

    impl Eq for Newtype {}

    impl PartialOrd for Newtype {
        fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }

    impl Ord for Newtype {
        fn cmp(&self, other: &Self) -> core::cmp::Ordering {
            self.0.cmp(&other.0)
        }
    }

    /// `serialize_bytes`, which derived code never calls for a `Vec<u8>`.
    mod serde_bytes_like {
        pub(super) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        let everything = Everything {
            kinds: vec![
                Kind::Unit,
                Kind::Newtype(7),
                Kind::Tuple(-1, '\u{1}'),
                Kind::Struct {
                    a: Some(1.5),
                    b: (),
                },
                Kind::Struct { a: None, b: () },
            ],
            bytes: vec![0, 1, 255],
            unit: Unit,
            pair: Pair(i128::MIN, u128::MAX),
            tuple: (true, f64::NAN, -0.1),
            none: None,
            some: Some(Newtype("n\"".into())),
            char: '\u{e9}',
            by_variant: [(Key::A, 1), (Key::B, 2)].into_iter().collect(),
            by_newtype: [(Newtype("k".into()), 3)].into_iter().collect(),
            skipped: None,
            flattened: [("f".to_owned(), 4)].into_iter().collect(),
        };
        let expected = serde_json::to_vec(&everything).unwrap();
        assert_eq!(fast(&everything), Some(expected.clone()));
        let mut out = Vec::new();
        write_claims(&Claims::new(&everything), &mut out).unwrap();
        assert_eq!(out, expected);
    }

    /// Keys that are not strings, and a `RawValue`-like struct: left to `serde_json`, with its
    /// output or its refusal.
    #[test]
    fn exotic_values_are_left_to_serde_json() {
        let numbers: BTreeMap<u32, BTreeMap<bool, u8>> = [(1, [(true, 2)].into_iter().collect())]
            .into_iter()
            .collect();
        let extra: Map<String, Value> = Map::new();
        assert_eq!(fast(&numbers), None);
        #[derive(Serialize)]
        struct Members {
            numbers: BTreeMap<u32, BTreeMap<bool, u8>>,
            map: Map<String, Value>,
        }
        let members = Members {
            numbers,
            map: extra,
        };
        let mut out = Vec::new();
        write_claims(&Claims::new(&members).with_issuer("i"), &mut out).unwrap();
        assert_eq!(out, br#"{"iss":"i","numbers":{"1":{"true":2}},"map":{}}"#);

        #[derive(Serialize)]
        #[serde(rename = "$serde_json::private::RawValue")]
        struct Raw {
            #[serde(rename = "$serde_json::private::RawValue")]
            raw: &'static str,
        }
        assert_eq!(fast(&Raw { raw: "[1]" }), None);

        let float_keys: BTreeMap<Vec<u8>, u8> = [(vec![1], 2)].into_iter().collect();
        let mut out = Vec::new();
        assert_eq!(
            write_claims(&Claims::new(Wrapper { float_keys }), &mut out),
            Err(Error::CustomClaims {
                reason: "key must be a string".into()
            })
        );

        #[derive(Serialize)]
        struct Wrapper {
            float_keys: BTreeMap<Vec<u8>, u8>,
        }
    }
}
