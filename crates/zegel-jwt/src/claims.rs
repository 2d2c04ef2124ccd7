//! The JWT claim set (RFC 7519 §4): registered claims typed, every other claim through serde.
//!
//! [`Claims<T>`] holds the seven registered claims as typed fields and the rest in `extra: T`,
//! the caller's own type (a struct deriving `Deserialize`/`Serialize`), or by default a raw JSON
//! map in which every unknown claim is kept. Parsing is strict: the claim set must be a JSON
//! object, a claim name may appear only once (RFC 7519 §4: "claim names within a JWT Claims Set
//! MUST be unique"; zegel refuses duplicates rather than keeping the last one), and a registered
//! claim with the wrong type is [`Error::InvalidClaim`], not silently ignored.

use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor,
};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use zegel_jose::error::{JsonError, Part};
use zegel_jose::json;

use crate::error::Error;
use crate::numeric_date::NumericDate;
use crate::time::UnixTime;

/// The maximum JSON nesting depth of a claim set.
pub const MAX_CLAIMS_DEPTH: usize = json::DEFAULT_MAX_DEPTH;

/// The length of a [`random_jti`], in characters.
pub const RANDOM_JTI_LEN: usize = 22;

/// The registered claims of RFC 7519 §4.1, to name them in [`Validation::require`] and errors.
///
/// [`Validation::require`]: crate::Validation::require
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Claim {
    /// `iss`: the issuer (§4.1.1).
    Iss,
    /// `sub`: the subject (§4.1.2).
    Sub,
    /// `aud`: the audience (§4.1.3).
    Aud,
    /// `exp`: the expiration time (§4.1.4).
    Exp,
    /// `nbf`: the time before which the token is not valid (§4.1.5).
    Nbf,
    /// `iat`: the time of issue (§4.1.6).
    Iat,
    /// `jti`: the token's unique identifier (§4.1.7).
    Jti,
}

impl Claim {
    /// Every registered claim, in the order of RFC 7519 §4.1.
    pub const ALL: [Self; 7] = [
        Self::Iss,
        Self::Sub,
        Self::Aud,
        Self::Exp,
        Self::Nbf,
        Self::Iat,
        Self::Jti,
    ];

    /// The claim name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Iss => "iss",
            Self::Sub => "sub",
            Self::Aud => "aud",
            Self::Exp => "exp",
            Self::Nbf => "nbf",
            Self::Iat => "iat",
            Self::Jti => "jti",
        }
    }

    /// The registered claim named `name` (exact, case-sensitive), for `--require CLAIM`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        // One length test rejects most names of a claim set (every parse asks, for each name).
        if name.len() != 3 {
            return None;
        }
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The bit of this claim in a set of claims.
    pub(crate) const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The `aud` claim: one audience or several (RFC 7519 §4.1.3).
///
/// A single string and an array are both accepted; the form read is kept, so a claim set
/// serializes back as it came. Values are case-sensitive strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Audience {
    values: Vec<String>,
    /// Serialized as a plain string (only when there is exactly one value).
    single: bool,
}

impl Audience {
    /// One audience, serialized as a string.
    #[must_use]
    pub fn one(aud: impl Into<String>) -> Self {
        Self {
            values: vec![aud.into()],
            single: true,
        }
    }

    /// Several audiences (or one), serialized as an array.
    #[must_use]
    pub fn many<I: IntoIterator<Item = S>, S: Into<String>>(auds: I) -> Self {
        Self {
            values: auds.into_iter().map(Into::into).collect(),
            single: false,
        }
    }

    /// The audiences, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        &self.values
    }

    /// Whether `aud` is one of the audiences (exact, case-sensitive comparison).
    #[must_use]
    pub fn contains(&self, aud: &str) -> bool {
        self.values.iter().any(|v| v == aud)
    }

    /// Whether the claim is (or will be) a single string rather than an array.
    #[must_use]
    pub fn is_single_string(&self) -> bool {
        self.single && self.values.len() == 1
    }

    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(Self::one(s)),
            Value::Array(items) => {
                let values = items
                    .into_iter()
                    .map(|i| match i {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(Self {
                    values,
                    single: false,
                })
            }
            _ => None,
        }
    }
}

impl From<&str> for Audience {
    fn from(aud: &str) -> Self {
        Self::one(aud)
    }
}

