//! Issuing JWTs: [`sign`] a claim set, or [`sign_with_header`] to choose the header.
//!
//! The claim set is serialized by [`Claims::to_json`], which refuses a registered claim repeated
//! among the extra claims, so the signed payload never names a claim twice.

use serde::Serialize;
use zegel_jose::jws::{self, JwsHeader, Signer};

use crate::claims::Claims;
use crate::error::Error;

/// Signs `claims` into a compact JWS with the header `{"alg":..,"typ":"JWT"}`, plus the key's
/// `kid` if it has one (RFC 7519 §3, §5.1).
///
/// # Errors
/// [`Error::DuplicateClaim`] and [`Error::CustomClaims`] from [`Claims::to_json`]; the signing
/// errors of [`jws::sign_compact`] wrapped in [`Error::Jose`].
pub fn sign<T: Serialize>(claims: &Claims<T>, key: &dyn Signer) -> Result<String, Error> {
    let mut header = JwsHeader::new().with_typ("JWT");
    if let Some(kid) = key.kid() {
        header = header.with_kid(kid);
    }
    sign_with_header(claims, key, &header)
}

/// Signs `claims` into a compact JWS with `header` as given (its `alg` is set from the key), for
/// explicit types such as `at+jwt` (RFC 9068) or extra header parameters.
///
/// # Errors
/// As [`sign`]; [`zegel_jose::Error::InvalidParameter`] (wrapped) for a header with `b64`.
pub fn sign_with_header<T: Serialize>(
    claims: &Claims<T>,
    key: &dyn Signer,
    header: &JwsHeader,
) -> Result<String, Error> {
    // A JWT's payload is always base64url (RFC 7519 §7.1): no RFC 7797 `b64`.
    if header.b64.is_some() {
        return Err(zegel_jose::Error::InvalidParameter { name: "b64".into() }.into());
    }
    // The JSON text once, base64url-encoded straight into the signing input.
    let payload = claims.to_json_bytes()?;
    Ok(jws::sign_compact(&payload, key, header)?)
}
