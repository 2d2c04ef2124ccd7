//! Verifying signed JWTs: [`verify`] checks the signature, the header, then the claims, and
//! returns a [`Verified`] value, the only way to reach the claims of a token.
//!
//! The order is RFC 7519 §7.2 with RFC 8725 §3: the compact serialization only; the `alg` in the
//! [`Validation`]'s allowlist before any cryptography; the signature with the caller's keys;
//! then `cty` (a signed JWT that wraps another JWT is refused), `typ` if the validation expects
//! one; then the claim set parsed strictly into `Claims<T>` and validated at `now`.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use zegel_jose::error::Part;
use zegel_jose::jwe::JweHeader;
use zegel_jose::jws::{JwsAlgorithm, JwsHeader};
use zegel_jose::{base64url, json};

use crate::claims::Claims;
use crate::error::Error;
use crate::time::UnixTime;
use crate::validation::{Validation, media_type_eq};
use zegel_jose::keys::KeySource;

/// A JWT whose signature verified and whose claims passed the [`Validation`].
///
/// Only [`verify`] and [`open`](crate::open) make one. `T` is the type of the claims other than
/// the registered ones (a JSON map by default).
#[derive(Clone, Debug)]
pub struct Verified<T = Map<String, Value>> {
    pub(crate) claims: Claims<T>,
    pub(crate) header: Option<JwsHeader>,
    pub(crate) alg: Option<&'static JwsAlgorithm>,
    pub(crate) encryption: Option<JweHeader>,
}

impl<T> Verified<T> {
    /// The validated claims.
    #[must_use]
    pub fn claims(&self) -> &Claims<T> {
        &self.claims
    }

    /// The validated claims, by value.
    #[must_use]
    pub fn into_claims(self) -> Claims<T> {
        self.claims
    }

    /// The header of the signature that verified. `None` only for an unsigned nested token,
    /// which [`Decryption::dangerous_allow_unsigned`](crate::Decryption::dangerous_allow_unsigned)
    /// must have allowed.
    #[must_use]
    pub fn header(&self) -> Option<&JwsHeader> {
        self.header.as_ref()
    }

    /// The signature algorithm (for the OpenID Connect hashes); `None` as for
    /// [`header`](Self::header).
    #[must_use]
    pub fn alg(&self) -> Option<&'static JwsAlgorithm> {
        self.alg
    }

    /// The header of the JWE around the signed token, for a nested token.
    #[must_use]
    pub fn encryption_header(&self) -> Option<&JweHeader> {
        self.encryption.as_ref()
    }
}

/// Verifies a signed JWT (compact JWS) with `keys` and validates it at `now`.
///
/// ```
/// # use zegel_jose::{Jwk, jws::{self, SigningKey}};
/// # use zegel_jwt::{Claims, UnixTime, Validation};
/// # let key = Jwk::parse(br#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#)?;
/// let now = UnixTime::from_secs(1_700_000_000);
/// let claims = Claims::new(()).with_issuer("me").with_lifetime(now, core::time::Duration::from_secs(60))?;
/// let token = zegel_jwt::sign(&claims, &SigningKey::new(&key, &jws::HS256)?)?;
///
/// let validation = Validation::new(&[&jws::HS256]).issuer("me");
/// let verified = zegel_jwt::verify(&token, &key, &validation, now)?;
/// assert_eq!(verified.claims().iss.as_deref(), Some("me"));
/// # Ok::<(), zegel_jwt::Error>(())
/// ```
///
/// # Errors
/// [`Error::Jose`] for a token that is not a compact JWS, an algorithm outside the allowlist,
/// no fitting key or an invalid signature; [`Error::UnexpectedNesting`] for `cty: JWT`;
/// [`Error::WrongType`]; the claim errors of [`Claims::from_json`] and
/// [`Validation::validate`].
pub fn verify(
    token: impl AsRef<[u8]>,
    keys: &(impl KeySource + ?Sized),
    validation: &Validation,
    now: UnixTime,
) -> Result<Verified, Error> {
    verify_with(token.as_ref(), keys, validation, now, Claims::from_json_map)
}

