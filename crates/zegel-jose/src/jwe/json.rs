//! The JWE JSON serializations (RFC 7516 §7.2): general (a `recipients` array) and flattened
//! (one recipient at the top level).

use serde_json::{Map, Value};

use super::token::{Limits, RecipientPart, Serialization, UnverifiedJwe};
use crate::base64url;
use crate::error::{CountRule, Error, Part, Shape};
use crate::json;

/// Parses either JSON serialization.
pub(crate) fn parse(token: &[u8], limits: &Limits) -> Result<UnverifiedJwe, Error> {
    let mut obj = json::parse_object(token, Part::Token, limits.max_json_depth)?;
    let (protected_b64, protected) = match obj.remove("protected") {
        None => (String::new(), Map::new()),
        Some(Value::String(s)) => {
            let decoded = base64url::decode_public(s.as_bytes(), Part::Header)?;
            let map = json::parse_object(&decoded, Part::Header, limits.max_json_depth)?;
            (s, map)
        }
        Some(_) => {
            return Err(Error::InvalidParameter {
                name: "protected".into(),
            });
        }
    };
    let unprotected = object(&mut obj, "unprotected")?;
    let (serialization, recipients) = match obj.remove("recipients") {
        Some(Value::Array(items)) => {
            if obj.contains_key("header") || obj.contains_key("encrypted_key") {
                return Err(Error::Structure {
                    expected: Shape::RecipientMembersInside,
                });
            }
            if items.len() > limits.max_recipients || items.is_empty() {
                return Err(Error::RecipientCount {
                    rule: CountRule::RecipientsOutOfRange,
                });
            }
            let recipients = items
                .into_iter()
                .map(|item| match item {
                    Value::Object(mut r) => recipient(&mut r),
                    _ => Err(Error::InvalidParameter {
                        name: "recipients".into(),
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?;
            (Serialization::General, recipients)
        }
        Some(_) => {
            return Err(Error::InvalidParameter {
                name: "recipients".into(),
            });
        }
        None => (Serialization::Flattened, vec![recipient(&mut obj)?]),
    };
    let aad_b64 = match obj.remove("aad") {
        None => None,
        Some(Value::String(s)) => {
            base64url::decode_public(s.as_bytes(), Part::Aad)?;
            Some(s)
        }
        Some(_) => return Err(Error::InvalidParameter { name: "aad".into() }),
    };
    Ok(UnverifiedJwe {
        serialization,
        protected_b64,
        protected,
        unprotected,
        recipients,
        iv: bytes(&obj, "iv", Part::Iv)?.unwrap_or_default(),
        ciphertext: bytes(&obj, "ciphertext", Part::Ciphertext)?
            .ok_or(Error::MissingParameter { name: "ciphertext" })?,
        tag: bytes(&obj, "tag", Part::Tag)?.unwrap_or_default(),
        aad_b64,
    })
}

fn recipient(obj: &mut Map<String, Value>) -> Result<RecipientPart, Error> {
    Ok(RecipientPart {
        header: object(obj, "header")?,
        encrypted_key: bytes(obj, "encrypted_key", Part::EncryptedKey)?.unwrap_or_default(),
    })
}

fn object(obj: &mut Map<String, Value>, name: &str) -> Result<Option<Map<String, Value>>, Error> {
    match obj.remove(name) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(Error::InvalidParameter { name: name.into() }),
    }
}

fn bytes(obj: &Map<String, Value>, name: &str, part: Part) -> Result<Option<Vec<u8>>, Error> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => base64url::decode_public(s.as_bytes(), part).map(Some),
        Some(_) => Err(Error::InvalidParameter { name: name.into() }),
    }
}

/// One recipient to write: its unprotected header and encrypted key.
pub(crate) struct RecipientOut {
    pub(crate) header: Option<Map<String, Value>>,
    pub(crate) encrypted_key: Vec<u8>,
}

/// Everything the JSON serializations hold.
pub(crate) struct JsonOut<'a> {
    pub(crate) protected_b64: &'a str,
    pub(crate) unprotected: Option<&'a Map<String, Value>>,
    pub(crate) recipients: Vec<RecipientOut>,
    pub(crate) aad_b64: Option<&'a str>,
    pub(crate) iv: &'a [u8],
    pub(crate) ciphertext: &'a [u8],
    pub(crate) tag: &'a [u8],
}

fn b64(b: &[u8]) -> Value {
    Value::String(base64url::encode_public(b))
}

/// Writes the flattened (`general == false`, one recipient) or general serialization.
pub(crate) fn write(out: JsonOut<'_>, general: bool) -> String {
    let mut o = Map::new();
    if !out.protected_b64.is_empty() {
        o.insert("protected".into(), Value::String(out.protected_b64.into()));
    }
    if let Some(u) = out.unprotected {
        o.insert("unprotected".into(), Value::Object(u.clone()));
    }
    let recipient = |r: RecipientOut, into: &mut Map<String, Value>| {
        if let Some(h) = r.header {
            into.insert("header".into(), Value::Object(h));
        }
        if !r.encrypted_key.is_empty() {
            into.insert("encrypted_key".into(), b64(&r.encrypted_key));
        }
    };
    if general {
        let list = out
            .recipients
            .into_iter()
            .map(|r| {
                let mut m = Map::new();
                recipient(r, &mut m);
                Value::Object(m)
            })
            .collect();
        o.insert("recipients".into(), Value::Array(list));
    } else {
        for r in out.recipients {
            recipient(r, &mut o);
        }
    }
    if let Some(a) = out.aad_b64 {
        o.insert("aad".into(), Value::String(a.into()));
    }
    o.insert("iv".into(), b64(out.iv));
    o.insert("ciphertext".into(), b64(out.ciphertext));
    o.insert("tag".into(), b64(out.tag));
    Value::Object(o).to_string()
}
