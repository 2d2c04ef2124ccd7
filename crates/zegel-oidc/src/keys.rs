//! The seams between this crate and the key APIs of zegel-jose and zegel-jwt.
//!
//! Every use of a private key (signing a client assertion or a request object, opening an
//! encrypted token) and every key lookup goes through one function here, so that moving to
//! external signers (`Signer`/`Decrypter`) or to a key source that sees the token's `kid`
//! changes this file only.

use serde_json::{Map, Value};
use zegel_jose::jwe::{ContentEncryption, Decrypter, Encryptor, KeyManagement, Recipient};
use zegel_jose::jwk::{Curve, KeyMaterial};
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, Signer, SigningKey};
use zegel_jose::keys::KeySource;
use zegel_jose::{Jwk, jwe};
use zegel_jwt::{Claims, DecryptedJwt, Decryption};

use crate::error::Error;

/// The JWS algorithm a private key signs with: its own `alg` when it has one, else the
/// customary one for its type (RS256 for RSA, ES256/384/512 by curve, EdDSA, HS256).
///
/// # Errors
/// [`Error::Jose`] with an unknown-algorithm error for a key whose `alg` is not a JWS
/// algorithm; [`Error::Unsupported`] for a key type that cannot sign.
pub(crate) fn signing_alg(key: &Jwk) -> Result<&'static JwsAlgorithm, Error> {
    if let Some(name) = key.alg() {
        return jws::by_name(name).ok_or_else(|| {
            zegel_jose::Error::UnknownAlgorithm {
                name: name.to_owned(),
            }
            .into()
        });
    }
    Ok(match key.material() {
        KeyMaterial::Rsa { .. } => &jws::RS256,
        KeyMaterial::Ec {
            crv: Curve::P256, ..
        } => &jws::ES256,
        KeyMaterial::Ec {
            crv: Curve::P384, ..
        } => &jws::ES384,
        KeyMaterial::Ec {
            crv: Curve::P521, ..
        } => &jws::ES512,
        KeyMaterial::Okp {
            crv: Curve::Ed25519,
            ..
        } => &jws::EDDSA,
        KeyMaterial::Oct { .. } => &jws::HS256,
        _ => {
            return Err(Error::Unsupported {
                what: "a signing key of this type",
            });
        }
    })
}

/// The client's private key, prepared once (parsed by the crypto backend) to sign client
/// assertions and request objects, or any [`Signer`] (a key in an HSM). Cheap to clone;
/// `Debug` shows the algorithm and `kid`.
#[derive(Clone)]
pub struct ClientKey {
    signing: std::sync::Arc<dyn Signer>,
}

impl ClientKey {
    /// Prepares `key` to sign with its own `alg`, else RS256 (RSA) or the customary algorithm
    /// of its type.
    ///
    /// # Errors
    /// [`Error::Jose`] for a key that cannot sign (public, bound to another algorithm, ...);
    /// [`Error::Unsupported`] for a key type without a signature algorithm.
    pub fn new(key: &Jwk) -> Result<Self, Error> {
        Self::with_alg(key, signing_alg(key)?)
    }

    /// Prepares `key` to sign with `alg`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_alg(key: &Jwk, alg: &'static JwsAlgorithm) -> Result<Self, Error> {
        Ok(Self {
            signing: std::sync::Arc::new(SigningKey::new(key, alg)?),
        })
    }

    /// Signs with `signer` (a key kept in an HSM or a PKCS #11 token, ...): its `alg`, and its
    /// `kid` written into the headers it signs.
    #[must_use]
    pub fn from_signer(signer: std::sync::Arc<dyn Signer>) -> Self {
        Self { signing: signer }
    }

    /// The signature algorithm.
    #[must_use]
    pub fn alg(&self) -> &'static JwsAlgorithm {
        self.signing.alg()
    }

    /// The key's `kid`, written into the headers it signs.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.signing.kid()
    }

    /// Signs a JSON claim set already serialized (a request object) with `typ`.
    pub(crate) fn sign_payload(&self, payload: &[u8], typ: &str) -> Result<String, Error> {
        let mut header = JwsHeader::new().with_typ(typ);
        if let Some(kid) = self.signing.kid() {
            header = header.with_kid(kid);
        }
        Ok(jws::sign_compact(payload, &*self.signing, &header)?)
    }

    /// Signs a claim set (a client assertion) with `typ`.
    pub(crate) fn sign_jwt(
        &self,
        claims: &Claims<Map<String, Value>>,
        typ: &str,
    ) -> Result<String, Error> {
        let mut header = JwsHeader::new().with_typ(typ);
        if let Some(kid) = self.signing.kid() {
            header = header.with_kid(kid);
        }
        Ok(zegel_jwt::sign_with_header(
            claims,
            &*self.signing,
            &header,
        )?)
    }
}

impl core::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientKey")
            .field("alg", &self.alg().name())
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

/// Encrypts a signed JWT to the provider's key (a request object), `cty: JWT`.
pub(crate) fn encrypt_jwt(
    signed: &str,
    recipient: &Jwk,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
) -> Result<String, Error> {
    Ok(zegel_jwt::encrypt_signed(
        signed,
        &Encryptor::new(enc),
        &Recipient::new(recipient, alg),
    )?)
}