impl From<String> for Audience {
    fn from(aud: String) -> Self {
        Self::one(aud)
    }
}

impl From<Vec<String>> for Audience {
    fn from(auds: Vec<String>) -> Self {
        Self::many(auds)
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.values.as_slice() {
            [one] if self.single => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Self::from_value(v)
            .ok_or_else(|| de::Error::custom("aud must be a string or an array of strings"))
    }
}

/// A JWT claim set: the registered claims typed, every other claim in `extra`.
///
/// `T` is the caller's type for the other claims, deserialized from the claim set minus the
/// registered claims (as if `#[serde(flatten)]`); the default, a JSON map, keeps every unknown
/// claim. A field of `T` that is not an `Option` is a required claim; a claim `T` does not name
/// is dropped, unless `T` has its own `#[serde(flatten)]` map. For the registered claims only,
/// use `T = ()`.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use zegel_jwt::Claims;
///
/// #[derive(Deserialize, Serialize)]
/// struct IdToken {
///     nonce: String,
/// }
///
/// let claims: Claims<IdToken> =
///     Claims::from_json(br#"{"iss":"https://op.example","nonce":"n-0S6_WzA2Mj"}"#)?;
/// assert_eq!(claims.iss.as_deref(), Some("https://op.example"));
/// assert_eq!(claims.extra.nonce, "n-0S6_WzA2Mj");
/// # Ok::<(), zegel_jwt::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Claims<T = Map<String, Value>> {
    /// `iss`: who issued the token (RFC 7519 §4.1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `sub`: whom the token is about (§4.1.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud`: whom the token is for (§4.1.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// `exp`: when the token expires (§4.1.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// `nbf`: when the token becomes valid (§4.1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// `iat`: when the token was issued (§4.1.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// `jti`: the token's unique identifier (§4.1.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: T,
}

impl<T> Claims<T> {
    /// A claim set with no registered claims and `extra` as the other claims.
    #[must_use]
    pub const fn new(extra: T) -> Self {
        Self {
            iss: None,
            sub: None,
            aud: None,
            exp: None,
            nbf: None,
            iat: None,
            jti: None,
            extra,
        }
    }

    /// Sets `iss`.
    #[must_use]
    pub fn with_issuer(mut self, iss: impl Into<String>) -> Self {
        self.iss = Some(iss.into());
        self
    }

    /// Sets `sub`.
    #[must_use]
    pub fn with_subject(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Sets `aud`.
    #[must_use]
    pub fn with_audience(mut self, aud: impl Into<Audience>) -> Self {
        self.aud = Some(aud.into());
        self
    }

    /// Sets `jti`.
    #[must_use]
    pub fn with_jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Sets `jti` to a fresh [`random_jti`].
    ///
    /// # Errors
    /// [`zegel_jose::Error::Random`] (wrapped) if the system random number generator fails.
    pub fn with_random_jti(mut self) -> Result<Self, Error> {
        self.jti = Some(random_jti()?);
        Ok(self)
    }

    /// Sets `nbf`.
    #[must_use]
    pub fn with_not_before(mut self, nbf: NumericDate) -> Self {
        self.nbf = Some(nbf);
        self
    }

    /// Sets `iat` to `now` and `exp` to `now + lifetime`.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] for `exp` if `now + lifetime` is past the end of time.
    pub fn with_lifetime(mut self, now: UnixTime, lifetime: Duration) -> Result<Self, Error> {
        let iat = NumericDate::from_unix_time(now);
        let exp = iat
            .checked_add(lifetime)
            .ok_or(Error::InvalidClaim { name: "exp" })?;
        self.iat = Some(iat);
        self.exp = Some(exp);
        Ok(self)
    }

    /// Whether the registered claim `claim` is present.
    #[must_use]
    pub fn has(&self, claim: Claim) -> bool {
        match claim {
            Claim::Iss => self.iss.is_some(),
            Claim::Sub => self.sub.is_some(),
            Claim::Aud => self.aud.is_some(),
            Claim::Exp => self.exp.is_some(),
            Claim::Nbf => self.nbf.is_some(),
            Claim::Iat => self.iat.is_some(),
            Claim::Jti => self.jti.is_some(),
        }
    }
}

impl<T: DeserializeOwned> Claims<T> {
    /// Parses a claim set from its JSON text, strictly: an object, no claim name twice, nesting
    /// at most [`MAX_CLAIMS_DEPTH`] deep.
    ///
    /// # Errors
    /// [`zegel_jose::Error::Json`] (wrapped) for text that is not such an object;
    /// [`Error::InvalidClaim`] for a registered claim of the wrong type;
    /// [`Error::CustomClaims`] when the other claims do not fit `T`.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let found = Cell::new(None);
        let rules = json::Rules::new(MAX_CLAIMS_DEPTH, &found);
        one_pass(
            json,
            ClaimsSeed {
                rules,
                extra: PhantomData,
            },
        )
    }

