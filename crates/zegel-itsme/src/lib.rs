#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
pub mod config;
pub mod confirmation;
pub mod environment;
pub mod error;
pub mod flow;
pub mod jwks;
pub mod pending;
pub mod provider_error;
mod uri;

pub use claims::{ClaimsRequest, Identity};
pub use config::Config;
pub use confirmation::Confirmation;
pub use environment::Environment;
pub use error::Error;
pub use flow::{Authorization, ExternalKeys, FlowError, ItsmeClient, Login, Picture};
pub use jwks::JwksEndpoint;
pub use pending::PendingLogin;
pub use uri::UrlProblem;
