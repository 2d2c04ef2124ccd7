#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
mod error;
pub mod hash;
mod nested;
mod numeric_date;
mod sign;
mod strict;
mod time;
pub mod validation;
mod verify;

pub use claims::{Audience, Claim, Claims};
pub use error::Error;
pub use nested::{
    DecryptedJwt, Decryption, decrypt, decrypt_with_decrypter, encrypt_signed, open,
    sign_and_encrypt,
};
pub use numeric_date::NumericDate;
pub use sign::{sign, sign_with_header};
pub use time::UnixTime;
pub use validation::Validation;
pub use verify::{Verified, verify};