    /// Builds a claim set from a JSON object already parsed.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] for a registered claim of the wrong type;
    /// [`Error::CustomClaims`] when the other claims do not fit `T`.
    pub fn from_map(mut map: Map<String, Value>) -> Result<Self, Error> {
        let mut take = |c: Claim| map.remove(c.name());
        let (iss, sub, aud, exp, nbf, iat, jti) = (
            take(Claim::Iss),
            take(Claim::Sub),
            take(Claim::Aud),
            take(Claim::Exp),
            take(Claim::Nbf),
            take(Claim::Iat),
            take(Claim::Jti),
        );
        let extra = T::deserialize(Value::Object(map)).map_err(|e| Error::CustomClaims {
            reason: without_values(&e.to_string()),
        })?;
        Repr {
            registered: [iss, sub, aud, exp, nbf, iat, jti],
            extra,
        }
        .into_claims()
    }
}

impl Claims<Map<String, Value>> {
    /// [`from_json`](Self::from_json) for the default claims type: the same claims and the same
    /// errors (a proptest checks both), through [`json::StrictValue`], whose maps find repeated
    /// names themselves, instead of the general wrapper around `serde_json`'s map. What
    /// [`verify`](crate::verify) and [`open`](crate::open) use.
    ///
    /// Rust has no specialization, and telling the default type apart inside the generic
    /// `from_json` would need `T: 'static` (for `TypeId`) on every public function generic over
    /// the claims: the functions that return the default type call this one instead.
    /// Callgrind, the 1217-byte claim set in the HS256 verify row of `benches/compare.rs`:
    /// 60.1k instructions per call through `from_json`, 51.4k here (45.9k once the payload is
    /// decoded on the stack, which spares the heap); `serde_json::from_slice::<Map>` of the
    /// same text, 47.9k, builds a map of 5 more members.
    pub(crate) fn from_json_map(json: &[u8]) -> Result<Self, Error> {
        let found = Cell::new(None);
        let rules = json::Rules::new(MAX_CLAIMS_DEPTH, &found);
        one_pass(json, MapSeed { rules })
    }
}

/// Runs a one-pass claims seed over the whole of `json`; on failure, reports the strict
/// parser's error if the text breaks a rule, the seed's (without values) otherwise.
fn one_pass<'de, T>(
    json: &'de [u8],
    seed: impl DeserializeSeed<'de, Value = Repr<T>>,
) -> Result<Claims<T>, Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    match seed.deserialize(&mut de).and_then(|r| de.end().map(|()| r)) {
        Ok(repr) => repr.into_claims(),
        Err(e) => {
            // The error path only: the strict parser reads the text again, so a text that
            // breaks a rule gets the error it always got, whatever the one pass met first.
            json::check_object(json, Part::Payload, MAX_CLAIMS_DEPTH)?;
            Err(Error::CustomClaims {
                reason: without_values(&e.to_string()),
            })
        }
    }
}

