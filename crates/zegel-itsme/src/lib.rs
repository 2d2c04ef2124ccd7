//! itsme® rules (placeholder doc, replaced below).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
pub mod config;
pub mod confirmation;
pub mod environment;
pub mod error;
pub mod pending;
mod uri;

pub use claims::{ClaimsRequest, Identity};
pub use config::Config;
pub use environment::Environment;
pub use error::Error;
pub use uri::UrlProblem;
