//! [`Validation`]: what a JWT must satisfy, built once and reused for every token.
//!
//! The rules follow RFC 7519 §4.1 and RFC 8725 §3, and mean what they look like:
//!
//! - There is no `Default`: [`Validation::new`] takes the accepted signature algorithms, the
//!   one input every verification needs.
//! - Setting an expectation makes the claim required: [`issuer`](Validation::issuer),
//!   [`subject`](Validation::subject), [`audience`](Validation::audience) and
//!   [`max_age`](Validation::max_age) (which requires `iat`). [`require`](Validation::require)
//!   covers the rest.
//! - `exp` is required unless [`dangerous_without_exp`](Validation::dangerous_without_exp)
//!   waives it; a present `exp`, `nbf` or `iat` is always checked.
//! - A token with an `aud` claim is refused when no audience is expected
//!   ([`Error::UnexpectedAudience`]): RFC 7519 §4.1.3 says a principal that does not identify
//!   itself with a value in `aud` MUST reject the token, and a validation that expects no
//!   audience identifies with none. There is no switch to turn this off; expect the audience.
//! - Times are compared exactly, to the nanosecond, with a leeway for clock skew (30 s unless
//!   set): valid while `now < exp + leeway`, from `nbf - leeway`, and `iat` no later than
//!   `now + leeway`. The clock is the caller's `now` argument.

use core::time::Duration;

use crate::claims::{Claim, Claims};
use crate::error::Error;
use crate::time::UnixTime;
use zegel_jose::jws::{JwsAlgorithm, Verifier};

/// The default leeway for clock skew.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// What a JWT must satisfy: accepted algorithms, expected `typ`, issuer, subject and audiences,
/// required claims, the leeway and the maximum age.
///
/// Build it once (at start-up, from configuration) and share it: checking a token never
/// changes it.
///
/// ```
/// # use core::time::Duration;
/// use zegel_jwt::{Claims, Error, UnixTime, Validation};
/// use zegel_jose::jws::RS256;
///
/// let validation = Validation::new(&[&RS256])
///     .issuer("https://idp.prd.itsme.services/v2")
///     .audience("my-client-id")
///     .max_age(Duration::from_secs(600));
///
/// let claims: Claims = Claims::from_json(br#"{"iss":"https://idp.prd.itsme.services/v2",
///     "aud":"my-client-id","iat":1700000000,"exp":1700000600}"#)?;
/// validation.validate(&claims, UnixTime::from_secs(1_700_000_100))?;
/// assert!(matches!(
///     validation.validate(&claims, UnixTime::from_secs(1_700_000_630)),
///     Err(Error::Expired { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Validation {
    algorithms: Vec<&'static JwsAlgorithm>,
    /// The JWS verifier for `algorithms`, built once.
    pub(crate) verifier: Verifier,
    issuer: Option<String>,
    subject: Option<String>,
    audiences: Vec<String>,
    /// Bits of [`Claim::bit`] required beyond those the expectations imply.
    required: u8,
    exp_waived: bool,
    leeway: Duration,
    max_age: Option<Duration>,
    typ: Option<String>,
}

