//! Nested JWTs (RFC 7519 §5.2, §7.2): a signed JWT encrypted to its recipient.
//!
//! Opening is [`open`]: decrypt with the recipient's keys (for example the partner's private JWK
//! Set, with several `enc` keys during a rotation), then verify the signature inside with the
//! issuer's keys, then validate the claims, in one call and in that order. The two key sources
//! are named fields of [`OpenKeys`] and play separate roles: the decryption keys prove nothing about who
//! made the token, since anyone holding the recipient's public key can encrypt to it; only the
//! signature does.
//!
//! The JWE must say `cty: JWT` (compared as a media type, RFC 7519 §5.2, RFC 7515 §4.1.10). A JWE
//! with no `cty` whose plaintext is a claim set, that is an encrypted but unsigned JWT, is
//! refused with [`Error::UnsignedNestedToken`] unless
//! [`Decryption::dangerous_allow_unsigned`] allows it. Any other `cty` is
//! [`Error::WrongContentType`]; a signed token inside that itself says `cty: JWT` is
//! [`Error::UnexpectedNesting`].
//!
//! For a caller whose verification keys depend on the inner token (a JWK Set cache that must
//! fetch a `kid` it has not seen), [`decrypt`] and [`DecryptedJwt::verify`] are the two halves
//! of [`open`], with the inner header readable in between.

use serde::Serialize;
use serde::de::DeserializeOwned;
use zegel_jose::Jwk;
use zegel_jose::SecretBytes;
use zegel_jose::jwe::{
    ContentEncryption, Decrypted, Decrypter, Decryptor, Encryptor, JweHeader, KeyManagement,
    Recipient,
};
use zegel_jose::jws::{JwsHeader, Signer};

use crate::claims::Claims;
use crate::error::Error;
use crate::time::UnixTime;
use crate::validation::{Validation, media_type_eq};
use crate::verify::{ParseClaims, Verified, claims_from, verify_with};
use zegel_jose::keys::KeySource;

/// How nested tokens are decrypted: the accepted key management and content encryption
/// algorithms, the JWE limits, and whether an unsigned claim set inside is tolerated.
///
/// Build it once and share it, like [`Validation`].
#[derive(Clone, Debug)]
pub struct Decryption {
    decryptor: Decryptor,
    allow_unsigned: bool,
}

