//! The JOSE header of a JWS (RFC 7515 §4, RFC 7797 §3), as plain typed data.

use serde_json::{Map, Value};

use crate::error::{CritError, Error};

/// The JOSE header of one JWS signature: the registered parameters typed, every other
/// parameter kept in [`other`](Self::other).
///
/// For a JSON serialization with an unprotected header, a verified or decoded header is the
/// union of the protected and unprotected headers (they never share a name).
///
/// # Security
/// `jwk`, `jku`, `x5u`, `x5c` and `x5t` are data here: zegel never uses them to choose or
/// trust a key. The verification key always comes from the caller.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct JwsHeader {
    /// `alg`: the algorithm. On signing it is set from the key's algorithm.
    pub alg: String,
    /// `kid`: the key id.
    pub kid: Option<String>,
    /// `typ`: the media type of the whole JWS (`"JWT"`).
    pub typ: Option<String>,
    /// `cty`: the media type of the payload.
    pub cty: Option<String>,
    /// `crit`: extensions the recipient must understand.
    pub crit: Option<Vec<String>>,
    /// `b64` (RFC 7797): `Some(false)` for an unencoded payload.
    pub b64: Option<bool>,
    /// `jku`: a JWK Set URL (never fetched).
    pub jku: Option<String>,
    /// `x5u`: an X.509 URL (never fetched).
    pub x5u: Option<String>,
    /// `x5t`: the SHA-1 thumbprint of a certificate.
    pub x5t: Option<String>,
    /// `x5t#S256`: the SHA-256 thumbprint of a certificate.
    pub x5t_s256: Option<String>,
    /// `jwk`: a public key, as JSON (never trusted as the verification key).
    pub jwk: Option<Map<String, Value>>,
    /// `x5c`: a certificate chain (never trusted).
    pub x5c: Option<Vec<String>>,
    /// Every other header parameter, preserved.
    pub other: Map<String, Value>,
}

impl JwsHeader {
    /// An empty header (`alg` is filled in on signing).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `typ`.
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `cty`.
    #[must_use]
    pub fn with_cty(mut self, cty: impl Into<String>) -> Self {
        self.cty = Some(cty.into());
        self
    }

    /// Asks for an unencoded payload (RFC 7797: `"b64": false`, listed in `crit`).
    #[must_use]
    pub fn with_unencoded_payload(mut self) -> Self {
        self.b64 = Some(false);
        self
    }

    /// Whether the payload is base64url-encoded (`b64` absent or `true`).
    #[must_use]
    pub fn payload_is_encoded(&self) -> bool {
        self.b64 != Some(false)
    }

    /// Reads a header from a JSON object, checking the types of the registered parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a registered parameter of the wrong type (`alg` is not
    /// required here), [`Error::Crit`] with [`CritError::Malformed`] for a `crit` that is not
    /// an array of strings.
    pub fn from_object(obj: Map<String, Value>) -> Result<Self, Error> {
        let mut h = Self::default();
        for (name, value) in obj {
            match name.as_str() {
                "alg" => h.alg = string(value, &name)?,
                "kid" => h.kid = Some(string(value, &name)?),
                "typ" => h.typ = Some(string(value, &name)?),
                "cty" => h.cty = Some(string(value, &name)?),
                "jku" => h.jku = Some(string(value, &name)?),
                "x5u" => h.x5u = Some(string(value, &name)?),
                "x5t" => h.x5t = Some(string(value, &name)?),
                "x5t#S256" => h.x5t_s256 = Some(string(value, &name)?),
                "crit" => h.crit = Some(string_array(value).ok_or(CritError::Malformed)?),
                "b64" => match value {
                    Value::Bool(b) => h.b64 = Some(b),
                    _ => return Err(invalid("b64")),
                },
                "jwk" => match value {
                    Value::Object(m) => h.jwk = Some(m),
                    _ => return Err(invalid("jwk")),
                },
                "x5c" => h.x5c = Some(string_array(value).ok_or_else(|| invalid("x5c"))?),
                _ => {
                    h.other.insert(name, value);
                }
            }
        }
        Ok(h)
    }

    /// The header as a JSON object (an empty `alg` is left out).
    #[must_use]
    pub fn to_object(&self) -> Map<String, Value> {
        let mut obj = self.other.clone();
        let mut put = |name: &str, v: Option<&String>| {
            if let Some(v) = v {
                obj.insert(name.to_owned(), Value::String(v.clone()));
            }
        };
        put("alg", Some(&self.alg).filter(|a| !a.is_empty()));
        put("kid", self.kid.as_ref());
        put("typ", self.typ.as_ref());
        put("cty", self.cty.as_ref());
        put("jku", self.jku.as_ref());
        put("x5u", self.x5u.as_ref());
        put("x5t", self.x5t.as_ref());
        put("x5t#S256", self.x5t_s256.as_ref());
        if let Some(crit) = &self.crit {
            obj.insert(
                "crit".into(),
                crit.iter().cloned().map(Value::String).collect(),
            );
        }
        if let Some(b64) = self.b64 {
            obj.insert("b64".into(), Value::Bool(b64));
        }
        if let Some(jwk) = &self.jwk {
            obj.insert("jwk".into(), Value::Object(jwk.clone()));
        }
        if let Some(x5c) = &self.x5c {
            obj.insert(
                "x5c".into(),
                x5c.iter().cloned().map(Value::String).collect(),
            );
        }
        obj
    }
}

fn invalid(name: &str) -> Error {
    Error::InvalidParameter {
        name: name.to_owned(),
    }
}

fn string(v: Value, name: &str) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err(invalid(name)),
    }
}

fn string_array(v: Value) -> Option<Vec<String>> {
    let Value::Array(items) = v else { return None };
    items
        .into_iter()
        .map(|i| match i {
            Value::String(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Part;

    fn parse(s: &str) -> Result<JwsHeader, Error> {
        JwsHeader::from_object(crate::json::parse_object(s.as_bytes(), Part::Header, 8).unwrap())
    }

    #[test]
    fn typed_round_trip_keeps_unknown_parameters() {
        let h = parse(
            r#"{"alg":"ES256","kid":"k","typ":"JWT","cty":"c","crit":["b64"],"b64":false,
            "jku":"u","x5u":"v","x5t":"t","x5t#S256":"s","jwk":{"kty":"EC"},"x5c":["MII"],"z":[1]}"#,
        )
        .unwrap();
        assert_eq!(h.alg, "ES256");
        assert_eq!(h.kid.as_deref(), Some("k"));
        assert_eq!(h.crit, Some(vec!["b64".to_owned()]));
        assert_eq!(h.b64, Some(false));
        assert!(!h.payload_is_encoded());
        assert_eq!(h.x5t_s256.as_deref(), Some("s"));
        assert_eq!(h.other.len(), 1);
        assert_eq!(JwsHeader::from_object(h.to_object()).unwrap(), h);
    }

    #[test]
    fn refuses_wrong_types() {
        let inv = |n: &str| Err(Error::InvalidParameter { name: n.into() });
        assert_eq!(parse(r#"{"alg":1}"#), inv("alg"));
        assert_eq!(parse(r#"{"b64":"false"}"#), inv("b64"));
        assert_eq!(parse(r#"{"jwk":"x"}"#), inv("jwk"));
        assert_eq!(parse(r#"{"x5c":[1]}"#), inv("x5c"));
        assert_eq!(parse(r#"{"kid":null}"#), inv("kid"));
        assert_eq!(
            parse(r#"{"crit":[1]}"#),
            Err(Error::Crit(CritError::Malformed))
        );
    }
}
