//! RFC 7512 PKCS #11 URIs: `pkcs11:token=...;object=...;id=%01;type=private?pin-source=env:VAR`
//! `&module-path=/usr/lib/softhsm/libsofthsm2.so`, the way a key in an HSM is named.
//!
//! Path attributes (`;`-separated) select the token and the object; query attributes
//! (`&`-separated) say where the PIN and the module come from. Values are percent-decoded.
//! An attribute given twice, an attribute RFC 7512 does not define (other than `x-...`), a
//! malformed percent escape, and `pin-value` (a PIN written into a URI, which ends up in shell
//! history and process lists) are refused.

use core::fmt;

/// The PKCS #11 object class a URI's `type` attribute selects (RFC 7512 §2.3).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectType {
    /// `type=private`: a private key.
    Private,
    /// `type=public`: a public key.
    Public,
    /// `type=secret-key`: a secret key.
    SecretKey,
    /// `type=cert`: a certificate.
    Cert,
    /// `type=data`: a data object.
    Data,
}

/// The `type` values and the classes they name.
const OBJECT_TYPES: [(&str, ObjectType); 5] = [
    ("private", ObjectType::Private),
    ("public", ObjectType::Public),
    ("secret-key", ObjectType::SecretKey),
    ("cert", ObjectType::Cert),
    ("data", ObjectType::Data),
];

/// Where the user PIN comes from.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinSourceSpec {
    /// `pin-source=env:NAME`: the environment variable `NAME`.
    Env(String),
}

/// A parsed RFC 7512 PKCS #11 URI.
///
/// ```
/// use zegel_pkcs11::Pkcs11Uri;
///
/// let uri = Pkcs11Uri::parse("pkcs11:token=partner;object=sig%201;id=%01;type=private\
///     ?pin-source=env:HSM_PIN&module-path=/usr/lib/softhsm/libsofthsm2.so")?;
/// assert_eq!(uri.token(), Some("partner"));
/// assert_eq!(uri.object(), Some("sig 1"));
/// assert_eq!(uri.id(), Some(&[1u8][..]));
/// # Ok::<(), zegel_pkcs11::UriError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    token: Option<String>,
    serial: Option<String>,
    slot_id: Option<u64>,
    object: Option<String>,
    id: Option<Vec<u8>>,
    object_type: Option<ObjectType>,
    pin_source: Option<PinSourceSpec>,
    module_path: Option<String>,
}

/// The path attributes RFC 7512 §2.3 defines.
const PATH_ATTRS: &[&str] = &[
    "token",
    "manufacturer",
    "serial",
    "model",
    "library-manufacturer",
    "library-description",
    "library-version",
    "object",
    "type",
    "id",
    "slot-description",
    "slot-manufacturer",
    "slot-id",
];

/// The query attributes RFC 7512 §2.3 defines.
const QUERY_ATTRS: &[&str] = &["pin-source", "pin-value", "module-name", "module-path"];

/// The URI scheme prefix.
const SCHEME: &str = "pkcs11:";

