//! Writing a claim set as JSON text in one pass: the registered claims that are set, then the
//! caller's `extra` members written straight after them into the same buffer, with no
//! intermediate `serde_json::Value`.
//!
//! `extra` must serialize to an object (or to nothing) and must not name a registered claim that
//! is set: its member names are checked as they are written, so the text never names a claim
//! twice.

use core::fmt;
use core::fmt::Write as _;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, SerializeStruct, Serializer};

use crate::claims::{Claim, Claims};
use crate::error::Error;

/// Appends the claim set `claims` to `out` as one JSON object.
pub(crate) fn write_claims<T: Serialize>(
    claims: &Claims<T>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let mut members = Members {
        out,
        empty: true,
        set: 0,
        name: String::new(),
    };
    members.out.push(b'{');
    members.registered(Claim::Iss, claims.iss.as_ref())?;
    members.registered(Claim::Sub, claims.sub.as_ref())?;
    members.registered(Claim::Aud, claims.aud.as_ref())?;
    members.registered(Claim::Exp, claims.exp.as_ref())?;
    members.registered(Claim::Nbf, claims.nbf.as_ref())?;
    members.registered(Claim::Iat, claims.iat.as_ref())?;
    members.registered(Claim::Jti, claims.jti.as_ref())?;
    claims.extra.serialize(&mut members).map_err(|e| match e {
        Refused::NotAnObject => Error::CustomClaims {
            reason: "the extra claims are not a json object".into(),
        },
        Refused::Duplicate(name) => Error::DuplicateClaim { name },
        Refused::Custom(reason) => Error::CustomClaims { reason },
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
    /// Scratch space for a map key.
    name: String,
}

impl Members<'_> {
    /// Writes the registered claim `claim` if it is set.
    fn registered<V: Serialize>(&mut self, claim: Claim, value: Option<&V>) -> Result<(), Error> {
        let Some(value) = value else { return Ok(()) };
        let written = self
            .name_and_colon(claim.name())
            .and_then(|()| serde_json::to_writer(&mut *self.out, value).map_err(Refused::custom));
        written.map_err(|e| Error::CustomClaims {
            reason: e.to_string(),
        })?;
        self.set |= claim.bit();
        Ok(())
    }

    /// Writes `,"name":` (no comma first), refusing a registered claim already written.
    fn name_and_colon(&mut self, name: &str) -> Result<(), Refused> {
        if let Some(claim) = Claim::from_name(name)
            && self.set & claim.bit() != 0
        {
            return Err(Refused::Duplicate(claim.name()));
        }
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        serde_json::to_writer(&mut *self.out, name).map_err(Refused::custom)?;
        self.out.push(b':');
        Ok(())
    }
}

/// Why `extra` could not be written.
#[derive(Debug)]
enum Refused {
    NotAnObject,
    Duplicate(&'static str),
    Custom(String),
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
        let mut name = core::mem::take(&mut self.name);
        name.clear();
        key.serialize(KeyName(&mut name))?;
        let written = self.name_and_colon(&name);
        self.name = name;
        written
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Refused> {
        serde_json::to_writer(&mut *self.out, value).map_err(Refused::custom)
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
        serde_json::to_writer(&mut *self.out, value).map_err(Refused::custom)
    }

    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

/// A map key as text: strings as they are, integers and booleans in decimal, as `serde_json`
/// writes them.
struct KeyName<'a>(&'a mut String);

macro_rules! key_in_decimal {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Refused> {
            write!(self.0, "{v}").map_err(|_| Refused::NotAnObject)
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

impl Serializer for KeyName<'_> {
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
        self.0.push(v);
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        self.0.push_str(v);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.0.push_str(variant);
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
