//! JSON Web Signature (RFC 7515), with the algorithms of RFC 7518 §3, RFC 8037, RFC 8812 and
//! RFC 9864 (`Ed25519`), unencoded payloads (RFC 7797) and detached content.
//!
//! Sign with a [`SigningKey`] (a [`Jwk`](crate::Jwk) prepared once for one algorithm) through
//! [`sign_compact`], [`sign_flattened`], [`sign_general`] and their `_detached` forms; verify
//! with a [`Verifier`], which requires the accepted algorithms up front and returns a
//! [`Verified`] only when a signature verifies. [`dangerous::decode_unverified`] reads a token
//! without verifying it, for inspection only.
//!
//! ```
//! use zegel_jose::jws::{self, JwsHeader, SigningKey, Verifier};
//! use zegel_jose::Jwk;
//!
//! let key = Jwk::parse(br#"{"kty":"OKP","crv":"Ed25519",
//!     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
//!     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#)?;
//! let signer = SigningKey::new(&key, &jws::EDDSA)?;
//! let token = jws::sign_compact(b"Example of Ed25519 signing", &signer, &JwsHeader::new())?;
//! assert_eq!(token, "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
//!
//! let public = key.to_public().expect("an OKP key has a public part");
//! let verified = Verifier::new(&[&jws::EDDSA]).verify(token.as_bytes(), &public)?;
//! assert_eq!(verified.payload(), b"Example of Ed25519 signing");
//! # Ok::<(), zegel_jose::Error>(())
//! ```

mod alg;
use crate::backend;
mod cache;
mod header;
mod parse;
mod sign;
mod verify;

pub use alg::{
    ALL, ED25519, EDDSA, ES256, ES256K, ES384, ES512, HS256, HS384, HS512, JwsAlgorithm, PS256,
    PS384, PS512, RS256, RS384, RS512, by_name,
};
pub(crate) use cache::KeyCache;
pub use header::JwsHeader;

pub use sign::{
    GeneralSigner, Signer, SigningKey, sign_compact, sign_compact_detached, sign_flattened,
    sign_flattened_detached, sign_general, sign_general_detached,
};
pub use verify::{
    DEFAULT_MAX_KEY_OPERATIONS, DEFAULT_MAX_SIGNATURES, DEFAULT_MAX_TOKEN_LEN, STACK_PAYLOAD_LEN,
    Verified, Verifier,
};

/// Reading a JWS without verifying it.
pub mod dangerous {
    use super::header::JwsHeader;
    use super::parse::{self, Limits};
    use super::verify::{DEFAULT_MAX_SIGNATURES, DEFAULT_MAX_TOKEN_LEN};
    use crate::base64url;
    use crate::error::{Error, Part};
    use crate::json;

    /// A JWS read without verification: its headers and payload. Nothing in it is authentic.
    #[derive(Clone, Debug, PartialEq)]
    pub struct UnverifiedJws {
        headers: Vec<JwsHeader>,
        payload: Option<Vec<u8>>,
    }

    impl UnverifiedJws {
        /// The header of each signature (protected and unprotected merged), in order.
        #[must_use]
        pub fn headers(&self) -> &[JwsHeader] {
            &self.headers
        }

        /// The payload, decoded; `None` when detached.
        #[must_use]
        pub fn payload(&self) -> Option<&[u8]> {
            self.payload.as_deref()
        }
    }

    /// Decodes a JWS (any serialization) without verifying any signature, for display and
    /// debugging (`zegel inspect`).
    ///
    /// # Security
    /// Nothing returned is authentic: never make a decision on it. Use
    /// [`Verifier`](super::Verifier).
    ///
    /// # Errors
    /// The structural errors of [`Verifier::verify`](super::Verifier::verify): size, structure,
    /// base64url, JSON, `crit`, header types.
    pub fn decode_unverified(token: &[u8]) -> Result<UnverifiedJws, Error> {
        let limits = Limits {
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            max_json_depth: json::DEFAULT_MAX_DEPTH,
            max_signatures: DEFAULT_MAX_SIGNATURES,
        };
        let raw = parse::split(token, limits)?;
        let mut headers = Vec::with_capacity(raw.sigs().len());
        let mut encoded = None;
        for sig in raw.sigs() {
            let checked = parse::check_headers_lenient(&raw, sig, limits)?;
            // RFC 7797 §3: one payload, so one `b64` value for every signature.
            if encoded.is_some_and(|e| e != checked.encoded_payload) {
                return Err(Error::InvalidParameter { name: "b64".into() });
            }
            encoded = Some(checked.encoded_payload);
            headers.push(checked.header);
        }
        let encoded = encoded.unwrap_or(true);
        let payload = match &raw.payload {
            Some(p) if p.is_empty() && raw.compact_input.is_some() => None,
            Some(p) if encoded => Some(base64url::decode_public(p, Part::Payload)?),
            Some(p) => Some(p.to_vec()),
            None => None,
        };
        Ok(UnverifiedJws { headers, payload })
    }
}
