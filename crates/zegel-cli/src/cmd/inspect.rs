//! `zegel inspect`: show what a JWS or JWE says about itself, without verifying anything.
//!
//! Output, exactly as the contract shows it: `{"kind": "jws"|"jwe", "header": {...},
//! "payload": ..., "verified": false}` (a JWE has no `payload`). With `--details` (an
//! extension), also `"serialization": "compact"|"flattened"|"general"`, `"payload_encoding"`
//! and, for a general JSON serialization, `"headers"`.
//!
//! - `header` is the protected header joined with the unprotected ones (for JSON serializations
//!   with several signatures or recipients: the first one's). With `--details`, `headers` holds
//!   each signature's or recipient's own members (a JWS signature's protected and unprotected
//!   header, a JWE recipient's `header`); a JWE's shared headers are in `header`, once.
//!
//! The libraries' limits apply: a token longer than theirs, or with more signatures or
//! recipients, is refused, so the output (and the memory it takes) stays within a small
//! multiple of the input.
//! - JWS only: `payload` is the payload as a JSON value when it parses as JSON
//!   (`payload_encoding` `"json"`), else as a string when it is UTF-8 (`"utf8"`), else as
//!   base64url (`"base64url"`).
//! - JWE: the header only; nothing is decrypted.
//!
//! `verified` is always `false`, and a warning says so on standard error: anyone can write a
//! token that inspects well.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use serde_json::{Map, Value, json};
use zegel_jose::base64url;
use zegel_jose::error::{CountRule, Part};
use zegel_jose::json::{DEFAULT_MAX_DEPTH, parse_object, parse_value};

use crate::exit::{self, Failure};
use crate::io;

/// `zegel inspect`
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// Read the token from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Also show the serialization, how the payload was decoded and, for a general JSON
    /// serialization, every signature's or recipient's header (extension).
    #[arg(long)]
    details: bool,
}

/// Runs `zegel inspect`.
pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let token = io::read_token(args.input.as_deref())?;
    let mut out =
        inspect(&token, args.details).map_err(|e| exit::input("cannot inspect the token", &e))?;
    if !args.details {
        for extra in ["serialization", "payload_encoding"] {
            out.remove(extra);
        }
    }
    io::write_line(&Value::Object(out).to_string())?;
    eprintln!("warning: nothing was verified; do not trust this content");
    Ok(())
}

type Jose<T> = Result<T, zegel_jose::Error>;

/// The longest token inspected: the longer of the libraries' limits for a JWS and a JWE.
const MAX_TOKEN_LEN: usize = max(
    zegel_jose::jws::DEFAULT_MAX_TOKEN_LEN,
    zegel_jose::jwe::DEFAULT_MAX_TOKEN_LEN,
);

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

fn inspect(token: &[u8], details: bool) -> Jose<Map<String, Value>> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(zegel_jose::Error::TooLarge {
            part: Part::Token,
            limit: MAX_TOKEN_LEN,
        });
    }
    if token.first() == Some(&b'{') {
        return inspect_json(token, details);
    }
    let text = core::str::from_utf8(token).map_err(|_| structure())?;
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        [h, p, _sig] => {
            let header = decode_header(h)?;
            let (payload, encoding) = payload(&header, p)?;
            Ok(report(
                "jws",
                "compact",
                header,
                vec![],
                Some((payload, encoding)),
            ))
        }
        [h, _, _, _, _] => Ok(report("jwe", "compact", decode_header(h)?, vec![], None)),
        _ => Err(structure()),
    }
}

