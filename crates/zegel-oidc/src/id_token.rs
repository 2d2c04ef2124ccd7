//! ID token validation: all of OpenID Connect Core §3.1.3.7.
//!
//! In two steps, so that the provider's keys can be fetched in between:
//!
//! 1. [`IdTokenValidator::open`]: a JWE is decrypted with the client's keys (several `enc` keys
//!    during a rotation, chosen by `kid`) or, for `dir`/`A*KW`, with the key derived from the
//!    client secret (Core §10.2); when the client registered ID token encryption a plain JWS
//!    is refused. The result says which `kid` and `alg` signed the token.
//! 2. [`OpenedIdToken::validate`]: the signature with the provider's keys (or, for `HS*`, the
//!    client secret), the `alg` among the registered ones (RS256 by default; never `none`),
//!    then `iss`, `aud` (the client, and any other audience only when trusted), `azp`, `exp`
//!    and `iat` with the leeway at `now`, `nonce`, `acr` when requested as essential,
//!    `auth_time` when `max_age` was sent, `at_hash` and `c_hash` when present.

use core::time::Duration;

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;
use zegel_jose::jwe::{self, ContentEncryption, Decrypter, KeyManagement};
use zegel_jose::jws::{self, JwsAlgorithm};
use zegel_jose::keys::KeySource;
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::{Claim, Claims, DecryptedJwt, Decryption, UnixTime, Validation};

use crate::error::{Error, TokenCheck};
use crate::keys;
use crate::secret::ClientSecret;
use crate::secret_keys;

/// The default leeway for `exp`, `iat` and `auth_time`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// The key management algorithms accepted for encrypted tokens by default.
pub static DEFAULT_KEY_MANAGEMENT: &[&KeyManagement] = &[
    &jwe::RSA_OAEP_256,
    &jwe::RSA_OAEP,
    &jwe::ECDH_ES,
    &jwe::ECDH_ES_A128KW,
    &jwe::ECDH_ES_A256KW,
    &jwe::DIR,
    &jwe::A128KW,
    &jwe::A256KW,
];

/// How the client's ID tokens are validated: who the client is and what it registered.
#[derive(Clone, Debug)]
pub struct IdTokenValidator {
    issuer: String,
    client_id: String,
    trusted_audiences: Vec<String>,
    algs: Vec<&'static JwsAlgorithm>,
    encryption_required: bool,
    key_management: Vec<&'static KeyManagement>,
    content_encryption: Vec<&'static ContentEncryption>,
    leeway: Duration,
    /// Built from the fields above by `prepared`, once per configuration change.
    decryption: Decryption,
    validation: Validation,
}

