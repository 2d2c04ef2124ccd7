//! JWK JSON objects to and from [`KeyMaterial`] and [`JwkParams`].

use serde_json::{Map, Value};
use zeroize::Zeroize;

use super::material::{Curve, KeyMaterial, KeyType, RsaPrivate};
use super::params::JwkParams;
use crate::base64url;
use crate::error::{Error, KeyError, Part};
use crate::secret::SecretBytes;

/// Members that hold key material, by key type; never copied into `JwkParams::other`.
const MATERIAL_MEMBERS: &[&str] = &[
    "kty", "n", "e", "d", "p", "q", "dp", "dq", "qi", "oth", "crv", "x", "y", "k",
];

/// Splits a parsed JWK object into its material and its metadata. The material members are
/// wiped from `obj` whatever the outcome.
pub(super) fn from_object(mut obj: Map<String, Value>) -> Result<(KeyMaterial, JwkParams), Error> {
    let material = material(&obj);
    for m in MATERIAL_MEMBERS {
        if let Some(mut v) = obj.remove(*m) {
            zeroize_value(&mut v);
        }
    }
    let material = material?;
    let params = JwkParams {
        use_: take_str(&mut obj, "use")?,
        key_ops: take_str_array(&mut obj, "key_ops")?,
        alg: take_str(&mut obj, "alg")?,
        kid: take_str(&mut obj, "kid")?,
        x5u: take_str(&mut obj, "x5u")?,
        x5c: take_str_array(&mut obj, "x5c")?,
        x5t: take_str(&mut obj, "x5t")?,
        x5t_s256: take_str(&mut obj, "x5t#S256")?,
        other: obj,
    };
    Ok((material, params))
}

fn material(obj: &Map<String, Value>) -> Result<KeyMaterial, Error> {
    let kty = str_member(obj, "kty")?.ok_or(KeyError::MissingMember { name: "kty" })?;
    let kty = KeyType::from_name(kty).ok_or_else(|| KeyError::UnsupportedKeyType {
        value: kty.to_owned(),
    })?;
    let material = match kty {
        KeyType::Rsa => rsa(obj)?,
        KeyType::Ec | KeyType::Okp => {
            let name = str_member(obj, "crv")?.ok_or(KeyError::MissingMember { name: "crv" })?;
            let crv = Curve::from_name(name)
                .filter(|c| c.key_type() == kty)
                .ok_or_else(|| KeyError::UnsupportedKeyType {
                    value: name.to_owned(),
                })?;
            let x = bytes(obj, "x")?.ok_or(KeyError::MissingMember { name: "x" })?;
            let d = secret(obj, "d")?;
            if kty == KeyType::Ec {
                let y = bytes(obj, "y")?.ok_or(KeyError::MissingMember { name: "y" })?;
                KeyMaterial::Ec { crv, x, y, d }
            } else {
                if obj.contains_key("y") {
                    return Err(KeyError::InvalidMember { name: "y" }.into());
                }
                KeyMaterial::Okp { crv, x, d }
            }
        }
        KeyType::Oct => KeyMaterial::Oct {
            k: secret(obj, "k")?.ok_or(KeyError::MissingMember { name: "k" })?,
        },
    };
    Ok(material)
}

fn rsa(obj: &Map<String, Value>) -> Result<KeyMaterial, Error> {
    if obj.contains_key("oth") {
        return Err(KeyError::InvalidMember { name: "oth" }.into());
    }
    let n = bytes(obj, "n")?.ok_or(KeyError::MissingMember { name: "n" })?;
    let e = bytes(obj, "e")?.ok_or(KeyError::MissingMember { name: "e" })?;
    let private = match secret(obj, "d")? {
        None => {
            for name in ["p", "q", "dp", "dq", "qi"] {
                if obj.contains_key(name) {
                    return Err(KeyError::MissingMember { name: "d" }.into());
                }
            }
            None
        }
        Some(d) => {
            let need = |name: &'static str| -> Result<SecretBytes, Error> {
                secret(obj, name)?.ok_or_else(|| KeyError::MissingMember { name }.into())
            };
            Some(Box::new(RsaPrivate::new(
                d,
                need("p")?,
                need("q")?,
                need("dp")?,
                need("dq")?,
                need("qi")?,
            )))
        }
    };
    Ok(KeyMaterial::Rsa { n, e, private })
}

