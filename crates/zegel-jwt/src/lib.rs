#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
pub mod error;
pub mod hash;
pub mod numeric_date;
pub mod time;
pub mod validation;

pub use claims::{Audience, Claim, Claims};
pub use error::Error;
pub use numeric_date::NumericDate;
pub use time::UnixTime;
pub use validation::Validation;

// TEMPORARY until the jws branch lands.
#[doc(hidden)]
pub use stub::JwsAlgorithm;
mod stub {
    #![allow(missing_docs, unreachable_pub)]
    #[derive(Debug)]
    pub struct JwsAlgorithm(pub &'static str);
    impl JwsAlgorithm {
        pub fn name(&self) -> &'static str {
            self.0
        }
    }
}
