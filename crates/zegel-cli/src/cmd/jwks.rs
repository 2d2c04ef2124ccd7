//! `zegel jwks generate`: the key pair an itsme® partner publishes at its JWK Set URI.
//!
//! Writes `jwks_private.json` (mode 0600) and `jwks_public.json` to `--out-dir`: one RSA
//! signing key (`use` `sig`, `alg` `RS256`) and one RSA encryption key (`use` `enc`, `alg`
//! `RSA-OAEP-256`), each with its RFC 7638 thumbprint as `kid`.

use std::fs;
use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use zegel_jose::Jwk;
use zegel_jose::jwk::{JwkSet, KeySpec};
use zegel_jose::{jwe, jws};

use crate::exit::{self, Failure};
use crate::io;

/// `zegel jwks ...`
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write jwks_private.json (mode 0600) and jwks_public.json: an RS256 signing key and an
    /// RSA-OAEP-256 encryption key.
    Generate(GenerateArgs),
    /// Fetch and validate a provider's JWK Set; print it as pretty JSON (keys of unknown types
    /// left out, private members never passed on).
    Fetch(crate::cmd::discovery::FetchArgs),
}

/// `zegel jwks generate`
#[derive(Debug, ClapArgs)]
pub(crate) struct GenerateArgs {
    /// The folder to write to (created if missing).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// RSA modulus size.
    #[arg(long, default_value_t = 3072)]
    bits: usize,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
}

/// Runs `zegel jwks ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Generate(args) => generate(args),
        Command::Fetch(args) => crate::cmd::discovery::jwks_fetch(args),
    }
}

fn generate(args: &GenerateArgs) -> Result<(), Failure> {
    let private_path = args.out_dir.join("jwks_private.json");
    let public_path = args.out_dir.join("jwks_public.json");
    if !args.force {
        for path in [&private_path, &public_path] {
            if path.exists() {
                return Err(Failure::usage(format!(
                    "{} exists; refusing to overwrite it (use --force)",
                    path.display()
                )));
            }
        }
    }
    let set = JwkSet::new(vec![
        rsa_key(args.bits, "sig", jws::RS256.name())?,
        rsa_key(args.bits, "enc", jwe::RSA_OAEP_256.name())?,
    ]);
    fs::create_dir_all(&args.out_dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", args.out_dir.display())))?;
    let private = set.to_private_json();
    io::write_file(
        &private_path,
        format!("{}\n", private.as_str()).as_bytes(),
        0o600,
        args.force,
    )?;
    io::write_file(
        &public_path,
        format!("{}\n", set.to_public_json()).as_bytes(),
        0o644,
        args.force,
    )
}

fn rsa_key(bits: usize, use_: &str, alg: &str) -> Result<Jwk, Failure> {
    let key = Jwk::generate(&KeySpec::Rsa { bits })
        .map_err(|e| exit::config("cannot generate an RSA key", &e))?
        .with_use(use_)
        .with_alg(alg);
    let kid = key.thumbprint_sha256_b64();
    Ok(key.with_kid(kid))
}