/// As [`verify`], with the claims other than the registered ones read into the caller's `T`
/// (a struct deriving `Deserialize`): `zegel_jwt::verify_as::<IdToken>(...)`.
///
/// # Errors
/// As [`verify`]; [`Error::CustomClaims`] when the claims do not fit `T`.
pub fn verify_as<T: DeserializeOwned>(
    token: impl AsRef<[u8]>,
    keys: &(impl KeySource + ?Sized),
    validation: &Validation,
    now: UnixTime,
) -> Result<Verified<T>, Error> {
    verify_with(token.as_ref(), keys, validation, now, Claims::from_json)
}

/// [`verify_as`], with the claims parsed by `parse` ([`Claims::from_json`], or the default
/// type's own parser). Also the second half of opening a nested token: the payload is decoded
/// into a buffer that is wiped after the claims are read.
pub(crate) fn verify_with<T>(
    token: &[u8],
    keys: &(impl KeySource + ?Sized),
    validation: &Validation,
    now: UnixTime,
    parse: ParseClaims<T>,
) -> Result<Verified<T>, Error> {
    // The payload is decoded on the stack and wiped after (see `verify_compact_with`, which
    // also refuses a JSON serialization).
    let read = |header: JwsHeader, alg, payload: &[u8]| {
        check_header(&header, validation)?;
        Ok(Verified {
            claims: claims_from(payload, validation, now, parse)?,
            header: Some(header),
            alg: Some(alg),
            encryption: None,
        })
    };
    validation.verifier.verify_compact_with(token, keys, read)?
}

/// The header of a compact JWS, unverified, read without decoding (or copying) the payload: its
/// `kid` and `alg` say which key the issuer used, so that a key cache can fetch it before
/// [`verify`].
///
/// ```
/// # use zegel_jose::{Jwk, jws::{self, SigningKey}};
/// # use zegel_jwt::{Claims, UnixTime};
/// # let key = Jwk::from_secret_bytes(&[7; 32])?.with_kid("k-1");
/// # let token = zegel_jwt::sign(&Claims::new(()), &SigningKey::new(&key, &jws::HS256)?)?;
/// let header = zegel_jwt::unverified_header(&token)?;
/// assert_eq!((header.alg.as_str(), header.kid.as_deref()), ("HS256", Some("k-1")));
/// # Ok::<(), zegel_jwt::Error>(())
/// ```
///
/// # Security
/// Not authentic: use it only to find keys, never to decide anything else.
///
/// # Errors
/// [`Error::Jose`] for a token that is not three base64url segments or whose header is not a
/// strict JSON object with a valid `alg`.
pub fn unverified_header(token: impl AsRef<[u8]>) -> Result<JwsHeader, Error> {
    let token = token.as_ref();
    let not_compact = || zegel_jose::Error::Structure {
        expected: zegel_jose::error::Shape::Compact,
    };
    if token.iter().filter(|&&b| b == b'.').count() != 2 {
        return Err(not_compact().into());
    }
    let end = token
        .iter()
        .position(|&b| b == b'.')
        .ok_or_else(not_compact)?;
    let header = base64url::decode_public(token.get(..end).unwrap_or_default(), Part::Header)?;
    let obj = json::parse_object(&header, Part::Header, json::DEFAULT_MAX_DEPTH)?;
    Ok(JwsHeader::from_object(obj)?)
}

/// The checks of a verified JWT header: no `b64`, no `cty: JWT`, the expected `typ`.
fn check_header(header: &JwsHeader, validation: &Validation) -> Result<(), Error> {
    // A JWT's payload is always base64url (RFC 7519 §7.2): a JWS with RFC 7797 `b64`, made for
    // some other use of the key, is not a JWT.
    if header.b64.is_some() {
        return Err(zegel_jose::Error::InvalidParameter { name: "b64".into() }.into());
    }
    if header
        .cty
        .as_deref()
        .is_some_and(|cty| media_type_eq(cty, "JWT"))
    {
        return Err(Error::UnexpectedNesting);
    }
    validation.check_typ(header.typ.as_deref())
}

/// A claim set parser: [`Claims::from_json`] for any claims type, or the default type's own
/// (which the functions returning the default type pass, Rust having no specialization).
pub(crate) type ParseClaims<T> = fn(&[u8]) -> Result<Claims<T>, Error>;

/// Parses a claim set with `parse` and validates it.
pub(crate) fn claims_from<T>(
    payload: &[u8],
    validation: &Validation,
    now: UnixTime,
    parse: ParseClaims<T>,
) -> Result<Claims<T>, Error> {
    let claims = parse(payload)?;
    validation.validate(&claims, now)?;
    Ok(claims)
}