impl Pkcs11Uri {
    /// Parses `text` as a PKCS #11 URI.
    ///
    /// # Errors
    /// A [`UriError`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, UriError> {
        let rest = text
            .get(..SCHEME.len())
            .filter(|s| s.eq_ignore_ascii_case(SCHEME))
            .and_then(|_| text.get(SCHEME.len()..))
            .ok_or(UriError::NotPkcs11)?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (part, sep, known) in [(path, ';', PATH_ATTRS), (query, '&', QUERY_ATTRS)] {
            for attr in part.split(sep).filter(|a| !a.is_empty()) {
                let (name, raw) = attr.split_once('=').ok_or_else(|| UriError::Malformed {
                    name: attr.to_owned(),
                })?;
                if !known.contains(&name) && !name.starts_with("x-") {
                    return Err(UriError::UnknownAttribute {
                        name: name.to_owned(),
                    });
                }
                if seen.iter().any(|s| s == name) {
                    return Err(UriError::Duplicate {
                        name: name.to_owned(),
                    });
                }
                seen.push(name.to_owned());
                let value = percent_decode(raw).ok_or_else(|| UriError::Encoding {
                    name: name.to_owned(),
                })?;
                uri.set(name, value)?;
            }
        }
        Ok(uri)
    }

    /// Stores one decoded attribute.
    fn set(&mut self, name: &str, value: Vec<u8>) -> Result<(), UriError> {
        let invalid = || UriError::InvalidValue {
            name: name.to_owned(),
        };
        let text = |v: Vec<u8>| String::from_utf8(v).map_err(|_| invalid());
        match name {
            "token" => self.token = Some(text(value)?),
            "serial" => self.serial = Some(text(value)?),
            "object" => self.object = Some(text(value)?),
            "id" => self.id = Some(value),
            "slot-id" => {
                self.slot_id = Some(text(value)?.parse().map_err(|_| invalid())?);
            }
            "type" => {
                let value = text(value)?;
                let found = OBJECT_TYPES.iter().find(|(n, _)| *n == value);
                self.object_type = Some(found.ok_or_else(invalid)?.1);
            }
            "pin-value" => return Err(UriError::PinValue),
            "pin-source" => {
                let value = text(value)?;
                let var = value
                    .strip_prefix("env:")
                    .filter(|v| !v.is_empty() && !v.contains('='))
                    .ok_or(UriError::PinSource)?;
                self.pin_source = Some(PinSourceSpec::Env(var.to_owned()));
            }
            "module-path" => self.module_path = Some(text(value)?),
            // Defined, accepted, not used to select: manufacturer, model, library-*, slot-*,
            // module-name and vendor `x-` attributes.
            _ => {}
        }
        Ok(())
    }

    /// `token`: the token label.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// `serial`: the token serial number.
    #[must_use]
    pub fn serial(&self) -> Option<&str> {
        self.serial.as_deref()
    }

    /// `slot-id`: the slot.
    #[must_use]
    pub fn slot_id(&self) -> Option<u64> {
        self.slot_id
    }

    /// `object`: the object label.
    #[must_use]
    pub fn object(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// `id`: the object id (`CKA_ID`), decoded.
    #[must_use]
    pub fn id(&self) -> Option<&[u8]> {
        self.id.as_deref()
    }

    /// `type`: the object class.
    #[must_use]
    pub fn object_type(&self) -> Option<ObjectType> {
        self.object_type
    }

    /// `pin-source`: where the PIN comes from.
    #[must_use]
    pub fn pin_source(&self) -> Option<&PinSourceSpec> {
        self.pin_source.as_ref()
    }

    /// `module-path`: the PKCS #11 module to load.
    #[must_use]
    pub fn module_path(&self) -> Option<&str> {
        self.module_path.as_deref()
    }

    /// Whether `text` looks like a PKCS #11 URI (starts with `pkcs11:`), for callers that
    /// accept a file path or a URI in one argument.
    #[must_use]
    pub fn is_pkcs11_uri(text: &str) -> bool {
        text.get(..SCHEME.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
    }
}

/// Decodes RFC 3986 percent escapes; `None` for a `%` not followed by two hex digits.
fn percent_decode(raw: &str) -> Option<Vec<u8>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// One hex digit's value.
fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Why a PKCS #11 URI was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UriError {
    /// The text does not start with `pkcs11:`.
    NotPkcs11,
    /// An attribute has no `=`.
    Malformed {
        /// The attribute as written.
        name: String,
    },
    /// An attribute RFC 7512 does not define (vendor attributes start with `x-`).
    UnknownAttribute {
        /// Its name.
        name: String,
    },
    /// An attribute appears twice.
    Duplicate {
        /// Its name.
        name: String,
    },
    /// A value has a malformed percent escape.
    Encoding {
        /// The attribute.
        name: String,
    },
    /// A value is not valid for its attribute (`type`, `slot-id`, non-UTF-8 text).
    InvalidValue {
        /// The attribute.
        name: String,
    },
    /// `pin-value`: a PIN written into the URI is refused; use `pin-source=env:NAME`.
    PinValue,
    /// A `pin-source` other than `env:NAME`.
    PinSource,
    /// Neither `object` nor `id` names the key.
    NoObject,
}

impl UriError {
    /// A short, stable, dotted code for this error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotPkcs11 => "pkcs11.uri.scheme",
            Self::Malformed { .. } => "pkcs11.uri.malformed",
            Self::UnknownAttribute { .. } => "pkcs11.uri.unknown_attribute",
            Self::Duplicate { .. } => "pkcs11.uri.duplicate",
            Self::Encoding { .. } => "pkcs11.uri.encoding",
            Self::InvalidValue { .. } => "pkcs11.uri.invalid_value",
            Self::PinValue => "pkcs11.uri.pin_value",
            Self::PinSource => "pkcs11.uri.pin_source",
            Self::NoObject => "pkcs11.uri.no_object",
        }
    }
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Attribute names are printed only when RFC 7512 defines them: the text may hold a PIN.
        let attr = |name: &str| {
            PATH_ATTRS
                .iter()
                .chain(QUERY_ATTRS)
                .find(|a| **a == name)
                .map_or_else(|| "an attribute".to_owned(), |a| format!("{a:?}"))
        };
        match self {
            Self::NotPkcs11 => f.write_str("not a pkcs #11 uri (it must start with \"pkcs11:\")"),
            Self::Malformed { .. } => f.write_str("a pkcs #11 uri attribute has no \"=\""),
            Self::UnknownAttribute { .. } => {
                f.write_str("the pkcs #11 uri has an attribute rfc 7512 does not define")
            }
            Self::Duplicate { name } => {
                write!(f, "the pkcs #11 uri gives {} twice", attr(name))
            }
            Self::Encoding { name } => {
                write!(
                    f,
                    "the pkcs #11 uri's {} has a bad percent escape",
                    attr(name)
                )
            }
            Self::InvalidValue { name } => {
                write!(f, "the pkcs #11 uri's {} has an invalid value", attr(name))
            }
            Self::PinValue => f.write_str(
                "the pkcs #11 uri may not hold the pin (pin-value); use pin-source=env:NAME",
            ),
            Self::PinSource => f.write_str("the pkcs #11 uri's pin-source must be env:NAME"),
            Self::NoObject => f.write_str("the pkcs #11 uri names no key (object or id)"),
        }
    }
}