impl IdTokenValidator {
    /// ID tokens of `issuer` for `client_id`, signed with RS256, encryption optional.
    #[must_use]
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            trusted_audiences: Vec::new(),
            algs: vec![&jws::RS256],
            encryption_required: false,
            key_management: DEFAULT_KEY_MANAGEMENT.to_vec(),
            content_encryption: jwe::ALL_ENC.to_vec(),
            leeway: DEFAULT_LEEWAY,
            decryption: Decryption::new(&[], &[]),
            validation: Validation::new(&[]),
        }
        .prepared()
    }

    /// Rebuilds the decryption and validation settings after a change.
    fn prepared(mut self) -> Self {
        self.decryption = Decryption::new(&self.key_management, &self.content_encryption);
        self.validation = Validation::new(&self.algs)
            .issuer(&self.issuer)
            .audience(&self.client_id)
            .require(Claim::Sub)
            .require(Claim::Iat)
            .leeway(self.leeway);
        self
    }

    /// The registered signing algorithm(s) (`id_token_signed_response_alg`).
    #[must_use]
    pub fn with_algorithms(mut self, algs: &[&'static JwsAlgorithm]) -> Self {
        self.algs = algs.to_vec();
        self.prepared()
    }

    /// The client registered ID token encryption with `alg` and `enc`: a plain JWS is then
    /// refused, and only these algorithms are accepted.
    #[must_use]
    pub fn with_encryption(
        self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
    ) -> Self {
        self.with_encryption_algorithms(&[alg], &[enc])
    }

    /// The client registered ID token encryption with any of `algs` and `encs` (a provider
    /// that chooses per key, as itsme® does): a plain JWS is then refused, and only these
    /// algorithms are accepted.
    #[must_use]
    pub fn with_encryption_algorithms(
        mut self,
        algs: &[&'static KeyManagement],
        encs: &[&'static ContentEncryption],
    ) -> Self {
        self.encryption_required = true;
        self.key_management = algs.to_vec();
        self.content_encryption = encs.to_vec();
        self.prepared()
    }

    /// Another audience the client trusts besides itself.
    #[must_use]
    pub fn with_trusted_audience(mut self, aud: impl Into<String>) -> Self {
        self.trusted_audiences.push(aud.into());
        self
    }

    /// The leeway for `exp`, `iat` and `auth_time`.
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self.prepared()
    }

    /// The issuer.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether registered encryption is required.
    #[must_use]
    pub fn encryption_required(&self) -> bool {
        self.encryption_required
    }

    /// Decrypts `token` when it is a JWE, with `client_keys` or the key `secret` yields.
    ///
    /// # Errors
    /// [`TokenCheck::NotEncrypted`] for a JWS when encryption is registered; the decryption
    /// errors ([`Error::Jose`], [`Error::Jwt`]).
    pub fn open(
        &self,
        token: &str,
        client_keys: &[Jwk],
        secret: Option<&ClientSecret>,
    ) -> Result<OpenedIdToken, Error> {
        open_jwt(
            token,
            self.encryption_required,
            &self.decryption,
            keys::ClientKeys::Jwks(client_keys),
            secret,
        )
    }

    /// [`open`](Self::open) with the client's keys as [`Decrypter`]s (keys kept in an HSM or a
    /// PKCS #11 token), the one with the JWE's `kid` chosen.
    ///
    /// # Errors
    /// As [`open`](Self::open); [`zegel_jose::Error::UnknownKid`] when no decrypter has the
    /// JWE's `kid`.
    pub fn open_with_decrypters(
        &self,
        token: &str,
        decrypters: &[std::sync::Arc<dyn Decrypter>],
        secret: Option<&ClientSecret>,
    ) -> Result<OpenedIdToken, Error> {
        open_jwt(
            token,
            self.encryption_required,
            &self.decryption,
            keys::ClientKeys::Decrypters(decrypters),
            secret,
        )
    }
}

/// Decrypts a token when it is a compact JWE (4 dots), else keeps the JWS.
pub(crate) fn open_jwt(
    token: &str,
    encryption_required: bool,
    decryption: &Decryption,
    client_keys: keys::ClientKeys<'_>,
    secret: Option<&ClientSecret>,
) -> Result<OpenedIdToken, Error> {
    if token.bytes().filter(|b| *b == b'.').count() != 4 {
        if encryption_required {
            return Err(TokenCheck::NotEncrypted.into());
        }
        let (kid, alg) = keys::jws_kid_alg(token.as_bytes())?;
        return Ok(OpenedIdToken {
            inner: Inner::Signed(zeroize::Zeroizing::new(token.to_owned())),
            kid,
            alg: Some(alg),
        });
    }
    // With a client secret, a symmetric `alg` means the key derived from it (Core §10.2).
    let derived = match secret {
        Some(secret) => {
            let (alg, enc) = keys::jwe_algorithms(token)?;
            if alg.is_direct() || alg.key_type() == zegel_jose::jwk::KeyType::Oct {
                Some(secret_keys::encryption_key(secret, alg, enc)?)
            } else {
                None
            }
        }
        None => None,
    };
    let decrypted = match &derived {
        Some(key) => keys::decrypt_jwt(
            token,
            decryption,
            keys::ClientKeys::Jwks(core::slice::from_ref(key)),
        )?,
        None => keys::decrypt_jwt(token, decryption, client_keys)?,
    };
    let header = decrypted.unverified_inner_header();
    Ok(OpenedIdToken {
        kid: header.as_ref().and_then(|h| h.kid.clone()),
        alg: header.map(|h| h.alg),
        inner: Inner::Decrypted(decrypted),
    })
}

enum Inner {
    Signed(zeroize::Zeroizing<String>),
    Decrypted(DecryptedJwt),
}

/// A token decrypted (if it was a JWE), its signature not yet verified. `Debug` shows the
/// `kid` and `alg`, never the token.
pub struct OpenedIdToken {
    inner: Inner,
    kid: Option<String>,
    alg: Option<String>,
}

impl core::fmt::Debug for OpenedIdToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OpenedIdToken")
            .field("encrypted", &matches!(self.inner, Inner::Decrypted(_)))
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// What the pending login asked for, to check the ID token against. `Debug` shows no nonce,
/// token or code.
#[derive(Clone, Copy, Default)]
#[non_exhaustive]
pub struct Expected<'a> {
    /// The `nonce` sent.
    pub nonce: &'a str,
    /// The `max_age` sent.
    pub max_age: Option<Duration>,
    /// The `acr` values asked for.
    pub acr_values: &'a [String],
    /// Whether `acr` was asked for as essential.
    pub acr_essential: bool,
    /// The access token issued with the ID token (checks `at_hash` when present).
    pub access_token: Option<&'a str>,
    /// The authorization code (checks `c_hash` when present).
    pub code: Option<&'a str>,
}

