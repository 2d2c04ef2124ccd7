//! `application/x-www-form-urlencoded` and query strings: percent-decoding into name/value pairs
//! (a repeated name is an error, as OAuth 2.0 §3.1 asks), and percent-encoding for the redirects.

/// The most pairs a query or form may hold.
const MAX_PAIRS: usize = 64;

/// A query or form, decoded: each name once.
#[derive(Debug, Default)]
pub(crate) struct Form {
    pairs: Vec<(String, String)>,
}

/// Why a query or form was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormError {
    /// Bad percent-encoding or UTF-8.
    Encoding,
    /// A parameter given twice.
    Repeated(&'static str),
    /// Too many parameters.
    TooMany,
}

impl Form {
    /// Decodes `input` (`a=b&c=d`, `+` for a space). Only a name in `known` is reported by name
    /// when repeated; any repeated name is refused.
    pub(crate) fn parse(input: &str, known: &[&'static str]) -> Result<Self, FormError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in input.split('&').filter(|p| !p.is_empty()) {
            if pairs.len() == MAX_PAIRS {
                return Err(FormError::TooMany);
            }
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = decode(name)?;
            let value = decode(value)?;
            if pairs.iter().any(|(n, _)| *n == name) {
                let shown = known.iter().find(|k| **k == name).copied().unwrap_or("?");
                return Err(FormError::Repeated(shown));
            }
            pairs.push((name, value));
        }
        Ok(Self { pairs })
    }

    /// The value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decodes one component, `+` as a space.
fn decode(s: &str) -> Result<String, FormError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|c| hex(*c));
                let lo = bytes.get(i + 2).and_then(|c| hex(*c));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(FormError::Encoding);
                };
                out.push(hi << 4 | lo);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::Encoding)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes `s` for a query component (everything but the RFC 3986 unreserved set).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `name=value&...`, encoded.
pub(crate) fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `s` with the five HTML special characters escaped, for the interactive page.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_repeats() {
        let f = Form::parse("a=b%20c&d=%2B+x&e", &["a"]).unwrap();
        assert_eq!(f.get("a"), Some("b c"));
        assert_eq!(f.get("d"), Some("+ x"));
        assert_eq!(f.get("e"), Some(""));
        assert_eq!(
            Form::parse("a=1&a=2", &["a"]).unwrap_err(),
            FormError::Repeated("a")
        );
        assert_eq!(Form::parse("a=%zz", &[]).unwrap_err(), FormError::Encoding);
        assert_eq!(Form::parse("a=%C3", &[]).unwrap_err(), FormError::Encoding);
        assert_eq!(encode("a b/é"), "a%20b%2F%C3%A9");
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