impl std::error::Error for UriError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_uri_parses() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=Partner%20HSM;serial=42;object=sig-2026;id=%01%ff;type=private\
             ?pin-source=env:HSM_PIN&module-path=/usr/lib/softhsm/libsofthsm2.so",
        )
        .unwrap();
        assert_eq!(uri.token(), Some("Partner HSM"));
        assert_eq!(uri.serial(), Some("42"));
        assert_eq!(uri.object(), Some("sig-2026"));
        assert_eq!(uri.id(), Some(&[0x01, 0xff][..]));
        assert_eq!(uri.object_type(), Some(ObjectType::Private));
        assert_eq!(
            uri.pin_source(),
            Some(&PinSourceSpec::Env("HSM_PIN".into()))
        );
        assert_eq!(uri.module_path(), Some("/usr/lib/softhsm/libsofthsm2.so"));
        assert_eq!(uri.slot_id(), None);
    }

    #[test]
    fn minimal_and_vendor_uris_parse() {
        assert_eq!(Pkcs11Uri::parse("pkcs11:").unwrap(), Pkcs11Uri::default());
        let uri = Pkcs11Uri::parse(
            "PKCS11:slot-id=3;x-vendor=1;manufacturer=SoftHSM?module-name=softhsm2",
        )
        .unwrap();
        assert_eq!(uri.slot_id(), Some(3));
        assert_eq!(uri.token(), None);
        assert!(Pkcs11Uri::is_pkcs11_uri("pkcs11:object=a"));
        assert!(!Pkcs11Uri::is_pkcs11_uri("key.json"));
        assert!(!Pkcs11Uri::is_pkcs11_uri("pkcs1"));
    }

    #[test]
    fn bad_uris_are_refused_with_their_reason() {
        let cases: [(&str, UriError, &str); 11] = [
            ("file:key.json", UriError::NotPkcs11, "pkcs11.uri.scheme"),
            ("pkcs1", UriError::NotPkcs11, "pkcs11.uri.scheme"),
            (
                "pkcs11:token",
                UriError::Malformed {
                    name: "token".into(),
                },
                "pkcs11.uri.malformed",
            ),
            (
                "pkcs11:colour=red",
                UriError::UnknownAttribute {
                    name: "colour".into(),
                },
                "pkcs11.uri.unknown_attribute",
            ),
            (
                "pkcs11:object=a?token=b",
                UriError::UnknownAttribute {
                    name: "token".into(),
                },
                "pkcs11.uri.unknown_attribute",
            ),
            (
                "pkcs11:object=a;object=b",
                UriError::Duplicate {
                    name: "object".into(),
                },
                "pkcs11.uri.duplicate",
            ),
            (
                "pkcs11:id=%0g",
                UriError::Encoding { name: "id".into() },
                "pkcs11.uri.encoding",
            ),
            (
                "pkcs11:type=secret",
                UriError::InvalidValue {
                    name: "type".into(),
                },
                "pkcs11.uri.invalid_value",
            ),
            (
                "pkcs11:slot-id=x",
                UriError::InvalidValue {
                    name: "slot-id".into(),
                },
                "pkcs11.uri.invalid_value",
            ),
            (
                "pkcs11:object=a?pin-value=1234",
                UriError::PinValue,
                "pkcs11.uri.pin_value",
            ),
            (
                "pkcs11:object=a?pin-source=file:/pin",
                UriError::PinSource,
                "pkcs11.uri.pin_source",
            ),
        ];
        for (text, error, code) in cases {
            let got = Pkcs11Uri::parse(text).unwrap_err();
            assert_eq!(got, error, "{text}");
            assert_eq!(got.code(), code, "{text}");
        }
        assert_eq!(
            Pkcs11Uri::parse("pkcs11:object=%FF").unwrap_err(),
            UriError::InvalidValue {
                name: "object".into()
            }
        );
        assert_eq!(
            Pkcs11Uri::parse("pkcs11:id=%1").unwrap_err(),
            UriError::Encoding { name: "id".into() }
        );
        assert_eq!(
            Pkcs11Uri::parse("pkcs11:object=a?pin-source=env:").unwrap_err(),
            UriError::PinSource
        );
    }

    #[test]
    fn messages_never_repeat_values() {
        // A mistyped attribute might hold a PIN: its name is not printed either.
        let e = Pkcs11Uri::parse("pkcs11:object=a?pin=1234").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the pkcs #11 uri has an attribute rfc 7512 does not define"
        );
        let e = Pkcs11Uri::parse("pkcs11:object=a?pin-value=1234").unwrap_err();
        assert!(!e.to_string().contains("1234"));
        let e = Pkcs11Uri::parse("pkcs11:id=1;id=2").unwrap_err();
        assert_eq!(e.to_string(), "the pkcs #11 uri gives \"id\" twice");
    }
}