impl Validation {
    /// A validation accepting signatures made with one of `algorithms` (RFC 8725 §3.1), and
    /// requiring `exp`, with a leeway of [`DEFAULT_LEEWAY`]. No issuer, subject or audience is
    /// expected yet, so a token with an `aud` claim is refused until
    /// [`audience`](Self::audience) is set.
    #[must_use]
    pub fn new(algorithms: &[&'static JwsAlgorithm]) -> Self {
        Self {
            algorithms: algorithms.to_vec(),
            verifier: Verifier::new(algorithms),
            issuer: None,
            subject: None,
            audiences: Vec::new(),
            required: 0,
            exp_waived: false,
            leeway: DEFAULT_LEEWAY,
            max_age: None,
            typ: None,
        }
    }

    /// A validation whose signatures are checked by `verifier`, configured by the caller: its
    /// limits (token size, JSON depth), the `crit` extensions it understands, and its accepted
    /// algorithms, which [`algorithms`](Self::algorithms) then reports (empty for
    /// [`Verifier::for_key_alg`], which accepts each key's own `alg`). Otherwise as
    /// [`new`](Self::new).
    ///
    /// ```
    /// use zegel_jose::jws::{self, Verifier};
    /// use zegel_jwt::Validation;
    ///
    /// let verifier = Verifier::new(&[&jws::ES256]).with_max_token_len(8 * 1024);
    /// let validation = Validation::from_verifier(verifier).issuer("https://op.example");
    /// assert_eq!(validation.algorithms(), [&jws::ES256]);
    /// ```
    ///
    /// # Security
    /// A detached payload set on `verifier` would stand in for every token's payload: a JWT
    /// always carries its own, so do not set one.
    #[must_use]
    pub fn from_verifier(verifier: Verifier) -> Self {
        let algorithms = verifier.algorithms().unwrap_or_default().to_vec();
        Self {
            verifier,
            ..Self::new(&algorithms)
        }
    }

    /// Expects `iss` to be exactly `issuer` (which makes `iss` required; RFC 8725 §3.8).
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Expects `sub` to be exactly `subject` (which makes `sub` required).
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Accepts tokens for `audience`; call again to accept several (any one suffices). Makes
    /// `aud` required (RFC 8725 §3.9).
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Requires the registered claim `claim` to be present.
    #[must_use]
    pub fn require(mut self, claim: Claim) -> Self {
        self.required |= claim.bit();
        self
    }

    /// Accepts tokens without `exp` (a present `exp` is still checked).
    ///
    /// # Security
    /// A token without `exp` never expires: a stolen one works forever. Use only for tokens
    /// whose lifetime is bounded some other way ([`max_age`](Self::max_age), one-time `jti`).
    #[must_use]
    pub fn dangerous_without_exp(mut self) -> Self {
        self.exp_waived = true;
        self
    }

    /// The clock skew allowed on `exp`, `nbf`, `iat` and `max_age` (default 30 s).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Refuses tokens issued more than `max_age` ago (plus the leeway); makes `iat` required.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Requires the `typ` header parameter to be `typ` (explicit typing, RFC 8725 §3.11), for
    /// example `JWT`, `at+jwt`, `logout+jwt`. Compared as a media type: case-insensitively, with
    /// `application/` implied when there is no `/` (RFC 7515 §4.1.9). Without this, any `typ`
    /// (or none) is accepted.
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// The accepted signature algorithms.
    #[must_use]
    pub fn algorithms(&self) -> &[&'static JwsAlgorithm] {
        &self.algorithms
    }

    /// The registered claims this validation requires, in RFC 7519 order.
    #[must_use]
    pub fn required_claims(&self) -> Vec<Claim> {
        let bits = self.required_bits();
        Claim::ALL
            .into_iter()
            .filter(|c| bits & c.bit() != 0)
            .collect()
    }

    fn required_bits(&self) -> u8 {
        let mut bits = self.required;
        if !self.exp_waived {
            bits |= Claim::Exp.bit();
        }
        if self.issuer.is_some() {
            bits |= Claim::Iss.bit();
        }
        if self.subject.is_some() {
            bits |= Claim::Sub.bit();
        }
        if !self.audiences.is_empty() {
            bits |= Claim::Aud.bit();
        }
        if self.max_age.is_some() {
            bits |= Claim::Iat.bit();
        }
        bits
    }

    /// Checks `claims` at time `now`: required claims, issuer, subject, audience, then `exp`,
    /// `nbf`, `iat` and the maximum age. The first failure is returned.
    ///
    /// This checks claims only: [`verify`](crate::verify) and [`open`](crate::open) call it
    /// after the signature and `typ` checks, and are the way to get claims worth checking.
    ///
    /// # Errors
    /// [`Error::MissingClaim`], [`Error::WrongIssuer`], [`Error::WrongSubject`],
    /// [`Error::WrongAudience`], [`Error::UnexpectedAudience`], [`Error::Expired`],
    /// [`Error::NotYetValid`], [`Error::IssuedInFuture`], [`Error::TooOld`].
    pub fn validate<T>(&self, claims: &Claims<T>, now: UnixTime) -> Result<(), Error> {
        let bits = self.required_bits();
        if let Some(missing) = Claim::ALL
            .into_iter()
            .find(|c| bits & c.bit() != 0 && !claims.has(*c))
        {
            return Err(Error::MissingClaim {
                name: missing.name(),
            });
        }
        if let (Some(expected), Some(found)) = (&self.issuer, &claims.iss)
            && expected != found
        {
            return Err(Error::WrongIssuer {
                expected: expected.clone(),
                found: found.clone(),
            });
        }
        if let (Some(expected), Some(found)) = (&self.subject, &claims.sub)
            && expected != found
        {
            return Err(Error::WrongSubject {
                expected: expected.clone(),
                found: found.clone(),
            });
        }
        if let Some(aud) = &claims.aud {
            if self.audiences.is_empty() {
                return Err(Error::UnexpectedAudience {
                    found: aud.as_slice().to_vec(),
                });
            }
            if !self.audiences.iter().any(|a| aud.contains(a)) {
                return Err(Error::WrongAudience {
                    expected: self.audiences.clone(),
                    found: aud.as_slice().to_vec(),
                });
            }
        }
        self.check_times(claims, now)
    }

    fn check_times<T>(&self, claims: &Claims<T>, now: UnixTime) -> Result<(), Error> {
        // All in i128 nanoseconds: |dates| < 2^63 s and durations < 2^64 s, both times 1e9,
        // stay far below 2^127, so no sum or difference here can overflow.
        let now_n = i128::from(now.as_secs()) * NANOS_PER_SEC;
        let leeway = nanos(self.leeway);
        if let Some(exp) = claims.exp
            && now_n >= exp.as_nanos() + leeway
        {
            return Err(Error::Expired { exp, now });
        }
        if let Some(nbf) = claims.nbf
            && nbf.as_nanos() > now_n + leeway
        {
            return Err(Error::NotYetValid { nbf, now });
        }
        if let Some(iat) = claims.iat {
            if iat.as_nanos() > now_n + leeway {
                return Err(Error::IssuedInFuture { iat, now });
            }
            if let Some(max_age) = self.max_age
                && now_n - iat.as_nanos() > nanos(max_age) + leeway
            {
                return Err(Error::TooOld { iat, max_age, now });
            }
        }
        Ok(())
    }

    /// Checks the `typ` header parameter against the expected type, if one is set.
    pub(crate) fn check_typ(&self, found: Option<&str>) -> Result<(), Error> {
        let Some(expected) = &self.typ else {
            return Ok(());
        };
        match found {
            Some(found) if media_type_eq(expected, found) => Ok(()),
            _ => Err(Error::WrongType {
                expected: expected.clone(),
                found: found.map(str::to_owned),
            }),
        }
    }
}

/// Compares media types as RFC 7515 §4.1.9 and §4.1.10 say: case-insensitively, with
/// `application/` implied when there is no `/`.
pub(crate) fn media_type_eq(a: &str, b: &str) -> bool {
    fn essence(s: &str) -> (&str, &str) {
        s.split_once('/').unwrap_or(("application", s))
    }
    let ((ta, sa), (tb, sb)) = (essence(a), essence(b));
    ta.eq_ignore_ascii_case(tb) && sa.eq_ignore_ascii_case(sb)
}

/// A duration in nanoseconds; `Duration::MAX` is about 1.8e28 ns, which fits.
fn nanos(d: Duration) -> i128 {
    i128::try_from(d.as_nanos()).unwrap_or(i128::MAX / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric_date::NumericDate;

    #[test]
    fn media_types() {
        assert!(media_type_eq("JWT", "jwt"));
        assert!(media_type_eq("at+jwt", "application/AT+JWT"));
        assert!(!media_type_eq("at+jwt", "jwt"));
        assert!(!media_type_eq("jwt", "text/jwt"));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let v = Validation::new(&[])
            .leeway(Duration::MAX)
            .max_age(Duration::MAX);
        let mut c = Claims::new(());
        c.exp = Some(NumericDate::from_secs(i64::MIN));
        c.iat = Some(NumericDate::from_secs(i64::MIN));
        c.nbf = Some(NumericDate::from_secs(i64::MAX));
        assert!(v.validate(&c, UnixTime::from_secs(u64::MAX)).is_err());
        assert_eq!(v.validate(&c, UnixTime::EPOCH), Ok(()));
        assert_eq!(nanos(Duration::MAX), 18_446_744_073_709_551_615_999_999_999);
    }
}
