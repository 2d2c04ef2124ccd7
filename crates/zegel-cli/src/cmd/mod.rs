//! One module per command group; each owns its clap arguments and a `run` function.

pub(crate) mod discovery;
pub(crate) mod inspect;
pub(crate) mod itsme;
pub(crate) mod itsme_demo;
pub(crate) mod jwe;
pub(crate) mod jwk;
pub(crate) mod jwks;
pub(crate) mod jws;
pub(crate) mod jwt;

/// The JSON serialization asked for by `--json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum JsonForm {
    /// One signature or recipient, members at the top level.
    Flattened,
    /// `signatures` or `recipients` array.
    General,
}