impl core::fmt::Debug for Expected<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Expected")
            .field("max_age", &self.max_age)
            .field("acr_values", &self.acr_values)
            .field("acr_essential", &self.acr_essential)
            .field("access_token", &self.access_token.is_some())
            .field("code", &self.code.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Expected<'a> {
    /// Expects `nonce`.
    #[must_use]
    pub fn new(nonce: &'a str) -> Self {
        Self {
            nonce,
            ..Self::default()
        }
    }

    /// `max_age` was sent: `auth_time` is then required and checked.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// `acr` was asked for among `values`; with `essential`, the token must carry one.
    #[must_use]
    pub fn with_acr(mut self, values: &'a [String], essential: bool) -> Self {
        self.acr_values = values;
        self.acr_essential = essential;
        self
    }

    /// The access token issued with the ID token (`at_hash` is checked when present).
    #[must_use]
    pub fn with_access_token(mut self, access_token: &'a str) -> Self {
        self.access_token = Some(access_token);
        self
    }

    /// The authorization code (`c_hash` is checked when present).
    #[must_use]
    pub fn with_code(mut self, code: &'a str) -> Self {
        self.code = Some(code);
        self
    }
}

/// A validated ID token. Its claims (personal data, decrypted) are wiped on drop and not shown
/// by `Debug`.
#[derive(Clone)]
pub struct IdToken {
    claims: Claims<Map<String, Value>>,
    alg: &'static JwsAlgorithm,
}

impl core::fmt::Debug for IdToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IdToken")
            .field("alg", &self.alg.name())
            .field("claims", &"[redacted]")
            .finish()
    }
}

impl Drop for IdToken {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.claims.sub.zeroize();
        self.claims
            .extra
            .values_mut()
            .for_each(crate::error::zeroize_value);
    }
}

impl IdToken {
    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &Claims<Map<String, Value>> {
        &self.claims
    }

    /// `sub`.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.claims.sub.as_deref().unwrap_or_default()
    }

    /// The signature algorithm.
    #[must_use]
    pub fn alg(&self) -> &'static JwsAlgorithm {
        self.alg
    }
}

impl OpenedIdToken {
    /// The `kid` of the signature, unverified: the key to look up (or fetch).
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The signature `alg` named in the header, unverified.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// Whether the token is MACed with the client secret (`HS*`), not signed by the provider.
    #[must_use]
    pub fn uses_client_secret(&self) -> bool {
        self.alg.as_deref().is_some_and(|a| a.starts_with("HS"))
    }

