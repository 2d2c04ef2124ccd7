#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod discovery;
pub mod error;
mod rand;
pub mod secret;
pub mod secret_keys;

pub use discovery::{ProviderMetadata, Security};
pub use error::Error;
pub use secret::ClientSecret;
pub mod authorize;
pub mod callback;
mod client;
pub mod client_auth;
pub mod clock;
pub mod http;
pub mod id_token;
pub mod jwks;
mod keys;
pub mod pending;
pub mod token;
pub mod userinfo;
pub use client::{Client, Login, Registration, discover};
pub use pending::PendingLogin;