impl<T: Serialize> Claims<T> {
    /// The claim set as one JSON object, checked: `extra` must serialize to an object (or to
    /// nothing) and must not repeat a registered claim that is set.
    ///
    /// # Errors
    /// [`Error::CustomClaims`] when `extra` is not an object; [`Error::DuplicateClaim`].
    pub fn to_map(&self) -> Result<Map<String, Value>, Error> {
        let mut map = match serde_json::to_value(&self.extra) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => Map::new(),
            Ok(_) => {
                return Err(Error::CustomClaims {
                    reason: "the extra claims are not a json object".into(),
                });
            }
            Err(e) => {
                return Err(Error::CustomClaims {
                    reason: e.to_string(),
                });
            }
        };
        let registered = [
            (
                Claim::Iss,
                self.iss.as_ref().map(|s| Value::String(s.clone())),
            ),
            (
                Claim::Sub,
                self.sub.as_ref().map(|s| Value::String(s.clone())),
            ),
            (Claim::Aud, self.aud.as_ref().map(audience_value)),
            (Claim::Exp, self.exp.map(date_value)),
            (Claim::Nbf, self.nbf.map(date_value)),
            (Claim::Iat, self.iat.map(date_value)),
            (
                Claim::Jti,
                self.jti.as_ref().map(|s| Value::String(s.clone())),
            ),
        ];
        for (claim, value) in registered {
            let Some(value) = value else { continue };
            if map.insert(claim.name().to_owned(), value).is_some() {
                return Err(Error::DuplicateClaim { name: claim.name() });
            }
        }
        Ok(map)
    }

    /// The claim set as JSON text: the registered claims that are set (in the order of RFC 7519
    /// §4.1), then the members of `extra`, written in one pass with no intermediate value.
    ///
    /// # Errors
    /// As [`to_map`](Self::to_map).
    pub fn to_json(&self) -> Result<String, Error> {
        let bytes = self.to_json_bytes()?;
        String::from_utf8(bytes).map_err(|_| Error::CustomClaims {
            reason: "the claims are not utf-8".into(),
        })
    }

    /// As [`to_json`](Self::to_json), as bytes (the payload a signature covers).
    ///
    /// # Errors
    /// As [`to_map`](Self::to_map).
    pub fn to_json_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(crate::write::CAPACITY);
        crate::write::write_claims(self, &mut out)?;
        Ok(out)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Claims<T> {
    /// Deserializes the registered claims typed and the rest into `T`, in one pass, refusing
    /// repeated names and nesting past [`MAX_CLAIMS_DEPTH`]. [`Claims::from_json`] does the
    /// same with typed errors; prefer it.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let found = Cell::new(None);
        let seed = ClaimsSeed {
            rules: json::Rules::new(MAX_CLAIMS_DEPTH, &found),
            extra: PhantomData,
        };
        seed.deserialize(d)?
            .into_claims()
            .map_err(de::Error::custom)
    }
}

/// A fresh random `jti`: 128 bits from [`zegel_jose::rand`], base64url encoded
/// ([`RANDOM_JTI_LEN`] characters, within the 255 itsme® allows).
///
/// # Errors
/// [`zegel_jose::Error::Random`] (wrapped) if the generator fails.
pub fn random_jti() -> Result<String, Error> {
    let bytes = zegel_jose::rand::array::<16>()?;
    Ok(zegel_jose::base64url::encode(&bytes))
}

/// The claim set as the one pass reads it: the registered claims as raw JSON (typed afterwards,
/// with errors that name the claim), the rest already in `T`.
struct Repr<T> {
    registered: [Option<Value>; 7],
    extra: T,
}

impl<T> Repr<T> {
    fn into_claims(self) -> Result<Claims<T>, Error> {
        let [iss, sub, aud, exp, nbf, iat, jti] = self.registered;
        Ok(Claims {
            iss: string(iss, Claim::Iss)?,
            sub: string(sub, Claim::Sub)?,
            aud: match aud {
                None => None,
                Some(v) => {
                    Some(Audience::from_value(v).ok_or(Error::InvalidClaim { name: "aud" })?)
                }
            },
            exp: date(exp, Claim::Exp)?,
            nbf: date(nbf, Claim::Nbf)?,
            iat: date(iat, Claim::Iat)?,
            jti: string(jti, Claim::Jti)?,
            extra: self.extra,
        })
    }
}

/// Reads a claim set in one pass: a JSON object whose registered claims are kept aside and
/// whose other members go straight to `T`, every value through [`json::Rules`] (no name twice in
/// any object, nesting bounded).
struct ClaimsSeed<'r, T> {
    rules: json::Rules<'r>,
    extra: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ClaimsSeed<'_, T> {
    type Value = Repr<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Repr<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ClaimsSeed<'_, T> {
    type Value = Repr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Repr<T>, A::Error> {
        let mut members = Members {
            map: &mut map,
            rules: self.rules.enter()?,
            names: json::MemberNames::new(),
            registered: Default::default(),
            done: false,
        };
        let extra = T::deserialize(Rest(&mut members))?;
        // What `T` did not read (all of it for `()`) is still read, and checked.
        while Rest(&mut members)
            .next_key_seed(PhantomData::<IgnoredAny>)?
            .is_some()
        {
            Rest(&mut members).next_value_seed(PhantomData::<IgnoredAny>)?;
        }
        Ok(Repr {
            registered: members.registered,
            extra,
        })
    }

    // Anything but an object: the error path re-reads the text and reports `NotAnObject` in
    // the strict parser's order.
}

