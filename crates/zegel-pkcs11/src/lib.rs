//! Partner keys in an HSM: zegel's [`Signer`](zegel_jose::jws::Signer) and
//! [`Decrypter`](zegel_jose::jwe::Decrypter) over PKCS #11, through the `cryptoki` crate.
//!
//! The private keys never leave the token: JWS signatures (RS256/384/512, PS256/384/512,
//! ES256/384/512) are computed by `C_Sign`, JWE content keys are recovered by `C_Decrypt`
//! (RSA-OAEP, RSA-OAEP-256/384/512) or `C_DeriveKey` (ECDH-ES, returning only `Z`). Keys are
//! found by label or id ([`KeyRef`]), named by RFC 7512 URIs ([`Pkcs11Uri`]), and export their
//! public part as a JWK whose `kid` is its RFC 7638 thumbprint. A [`Token`] pools logged-in
//! sessions for all its keys and recovers from a lost session on the next call.
//!
//! ```no_run
//! use zegel_jose::jws::{self, JwsHeader};
//! use zegel_pkcs11::{KeyRef, PinSource, Token, TokenSelector};
//!
//! let token = Token::open(
//!     "/usr/lib/softhsm/libsofthsm2.so",
//!     TokenSelector::Label("partner"),
//!     PinSource::env("HSM_PIN"),
//! )?;
//! let signer = token.signer(&KeyRef::label("sig-2026"), &jws::RS256)?;
//! let token = jws::sign_compact(b"hello", &signer, &JwsHeader::new())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod decrypt;
mod der;
mod error;
mod generate;
mod key;
mod pin;
mod sign;
mod token;
pub mod uri;

pub use decrypt::Pkcs11Decrypter;
pub use error::Pkcs11Error;
pub use generate::KeyPurpose;
pub use key::KeyRef;
pub use pin::PinSource;
pub use sign::Pkcs11Signer;
pub use token::{MODULE_ENV, PIN_ENV, Token, TokenSelector};
pub use uri::{Pkcs11Uri, UriError};
