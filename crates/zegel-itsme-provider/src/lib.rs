#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod authorize;
mod client;
mod error;
mod faults;
mod form;
mod http;
mod identity;
mod issue;
mod provider;
mod routes;
mod state;
mod token;

pub use client::{Client, ClientAuth, ClientKeys};
pub use error::Error;
pub use faults::{Endpoint, Faults};
pub use identity::{DEMO_NATIONAL_NUMBER, demo_identity};
pub use provider::{Provider, ProviderBuilder};
pub use state::{Counters, UserAction};