/// Reads a claim set whose other claims are a JSON map, in one pass: registered claims into
/// their slots, the others into the map, each name looked up once (a slot already filled or a
/// map entry already taken is a repeated name), every value a [`json::StrictValue`].
struct MapSeed<'r> {
    rules: json::Rules<'r>,
}

impl<'de> DeserializeSeed<'de> for MapSeed<'_> {
    type Value = Repr<Map<String, Value>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MapSeed<'_> {
    type Value = Repr<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let rules = self.rules.enter()?;
        let mut registered: [Option<Value>; 7] = Default::default();
        let mut extra = Map::new();
        while let Some(name) = access.next_key_seed(json::MemberName)? {
            let repeated = match Claim::from_name(&name) {
                Some(claim) => match registered.get_mut(claim as usize) {
                    Some(slot @ None) => {
                        *slot = Some(access.next_value_seed(rules.value())?);
                        continue;
                    }
                    _ => name,
                },
                None => match extra.entry(name.into_owned()) {
                    serde_json::map::Entry::Vacant(slot) => {
                        slot.insert(access.next_value_seed(rules.value())?);
                        continue;
                    }
                    serde_json::map::Entry::Occupied(taken) => taken.key().clone().into(),
                },
            };
            return Err(rules.fail(JsonError::DuplicateMember {
                name: repeated.into_owned(),
            }));
        }
        Ok(Repr { registered, extra })
    }

    // Anything but an object: as `ClaimsSeed`.
}

/// The members of the claim set, as the one pass reads them.
struct Members<'a, 'de, 'r, A> {
    map: &'a mut A,
    rules: json::Rules<'r>,
    names: json::MemberNames<'de>,
    registered: [Option<Value>; 7],
    done: bool,
}

/// The claim set minus its registered claims, as a deserializer for `T` (a map) and as the map
/// it reads: registered claims are taken out as their names go by.
struct Rest<'m, 'a, 'de, 'r, A>(&'m mut Members<'a, 'de, 'r, A>);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Rest<'_, '_, 'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let m = &mut *self.0;
        loop {
            if m.done {
                return Ok(None);
            }
            let Some(name) = m.map.next_key_seed(json::MemberName)? else {
                m.done = true;
                return Ok(None);
            };
            m.names.insert(name.clone(), m.rules)?;
            let Some(claim) = Claim::from_name(&name) else {
                return seed
                    .deserialize(json::NameDeserializer::new(name))
                    .map(Some);
            };
            let value = m.map.next_value_seed(m.rules.seed(PhantomData::<Value>))?;
            if let Some(slot) = m.registered.get_mut(claim as usize) {
                *slot = Some(value);
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.map.next_value_seed(self.0.rules.seed(seed))
    }
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Rest<'_, '_, 'de, '_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_newtype_struct(self)
    }

    /// `T = ()` and the like: no other claims wanted (the caller reads and checks the rest).
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map struct enum identifier
    }
}

/// serde's description of claims that did not fit, without the value found: the claims of a
/// nested token are decrypted plaintext, and an error tends to end up in a log. serde names
/// the value before the last ", expected" (quoted or in backticks); what follows comes from the
/// caller's type and is kept. Field names are kept; a message in another form (a type's own
/// `Deserialize` may write anything) becomes a fixed text.
fn without_values(message: &str) -> String {
    const KINDS: &[&str] = &[
        "string",
        "integer",
        "floating point",
        "boolean",
        "character",
        "byte array",
        "map",
        "sequence",
        "null",
        "unit value",
        "Option value",
    ];
    if message.starts_with("missing field `") || message.starts_with("duplicate field `") {
        return message.to_owned();
    }
    let Some(at) = message.rfind(", expected") else {
        return "a claim does not fit the expected type".to_owned();
    };
    let (found, expected) = message.split_at(at);
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = found.strip_prefix(prefix) {
            let kind = rest.split(['"', '`']).next().unwrap_or_default().trim();
            let kind = if KINDS.contains(&kind) { kind } else { "value" };
            return format!("{prefix}{kind}{expected}");
        }
    }
    for prefix in ["unknown variant", "unknown field", "invalid length"] {
        if found.starts_with(prefix) {
            return format!("{prefix}{expected}");
        }
    }
    "a claim does not fit the expected type".to_owned()
}

