#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
mod error;
pub mod hash;
mod nested;
mod numeric_date;
mod sign;
mod time;
pub mod validation;
mod verify;
mod write;

pub use claims::{Audience, Claim, Claims};
pub use error::Error;
pub use nested::{
    DecryptedJwt, Decryption, OpenKeys, decrypt, decrypt_with_decrypter, encrypt_signed, open,
    open_as, sign_and_encrypt,
};
pub use numeric_date::NumericDate;
pub use sign::{sign, sign_with_header};
pub use time::{ClockError, UnixTime};
pub use validation::Validation;
pub use verify::{Verified, unverified_header, verify, verify_as};