impl Decryption {
    /// Accepts JWEs whose `alg` is one of `key_management` and `enc` one of
    /// `content_encryption`, with the default limits of [`Decryptor`].
    #[must_use]
    pub fn new(
        key_management: &[&'static KeyManagement],
        content_encryption: &[&'static ContentEncryption],
    ) -> Self {
        Self::from_decryptor(Decryptor::new(key_management, content_encryption))
    }

    /// Uses a [`Decryptor`] configured by the caller (limits, `crit` extensions, legacy
    /// algorithms).
    #[must_use]
    pub fn from_decryptor(decryptor: Decryptor) -> Self {
        Self {
            decryptor,
            allow_unsigned: false,
        }
    }

    /// Accepts a JWE without `cty` that holds a claim set directly, with no signature inside.
    ///
    /// # Security
    /// Such a token is not authenticated: anyone who knows the recipient's public key can
    /// make one, with any claims. Allow it only when the key management algorithm itself
    /// authenticates the sender (a shared symmetric key with `dir` or `A*KW`).
    #[must_use]
    pub fn dangerous_allow_unsigned(mut self) -> Self {
        self.allow_unsigned = true;
        self
    }
}

/// A nested token decrypted, its signature not yet verified: the first half of [`open`].
///
/// Nothing inside is authentic yet. The claims are reachable only through
/// [`verify`](Self::verify).
#[derive(Debug)]
pub struct DecryptedJwt {
    header: JweHeader,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    /// A compact JWS (`cty: JWT`).
    Signed(SecretBytes),
    /// A claim set with no signature, allowed by the caller.
    Unsigned(SecretBytes),
}

impl DecryptedJwt {
    /// The header of the JWE.
    #[must_use]
    pub fn header(&self) -> &JweHeader {
        &self.header
    }

    /// The header of the signed token inside, unverified: its `kid` and `alg` say which key
    /// the issuer used, so that a key cache can fetch it before [`verify`](Self::verify).
    /// `None` for an unsigned token or one whose header cannot be read.
    ///
    /// # Security
    /// Not authentic: use it only to find keys, never to decide anything else.
    #[must_use]
    pub fn unverified_inner_header(&self) -> Option<JwsHeader> {
        match &self.inner {
            // Only the protected header is decoded: the payload is decrypted plaintext, and a
            // decoded copy of it would outlive this call unwiped.
            Inner::Signed(jws) => crate::verify::unverified_header(jws.expose_secret()).ok(),
            Inner::Unsigned(_) => None,
        }
    }

    /// Verifies the signed token inside with `keys` (the issuer's), then validates its claims at
    /// `now`: the second half of [`open`]. By reference: after a
    /// [`NoMatchingKey`](zegel_jose::Error::NoMatchingKey), the caller may refresh its keys and
    /// verify again without decrypting again.
    ///
    /// # Errors
    /// As [`verify`](crate::verify).
    pub fn verify(
        &self,
        keys: &(impl KeySource + ?Sized),
        validation: &Validation,
        now: UnixTime,
    ) -> Result<Verified, Error> {
        self.verify_with(keys, validation, now, Claims::from_json_map)
    }

    /// As [`verify`](Self::verify), with the other claims read into the caller's `T`.
    ///
    /// # Errors
    /// As [`verify_as`](crate::verify_as).
    pub fn verify_as<T: DeserializeOwned>(
        &self,
        keys: &(impl KeySource + ?Sized),
        validation: &Validation,
        now: UnixTime,
    ) -> Result<Verified<T>, Error> {
        self.verify_with(keys, validation, now, Claims::from_json)
    }

    /// [`verify_as`](Self::verify_as), with the claims parsed by `parse`.
    fn verify_with<T>(
        &self,
        keys: &(impl KeySource + ?Sized),
        validation: &Validation,
        now: UnixTime,
        parse: ParseClaims<T>,
    ) -> Result<Verified<T>, Error> {
        match &self.inner {
            Inner::Signed(jws) => {
                // The claims are decrypted plaintext: `verify_with` decodes them into a buffer
                // it wipes once they are read.
                let mut verified = verify_with(jws.expose_secret(), keys, validation, now, parse)?;
                verified.encryption = Some(self.header.clone());
                Ok(verified)
            }
            Inner::Unsigned(plaintext) => {
                validation.check_typ(self.header.typ.as_deref())?;
                let claims = claims_from(plaintext.expose_secret(), validation, now, parse)?;
                Ok(Verified {
                    claims,
                    header: None,
                    alg: None,
                    encryption: Some(self.header.clone()),
                })
            }
        }
    }
}

/// The two key sources of [`open`], named so that they cannot be swapped silently: both are
/// often JWK Sets, and the decryption keys prove nothing about who made the token.
///
/// ```
/// # use zegel_jose::Jwk;
/// # use zegel_jwt::OpenKeys;
/// # fn keys(partner_private_set: &[Jwk], issuer_public_set: &[Jwk]) {
/// let keys = OpenKeys {
///     recipient: partner_private_set,
///     issuer: issuer_public_set,
/// };
/// # let _ = keys; }
/// ```
pub struct OpenKeys<'a, R: ?Sized, I: ?Sized> {
    /// The recipient's keys, to decrypt the JWE (the partner's private keys).
    pub recipient: &'a R,
    /// The issuer's keys, to verify the signature inside (the provider's public keys).
    pub issuer: &'a I,
}

impl<R: ?Sized, I: ?Sized> Clone for OpenKeys<'_, R, I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: ?Sized, I: ?Sized> Copy for OpenKeys<'_, R, I> {}

impl<R: ?Sized, I: ?Sized> core::fmt::Debug for OpenKeys<'_, R, I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OpenKeys").finish_non_exhaustive()
    }
}

/// Opens a nested JWT: decrypts `token` with `keys.recipient`, verifies the signed JWT inside
/// with `keys.issuer`, and validates its claims at `now`.
///
/// ```no_run
/// # use zegel_jose::jwk::JwkSet;
/// # use zegel_jwt::{Decryption, OpenKeys, UnixTime, Validation};
/// # fn f(token: &str, decryption: &Decryption, validation: &Validation, partner: &JwkSet,
/// #      issuer: &JwkSet) -> Result<(), zegel_jwt::Error> {
/// let keys = OpenKeys { recipient: partner, issuer };
/// let verified = zegel_jwt::open(token, decryption, validation, keys, UnixTime::from_secs(1))?;
/// # let _ = verified; Ok(()) }
/// ```
///
/// # Errors
/// [`Error::Jose`] for a token that is not a compact JWE, algorithms outside the allowlists, no
/// fitting key, a failed decryption or an invalid signature; [`Error::WrongContentType`],
/// [`Error::UnsignedNestedToken`], [`Error::UnexpectedNesting`], [`Error::WrongType`]; the claim
/// errors of [`Validation::validate`].
pub fn open(
    token: impl AsRef<[u8]>,
    decryption: &Decryption,
    validation: &Validation,
    keys: OpenKeys<'_, impl KeySource + ?Sized, impl KeySource + ?Sized>,
    now: UnixTime,
) -> Result<Verified, Error> {
    decrypt(token, decryption, keys.recipient)?.verify(keys.issuer, validation, now)
}

