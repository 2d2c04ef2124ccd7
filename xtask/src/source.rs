//! Just enough Rust lexing for tidy: blank out comments and literals, drop `#[cfg(test)]` items.
//!
//! Both functions keep every newline in place, so a byte's line number is the same in the output
//! as in the input and problems can be reported as `path:line`.

/// Returns `src` with every comment and the contents of every string and char literal replaced by
/// spaces (newlines kept). What is left is code: a banned call found in it is a real call, not a
/// word in a doc comment or an error message.
pub(crate) fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while let Some(&c) = chars.get(i) {
                if c == '\n' {
                    break;
                }
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0usize;
            while let Some(&c) = chars.get(i) {
                let next = chars.get(i + 1).copied();
                if c == '/' && next == Some('*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c == '*' && next == Some('/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c));
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"..." / r#"..."# (also after a b or c prefix, which was already copied).
            let open = 1 + hashes + 1;
            out.extend(std::iter::repeat_n(' ', open));
            i += open;
            while let Some(&c) = chars.get(i) {
                if c == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    out.extend(std::iter::repeat_n(' ', 1 + hashes));
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(c));
                i += 1;
            }
        } else if c == '"' {
            out.push('"');
            i += 1;
            while let Some(&c) = chars.get(i) {
                if c == '\\' {
                    out.push(' ');
                    if let Some(&escaped) = chars.get(i + 1) {
                        out.push(blank(escaped));
                    }
                    i += 2;
                } else if c == '"' {
                    out.push('"');
                    i += 1;
                    break;
                } else {
                    out.push(blank(c));
                    i += 1;
                }
            }
        } else if c == '\'' && is_char_literal(&chars, i) {
            out.push('\'');
            i += 1;
            while let Some(&c) = chars.get(i) {
                if c == '\\' {
                    out.push_str("  ");
                    i += 2;
                } else if c == '\'' {
                    out.push('\'');
                    i += 1;
                    break;
                } else {
                    out.push(blank(c));
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At `i`, an `r` that opens a raw string literal: returns its number of `#`s.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i) != Some(&'r') {
        return None;
    }
    // The `r` must start a token, possibly after a `b` or `c` prefix that itself starts one.
    let starts_token = |at: usize| at == 0 || chars.get(at - 1).is_none_or(|&p| !is_ident(p));
    let prefixed = i > 0 && matches!(chars.get(i - 1), Some('b' | 'c')) && starts_token(i - 1);
    if !starts_token(i) && !prefixed {
        return None;
    }
    let hashes = chars.iter().skip(i + 1).take_while(|&&c| c == '#').count();
    (chars.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// At `i`, a `'` that opens a char literal rather than a lifetime or label.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        Some('\\') => true,
        Some(_) => chars.get(i + 2) == Some(&'\''),
        None => false,
    }
}

pub(crate) fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Blanks every test-only item in `code`, which must already have gone through [`code_only`]:
/// an item under `#[cfg(test)]` or `#[cfg(all(test, ..))]` (with the attributes that follow it),
/// such as a `mod tests { .. }` at the bottom of a file, a `mod tests;` that points at a sibling
/// `tests.rs`, or a test-only helper.
pub(crate) fn without_test_items(code: &str) -> String {
    let mark: Vec<char> = "#[cfg(".chars().collect();
    let mut out: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < out.len() {
        if out.get(i..i + mark.len()) != Some(mark.as_slice()) {
            i += 1;
            continue;
        }
        let open = i + mark.len();
        let Some(close) = matching_paren(&out, open) else {
            break;
        };
        let predicate: String = out.get(open..close).unwrap_or_default().iter().collect();
        if !is_test_only(&predicate) {
            i = close;
            continue;
        }
        let end = item_end(&out, close);
        for c in out.iter_mut().take(end).skip(i) {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
    out.into_iter().collect()
}

/// The index of the `)` that closes a parenthesis opened just before `open`.
fn matching_paren(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 1usize;
    for (k, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a `cfg` predicate holds only in test builds: `test`, or `all(.., test, ..)`.
fn is_test_only(predicate: &str) -> bool {
    let p: String = predicate.chars().filter(|c| !c.is_whitespace()).collect();
    if p == "test" {
        return true;
    }
    let Some(inner) = p.strip_prefix("all(").and_then(|r| r.strip_suffix(')')) else {
        return false;
    };
    let mut depth = 0usize;
    let mut start = 0;
    let mut args = Vec::new();
    for (k, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(&inner[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    args.push(&inner[start..]);
    args.contains(&"test")
}

/// The index just past the item that starts at or after `i`: past further attributes, then up to
/// the first `;` outside braces, or the `}` that closes the item's first `{`.
fn item_end(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0usize;
    let mut brackets = 0usize;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '[' => brackets += 1,
            ']' => brackets = brackets.saturating_sub(1),
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            ';' if depth == 0 && brackets == 0 => return i,
            _ => {}
        }
    }
    i
}

/// The 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text.get(..at)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_only_predicates() {
        assert!(is_test_only("test"));
        assert!(is_test_only(" all( test , feature = \"aws-lc\" ) "));
        assert!(is_test_only("all(feature = \"aws-lc\", test)"));
        assert!(!is_test_only("any(test, feature = \"x\")"));
        assert!(!is_test_only("not(test)"));
        assert!(!is_test_only("all(not(test), unix)"));
        assert!(!is_test_only("feature = \"test\""));
    }

    #[test]
    fn comments_and_literals_are_blanked() {
        let src = "let a = \"unwrap()\"; // x.unwrap()\n/* dbg!(1) /* nested */ */ f('\"', 'a);";
        let code = code_only(src);
        assert_eq!(code.chars().count(), src.chars().count());
        assert_eq!(code.lines().count(), 2);
        assert!(!code.contains("unwrap"));
        assert!(!code.contains("dbg"));
        assert!(code.contains("let a = \""));
        assert!(code.ends_with("f(' ', 'a);"));
    }

    #[test]
    fn raw_strings_and_lifetimes() {
        let src =
            "fn f<'a>(x: &'a str) { let s = r#\"a \"println!\" b\"#; br\"x\".len(); x.unwrap() }";
        let code = code_only(src);
        assert!(!code.contains("println"));
        assert!(code.contains("x.unwrap()"));
        assert!(code.contains("fn f<'a>(x: &'a str)"));
        assert!(code.contains(".len()"));
    }

    #[test]
    fn escapes_do_not_end_a_string() {
        let code = code_only(r#"let s = "a\"b.unwrap()"; c.expect("x")"#);
        assert!(!code.contains("unwrap"));
        assert!(code.contains("c.expect("));
    }

    #[test]
    fn test_items_are_dropped() {
        let src = "\
fn lib() { ok() }

#[cfg(test)]
#[allow(clippy::x)]
mod tests {
    fn t() { x.unwrap(); { nested } }
}
#[cfg(test)]
mod more;
fn after() { y.unwrap() }
#[cfg(all(test, feature = \"x\"))]
mod gated { fn t() { z.unwrap() } }
#[cfg(any(test, feature = \"x\"))]
fn shared() { w.unwrap() }
#[cfg(not(test))]
fn real() { v.unwrap() }
";
        let code = without_test_items(&code_only(src));
        assert_eq!(code.lines().count(), src.lines().count());
        assert_eq!(code.matches("unwrap").count(), 3);
        assert!(
            code.contains("y.unwrap") && code.contains("w.unwrap") && code.contains("v.unwrap")
        );
        assert!(code.contains("fn lib()"));
        assert!(!code.contains("mod more"));
        assert_eq!(line_of(&code, code.find("y.unwrap").unwrap_or(0)), 10);
    }
}
