//! The small URL checks the itsme® rules need: scheme, host, port, fragment, without a URL
//! library. A value that passes is kept exactly as written, because itsme® compares redirect
//! URIs character for character (`_OIDC/chapters/authorization_request.md`, `redirect_uri`).

/// Why a URL was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlProblem {
    /// The value is empty.
    Empty,
    /// Not an absolute `https://` (or `http://`) URL with a host, or it holds spaces, control
    /// characters, user information (`user@host`) or a port that is not a number.
    Malformed,
    /// The scheme is not `https`, and `http` is allowed only to a loopback address with
    /// `allow_insecure_loopback`.
    NotHttps,
    /// `http` to a host that is not `127.0.0.1` or `[::1]`: the loopback exception does not
    /// cover it.
    NotLoopback,
    /// The URL has a fragment (`#...`), which a redirect URI must not have.
    Fragment,
    /// A discovery URL that does not end with `/.well-known/openid-configuration`, or has a
    /// query.
    NotDiscoveryUrl,
}

impl UrlProblem {
    /// A short, stable code (`url.not_https`, ...).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "url.empty",
            Self::Malformed => "url.malformed",
            Self::NotHttps => "url.not_https",
            Self::NotLoopback => "url.not_loopback",
            Self::Fragment => "url.fragment",
            Self::NotDiscoveryUrl => "url.not_discovery_url",
        }
    }

    /// A lowercase phrase saying what is wrong.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Empty => "it is empty",
            Self::Malformed => "it is not an absolute URL with a host",
            Self::NotHttps => {
                "it must use https (http is allowed only to 127.0.0.1 or [::1] with allow_insecure_loopback)"
            }
            Self::NotLoopback => {
                "http is allowed only to 127.0.0.1 or [::1] (allow_insecure_loopback)"
            }
            Self::Fragment => "it must not have a fragment (#...)",
            Self::NotDiscoveryUrl => {
                "it must end with /.well-known/openid-configuration and have no query"
            }
        }
    }
}

/// The suffix of a discovery URL (OpenID Connect Discovery 1.0 §4).
pub(crate) const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// Checks an `https` URL (or `http` to a loopback address when `allow_insecure_loopback`):
/// absolute, with a host, no user information, no whitespace or control characters, no
/// fragment.
pub(crate) fn check_url(value: &str, allow_insecure_loopback: bool) -> Result<(), UrlProblem> {
    if value.is_empty() {
        return Err(UrlProblem::Empty);
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlProblem::Malformed);
    }
    let (secure, rest) = if let Some(rest) = value.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = value.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(UrlProblem::NotHttps);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty() || authority.contains('@') {
        return Err(UrlProblem::Malformed);
    }
    let host = host_of(authority)?;
    if value.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    if !secure {
        if !allow_insecure_loopback {
            return Err(UrlProblem::NotHttps);
        }
        if host != "127.0.0.1" && host != "[::1]" {
            return Err(UrlProblem::NotLoopback);
        }
    }
    Ok(())
}

/// The host of an authority (`host[:port]` or `[v6][:port]`), with a numeric port checked.
fn host_of(authority: &str) -> Result<&str, UrlProblem> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']').ok_or(UrlProblem::Malformed)?;
        let (host, after) = authority.split_at(close + 1);
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(after.strip_prefix(':').ok_or(UrlProblem::Malformed)?),
            ),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err(UrlProblem::Malformed);
    }
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(UrlProblem::Malformed);
    }
    Ok(host)
}

/// Checks a discovery URL: [`check_url`], then the well-known suffix and no query.
pub(crate) fn check_discovery_url(
    value: &str,
    allow_insecure_loopback: bool,
) -> Result<(), UrlProblem> {
    check_url(value, allow_insecure_loopback)?;
    if value.contains('?') || !value.ends_with(WELL_KNOWN) {
        return Err(UrlProblem::NotDiscoveryUrl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_pass_as_written() {
        for ok in [
            "https://app.example.com/itsme/callback",
            "https://app.example.com:8443/cb?x=1",
            "https://[2001:db8::1]/cb",
            "https://app.example.com",
        ] {
            assert_eq!(check_url(ok, false), Ok(()), "{ok}");
        }
    }

    #[test]
    fn bad_urls_are_refused_with_their_reason() {
        let cases = [
            ("", UrlProblem::Empty),
            ("app.example.com/cb", UrlProblem::NotHttps),
            ("ftp://app.example.com/cb", UrlProblem::NotHttps),
            ("https:///cb", UrlProblem::Malformed),
            ("https://user@app.example.com/cb", UrlProblem::Malformed),
            ("https://app.example.com:x/cb", UrlProblem::Malformed),
            ("https://app.example.com:/cb", UrlProblem::Malformed),
            ("https://[::1/cb", UrlProblem::Malformed),
            ("https://app.example.com/c b", UrlProblem::Malformed),
            ("https://app.example.com/cb#frag", UrlProblem::Fragment),
            ("https://app.example.com/cb#", UrlProblem::Fragment),
            ("http://app.example.com/cb", UrlProblem::NotHttps),
        ];
        for (url, problem) in cases {
            assert_eq!(check_url(url, false), Err(problem), "{url:?}");
        }
    }

    #[test]
    fn http_only_to_loopback_and_only_when_allowed() {
        assert_eq!(check_url("http://127.0.0.1:4000/cb", true), Ok(()));
        assert_eq!(check_url("http://[::1]:4000/cb", true), Ok(()));
        assert_eq!(check_url("http://[::1]/cb", true), Ok(()));
        assert_eq!(
            check_url("http://127.0.0.1:4000/cb", false),
            Err(UrlProblem::NotHttps)
        );
        assert_eq!(
            check_url("http://localhost:4000/cb", true),
            Err(UrlProblem::NotLoopback)
        );
        assert_eq!(
            check_url("http://127.0.0.2/cb", true),
            Err(UrlProblem::NotLoopback)
        );
        assert_eq!(
            check_url("http://127.0.0.1.evil.example/cb", true),
            Err(UrlProblem::NotLoopback)
        );
    }

    #[test]
    fn discovery_urls_end_with_the_well_known_path() {
        assert_eq!(
            check_discovery_url(
                "https://idp.e2e.itsme.services/v2/.well-known/openid-configuration",
                false
            ),
            Ok(())
        );
        assert_eq!(
            check_discovery_url(
                "http://127.0.0.1:4000/.well-known/openid-configuration",
                true
            ),
            Ok(())
        );
        assert_eq!(
            check_discovery_url("https://idp.example/v2", false),
            Err(UrlProblem::NotDiscoveryUrl)
        );
        assert_eq!(
            check_discovery_url(
                "https://idp.example/.well-known/openid-configuration?x=1",
                false
            ),
            Err(UrlProblem::NotDiscoveryUrl)
        );
    }

    #[test]
    fn every_problem_has_a_distinct_code() {
        let all = [
            UrlProblem::Empty,
            UrlProblem::Malformed,
            UrlProblem::NotHttps,
            UrlProblem::NotLoopback,
            UrlProblem::Fragment,
            UrlProblem::NotDiscoveryUrl,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|p| !p.describe().is_empty()));
    }
}