fn inspect_json(token: &[u8], details: bool) -> Jose<Map<String, Value>> {
    let obj = parse_object(token, Part::Token, DEFAULT_MAX_DEPTH)?;
    let is_jws = obj.contains_key("payload");
    let is_jwe = obj.contains_key("ciphertext");
    if is_jws == is_jwe {
        return Err(structure());
    }
    let (list_name, max_entries, too_many) = if is_jws {
        (
            "signatures",
            zegel_jose::jws::DEFAULT_MAX_SIGNATURES,
            CountRule::TooManySignatures,
        )
    } else {
        (
            "recipients",
            zegel_jose::jwe::DEFAULT_MAX_RECIPIENTS,
            CountRule::RecipientsOutOfRange,
        )
    };
    let entries: Vec<&Map<String, Value>> = match obj.get(list_name) {
        Some(Value::Array(items)) if items.len() > max_entries => {
            return Err(zegel_jose::Error::RecipientCount { rule: too_many });
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_object().ok_or_else(|| invalid(list_name)))
            .collect::<Jose<_>>()?,
        Some(_) => return Err(invalid(list_name)),
        None => vec![&obj],
    };
    let serialization = if obj.contains_key(list_name) {
        "general"
    } else {
        "flattened"
    };
    // Each entry's own members; the shared JWE headers are joined to the first one only.
    let own = |entry: &Map<String, Value>| -> Jose<Map<String, Value>> {
        let mut h = if is_jws {
            protected(entry)?
        } else {
            Map::new()
        };
        h.extend(object_member(entry, "header")?);
        Ok(h)
    };
    let mut first = if is_jwe {
        let mut shared = protected(&obj)?;
        shared.extend(object_member(&obj, "unprotected")?);
        shared
    } else {
        Map::new()
    };
    match entries.first() {
        Some(entry) => first.extend(own(entry)?),
        None if is_jwe => {}
        None => return Err(invalid(list_name)),
    }
    let headers = if details && serialization == "general" {
        entries
            .iter()
            .map(|entry| own(entry).map(Value::Object))
            .collect::<Jose<Vec<_>>>()?
    } else {
        // Still checked, as with --details: the output must not depend on the flag.
        for entry in entries.iter().skip(1) {
            own(entry)?;
        }
        vec![]
    };
    let payload = if is_jws {
        let p = obj
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("payload"))?;
        Some(payload(&first, p)?)
    } else {
        None
    };
    Ok(report(
        if is_jws { "jws" } else { "jwe" },
        serialization,
        first,
        headers,
        payload,
    ))
}

fn report(
    kind: &str,
    serialization: &str,
    header: Map<String, Value>,
    headers: Vec<Value>,
    payload: Option<(Value, &str)>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("kind".into(), json!(kind));
    out.insert("serialization".into(), json!(serialization));
    out.insert("header".into(), Value::Object(header));
    if !headers.is_empty() {
        out.insert("headers".into(), Value::Array(headers));
    }
    if let Some((payload, encoding)) = payload {
        out.insert("payload".into(), payload);
        out.insert("payload_encoding".into(), json!(encoding));
    }
    out.insert("verified".into(), json!(false));
    out
}

fn decode_header(b64: &str) -> Jose<Map<String, Value>> {
    let bytes = base64url::decode(b64.as_bytes(), Part::Header)?;
    parse_object(&bytes, Part::Header, DEFAULT_MAX_DEPTH)
}

fn protected(obj: &Map<String, Value>) -> Jose<Map<String, Value>> {
    match obj.get("protected") {
        None => Ok(Map::new()),
        Some(Value::String(s)) => decode_header(s),
        Some(_) => Err(invalid("protected")),
    }
}

fn object_member(obj: &Map<String, Value>, name: &str) -> Jose<Map<String, Value>> {
    match obj.get(name) {
        None => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(invalid(name)),
    }
}

/// The payload as JSON, UTF-8 text or base64url, and which one it is.
fn payload(header: &Map<String, Value>, segment: &str) -> Jose<(Value, &'static str)> {
    let bytes = if header.get("b64") == Some(&Value::Bool(false)) {
        segment.as_bytes().to_vec()
    } else {
        base64url::decode(segment.as_bytes(), Part::Payload)?
    };
    if let Ok(v) = parse_value(&bytes, DEFAULT_MAX_DEPTH) {
        return Ok((v, "json"));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => (Value::String(s), "utf8"),
        Err(e) => (Value::String(base64url::encode(e.as_bytes())), "base64url"),
    })
}

fn structure() -> zegel_jose::Error {
    zegel_jose::Error::Structure {
        expected: zegel_jose::error::Shape::AnyToken,
    }
}

fn invalid(name: &str) -> zegel_jose::Error {
    zegel_jose::Error::InvalidParameter {
        name: name.to_owned(),
    }
}
