//! Algorithm names from the command line, resolved exactly through the library tables.
//!
//! An unknown name (and `none`, which has no value in any table) is a usage error: exit 2.

use zegel_jose::Jwk;
use zegel_jose::jwe::{self, ContentEncryption, KeyManagement};
use zegel_jose::jws::{self, JwsAlgorithm};

use crate::exit::Failure;

/// A JWS algorithm by its RFC 7518 / RFC 8037 name.
pub(crate) fn jws_alg(name: &str) -> Result<&'static JwsAlgorithm, Failure> {
    jws::by_name(name).ok_or_else(|| unknown("JWS", name, jws::ALL.iter().map(|a| a.name())))
}

/// JWS algorithms by name, in order.
pub(crate) fn jws_algs(names: &[String]) -> Result<Vec<&'static JwsAlgorithm>, Failure> {
    names.iter().map(|n| jws_alg(n)).collect()
}

/// A JWE key management algorithm by name.
pub(crate) fn key_mgmt(name: &str) -> Result<&'static KeyManagement, Failure> {
    jwe::by_name(name).ok_or_else(|| {
        unknown(
            "JWE key management",
            name,
            jwe::ALL.iter().map(|a| a.name()),
        )
    })
}

/// A JWE content encryption algorithm by name.
pub(crate) fn content_enc(name: &str) -> Result<&'static ContentEncryption, Failure> {
    jwe::enc_by_name(name).ok_or_else(|| {
        unknown(
            "JWE content encryption",
            name,
            jwe::ALL_ENC.iter().map(|a| a.name()),
        )
    })
}

/// Checks that `name` is a JWS or JWE algorithm the key can be used with, for `jwk generate
/// --alg`.
pub(crate) fn check_key_alg(key: &Jwk, name: &str) -> Result<(), Failure> {
    if let Some(alg) = jws::by_name(name) {
        return if alg.fits(key) {
            Ok(())
        } else {
            Err(Failure::usage(format!(
                "{name} does not fit a {} key",
                key.key_type().name()
            )))
        };
    }
    if let Some(alg) = jwe::by_name(name) {
        return if alg.fits(key) {
            Ok(())
        } else {
            Err(Failure::usage(format!(
                "{name} does not fit a {} key",
                key.key_type().name()
            )))
        };
    }
    if jwe::enc_by_name(name).is_some() {
        return Err(Failure::usage(format!(
            "{name} is a content encryption algorithm; a key's alg is a key management algorithm"
        )));
    }
    Err(Failure::usage(format!("unknown algorithm {name:?}")))
}

/// Checks that `--alg` and `--use` agree, for `jwk generate|import`: a JWS algorithm is for
/// `sig`, a JWE key management algorithm for `enc`.
pub(crate) fn check_alg_use(alg: Option<&str>, use_: Option<&str>) -> Result<(), Failure> {
    let (Some(alg), Some(use_)) = (alg, use_) else {
        return Ok(());
    };
    let fits = match use_ {
        "sig" => jws::by_name(alg).is_some(),
        "enc" => jwe::by_name(alg).is_some(),
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "--alg {alg} and --use {use_} disagree: a JWS algorithm is for sig, a JWE one for enc"
        )))
    }
}

fn unknown<'a>(family: &str, name: &str, known: impl Iterator<Item = &'a str>) -> Failure {
    let known: Vec<&str> = known.collect();
    Failure::usage(format!(
        "unknown {family} algorithm {name:?} (known: {})",
        known.join(", ")
    ))
}