fn string(v: Option<Value>, claim: Claim) -> Result<Option<String>, Error> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::InvalidClaim { name: claim.name() }),
    }
}

fn date(v: Option<Value>, claim: Claim) -> Result<Option<NumericDate>, Error> {
    match v {
        None => Ok(None),
        Some(v) => NumericDate::deserialize(&v)
            .map(Some)
            .map_err(|_| Error::InvalidClaim { name: claim.name() }),
    }
}

fn date_value(d: NumericDate) -> Value {
    serde_json::to_value(d).unwrap_or(Value::Null)
}

fn audience_value(a: &Audience) -> Value {
    match a.as_slice() {
        [one] if a.is_single_string() => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A member name as written: registered or not, plain or escaped, often repeated.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-c]{1,2}".prop_map(|n| format!("\"{n}\"")),
            prop::sample::select(Claim::ALL.map(Claim::name).to_vec())
                .prop_map(|n| format!("\"{n}\"")),
            Just(r#""\u0069ss""#.to_owned()),
            Just(r#""\u0061""#.to_owned()),
            Just(r#""nonce""#.to_owned()),
        ]
    }

    /// A JSON value as written, registered claims' shapes included.
    fn value() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            Just("null".to_owned()),
            Just("false".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u32>().prop_map(|n| n.to_string()),
            Just("1.5".to_owned()),
            Just("1e300".to_owned()),
            "[a-z]{0,4}".prop_map(|s| format!("\"{s}\"")),
            Just(r#""\ud800""#.to_owned()),
        ];
        scalar.prop_recursive(5, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((name(), inner), 0..4).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(n, v)| format!("{n}:{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    /// A claim set as written, then up to two byte edits (set, insert, delete).
    fn claim_set() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::collection::vec((name(), value()), 0..10),
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        /// The default type's own parser agrees with the general one pass: the same claims,
        /// or the same error.
        #[test]
        fn map_parser_agrees_with_the_general_one_pass(text in claim_set()) {
            prop_assert_eq!(
                Claims::from_json_map(&text),
                Claims::<Map<String, Value>>::from_json(&text)
            );
        }
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Custom {
        nonce: String,
        #[serde(default)]
        acr: Option<String>,
    }

    #[test]
    fn registered_claims_are_typed_and_the_rest_kept() {
        let c: Claims = Claims::from_json(
            br#"{"iss":"a","sub":"b","aud":["c","d"],"exp":10,"nbf":1.5,"iat":1,"jti":"j","x":{"y":[1]}}"#,
        )
        .unwrap();
        assert_eq!(c.iss.as_deref(), Some("a"));
        assert_eq!(c.aud.as_ref().unwrap().as_slice(), ["c", "d"]);
        assert!(!c.aud.as_ref().unwrap().is_single_string());
        assert_eq!(c.exp, Some(NumericDate::from_secs(10)));
        assert_eq!(c.nbf.unwrap().subsec_nanos(), 500_000_000);
        assert_eq!(c.extra.len(), 1);
        assert_eq!(c.extra["x"], serde_json::json!({"y":[1]}));
        assert_eq!(
            c.to_json().unwrap(),
            r#"{"iss":"a","sub":"b","aud":["c","d"],"exp":10,"nbf":1.5,"iat":1,"jti":"j","x":{"y":[1]}}"#
        );
    }

    #[test]
    fn custom_types() {
        let c: Claims<Custom> = Claims::from_json(br#"{"aud":"c","nonce":"n"}"#).unwrap();
        assert_eq!(
            c.extra,
            Custom {
                nonce: "n".into(),
                acr: None
            }
        );
        assert!(c.aud.as_ref().unwrap().is_single_string());
        assert_eq!(
            c.to_json().unwrap(),
            r#"{"aud":"c","nonce":"n","acr":null}"#
        );
        let e = Claims::<Custom>::from_json(br#"{"aud":"c"}"#).unwrap_err();
        assert!(
            matches!(e, Error::CustomClaims { reason } if reason.starts_with("missing field `nonce`"))
        );
        // serde's own path agrees with from_json.
        let c2: Claims<Custom> = serde_json::from_str(r#"{"aud":"c","nonce":"n"}"#).unwrap();
        assert_eq!(c2, c);
        assert!(serde_json::from_str::<Claims<Custom>>(r#"{"exp":"soon","nonce":"n"}"#).is_err());
    }

    #[test]
    fn registered_claims_only() {
        let c: Claims<IgnoredAny> = Claims::from_json(br#"{"sub":"s","x":1}"#).unwrap();
        assert_eq!(c.sub.as_deref(), Some("s"));
        let c: Claims<()> = Claims::from_json(br#"{"sub":"s","x":1}"#).unwrap();
        assert_eq!(c.sub.as_deref(), Some("s"));
        assert_eq!(
            Claims::new(()).with_subject("s").to_json().unwrap(),
            r#"{"sub":"s"}"#
        );
    }

    #[test]
    fn refuses_duplicates_and_wrong_types() {
        assert!(matches!(
            Claims::<Map<String, Value>>::from_json(br#"{"iss":"a","iss":"b"}"#),
            Err(Error::Jose(zegel_jose::Error::Json { .. }))
        ));
        for (json, name) in [
            (&br#"{"iss":1}"#[..], "iss"),
            (br#"{"sub":null}"#, "sub"),
            (br#"{"aud":["a",1]}"#, "aud"),
            (br#"{"aud":{}}"#, "aud"),
            (br#"{"exp":"1"}"#, "exp"),
            (br#"{"nbf":1e300}"#, "nbf"),
            (br#"{"iat":18446744073709551615}"#, "iat"),
            (br#"{"jti":[]}"#, "jti"),
        ] {
            assert_eq!(
                Claims::<Map<String, Value>>::from_json(json),
                Err(Error::InvalidClaim { name })
            );
        }
        assert!(matches!(
            Claims::<Map<String, Value>>::from_json(b"[]"),
            Err(Error::Jose(_))
        ));
    }

    #[test]
    fn one_pass_refuses_what_the_strict_parser_refuses() {
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(40), "]".repeat(40));
        let cases: &[&[u8]] = &[
            br#"{"iss":"a","\u0069ss":"b"}"#,
            br#"{"nonce":"n","nonce":"m"}"#,
            br#"{"nonce":"n","x":{"a":1,"a":2}}"#,
            br#"{"nonce":"n","x":[{"a":1,"a":2}]}"#,
            br#"{"aud":[{"a":1,"a":2}],"nonce":"n"}"#,
            br#"{"x":1,"nonce":"n","x":2}"#,
            br#"{"nonce":"\ud800"}"#,
            br#"{"aud":"c"} "#,
            br#"{"aud":"c"} {}"#,
            br#"{"exp":1,"exp":"x","nonce":1}"#,
            b"[1]",
            b"[{\"a\":1,\"a\":1}]",
            deep.as_bytes(),
        ];
        for input in cases {
            let strict = json::parse_object(input, Part::Payload, MAX_CLAIMS_DEPTH);
            let text = String::from_utf8_lossy(input);
            for result in [
                Claims::<Map<String, Value>>::from_json(input).map(|_| ()),
                Claims::<Custom>::from_json(input).map(|_| ()),
                Claims::<()>::from_json(input).map(|_| ()),
                Claims::<IgnoredAny>::from_json(input).map(|_| ()),
            ] {
                match &strict {
                    Ok(_) => assert!(!matches!(result, Err(Error::Jose(_))), "{text}"),
                    Err(e) => assert_eq!(result, Err(Error::Jose(e.clone())), "{text}"),
                }
            }
        }
        // The caller's type failing first does not hide a broken rule further on.
        assert!(matches!(
            Claims::<Custom>::from_json(br#"{"nonce":1,"a":{"b":1,"b":2}}"#),
            Err(Error::Jose(zegel_jose::Error::Json { .. }))
        ));
        // serde's path is as strict.
        assert!(serde_json::from_str::<Claims>(r#"{"a":{"b":1,"b":2}}"#).is_err());
        assert!(serde_json::from_str::<Claims<()>>(r#"{"sub":"s","x":{"b":1}}"#).is_ok());
    }

    #[test]
    fn issuing_checks_for_duplicates() {
        let mut extra = Map::new();
        extra.insert("iss".into(), "x".into());
        let c = Claims::new(extra.clone()).with_issuer("y");
        assert_eq!(c.to_map(), Err(Error::DuplicateClaim { name: "iss" }));
        // Unset registered claims do not collide.
        assert!(Claims::new(extra).to_map().is_ok());
        assert!(matches!(
            Claims::new(5).to_map(),
            Err(Error::CustomClaims { .. })
        ));
        // The one-pass writer agrees with to_map on every refusal.
        let mut extra = Map::new();
        extra.insert("iss".into(), "x".into());
        assert_eq!(
            Claims::new(extra.clone()).with_issuer("y").to_json(),
            Err(Error::DuplicateClaim { name: "iss" })
        );
        assert_eq!(Claims::new(extra).to_json().unwrap(), r#"{"iss":"x"}"#);
        #[derive(Serialize)]
        struct Exp {
            exp: u8,
        }
        assert_eq!(
            Claims::new(Exp { exp: 1 })
                .with_lifetime(UnixTime::from_secs(1), Duration::from_secs(1))
                .unwrap()
                .to_json(),
            Err(Error::DuplicateClaim { name: "exp" })
        );
        for not_an_object in [
            Claims::new(5).to_json(),
            Claims::new("s").to_json(),
            Claims::new(vec![1]).to_json(),
        ] {
            assert_eq!(
                not_an_object,
                Err(Error::CustomClaims {
                    reason: "the extra claims are not a json object".into()
                })
            );
        }
        assert_eq!(Claims::new(None::<Exp>).to_json().unwrap(), "{}");
        let mut numbered = std::collections::BTreeMap::new();
        numbered.insert(7_u8, "seven");
        assert_eq!(
            Claims::new(numbered).with_subject("s\"").to_json().unwrap(),
            r#"{"sub":"s\"","7":"seven"}"#
        );
        assert_eq!(
            Claims::new(()).with_subject("s").to_json().unwrap(),
            r#"{"sub":"s"}"#
        );
    }

    #[test]
    fn lifetime_and_jti_helpers() {
        let c = Claims::new(())
            .with_lifetime(UnixTime::from_secs(100), Duration::from_secs(60))
            .unwrap()
            .with_random_jti()
            .unwrap();
        assert_eq!(c.iat, Some(NumericDate::from_secs(100)));
        assert_eq!(c.exp, Some(NumericDate::from_secs(160)));
        let jti = c.jti.unwrap();
        assert_eq!(jti.len(), RANDOM_JTI_LEN);
        assert_ne!(random_jti().unwrap(), jti);
        assert_eq!(
            Claims::new(()).with_lifetime(UnixTime::from_secs(u64::MAX), Duration::from_secs(1)),
            Err(Error::InvalidClaim { name: "exp" })
        );
        assert!(Claim::ALL.iter().all(|c| !Claims::new(()).has(*c)));
        assert_eq!(Claim::Jti.bit(), 64);
        assert!(
            Claim::ALL
                .into_iter()
                .all(|c| Claim::from_name(c.name()) == Some(c))
        );
        assert_eq!(Claim::from_name("EXP"), None);
    }

    #[test]
    fn claim_errors_drop_the_values_found() {
        for (message, want) in [
            (
                r#"invalid type: string "a, expected b", expected u64 at line 1 column 9"#,
                "invalid type: string, expected u64 at line 1 column 9",
            ),
            (
                "invalid value: integer `-5`, expected u8",
                "invalid value: integer, expected u8",
            ),
            (
                "invalid type: secret `x`, expected u8",
                "invalid type: value, expected u8",
            ),
            (
                "unknown variant `x`, expected one of `A`, `B`",
                "unknown variant, expected one of `A`, `B`",
            ),
            ("missing field `nonce`", "missing field `nonce`"),
            (
                "my type says: secret",
                "a claim does not fit the expected type",
            ),
        ] {
            assert_eq!(without_values(message), want);
        }
    }
}
