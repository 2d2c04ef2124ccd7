#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backend;
pub mod base64url;
pub mod error;
pub mod hash;
pub(crate) mod header;
pub mod json;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod keys;
pub mod rand;
mod secret;

pub use error::Error;
pub use jwk::{Jwk, JwkSet};
pub use secret::SecretBytes;
