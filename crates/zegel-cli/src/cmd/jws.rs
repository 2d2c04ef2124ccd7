//! `zegel jws sign|verify`.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use zegel_jose::Jwk;
use zegel_jose::error::Part;
use zegel_jose::jwk::KeyOp;
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, Signer, SigningKey, Verifier};

use crate::cmd::JsonForm;
use crate::exit::{self, Failure};
use crate::keys::{self, Keys};
use crate::{algs, io};

/// `zegel jws ...`
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign the payload read from standard input.
    Sign(SignArgs),
    /// Verify a JWS (compact or JSON) and print its payload.
    Verify(VerifyArgs),
}

/// `zegel jws sign`
#[derive(Debug, ClapArgs)]
pub(crate) struct SignArgs {
    /// The signing key: JWK, JWK Set or PEM; or (extension) a key in an HSM, as an RFC 7512
    /// `pkcs11:` URI.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The algorithm (RS256, ES256, EdDSA, HS256, ...).
    #[arg(long)]
    alg: String,
    /// `kid` header (default: the key's own kid); also picks the key from a set.
    #[arg(long)]
    kid: Option<String>,
    /// `typ` header.
    #[arg(long)]
    typ: Option<String>,
    /// `cty` header.
    #[arg(long)]
    cty: Option<String>,
    /// More protected header members, as a JSON object.
    #[arg(long, value_name = "JSON")]
    header: Option<String>,
    /// Output the JSON serialization instead of the compact one.
    #[arg(long, value_name = "FORM", num_args = 0..=1, default_missing_value = "flattened")]
    json: Option<JsonForm>,
    /// Read the payload from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// `zegel jws verify`
#[derive(Debug, ClapArgs)]
pub(crate) struct VerifyArgs {
    /// The verification key: JWK, JWK Set or PEM.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// An allowed algorithm (repeatable). Default: the key's own `alg`, else every algorithm
    /// that fits the key's type.
    #[arg(long)]
    alg: Vec<String>,
    /// Use only the key with this `kid` from the set.
    #[arg(long)]
    kid: Option<String>,
    /// Read the JWS from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// Runs `zegel jws ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Sign(args) => sign(args),
        Command::Verify(args) => verify(args),
    }
}

fn sign(args: &SignArgs) -> Result<(), Failure> {
    let alg = algs::jws_alg(&args.alg)?;
    let hsm;
    let keys;
    let software;
    let (signer, key): (&dyn Signer, &Jwk) = match keys::pkcs11_uri(&args.key) {
        Some(uri) => {
            hsm = keys::hsm_signer(uri, alg)?;
            (&hsm, hsm.public_jwk())
        }
        None => {
            keys = keys::load(&args.key)?;
            let key = keys.pick(args.kid.as_deref(), alg.name(), KeyOp::Sign, |k| {
                alg.fits(k)
            })?;
            software = signing_key(key, alg)?;
            (&software, key)
        }
    };
    let header = build_header(
        key,
        args.kid.as_deref(),
        args.typ.as_deref(),
        args.cty.as_deref(),
        args.header.as_deref(),
    )?;
    if !header.alg.is_empty() && header.alg != alg.name() {
        return Err(Failure::usage(format!(
            "--header names alg {:?}, but --alg is {}; give the algorithm with --alg only",
            header.alg,
            alg.name()
        )));
    }
    let payload = io::read_input(args.input.as_deref())?;
    let token = match args.json {
        None => jws::sign_compact(&payload, signer, &header),
        Some(JsonForm::Flattened) => jws::sign_flattened(&payload, signer, &header, None),
        Some(JsonForm::General) => jws::sign_general(&payload, &[(signer, &header, None)]),
    }
    .map_err(|e| exit::config("cannot sign", &e))?;
    io::write_line(&token)
}

/// Prepares a signing key, with a configuration error when the key does not fit.
pub(crate) fn signing_key(key: &Jwk, alg: &'static JwsAlgorithm) -> Result<SigningKey, Failure> {
    if !key.is_private() {
        return Err(Failure::usage(
            "signing needs a private key; this key is public",
        ));
    }
    SigningKey::new(key, alg)
        .map_err(|e| exit::config(&format!("cannot sign with {}", alg.name()), &e))
}

