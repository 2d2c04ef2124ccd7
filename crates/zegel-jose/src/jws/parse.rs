//! Splitting a JWS into its parts, compact or JSON (RFC 7515 §7), and checking each
//! signature's headers (`crit`, `b64`, disjointness) before any key is involved.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::header::JwsHeader;
use crate::base64url;
use crate::error::{CountRule, Error, Part, Shape};
use crate::header::{JWS_REGISTERED, check_crit, check_disjoint};
use crate::json;

/// The size and depth limits applied before and while parsing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_token_len: usize,
    pub(crate) max_json_depth: usize,
    pub(crate) max_signatures: usize,
}

/// A JWS split into its parts, nothing decoded but the JSON structure.
pub(crate) struct RawJws<'a> {
    /// The payload as it appears in the serialization; `None` when a JSON serialization has
    /// none, empty when a compact one is detached (or its payload empty).
    pub(crate) payload: Option<Cow<'a, [u8]>>,
    sigs: Sigs<'a>,
    /// For the compact serialization: the signing input, a prefix of the token.
    pub(crate) compact_input: Option<&'a [u8]>,
}

/// The signatures: one (compact, flattened: no allocation) or several (general).
enum Sigs<'a> {
    One(RawSig<'a>),
    Many(Vec<RawSig<'a>>),
}

impl<'a> RawJws<'a> {
    /// The signatures, in order.
    pub(crate) fn sigs(&self) -> &[RawSig<'a>] {
        match &self.sigs {
            Sigs::One(sig) => core::slice::from_ref(sig),
            Sigs::Many(sigs) => sigs,
        }
    }
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
    // The header and the signature are short: find their dots from each end. A dot in between
    // is refused by the payload's base64url decoding, or for an unencoded payload (RFC 7797
    // §5.2) by `check_headers`: the payload is not scanned twice.
    let (Some(d1), Some(d2)) = (token.iter().position(|b| *b == b'.'), rfind_dot(token)) else {
        return Err(Error::Structure {
            expected: Shape::CompactJws,
        });
    };
    let (Some(protected), Some(payload), Some(signature), Some(input)) = (
        token.get(..d1),
        token.get(d1.saturating_add(1)..d2),
        token.get(d2.saturating_add(1)..),
        token.get(..d2),
    ) else {
        return Err(Error::Structure {
            expected: Shape::CompactJws,
        });
    };
    Ok(RawJws {
        payload: Some(Cow::Borrowed(payload)),
        sigs: Sigs::One(RawSig {
            protected: Some(Cow::Borrowed(protected)),
            header: None,
            signature: Cow::Borrowed(signature),
        }),
        compact_input: Some(input),
    })
}

/// The position of the last `.` in `bytes`, eight bytes at a time (a signature is up to a
/// kilobyte of base64url).
fn rfind_dot(bytes: &[u8]) -> Option<usize> {
    const DOTS: u64 = u64::from_ne_bytes([b'.'; 8]);
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut end = bytes.len();
    let mut chunks = bytes.rchunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_ne_bytes(chunk.try_into().ok()?) ^ DOTS;
        // A zero byte in `word` is a '.' in the chunk (the classic has-zero-byte test).
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            let start = end.checked_sub(8)?;
            return chunk.iter().rposition(|b| *b == b'.').map(|i| start + i);
        }
        end = end.saturating_sub(8);
    }
    chunks.remainder().iter().rposition(|b| *b == b'.')
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
                    expected: Shape::GeneralOrFlattened,
                });
            }
            if items.is_empty() {
                return Err(Error::RecipientCount {
                    rule: CountRule::NoSignature,
                });
            }
            // Each signature costs a pass over the payload: without a bound, one token within
            // the size limit could cost thousands of them.
            if items.len() > limits.max_signatures {
                return Err(Error::RecipientCount {
                    rule: CountRule::TooManySignatures,
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
                .collect::<Result<Vec<_>, _>>()
                .map(Sigs::Many)?
        }
        Some(_) => {
            return Err(Error::InvalidParameter {
                name: "signatures".into(),
            });
        }
        None => Sigs::One(raw_sig(&mut obj)?),
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
    raw: &RawJws<'_>,
    sig: &RawSig<'_>,
    limits: Limits,
    extra: &[String],
) -> Result<CheckedSig, Error> {
    checked(raw, sig, limits, &|name| {
        name == "b64" || extra.iter().any(|e| e == name)
    })
}

/// As [`check_headers`], with every `crit` extension taken as understood (for inspection).
pub(crate) fn check_headers_lenient(
    raw: &RawJws<'_>,
    sig: &RawSig<'_>,
    limits: Limits,
) -> Result<CheckedSig, Error> {
    checked(raw, sig, limits, &|_| true)
}

/// RFC 7797 §3: all the signatures of a JWS JSON serialization use the same `b64` value, since
/// they sign one payload. Signatures whose headers cannot be read are left to fail on their
/// own; a token with one signature passes at no cost.
///
/// # Errors
/// [`Error::InvalidParameter`] (`b64`) when two signatures disagree.
pub(crate) fn check_same_b64(raw: &RawJws<'_>, limits: Limits) -> Result<(), Error> {
    let Sigs::Many(sigs) = &raw.sigs else {
        return Ok(());
    };
    let mut seen = None;
    for sig in sigs {
        if let Ok(checked) = check_headers_lenient(raw, sig, limits) {
            match seen {
                Some(encoded) if encoded != checked.encoded_payload => {
                    return Err(Error::InvalidParameter { name: "b64".into() });
                }
                _ => seen = Some(checked.encoded_payload),
            }
        }
    }
    Ok(())
}

fn checked(
    raw: &RawJws<'_>,
    sig: &RawSig<'_>,
    limits: Limits,
    understood: &dyn Fn(&str) -> bool,
) -> Result<CheckedSig, Error> {
    let protected = match &sig.protected {
        None => None,
        Some(p) => {
            let bytes = base64url::decode_public(p, Part::Header)?;
            if sig.header.is_none()
                && limits.max_json_depth > 0
                && let Some(header) = flat_header(&bytes)
            {
                // No `crit` (an array is never flat), so `b64` cannot be listed in it.
                if header.b64.is_some() {
                    return Err(Error::InvalidParameter { name: "b64".into() });
                }
                if header.alg.is_empty() {
                    return Err(Error::MissingParameter { name: "alg" });
                }
                return Ok(CheckedSig {
                    header,
                    encoded_payload: true,
                });
            }
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
    let compact_payload = raw.compact_input.and(raw.payload.as_deref());
    if !encoded_payload && compact_payload.is_some_and(|p| p.contains(&b'.')) {
        return Err(Error::Structure {
            expected: Shape::UnencodedPayloadWithoutDot,
        });
    }
    Ok(CheckedSig {
        header,
        encoded_payload,
    })
}

/// The fast path for the common protected header: one flat JSON object whose values are
/// strings without escapes, `true` or `false`. Returns `None` for anything else (nested
/// values, numbers, `null`, escapes, control characters, duplicate or mistyped members,
/// invalid UTF-8 or JSON), which then goes through the strict parser and gets its precise
/// error. What it accepts, it reads exactly as the strict parser and [`JwsHeader::from_object`]
/// would.
fn flat_header(bytes: &[u8]) -> Option<JwsHeader> {
    let text = core::str::from_utf8(bytes).ok()?;
    if text.contains('\\') {
        return None;
    }
    let mut cur = Cursor { text, at: 0 };
    cur.eat(b'{')?;
    let mut header = JwsHeader::default();
    // Member names seen so far (a header with more than 16 members takes the strict path).
    let mut seen: [&str; 16] = [""; 16];
    let mut count = 0;
    if cur.eat(b'}').is_none() {
        loop {
            let name = cur.string()?;
            cur.eat(b':')?;
            let value = match cur.peek()? {
                b'"' => Value::String(cur.string()?.to_owned()),
                b't' => cur.literal("true", Value::Bool(true))?,
                b'f' => cur.literal("false", Value::Bool(false))?,
                _ => return None,
            };
            if seen.get(..count)?.contains(&name) {
                return None;
            }
            *seen.get_mut(count)? = name;
            count += 1;
            let text_value = |v: Value| match v {
                Value::String(s) => Some(s),
                _ => None,
            };
            match name {
                "alg" => header.alg = text_value(value)?,
                "kid" => header.kid = Some(text_value(value)?),
                "typ" => header.typ = Some(text_value(value)?),
                "cty" => header.cty = Some(text_value(value)?),
                "jku" => header.jku = Some(text_value(value)?),
                "x5u" => header.x5u = Some(text_value(value)?),
                "x5t" => header.x5t = Some(text_value(value)?),
                "x5t#S256" => header.x5t_s256 = Some(text_value(value)?),
                "b64" => header.b64 = Some(value.as_bool()?),
                "crit" | "jwk" | "x5c" => return None,
                _ => {
                    header.other.insert(name.to_owned(), value);
                }
            }
            if cur.eat(b',').is_some() {
                continue;
            }
            cur.eat(b'}')?;
            break;
        }
    }
    cur.skip_ws();
    (cur.at == text.len()).then_some(header)
}

/// A position in a JSON text, for [`flat_header`].
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.as_bytes().get(self.at) {
            self.at = self.at.saturating_add(1);
        }
    }

    /// The next byte after whitespace.
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.text.as_bytes().get(self.at).copied()
    }

    /// Consumes `byte` (after whitespace).
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at = self.at.saturating_add(1))
    }

    /// A string without escapes or control characters (after whitespace).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.text.get(self.at..)?;
        let len = rest.find('"')?;
        let s = rest.get(..len)?;
        if s.bytes().any(|b| b < 0x20) {
            return None;
        }
        self.at = self.at.saturating_add(len).saturating_add(1);
        Some(s)
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let rest = self.text.get(self.at..)?;
        if !rest.starts_with(word) {
            return None;
        }
        self.at = self.at.saturating_add(word.len());
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The strict path: strict JSON, then typing.
    fn strict(bytes: &[u8]) -> Option<JwsHeader> {
        json::parse_object(bytes, Part::Header, 8)
            .ok()
            .and_then(|m| JwsHeader::from_object(m).ok())
    }

    #[test]
    fn rfind_dot_finds_the_last_dot() {
        for s in [
            "",
            ".",
            "a",
            "a.b",
            "abcdefghij.klmnopqrstuvwxyz",
            "a.bcdefghijklmnopq",
            "........",
            "abcdefgh.",
            ".abcdefghijklmnop",
        ] {
            assert_eq!(rfind_dot(s.as_bytes()), s.rfind('.'), "{s:?}");
        }
    }

    #[test]
    fn flat_headers_read_as_the_strict_path_reads_them() {
        for ok in [
            r#"{"alg":"HS256"}"#,
            " { \"alg\" : \"ES256\" , \"kid\":\"k\u{e9}\", \"typ\":\"JWT\",\"x\":true,\"y\":false } ",
            r#"{"alg":"RS256","x5t#S256":"a","x5t":"b","x5u":"c","jku":"d","cty":"e","b64":true}"#,
            r#"{}"#,
        ] {
            assert_eq!(flat_header(ok.as_bytes()), strict(ok.as_bytes()), "{ok}");
            assert!(flat_header(ok.as_bytes()).is_some(), "{ok}");
        }
        for other in [
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"alg":"HS\u0032"}"#,
            r#"{"alg":1}"#,
            r#"{"alg":null}"#,
            r#"{"crit":["b64"]}"#,
            r#"{"crit":"b64"}"#,
            r#"{"b64":"x"}"#,
            r#"{"kid":true}"#,
            r#"{"alg":"HS256"} x"#,
            r#"{"alg":"HS256",}"#,
            "{\"alg\":\"a\tb\"}",
            r#"{"alg":"HS256""#,
            r#"{"a":tru}"#,
            "",
        ] {
            assert_eq!(flat_header(other.as_bytes()), None, "{other}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Whatever the fast path accepts, the strict path reads the same way.
        #[test]
        fn the_fast_path_agrees_with_the_strict_path(
            members in prop::collection::vec(
                ("(alg|kid|typ|cty|b64|crit|x5t#S256|jwk|[a-z]{1,3})", r#"("[ -~]{0,6}"|true|false|null|1|\[\])"#),
                0..6,
            ),
            ws in "[ \t\r\n]{0,2}",
        ) {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("{ws}\"{k}\"{ws}:{ws}{v}")).collect();
            let text = format!("{{{}}}{ws}", body.join(","));
            if let Some(fast) = flat_header(text.as_bytes()) {
                prop_assert_eq!(Some(fast), strict(text.as_bytes()), "{}", text);
            }
        }
    }
}