fn str_member<'a>(
    obj: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, Error> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(KeyError::InvalidMember { name }.into()),
    }
}

fn bytes(obj: &Map<String, Value>, name: &'static str) -> Result<Option<Vec<u8>>, Error> {
    str_member(obj, name)?
        .map(|s| {
            base64url::decode(s.as_bytes(), Part::Jwk)
                .map_err(|_| KeyError::InvalidMember { name }.into())
        })
        .transpose()
}

fn secret(obj: &Map<String, Value>, name: &'static str) -> Result<Option<SecretBytes>, Error> {
    str_member(obj, name)?
        .map(|s| {
            base64url::decode_secret(s.as_bytes(), Part::Jwk)
                .map_err(|_| KeyError::InvalidMember { name }.into())
        })
        .transpose()
}

fn take_str(obj: &mut Map<String, Value>, name: &'static str) -> Result<Option<String>, Error> {
    match obj.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(KeyError::InvalidMember { name }.into()),
    }
}

fn take_str_array(
    obj: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<Vec<String>>, Error> {
    match obj.remove(name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(KeyError::InvalidMember { name }.into()),
            })
            .collect::<Result<Vec<_>, Error>>()
            .map(Some),
        Some(_) => Err(KeyError::InvalidMember { name }.into()),
    }
}

/// Writes a key back as a JSON object: `kty`, the key members, the metadata, then unknown
/// members. Private members only when `private` is set.
pub(super) fn to_object(
    material: &KeyMaterial,
    params: &JwkParams,
    private: bool,
) -> Map<String, Value> {
    let mut o = Map::new();
    let b64 = |b: &[u8]| Value::String(base64url::encode(b));
    o.insert(
        "kty".into(),
        Value::String(material.key_type().name().into()),
    );
    match material {
        KeyMaterial::Rsa { n, e, private: p } => {
            o.insert("n".into(), b64(n));
            o.insert("e".into(), b64(e));
            if let (true, Some(p)) = (private, p) {
                for (name, v) in [
                    ("d", &p.d),
                    ("p", &p.p),
                    ("q", &p.q),
                    ("dp", &p.dp),
                    ("dq", &p.dq),
                    ("qi", &p.qi),
                ] {
                    o.insert(name.into(), b64(v.expose_secret()));
                }
            }
        }
        KeyMaterial::Ec { crv, x, y, d } => {
            o.insert("crv".into(), Value::String(crv.name().into()));
            o.insert("x".into(), b64(x));
            o.insert("y".into(), b64(y));
            if let (true, Some(d)) = (private, d) {
                o.insert("d".into(), b64(d.expose_secret()));
            }
        }
        KeyMaterial::Okp { crv, x, d } => {
            o.insert("crv".into(), Value::String(crv.name().into()));
            o.insert("x".into(), b64(x));
            if let (true, Some(d)) = (private, d) {
                o.insert("d".into(), b64(d.expose_secret()));
            }
        }
        KeyMaterial::Oct { k } => {
            if private {
                o.insert("k".into(), b64(k.expose_secret()));
            }
        }
    }
    let strs = |v: &[String]| Value::Array(v.iter().cloned().map(Value::String).collect());
    let mut put = |name: &str, v: Option<Value>| {
        if let Some(v) = v {
            o.insert(name.into(), v);
        }
    };
    put("use", params.use_.clone().map(Value::String));
    put("key_ops", params.key_ops.as_deref().map(strs));
    put("alg", params.alg.clone().map(Value::String));
    put("kid", params.kid.clone().map(Value::String));
    put("x5u", params.x5u.clone().map(Value::String));
    put("x5c", params.x5c.as_deref().map(strs));
    put("x5t", params.x5t.clone().map(Value::String));
    put("x5t#S256", params.x5t_s256.clone().map(Value::String));
    for (k, v) in &params.other {
        o.entry(k.clone()).or_insert_with(|| v.clone());
    }
    o
}

/// Overwrites every string in a JSON value (used on objects that held private members).
pub(super) fn zeroize_value(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(zeroize_value),
        Value::Object(o) => zeroize_object(o),
        _ => {}
    }
}

/// Overwrites every string in a JSON object.
pub(super) fn zeroize_object(o: &mut Map<String, Value>) {
    o.values_mut().for_each(zeroize_value);
}
