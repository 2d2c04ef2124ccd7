//! `zegel jwk generate|public|thumbprint`.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use zegel_jose::Jwk;
use zegel_jose::jwk::{Curve, KeySpec, KeyType};

use crate::exit::{self, Failure};
use crate::keys::{self, Keys};
use crate::{algs, io};

/// `zegel jwk ...`
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a private JWK (kid: its RFC 7638 thumbprint unless --kid).
    Generate(GenerateArgs),
    /// Print the public part of a JWK, JWK Set or PEM key.
    Public(InArgs),
    /// Print the RFC 7638 SHA-256 thumbprint of a JWK, base64url.
    Thumbprint(InArgs),
    /// Convert a PEM key (PKCS#8, SPKI, PKCS#1, SEC1) to a JWK, kid = its thumbprint
    /// (extension).
    Import(ImportArgs),
    /// Convert a JWK to PEM: PKCS#8 for a private key, SPKI for a public one (extension).
    Pem(PemArgs),
}

/// `zegel jwk import`
#[derive(Debug, ClapArgs)]
pub(crate) struct ImportArgs {
    /// The algorithm the key is bound to (`alg` member).
    #[arg(long)]
    alg: Option<String>,
    /// Intended use (`use` member).
    #[arg(long = "use", value_parser = ["sig", "enc"])]
    use_: Option<String>,
    /// Key id; defaults to the RFC 7638 thumbprint.
    #[arg(long)]
    kid: Option<String>,
    /// Read from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// `zegel jwk pem`
#[derive(Debug, ClapArgs)]
pub(crate) struct PemArgs {
    /// Write the public key (SPKI) even when the key is private.
    #[arg(long)]
    public: bool,
    /// Read from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// `zegel jwk generate`
#[derive(Debug, ClapArgs)]
pub(crate) struct GenerateArgs {
    /// Key type.
    #[arg(long, value_parser = ["RSA", "EC", "OKP", "oct"])]
    kty: String,
    /// Curve: P-256, P-384, P-521, secp256k1 (EC); Ed25519, X25519 (OKP).
    #[arg(long)]
    crv: Option<String>,
    /// Key size in bits: RSA modulus (default 2048), oct key (default 256).
    #[arg(long)]
    bits: Option<usize>,
    /// The algorithm the key is bound to (`alg` member).
    #[arg(long)]
    alg: Option<String>,
    /// Intended use (`use` member).
    #[arg(long = "use", value_parser = ["sig", "enc"])]
    use_: Option<String>,
    /// Key id; defaults to the RFC 7638 thumbprint.
    #[arg(long)]
    kid: Option<String>,
}

/// Input-only arguments.
#[derive(Debug, ClapArgs)]
pub(crate) struct InArgs {
    /// Read from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// Runs `zegel jwk ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Generate(args) => generate(args),
        Command::Public(args) => public(args),
        Command::Thumbprint(args) => thumbprint(args),
        Command::Import(args) => import(args),
        Command::Pem(args) => pem(args),
    }
}

fn generate(args: &GenerateArgs) -> Result<(), Failure> {
    let key = generate_key(args)?;
    io::write_line(&key.to_private_json())
}

/// The smallest `oct` key `jwk generate` makes (the contract: exit 2 below it).
const MIN_OCT_BITS: usize = 128;

/// Generates the key `args` describe, with its `alg`, `use` and `kid`: by default the RFC 7638
/// thumbprint for public-key types, and 128 random bits, base64url, for `oct` keys.
fn generate_key(args: &GenerateArgs) -> Result<Jwk, Failure> {
    let kty = KeyType::from_name(&args.kty)
        .ok_or_else(|| Failure::usage(format!("unknown key type {:?}", args.kty)))?;
    let curve = |kty: KeyType| -> Result<Curve, Failure> {
        let name = args
            .crv
            .as_deref()
            .ok_or_else(|| Failure::usage(format!("--kty {} needs --crv", kty.name())))?;
        Curve::from_name(name)
            .filter(|c| c.key_type() == kty)
            .ok_or_else(|| Failure::usage(format!("curve {name:?} is not a {} curve", kty.name())))
    };
    if args.crv.is_some() && matches!(kty, KeyType::Rsa | KeyType::Oct) {
        return Err(Failure::usage(format!(
            "--crv does not apply to --kty {}",
            kty.name()
        )));
    }
    if args.bits.is_some() && matches!(kty, KeyType::Ec | KeyType::Okp) {
        return Err(Failure::usage(format!(
            "--bits does not apply to --kty {}",
            kty.name()
        )));
    }
    let spec = match kty {
        KeyType::Rsa => KeySpec::Rsa {
            bits: args.bits.unwrap_or(2048),
        },
        KeyType::Oct => {
            let bits = args.bits.unwrap_or(256);
            if bits < MIN_OCT_BITS {
                return Err(Failure::usage(format!(
                    "--bits {bits}: an oct key has at least {MIN_OCT_BITS} bits"
                )));
            }
            if !bits.is_multiple_of(8) {
                return Err(Failure::usage(format!(
                    "--bits {bits}: an oct key is a whole number of bytes"
                )));
            }
            KeySpec::Oct { bytes: bits / 8 }
        }
        KeyType::Ec => KeySpec::Ec(curve(kty)?),
        KeyType::Okp => KeySpec::Okp(curve(kty)?),
        _ => {
            return Err(Failure::usage(format!(
                "cannot generate {} keys",
                kty.name()
            )));
        }
    };
    // Flags are checked before any work: generating an RSA key takes a while.
    algs::check_alg_use(args.alg.as_deref(), args.use_.as_deref())?;
    let mut key = Jwk::generate(&spec).map_err(|e| exit::config("cannot generate the key", &e))?;
    if let Some(alg) = &args.alg {
        algs::check_key_alg(&key, alg)?;
        key = key.with_alg(alg.clone());
    }
    if let Some(use_) = &args.use_ {
        key = key.with_use(use_.clone());
    }
    let kid = match &args.kid {
        Some(kid) => kid.clone(),
        // An oct key's thumbprint is a hash of the secret, and the kid goes into every token
        // header: a short key would fall to an offline search. Its kid is random instead.
        None if kty == KeyType::Oct => zegel_jwt::claims::random_jti()
            .map_err(|e| exit::jwt_config("cannot make a kid", &e))?,
        None => key.thumbprint_sha256_b64(),
    };
    Ok(key.with_kid(kid))
}

fn public(args: &InArgs) -> Result<(), Failure> {
    let input = io::read_input(args.input.as_deref())?;
    let keys = keys::parse(&input).map_err(|e| exit::key_input("cannot read the key", &e))?;
    let json = match keys {
        Keys::One(key) => key
            .to_public_json()
            .ok_or_else(|| Failure::rejected("a symmetric (oct) key has no public part"))?,
        Keys::Set(set) => set.to_public_json(),
    };
    io::write_line(&json)
}

fn thumbprint(args: &InArgs) -> Result<(), Failure> {
    let key = one_key(args.input.as_deref())?;
    io::write_line(&key.thumbprint_sha256_b64())
}

/// Reads one key (JWK or PEM, not a set) from the input.
fn one_key(path: Option<&std::path::Path>) -> Result<Jwk, Failure> {
    let input = io::read_input(path)?;
    match keys::parse(&input).map_err(|e| exit::key_input("cannot read the key", &e))? {
        Keys::One(key) => Ok(*key),
        Keys::Set(_) => Err(Failure::rejected("expected one JWK, got a JWK Set")),
    }
}

fn import(args: &ImportArgs) -> Result<(), Failure> {
    let mut key = one_key(args.input.as_deref())?;
    algs::check_alg_use(args.alg.as_deref(), args.use_.as_deref())?;
    if let Some(alg) = &args.alg {
        algs::check_key_alg(&key, alg)?;
        key = key.with_alg(alg.clone());
    }
    if let Some(use_) = &args.use_ {
        key = key.with_use(use_.clone());
    }
    let kid = match (&args.kid, key.kid()) {
        (Some(kid), _) => kid.clone(),
        (None, Some(own)) => own.to_owned(),
        (None, None) => key.thumbprint_sha256_b64(),
    };
    let key = key.with_kid(kid);
    if key.is_private() {
        io::write_line(&key.to_private_json())
    } else {
        let json = key
            .to_public_json()
            .ok_or_else(|| Failure::rejected("the key has no public part"))?;
        io::write_line(&json)
    }
}

fn pem(args: &PemArgs) -> Result<(), Failure> {
    let key = one_key(args.input.as_deref())?;
    if key.is_private() && !args.public {
        let pem = key
            .to_pem_private()
            .map_err(|e| exit::key_input("cannot write PEM", &e))?;
        io::write_line(pem.trim_end())
    } else {
        let pem = key
            .to_pem_public()
            .map_err(|e| exit::key_input("cannot write PEM", &e))?;
        io::write_line(pem.trim_end())
    }
}
