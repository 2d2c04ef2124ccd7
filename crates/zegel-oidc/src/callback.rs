//! The callback: the redirect back from the provider (Core §3.1.2.5, §3.1.2.6; RFC 9207).
//!
//! [`parse`] reads the redirect URL the browser brought back and returns the authorization
//! code, or a typed error. Nothing else happens before `state` matches: the parameters are
//! read (a repeated one is refused, since two values make the check ambiguous), then `state` is
//! compared with the pending login's in constant time; only then are the age of the pending
//! login, the `redirect_uri`, `iss` and `code`/`error` looked at. A refused callback makes no
//! request at all.

use core::fmt;
use core::time::Duration;

use subtle::ConstantTimeEq;
use url::Url;
use zegel_jwt::UnixTime;
use zeroize::Zeroizing;

use crate::error::{CallbackError, Error};
use crate::pending::PendingLogin;

/// The default maximum age of a pending login.
pub const DEFAULT_MAX_PENDING_AGE: Duration = Duration::from_secs(600);

/// The parameters the callback may carry, each at most once.
const PARAMS: [&str; 6] = [
    "code",
    "state",
    "error",
    "error_description",
    "error_uri",
    "iss",
];

/// An authorization code: redacted in `Debug`, zeroized on drop.
#[derive(Clone)]
pub struct AuthorizationCode(Zeroizing<String>);

impl AuthorizationCode {
    /// The code.
    ///
    /// # Security
    /// It can be exchanged for tokens: do not log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationCode([redacted])")
    }
}

/// What the callback is checked against.
#[derive(Clone, Copy, Debug)]
pub struct CallbackCheck<'a> {
    /// The provider's issuer.
    pub issuer: &'a str,
    /// Whether the provider says it sends `iss` (RFC 9207
    /// `authorization_response_iss_parameter_supported`): then it must be there.
    pub iss_required: bool,
    /// The maximum age of the pending login.
    pub max_age: Duration,
    /// Now.
    pub now: UnixTime,
}

/// Only the first step of [`parse`]: the parameters read (a repeated one refused) and `state`
/// compared with `pending`'s in constant time. For a caller that must refuse a stray callback
/// before any other work, even before discovery (a command line that starts cold).
///
/// # Errors
/// [`CallbackError::MalformedUrl`], [`CallbackError::RepeatedParameter`],
/// [`CallbackError::MissingState`], [`CallbackError::StateMismatch`].
pub fn check_state(callback_url: &str, pending: &PendingLogin) -> Result<(), Error> {
    let url = Url::parse(callback_url).map_err(|_| CallbackError::MalformedUrl)?;
    let mut state: Option<Zeroizing<String>> = None;
    let mut seen = std::collections::BTreeSet::new();
    for (name, value) in url.query_pairs() {
        if !seen.insert(name.clone().into_owned()) {
            let name = PARAMS
                .iter()
                .find(|p| **p == name)
                .copied()
                .unwrap_or("(other)");
            return Err(CallbackError::RepeatedParameter { name }.into());
        }
        if name == "state" {
            state = Some(Zeroizing::new(value.into_owned()));
        }
    }
    let state = state.ok_or(CallbackError::MissingState)?;
    if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return Err(CallbackError::StateMismatch.into());
    }
    Ok(())
}

/// Parses and checks the callback URL against `pending`; returns the authorization code.
///
/// # Errors
/// [`Error::Callback`] with the reason ([`CallbackError::StateMismatch`], ...);
/// [`Error::Authorization`] for an `error=` response whose `state` (and `iss`) matched.
pub fn parse(
    callback_url: &str,
    pending: &PendingLogin,
    check: &CallbackCheck<'_>,
) -> Result<AuthorizationCode, Error> {
    let url = Url::parse(callback_url).map_err(|_| CallbackError::MalformedUrl)?;
    let mut found: [Option<Zeroizing<String>>; 6] = Default::default();
    let mut seen = std::collections::BTreeSet::new();
    for (name, value) in url.query_pairs() {
        if let Some(i) = PARAMS.iter().position(|p| *p == name) {
            if found[i].is_some() {
                return Err(CallbackError::RepeatedParameter { name: PARAMS[i] }.into());
            }
            found[i] = Some(Zeroizing::new(value.into_owned()));
        } else if !seen.insert(name.into_owned()) {
            return Err(CallbackError::RepeatedParameter { name: "(other)" }.into());
        }
    }
    let [code, state, error, description, error_uri, iss] = found;

    // state first, in constant time.
    let state = state.ok_or(CallbackError::MissingState)?;
    if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return Err(CallbackError::StateMismatch.into());
    }
    if pending.is_older_than(check.max_age, check.now) {
        return Err(CallbackError::Expired.into());
    }
    let expected =
        Url::parse(&pending.redirect_uri).map_err(|_| CallbackError::WrongRedirectUri)?;
    if url.scheme() != expected.scheme()
        || url.host() != expected.host()
        || url.port_or_known_default() != expected.port_or_known_default()
        || url.path() != expected.path()
    {
        return Err(CallbackError::WrongRedirectUri.into());
    }
    match iss {
        Some(iss) if iss.as_str() != check.issuer => {
            return Err(CallbackError::WrongIssuer.into());
        }
        None if check.iss_required => return Err(CallbackError::MissingIssuer.into()),
        _ => {}
    }
    match (code, error) {
        (Some(_), Some(_)) => Err(CallbackError::CodeAndError.into()),
        (None, None) => Err(CallbackError::MissingCode.into()),
        (None, Some(error)) => Err(Error::Authorization {
            error: error.to_string(),
            description: description.map(|d| d.to_string()),
            uri: error_uri.map(|u| u.to_string()),
        }),
        (Some(code), None) if code.is_empty() => Err(CallbackError::MissingCode.into()),
        (Some(code), None) => Ok(AuthorizationCode(code)),
    }
}