/// As [`open`], with the claims other than the registered ones read into the caller's `T`.
///
/// # Errors
/// As [`open`]; [`Error::CustomClaims`] when the claims do not fit `T`.
pub fn open_as<T: DeserializeOwned>(
    token: impl AsRef<[u8]>,
    decryption: &Decryption,
    validation: &Validation,
    keys: OpenKeys<'_, impl KeySource + ?Sized, impl KeySource + ?Sized>,
    now: UnixTime,
) -> Result<Verified<T>, Error> {
    decrypt(token, decryption, keys.recipient)?.verify_as(keys.issuer, validation, now)
}

/// Decrypts a nested JWT and checks its `cty`, without verifying the signature inside: the first
/// half of [`open`].
///
/// # Errors
/// [`Error::Jose`] for a token that is not a compact JWE, algorithms outside the allowlists, no
/// fitting key or a failed decryption; [`Error::WrongContentType`],
/// [`Error::UnsignedNestedToken`].
pub fn decrypt(
    token: impl AsRef<[u8]>,
    decryption: &Decryption,
    keys: &(impl KeySource + ?Sized),
) -> Result<DecryptedJwt, Error> {
    let token = compact(token.as_ref())?;
    inner(decryption.decryptor.decrypt(token, keys)?, decryption)
}

/// Decrypts a nested JWT through `decrypter`, a private key that stays in its store (an HSM, a
/// cloud KMS), and checks its `cty`: [`decrypt`] for keys that never leave their store.
///
/// # Errors
/// As [`decrypt`].
pub fn decrypt_with_decrypter(
    token: impl AsRef<[u8]>,
    decryption: &Decryption,
    decrypter: &dyn Decrypter,
) -> Result<DecryptedJwt, Error> {
    let token = compact(token.as_ref())?;
    inner(
        decryption
            .decryptor
            .decrypt_with_decrypter(token, decrypter)?,
        decryption,
    )
}

/// `token`, if it is not a JSON serialization.
fn compact(token: &[u8]) -> Result<&[u8], Error> {
    if token.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Err(zegel_jose::Error::Structure {
            expected: zegel_jose::error::Shape::Compact,
        }
        .into());
    }
    Ok(token)
}

/// The nested token inside a decrypted JWE, after the `cty` rules.
fn inner(decrypted: Decrypted, decryption: &Decryption) -> Result<DecryptedJwt, Error> {
    let header = decrypted.header().clone();
    let plaintext = decrypted.into_plaintext();
    let inner = match header.cty.as_deref() {
        Some(cty) if media_type_eq(cty, "JWT") => Inner::Signed(plaintext),
        Some(cty) => {
            return Err(Error::WrongContentType {
                found: Some(cty.to_owned()),
            });
        }
        None if plaintext
            .expose_secret()
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            == Some(&b'{') =>
        {
            if !decryption.allow_unsigned {
                return Err(Error::UnsignedNestedToken);
            }
            Inner::Unsigned(plaintext)
        }
        None => return Err(Error::WrongContentType { found: None }),
    };
    Ok(DecryptedJwt { header, inner })
}

/// Signs `claims` with `signing_key` (as [`sign`](crate::sign)), then encrypts the signed JWT to
/// `recipient` with `alg` and `enc`, with `cty: JWT` (RFC 7519 §5.2) and the recipient key's
/// `kid` in the JWE header.
///
/// # Errors
/// As [`sign`](crate::sign); the encryption errors of [`Encryptor`] wrapped in
/// [`Error::Jose`] (a key that does not fit `alg`, for example).
pub fn sign_and_encrypt<T: Serialize>(
    claims: &Claims<T>,
    signing_key: &dyn Signer,
    recipient: &Jwk,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
) -> Result<String, Error> {
    let signed = crate::sign::sign(claims, signing_key)?;
    encrypt_signed(
        &signed,
        &Encryptor::new(enc),
        &Recipient::new(recipient, alg),
    )
}

/// Encrypts an already signed JWT to `recipient` with `encryptor`, setting `cty: JWT`, for
/// callers that need other JWE header parameters.
///
/// # Errors
/// The encryption errors of [`Encryptor::encrypt_compact`] wrapped in [`Error::Jose`].
pub fn encrypt_signed(
    signed_jwt: &str,
    encryptor: &Encryptor,
    recipient: &Recipient<'_>,
) -> Result<String, Error> {
    let encryptor = encryptor.clone().with_cty("JWT");
    Ok(encryptor.encrypt_compact(signed_jwt.as_bytes(), recipient)?)
}
