//! `zegel jwks generate`: the key pair an itsme® partner publishes at its JWK Set URI.
//!
//! Writes `jwks_private.json` (mode 0600) and `jwks_public.json` to `--out-dir`: one RSA
//! signing key (`use` `sig`, `alg` `RS256`) and one RSA encryption key (`use` `enc`, `alg`
//! `RSA-OAEP-256`), each with its RFC 7638 thumbprint as `kid`.
//!
//! Extension of the contract: with `--pkcs11 URI` the two keys are generated inside the HSM
//! (private halves sensitive and not extractable) and only `jwks_public.json` is written.

use std::fs;
use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use zegel_jose::Jwk;
use zegel_jose::jwk::{JwkSet, KeySpec};
use zegel_jose::{jwe, jws};

use zegel_pkcs11::{KeyPurpose, KeyRef};

use crate::exit::{self, Failure};
use crate::{io, keys};

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
    /// Extension: generate the keys inside the HSM this RFC 7512 URI names (its `object`, if
    /// any, is the label prefix: PREFIX-sig and PREFIX-enc, default zegel-sig and zegel-enc) and
    /// write only jwks_public.json.
    #[arg(long, value_name = "URI")]
    pkcs11: Option<String>,
}

/// Runs `zegel jwks ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Generate(args) => generate(args),
        Command::Fetch(args) => crate::cmd::discovery::jwks_fetch(args),
    }
}

fn generate(args: &GenerateArgs) -> Result<(), Failure> {
    if let Some(uri) = &args.pkcs11 {
        return generate_in_hsm(args, uri);
    }
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

/// `--pkcs11`: the two keys made in the HSM, only the public set written.
fn generate_in_hsm(args: &GenerateArgs, uri: &str) -> Result<(), Failure> {
    let public_path = args.out_dir.join("jwks_public.json");
    if !args.force && public_path.exists() {
        return Err(Failure::usage(format!(
            "{} exists; refusing to overwrite it (use --force)",
            public_path.display()
        )));
    }
    let bits = u32::try_from(args.bits)
        .map_err(|_| Failure::usage(format!("--bits {}: too large", args.bits)))?;
    let (token, prefix) = keys::hsm_token(uri)?;
    let prefix = prefix.unwrap_or_else(|| "zegel".to_owned());
    let hsm = |e: &zegel_pkcs11::Pkcs11Error| keys::hsm_error(e);
    let [sig, enc] =
        [("sig", KeyPurpose::Sign), ("enc", KeyPurpose::Decrypt)].map(|(suffix, purpose)| {
            let label = format!("{prefix}-{suffix}");
            token
                .generate_rsa(&label, label.as_bytes(), bits, purpose)
                .map(|_| KeyRef::label(label))
                .map_err(|e| hsm(&e))
        });
    let (sig, enc) = (&sig?, &enc?);
    let sig = token.signer(sig, &jws::RS256).map_err(|e| hsm(&e))?;
    // RSA-OAEP-256 as the contract says, where the token does it (SoftHSM 2.6 does OAEP with
    // SHA-1 only): a published key the token cannot decrypt for would break every login.
    let enc = match token.decrypter(enc, Some(&jwe::RSA_OAEP_256)) {
        Ok(d) => d,
        Err(zegel_pkcs11::Pkcs11Error::MechanismUnsupported { .. }) => {
            eprintln!(
                "note: the token does not decrypt RSA-OAEP-256; the encryption key is published \
                 for RSA-OAEP"
            );
            token
                .decrypter(enc, Some(&jwe::RSA_OAEP))
                .map_err(|e| hsm(&e))?
        }
        Err(e) => return Err(hsm(&e)),
    };
    let set = JwkSet::new(vec![sig.public_jwk().clone(), enc.public_jwk().clone()]);
    fs::create_dir_all(&args.out_dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", args.out_dir.display())))?;
    io::write_file(
        &public_path,
        format!("{}\n", set.to_public_json()).as_bytes(),
        0o644,
        args.force,
    )
}