#[cfg(test)]
impl AuthorizationCode {
    pub(crate) fn for_tests(code: &str) -> Self {
        Self(Zeroizing::new(code.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> PendingLogin {
        PendingLogin {
            state: "S".into(),
            nonce: "N".into(),
            code_verifier: None,
            redirect_uri: "https://rp.example/cb".into(),
            max_age: None,
            acr_values: Vec::new(),
            acr_essential: false,
            created_at: 1000,
        }
    }

    const CHECK: CallbackCheck<'static> = CallbackCheck {
        issuer: "https://op.example",
        iss_required: false,
        max_age: DEFAULT_MAX_PENDING_AGE,
        now: UnixTime::from_secs(1100),
    };

    fn run(query: &str, check: &CallbackCheck<'_>) -> Result<AuthorizationCode, Error> {
        parse(&format!("https://rp.example/cb?{query}"), &pending(), check)
    }

    #[test]
    fn check_state_alone() {
        let check = |q: &str| check_state(&format!("https://rp.example/cb?{q}"), &pending());
        assert!(check("code=c&state=S").is_ok());
        assert!(check("error=access_denied&state=S").is_ok());
        for (q, want) in [
            ("code=c&state=T", CallbackError::StateMismatch),
            ("code=c", CallbackError::MissingState),
            (
                "state=S&state=S",
                CallbackError::RepeatedParameter { name: "state" },
            ),
        ] {
            assert!(
                matches!(check(q), Err(Error::Callback(e)) if e == want),
                "{q}"
            );
        }
        assert!(matches!(
            check_state("not a url", &pending()),
            Err(Error::Callback(CallbackError::MalformedUrl))
        ));
    }

    fn refused(query: &str) -> CallbackError {
        match run(query, &CHECK) {
            Err(Error::Callback(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn accepts_code() {
        let code = run("code=C&state=S", &CHECK).unwrap();
        assert_eq!(code.expose_secret(), "C");
        assert_eq!(format!("{code:?}"), "AuthorizationCode([redacted])");
        let with_iss = run(
            "code=C&state=S&iss=https%3A%2F%2Fop.example",
            &CallbackCheck {
                iss_required: true,
                ..CHECK
            },
        );
        assert_eq!(with_iss.unwrap().expose_secret(), "C");
    }

    #[test]
    fn refuses_state_problems_first() {
        assert_eq!(refused("code=C"), CallbackError::MissingState);
        assert_eq!(refused("code=C&state=T"), CallbackError::StateMismatch);
        // A wrong state is reported even when everything else is wrong too.
        assert_eq!(
            refused("code=C&error=x&state=T&iss=evil"),
            CallbackError::StateMismatch
        );
        assert_eq!(
            refused("code=C&state=S&state=S"),
            CallbackError::RepeatedParameter { name: "state" }
        );
        assert_eq!(
            refused("code=C&code=D&state=S"),
            CallbackError::RepeatedParameter { name: "code" }
        );
        assert_eq!(
            refused("x=1&x=2&code=C&state=S"),
            CallbackError::RepeatedParameter { name: "(other)" }
        );
    }

    #[test]
    fn refuses_after_state() {
        assert_eq!(
            refused("code=C&error=access_denied&state=S"),
            CallbackError::CodeAndError
        );
        assert_eq!(refused("state=S"), CallbackError::MissingCode);
        assert_eq!(refused("code=&state=S"), CallbackError::MissingCode);
        assert_eq!(
            refused("code=C&state=S&iss=https%3A%2F%2Fother.example"),
            CallbackError::WrongIssuer
        );
        assert!(matches!(
            run(
                "code=C&state=S",
                &CallbackCheck {
                    iss_required: true,
                    ..CHECK
                }
            ),
            Err(Error::Callback(CallbackError::MissingIssuer))
        ));
        assert!(matches!(
            run(
                "code=C&state=S",
                &CallbackCheck {
                    now: UnixTime::from_secs(1601),
                    ..CHECK
                }
            ),
            Err(Error::Callback(CallbackError::Expired))
        ));
        assert!(matches!(
            parse(
                "https://rp.example/other?code=C&state=S",
                &pending(),
                &CHECK
            ),
            Err(Error::Callback(CallbackError::WrongRedirectUri))
        ));
        assert!(matches!(
            parse("::", &pending(), &CHECK),
            Err(Error::Callback(CallbackError::MalformedUrl))
        ));
    }

    #[test]
    fn error_responses_are_typed() {
        match run(
            "error=access_denied&error_description=no&error_uri=https%3A%2F%2Fx&state=S",
            &CHECK,
        ) {
            Err(Error::Authorization {
                error,
                description,
                uri,
            }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("no"));
                assert_eq!(uri.as_deref(), Some("https://x"));
            }
            other => panic!("{other:?}"),
        }
    }
}
