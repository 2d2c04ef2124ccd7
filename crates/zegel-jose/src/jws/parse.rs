//! Splitting a JWS into its parts, compact or JSON (RFC 7515 §7), and checking each
//! signature's headers (`crit`, `b64`, disjointness) before any key is involved.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::header::JwsHeader;
use crate::base64url;
use crate::error::{Error, Part};
use crate::header::{JWS_REGISTERED, check_crit, check_disjoint};
use crate::json;

/// The size and depth limits applied before and while parsing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_token_len: usize,
    pub(crate) max_json_depth: usize,
}

/// A JWS split into its parts, nothing decoded but the JSON structure.
pub(crate) struct RawJws<'a> {
    /// The payload as it appears in the serialization; `None` when a JSON serialization has
    /// none, empty when a compact one is detached (or its payload empty).
    pub(crate) payload: Option<Cow<'a, [u8]>>,
    pub(crate) sigs: Vec<RawSig<'a>>,
    /// For the compact serialization: the signing input, a prefix of the token.
    pub(crate) compact_input: Option<&'a [u8]>,
}

/// One signature: the encoded protected header, the unprotected header, the encoded signature.
pub(crate) struct RawSig<'a> {
    pub(crate) protected: Option<Cow<'a, [u8]>>,
    pub(crate) header: Option<Map<String, Value>>,
    pub(crate) signature: Cow<'a, [u8]>,
}

/// A signature whose headers passed every check.
pub(crate) struct CheckedSig {
    pub(crate) header: JwsHeader,
    pub(crate) encoded_payload: bool,
}

/// Splits `token` (compact or JSON) into its parts.
pub(crate) fn split(token: &[u8], limits: Limits) -> Result<RawJws<'_>, Error> {
    if token.len() > limits.max_token_len {
        return Err(Error::TooLarge {
            part: Part::Token,
            limit: limits.max_token_len,
        });
    }
    match token.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => split_json(token, limits),
        _ => split_compact(token),
    }
}

fn split_compact(token: &[u8]) -> Result<RawJws<'_>, Error> {
    const EXPECTED: &str = "three '.'-separated parts";
    // The header and the signature are short: find their dots from each end, then refuse a
    // dot in the payload (RFC 7797 §5.2 forbids one in an unencoded compact payload too).
    let (Some(d1), Some(d2)) = (
        token.iter().position(|b| *b == b'.'),
        token.iter().rposition(|b| *b == b'.'),
    ) else {
        return Err(Error::Structure { expected: EXPECTED });
    };
    let (Some(protected), Some(payload), Some(signature), Some(input)) = (
        token.get(..d1),
        token.get(d1.saturating_add(1)..d2),
        token.get(d2.saturating_add(1)..),
        token.get(..d2),
    ) else {
        return Err(Error::Structure { expected: EXPECTED });
    };
    if payload.contains(&b'.') {
        return Err(Error::Structure { expected: EXPECTED });
    }
    Ok(RawJws {
        payload: Some(Cow::Borrowed(payload)),
        sigs: vec![RawSig {
            protected: Some(Cow::Borrowed(protected)),
            header: None,
            signature: Cow::Borrowed(signature),
        }],
        compact_input: Some(input),
    })
}

fn take_string(obj: &mut Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match obj.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::InvalidParameter {
            name: name.to_owned(),
        }),
    }
}

fn raw_sig(obj: &mut Map<String, Value>) -> Result<RawSig<'static>, Error> {
    let protected = take_string(obj, "protected")?;
    let header = match obj.remove("header") {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            return Err(Error::InvalidParameter {
                name: "header".into(),
            });
        }
    };
    let signature =
        take_string(obj, "signature")?.ok_or(Error::MissingParameter { name: "signature" })?;
    if protected.is_none() && header.is_none() {
        return Err(Error::MissingParameter { name: "protected" });
    }
    Ok(RawSig {
        protected: protected.map(|p| Cow::Owned(p.into_bytes())),
        header,
        signature: Cow::Owned(signature.into_bytes()),
    })
}

fn split_json(token: &[u8], limits: Limits) -> Result<RawJws<'_>, Error> {
    let mut obj = json::parse_object(token, Part::Token, limits.max_json_depth)?;
    let payload = take_string(&mut obj, "payload")?.map(|p| Cow::Owned(p.into_bytes()));
    let sigs = match obj.remove("signatures") {
        Some(Value::Array(items)) => {
            if ["protected", "header", "signature"]
                .iter()
                .any(|k| obj.contains_key(*k))
            {
                return Err(Error::Structure {
                    expected: "either the general or the flattened json serialization",
                });
            }
            if items.is_empty() {
                return Err(Error::RecipientCount {
                    rule: "a jws needs at least one signature",
                });
            }
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(mut o) => raw_sig(&mut o),
                    _ => Err(Error::InvalidParameter {
                        name: "signatures".into(),
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?
        }
        Some(_) => {
            return Err(Error::InvalidParameter {
                name: "signatures".into(),
            });
        }
        None => vec![raw_sig(&mut obj)?],
    };
    Ok(RawJws {
        payload,
        sigs,
        compact_input: None,
    })
}

/// Decodes and checks the headers of one signature: strict JSON, `crit` (with `b64` and the
/// `extra` names understood), `b64` protected and listed in `crit`, headers disjoint.
pub(crate) fn check_headers(
    sig: &RawSig<'_>,
    limits: Limits,
    extra: &[String],
) -> Result<CheckedSig, Error> {
    checked(sig, limits, &|name| {
        name == "b64" || extra.iter().any(|e| e == name)
    })
}

/// As [`check_headers`], with every `crit` extension taken as understood (for inspection).
pub(crate) fn check_headers_lenient(sig: &RawSig<'_>, limits: Limits) -> Result<CheckedSig, Error> {
    checked(sig, limits, &|_| true)
}

fn checked(
    sig: &RawSig<'_>,
    limits: Limits,
    understood: &dyn Fn(&str) -> bool,
) -> Result<CheckedSig, Error> {
    let protected = match &sig.protected {
        None => None,
        Some(p) => {
            let bytes = base64url::decode_public(p, Part::Header)?;
            Some(json::parse_object(
                &bytes,
                Part::Header,
                limits.max_json_depth,
            )?)
        }
    };
    let unprotected: Vec<&Map<String, Value>> = sig.header.iter().collect();
    let crit = check_crit(protected.as_ref(), &unprotected, JWS_REGISTERED, understood)?;
    if let Some(u) = &sig.header {
        if u.contains_key("b64") {
            return Err(Error::InvalidParameter { name: "b64".into() });
        }
        if let Some(p) = &protected {
            check_disjoint(&[p, u])?;
        }
    }
    let b64_listed = crit.contains(&"b64");
    let mut merged = protected.unwrap_or_default();
    if b64_listed != merged.contains_key("b64") {
        // RFC 7797 §6: "b64" must be listed in "crit" whenever it is used.
        return Err(Error::InvalidParameter { name: "b64".into() });
    }
    if let Some(u) = &sig.header {
        merged.extend(u.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let header = JwsHeader::from_object(merged)?;
    if header.alg.is_empty() {
        return Err(Error::MissingParameter { name: "alg" });
    }
    let encoded_payload = header.payload_is_encoded();
    Ok(CheckedSig {
        header,
        encoded_payload,
    })
}