    /// Verifies and validates the token (see the module docs) with the provider's keys
    /// (`provider_keys`) or, for `HS*`, `secret`.
    ///
    /// # Errors
    /// [`Error::Jose`] (no matching key, invalid signature, an `alg` not registered),
    /// [`Error::Jwt`] (`iss`, `aud`, `exp`, `iat`, hashes), [`Error::Check`].
    pub fn validate(
        self,
        validator: &IdTokenValidator,
        provider_keys: &(impl KeySource + ?Sized),
        secret: Option<&ClientSecret>,
        expected: &Expected<'_>,
        now: UnixTime,
    ) -> Result<IdToken, Error> {
        let validation = &validator.validation;
        let verified = match (self.uses_client_secret(), secret) {
            (true, Some(secret)) => {
                let alg = self
                    .alg
                    .as_deref()
                    .and_then(jws::by_name)
                    .ok_or(zegel_jose::Error::NoMatchingKey)?;
                let key = JwkSet::new(vec![secret_keys::mac_key(secret, alg)?]);
                self.verify(&key, validation, now)?
            }
            _ => self.verify(provider_keys, validation, now)?,
        };
        let alg = verified.alg().ok_or(zegel_jose::Error::NoMatchingKey)?;
        let claims = verified.into_claims();
        check_claims(&claims, alg, validator, expected, now)?;
        Ok(IdToken { claims, alg })
    }

    fn verify(
        self,
        keys: &(impl KeySource + ?Sized),
        validation: &Validation,
        now: UnixTime,
    ) -> Result<zegel_jwt::Verified, Error> {
        match self.inner {
            Inner::Signed(jws) => keys::verify_jwt(jws.as_bytes(), keys, validation, now),
            Inner::Decrypted(d) => Ok(d.verify(keys, validation, now)?),
        }
    }
}

fn check_claims(
    claims: &Claims<Map<String, Value>>,
    alg: &'static JwsAlgorithm,
    validator: &IdTokenValidator,
    expected: &Expected<'_>,
    now: UnixTime,
) -> Result<(), Error> {
    let extra = &claims.extra;
    let string = |name: &'static str| -> Result<Option<&str>, Error> {
        match extra.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(TokenCheck::InvalidClaim { name }.into()),
        }
    };
    // aud: the client, and only trusted others (rule 3); azp (rules 4, 5).
    let auds = claims
        .aud
        .as_ref()
        .map(|a| a.as_slice())
        .unwrap_or_default();
    if auds
        .iter()
        .any(|a| *a != validator.client_id && !validator.trusted_audiences.contains(a))
    {
        return Err(TokenCheck::UntrustedAudience.into());
    }
    match string("azp")? {
        Some(azp) if azp != validator.client_id => return Err(TokenCheck::WrongAzp.into()),
        None if auds.len() > 1 => return Err(TokenCheck::MissingAzp.into()),
        _ => {}
    }
    // nonce (rule 11), in constant time.
    let nonce = string("nonce")?.ok_or(TokenCheck::MissingNonce)?;
    if !bool::from(nonce.as_bytes().ct_eq(expected.nonce.as_bytes())) {
        return Err(TokenCheck::WrongNonce.into());
    }
    // acr (rule 12).
    if expected.acr_essential {
        let acr = string("acr")?.ok_or(TokenCheck::MissingAcr)?;
        if !expected.acr_values.is_empty() && !expected.acr_values.iter().any(|v| v == acr) {
            return Err(TokenCheck::WrongAcr.into());
        }
    }
    // auth_time (rule 13).
    if let Some(max_age) = expected.max_age {
        let auth_time = match extra.get("auth_time") {
            None => return Err(TokenCheck::MissingAuthTime.into()),
            Some(v) => v
                .as_u64()
                .ok_or(TokenCheck::InvalidClaim { name: "auth_time" })?,
        };
        let limit = max_age.as_secs().saturating_add(validator.leeway.as_secs());
        if now.as_secs().saturating_sub(auth_time) > limit {
            return Err(TokenCheck::AuthTooOld.into());
        }
    }
    // at_hash and c_hash (Core §3.1.3.8, §3.3.2.11) when present.
    if let (Some(found), Some(token)) = (string("at_hash")?, expected.access_token) {
        zegel_jwt::hash::check_oidc_hash("at_hash", found, token, alg)?;
    }
    if let (Some(found), Some(code)) = (string("c_hash")?, expected.code) {
        zegel_jwt::hash::check_oidc_hash("c_hash", found, code, alg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