/// The protected header: `--header` members, then `kid` (the flag, else the key's own), `typ`,
/// `cty`.
pub(crate) fn build_header(
    key: &Jwk,
    kid: Option<&str>,
    typ: Option<&str>,
    cty: Option<&str>,
    extra: Option<&str>,
) -> Result<JwsHeader, Failure> {
    let mut header = match extra {
        Some(json) => {
            let obj = zegel_jose::json::parse_object(
                json.as_bytes(),
                Part::Header,
                zegel_jose::json::DEFAULT_MAX_DEPTH,
            )
            .map_err(|e| exit::config("--header", &e))?;
            JwsHeader::from_object(obj).map_err(|e| exit::config("--header", &e))?
        }
        None => JwsHeader::new(),
    };
    if let Some(kid) = kid.or(key.kid()) {
        header.kid = Some(kid.to_owned());
    }
    if let Some(typ) = typ {
        header.typ = Some(typ.to_owned());
    }
    if let Some(cty) = cty {
        header.cty = Some(cty.to_owned());
    }
    Ok(header)
}

fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let allowed = algs::jws_algs(&args.alg)?;
    let keys = keys::load(&args.key)?.restrict_kid(args.kid.as_deref())?;
    let token = io::read_token(args.input.as_deref())?;
    let verified = verify_token(&token, &keys, &allowed)?;
    io::write_bytes(verified.payload())
}

/// Verifies a JWS with the keys and allowlist; an empty allowlist means each key's own `alg`,
/// else every algorithm that fits its type.
pub(crate) fn verify_token(
    token: &[u8],
    keys: &Keys,
    allowed: &[&'static JwsAlgorithm],
) -> Result<jws::Verified, Failure> {
    let allowed = if allowed.is_empty() {
        default_algs_or_usage(keys)?
    } else {
        allowed.to_vec()
    };
    // The input was already read in full: the library's network-sized default does not apply.
    let verifier = Verifier::new(&allowed).with_max_token_len(io::MAX_INPUT);
    verifier.verify(token, keys).map_err(|e| {
        let failure = exit::input("verification failed", &e);
        match e {
            zegel_jose::Error::AlgNotAllowed { .. } => failure.with_hint(&allowed_hint(&allowed)),
            _ => failure,
        }
    })
}

/// Which algorithms were allowed, and how to change that.
pub(crate) fn allowed_hint(allowed: &[&'static JwsAlgorithm]) -> String {
    if allowed.is_empty() {
        return "no algorithm fits the key; name one with --alg".to_owned();
    }
    let names: Vec<&str> = allowed.iter().map(|a| a.name()).collect();
    format!("allowed: {}; --alg changes this", names.join(", "))
}

/// [`default_algs`], or a configuration error when no algorithm at all fits the keys (a key
/// bound to a JWE algorithm, an empty set): no token could ever verify.
pub(crate) fn default_algs_or_usage(keys: &Keys) -> Result<Vec<&'static JwsAlgorithm>, Failure> {
    let algs = default_algs(keys);
    if algs.is_empty() {
        return Err(Failure::usage(
            "no JWS algorithm fits the key (its own \"alg\", else its type); name one with --alg",
        ));
    }
    Ok(algs)
}

/// The algorithms allowed without `--alg`: the key's own `alg` when it has one, else every
/// algorithm that fits its type (for a set: the union over its keys).
pub(crate) fn default_algs(keys: &Keys) -> Vec<&'static JwsAlgorithm> {
    let mut out: Vec<&'static JwsAlgorithm> = Vec::new();
    for key in keys.all() {
        let fitting = jws::ALL.iter().copied().filter(|a| match key.alg() {
            Some(own) => a.name() == own,
            None => a.fits(key),
        });
        for alg in fitting {
            if !out.iter().any(|a| core::ptr::eq(*a, alg)) {
                out.push(alg);
            }
        }
    }
    out
}
