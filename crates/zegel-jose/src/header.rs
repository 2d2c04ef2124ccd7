//! Header rules shared by JWS and JWE: `crit` (RFC 7515 §4.1.11, RFC 7516 §4.1.13) and the
//! disjointness of the protected and unprotected headers (RFC 7515 §7.2.1, RFC 7516 §7.2.1).

use serde_json::{Map, Value};

use crate::error::{CritError, Error};

/// The header parameters registered by RFC 7515 §4.1 for JWS. `crit` may not name them.
pub(crate) const JWS_REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// Checks `crit` (RFC 7515 §4.1.11) over the headers of one signature or recipient.
///
/// `protected` is the integrity-protected header, `unprotected` every other header that applies
/// (shared and per-signature or per-recipient). `registered` lists the parameters the
/// specification defines, which `crit` may not name; `understood(name)` says whether the
/// implementation and the caller process an extension parameter.
///
/// Refused, as [`Error::Crit`]: `crit` in an unprotected header; `crit` that is not a non-empty
/// array of distinct strings; a name that is registered, not understood, or absent from every
/// header.
///
/// On success, returns the names listed (empty when there is no `crit`).
pub(crate) fn check_crit<'a>(
    protected: Option<&'a Map<String, Value>>,
    unprotected: &[&Map<String, Value>],
    registered: &[&str],
    understood: impl Fn(&str) -> bool,
) -> Result<Vec<&'a str>, Error> {
    if unprotected.iter().any(|h| h.contains_key("crit")) {
        return Err(CritError::Unprotected.into());
    }
    let Some(value) = protected.and_then(|p| p.get("crit")) else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = value else {
        return Err(CritError::Malformed.into());
    };
    if items.is_empty() {
        return Err(CritError::Malformed.into());
    }
    let mut names: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(name) = item else {
            return Err(CritError::Malformed.into());
        };
        if names.contains(&name.as_str()) {
            return Err(CritError::Malformed.into());
        }
        if registered.contains(&name.as_str()) {
            return Err(CritError::Registered { name: name.clone() }.into());
        }
        if !understood(name) {
            return Err(CritError::Unknown { name: name.clone() }.into());
        }
        let present = protected.is_some_and(|p| p.contains_key(name))
            || unprotected.iter().any(|h| h.contains_key(name));
        if !present {
            return Err(CritError::Absent { name: name.clone() }.into());
        }
        names.push(name);
    }
    Ok(names)
}

/// Checks that no parameter appears in more than one of `headers` (RFC 7515 §7.2.1: the
/// header parameter names in the protected and unprotected headers must be disjoint).
pub(crate) fn check_disjoint(headers: &[&Map<String, Value>]) -> Result<(), Error> {
    for (i, a) in headers.iter().enumerate() {
        for b in headers.iter().skip(i.saturating_add(1)) {
            let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            if let Some(name) = small.keys().find(|k| large.contains_key(*k)) {
                return Err(Error::DuplicateParameter { name: name.clone() });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(s: &str) -> Map<String, Value> {
        crate::json::parse_object(s.as_bytes(), crate::error::Part::Header, 8).unwrap()
    }

    fn crit(p: &str, u: &str) -> Result<Vec<String>, Error> {
        let (p, u) = (obj(p), obj(u));
        check_crit(Some(&p), &[&u], JWS_REGISTERED, |n| {
            n == "b64" || n == "exp"
        })
        .map(|v| v.into_iter().map(String::from).collect())
    }

    #[test]
    fn accepts_understood_present_extensions() {
        assert_eq!(crit(r#"{"alg":"HS256"}"#, "{}"), Ok(vec![]));
        assert_eq!(
            crit(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, "{}"),
            Ok(vec!["b64".to_owned()])
        );
        // Present in the unprotected header only: still present in the JOSE header.
        assert_eq!(
            crit(r#"{"crit":["exp"]}"#, r#"{"exp":1}"#),
            Ok(vec!["exp".to_owned()])
        );
    }

    #[test]
    fn refuses_each_bad_crit() {
        let e = |c: CritError| Err(Error::Crit(c));
        assert_eq!(crit(r#"{"crit":[]}"#, "{}"), e(CritError::Malformed));
        assert_eq!(
            crit(r#"{"crit":"b64","b64":false}"#, "{}"),
            e(CritError::Malformed)
        );
        assert_eq!(crit(r#"{"crit":[1]}"#, "{}"), e(CritError::Malformed));
        assert_eq!(
            crit(r#"{"crit":["b64","b64"],"b64":false}"#, "{}"),
            e(CritError::Malformed)
        );
        assert_eq!(
            crit(r#"{"crit":["alg"],"alg":"x"}"#, "{}"),
            e(CritError::Registered { name: "alg".into() })
        );
        assert_eq!(
            crit(r#"{"crit":["zz"],"zz":1}"#, "{}"),
            e(CritError::Unknown { name: "zz".into() })
        );
        assert_eq!(
            crit(r#"{"crit":["b64"]}"#, "{}"),
            e(CritError::Absent { name: "b64".into() })
        );
        assert_eq!(crit("{}", r#"{"crit":["b64"]}"#), e(CritError::Unprotected));
    }

    #[test]
    fn disjoint_headers() {
        let (a, b, c) = (
            obj(r#"{"alg":1}"#),
            obj(r#"{"kid":1}"#),
            obj(r#"{"x":1,"kid":2}"#),
        );
        assert_eq!(check_disjoint(&[&a, &b]), Ok(()));
        assert_eq!(
            check_disjoint(&[&a, &b, &c]),
            Err(Error::DuplicateParameter { name: "kid".into() })
        );
    }
}