/// The client's keys that open encrypted ID tokens and UserInfo responses: private JWKs, or
/// [`Decrypter`]s (keys kept in an HSM or a PKCS #11 token), chosen by the JWE's `kid`.
#[derive(Clone, Copy)]
pub(crate) enum ClientKeys<'a> {
    /// Private JWKs.
    Jwks(&'a [Jwk]),
    /// Decrypters.
    Decrypters(&'a [std::sync::Arc<dyn Decrypter>]),
}

/// The decrypter for a compact JWE: the one with the header's `kid` (or, without a `kid`, the
/// first) that decrypts for its `alg`.
///
/// # Errors
/// [`zegel_jose::Error::UnknownKid`] when no decrypter has the `kid`;
/// [`zegel_jose::Error::NoMatchingKey`] when none fits the `alg`; the header's parse errors.
fn choose_decrypter<'a>(
    token: &[u8],
    decrypters: &'a [std::sync::Arc<dyn Decrypter>],
) -> Result<&'a dyn Decrypter, Error> {
    let header = jwe_header(token)?;
    let kid = header.kid.as_deref();
    let with_kid = |d: &&std::sync::Arc<dyn Decrypter>| kid.is_none_or(|k| d.kid() == Some(k));
    if kid.is_some() && !decrypters.iter().any(|d| with_kid(&d)) {
        return Err(zegel_jose::Error::UnknownKid {
            kid: kid.unwrap_or_default().to_owned(),
        }
        .into());
    }
    decrypters
        .iter()
        .filter(with_kid)
        .find(|d| d.algs().iter().any(|a| a.name() == header.alg))
        .map(|d| &**d)
        .ok_or_else(|| zegel_jose::Error::NoMatchingKey.into())
}

/// Opens the JWE around an ID token with the client's keys.
pub(crate) fn decrypt_jwt(
    token: &str,
    decryption: &Decryption,
    keys: ClientKeys<'_>,
) -> Result<DecryptedJwt, Error> {
    Ok(match keys {
        ClientKeys::Jwks(keys) => zegel_jwt::decrypt(token, decryption, keys)?,
        ClientKeys::Decrypters(ds) => zegel_jwt::decrypt_with_decrypter(
            token,
            decryption,
            choose_decrypter(token.as_bytes(), ds)?,
        )?,
    })
}

/// The protected header of a compact JWE, unverified.
fn jwe_header(token: &[u8]) -> Result<jwe::JweHeader, Error> {
    // A compact JWE's alg and enc are in its protected header, the first segment: only that
    // is decoded.
    let first = token.split(|b| *b == b'.').next().unwrap_or_default();
    let raw = zegel_jose::base64url::decode_public(first, zegel_jose::error::Part::Header)?;
    let obj = zegel_jose::json::parse_object(
        &raw,
        zegel_jose::error::Part::Header,
        zegel_jose::json::DEFAULT_MAX_DEPTH,
    )?;
    Ok(jwe::JweHeader::from_map(obj)?)
}

/// The `alg`/`enc` named by a compact JWE's header, unverified, to derive a client-secret key.
pub(crate) fn jwe_algorithms(
    token: &str,
) -> Result<(&'static KeyManagement, &'static ContentEncryption), Error> {
    let header = jwe_header(token.as_bytes())?;
    let alg = jwe::by_name(&header.alg).ok_or_else(|| zegel_jose::Error::UnknownAlgorithm {
        name: header.alg.clone(),
    })?;
    let enc = jwe::enc_by_name(&header.enc).ok_or_else(|| zegel_jose::Error::UnknownAlgorithm {
        name: header.enc.clone(),
    })?;
    Ok((alg, enc))
}

/// The `kid` and `alg` of a compact JWS's header, unverified, to look the key up.
pub(crate) fn jws_kid_alg(token: &[u8]) -> Result<(Option<String>, String), Error> {
    let header = zegel_jwt::unverified_header(token)?;
    Ok((header.kid, header.alg))
}

/// Verifies a signed JWT with `keys` (a cache snapshot, the client secret) and validates it.
pub(crate) fn verify_jwt(
    token: &[u8],
    keys: &(impl KeySource + ?Sized),
    validation: &zegel_jwt::Validation,
    now: zegel_jwt::UnixTime,
) -> Result<zegel_jwt::Verified, Error> {
    Ok(zegel_jwt::verify(token, keys, validation, now)?)
}

/// Whether a failure is "no key with this `kid`", the one a JWK Set refresh may cure.
#[cfg(test)]
pub(crate) fn is_key_miss(e: &Error) -> bool {
    matches!(e, Error::Jose(zegel_jose::Error::UnknownKid { .. }))
}

/// Decrypts a compact JWE with `keys` (by `kid`), returning its header and plaintext, for
/// UserInfo responses (whose inside may be a JWS or plain JSON).
pub(crate) fn decrypt_raw(
    token: &[u8],
    algs: &[&'static KeyManagement],
    encs: &[&'static ContentEncryption],
    keys: ClientKeys<'_>,
) -> Result<(jwe::JweHeader, zegel_jose::SecretBytes), Error> {
    let decryptor = jwe::Decryptor::new(algs, encs);
    let decrypted = match keys {
        ClientKeys::Jwks([one]) => decryptor.decrypt(token, one)?,
        ClientKeys::Jwks(many) => decryptor.decrypt_with_keys(token, many)?,
        ClientKeys::Decrypters(ds) => {
            decryptor.decrypt_with_decrypter(token, choose_decrypter(token, ds)?)?
        }
    };
    Ok((decrypted.header().clone(), decrypted.into_plaintext()))
}

/// Verifies a compact JWS with `keys`, returning its payload, for UserInfo responses.
pub(crate) fn verify_raw(
    token: &[u8],
    algs: &[&'static JwsAlgorithm],
    keys: &(impl KeySource + ?Sized),
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let verified = jws::Verifier::new(algs).verify_compact(token, keys)?;
    Ok(zeroize::Zeroizing::new(verified.into_payload()))
}
