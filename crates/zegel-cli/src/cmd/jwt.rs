//! `zegel jwt sign|encrypt|verify`.
//!
//! `sign` and `encrypt` build the claim set from standard input (a JSON object, may be `{}`)
//! and the flags (`iat` is always now; flags override members of the input). `verify` checks the
//! signature (after decrypting, with `--decrypt-key`) and then the claims with
//! [`zegel_jwt::Validation`], so the CLI decides nothing the library does not: `exp` is required
//! unless `--no-exp`, and a token with `aud` is rejected unless `--aud` names one of its values.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::{Args as ClapArgs, Subcommand};
use serde_json::{Map, Value};
use zegel_jose::error::Part;
use zegel_jose::jwk::KeyOp;
use zegel_jose::jws;
use zegel_jwt::claims::MAX_CLAIMS_DEPTH;
use zegel_jwt::{Claim, Claims, UnixTime, Validation};

use crate::cmd::{jwe as jwe_cmd, jws as jws_cmd};
use crate::exit::{self, Failure};
use crate::{algs, io, keys};

/// `zegel jwt ...`
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign the claims read from standard input: a JWT (typ JWT).
    Sign(SignArgs),
    /// Sign the claims, then encrypt: a nested JWT (cty JWT).
    Encrypt(EncryptArgs),
    /// Verify a JWT (or with --decrypt-key a nested JWT) and check its claims.
    Verify(VerifyArgs),
}

/// The claims flags of `sign` and `encrypt`.
#[derive(Debug, ClapArgs)]
pub(crate) struct ClaimArgs {
    /// `iss` claim.
    #[arg(long)]
    iss: Option<String>,
    /// `sub` claim.
    #[arg(long)]
    sub: Option<String>,
    /// `aud` claim (repeatable: several give an array).
    #[arg(long)]
    aud: Vec<String>,
    /// `exp` = now + SECS.
    #[arg(long, value_name = "SECS")]
    exp_in: Option<u64>,
    /// Add a random `jti`.
    #[arg(long)]
    jti: bool,
    /// Use UNIX (seconds) as "now" for `iat` and `exp`, instead of the clock.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
    /// Read the claims from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// `zegel jwt sign`
#[derive(Debug, ClapArgs)]
pub(crate) struct SignArgs {
    /// The signing key: JWK, JWK Set or PEM.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The signature algorithm.
    #[arg(long)]
    alg: String,
    /// `kid` header (default: the key's own kid).
    #[arg(long)]
    kid: Option<String>,
    /// `typ` header (default: JWT).
    #[arg(long, default_value = "JWT")]
    typ: String,
    #[command(flatten)]
    claims: ClaimArgs,
}

/// `zegel jwt encrypt`
#[derive(Debug, ClapArgs)]
pub(crate) struct EncryptArgs {
    /// The signing key: JWK, JWK Set or PEM.
    #[arg(long, value_name = "FILE")]
    sign_key: PathBuf,
    /// The signature algorithm.
    #[arg(long)]
    sign_alg: String,
    /// `kid` of the signature (default: the signing key's own kid).
    #[arg(long)]
    sign_kid: Option<String>,
    /// The recipient's key: JWK, JWK Set or PEM.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Key management algorithm.
    #[arg(long)]
    alg: String,
    /// Content encryption algorithm.
    #[arg(long)]
    enc: String,
    /// `kid` of the encryption (default: the recipient key's own kid).
    #[arg(long)]
    kid: Option<String>,
    #[command(flatten)]
    claims: ClaimArgs,
}

/// `zegel jwt verify`
#[derive(Debug, ClapArgs)]
pub(crate) struct VerifyArgs {
    /// The verification key: JWK, JWK Set or PEM.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The token is a nested JWT: decrypt it with this key first.
    #[arg(long, value_name = "FILE")]
    decrypt_key: Option<PathBuf>,
    /// An allowed signature algorithm (repeatable). Default: the key's own `alg`, else every
    /// algorithm that fits its type.
    #[arg(long)]
    alg: Vec<String>,
    /// An allowed key management algorithm for --decrypt-key (repeatable).
    #[arg(long)]
    decrypt_alg: Vec<String>,
    /// An allowed content encryption algorithm for --decrypt-key (repeatable).
    #[arg(long)]
    enc: Vec<String>,
    /// The expected issuer.
    #[arg(long)]
    iss: Option<String>,
    /// An accepted audience (repeatable).
    #[arg(long)]
    aud: Vec<String>,
    /// Clock skew allowed on exp, nbf and iat, in seconds.
    #[arg(long, value_name = "SECS")]
    leeway: Option<u64>,
    /// Check at UNIX (seconds) instead of the clock's time.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
    /// Reject tokens issued (iat) more than SECS ago; makes iat required.
    #[arg(long, value_name = "SECS")]
    max_age: Option<u64>,
    /// A claim that must be present (repeatable).
    #[arg(long, value_name = "CLAIM")]
    require: Vec<String>,
    /// Do not require exp (it is still checked when present).
    #[arg(long)]
    no_exp: bool,
    /// Read the token from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// Runs `zegel jwt ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Sign(args) => sign(args),
        Command::Encrypt(args) => encrypt(args),
        Command::Verify(args) => verify(args),
    }
}

fn sign(args: &SignArgs) -> Result<(), Failure> {
    let token = signed(
        &args.key,
        &args.alg,
        args.kid.as_deref(),
        &args.typ,
        &args.claims,
    )?;
    io::write_line(&token)
}

fn encrypt(args: &EncryptArgs) -> Result<(), Failure> {
    let alg = algs::key_mgmt(&args.alg)?;
    let enc = algs::content_enc(&args.enc)?;
    let recipients = keys::load(&args.key)?;
    let recipient = recipients.pick(args.kid.as_deref(), alg.name(), KeyOp::Encrypt, |k| {
        alg.fits(k)
    })?;
    let inner = signed(
        &args.sign_key,
        &args.sign_alg,
        args.sign_kid.as_deref(),
        "JWT",
        &args.claims,
    )?;
    let opts = jwe_cmd::Options {
        kid: args.kid.as_deref().or(recipient.kid()),
        typ: None,
        cty: Some("JWT"),
        zip: false,
    };
    let token = jwe_cmd::encrypt_with(inner.as_bytes(), recipient, alg, enc, &opts, None)?;
    io::write_line(&token)
}

/// Reads the claims, adds the flags' and signs: a compact JWS.
fn signed(
    key_file: &std::path::Path,
    alg_name: &str,
    kid: Option<&str>,
    typ: &str,
    args: &ClaimArgs,
) -> Result<String, Failure> {
    let alg = algs::jws_alg(alg_name)?;
    let keys = keys::load(key_file)?;
    let key = keys.pick(kid, alg.name(), KeyOp::Sign, |k| alg.fits(k))?;
    let signing_key = jws_cmd::signing_key(key, alg)?;
    let header = jws_cmd::build_header(key, kid, Some(typ), None, None)?;
    let claims = claims(args)?;
    let payload = Value::Object(claims).to_string();
    jws::sign_compact(payload.as_bytes(), &signing_key, &header)
        .map_err(|e| exit::config("cannot sign", &e))
}

/// The claim set: the input object, then `iat` = now and the flags.
fn claims(args: &ClaimArgs) -> Result<Map<String, Value>, Failure> {
    let input = io::read_input(args.input.as_deref())?;
    let mut claims = zegel_jose::json::parse_object(
        input.trim_ascii(),
        Part::Payload,
        zegel_jose::json::DEFAULT_MAX_DEPTH,
    )
    .map_err(|e| exit::input("the claims must be a JSON object", &e))?;
    let now = match args.now {
        Some(now) => now,
        None => clock()?.as_secs(),
    };
    claims.insert("iat".into(), Value::from(now));
    if let Some(iss) = &args.iss {
        claims.insert("iss".into(), Value::from(iss.as_str()));
    }
    if let Some(sub) = &args.sub {
        claims.insert("sub".into(), Value::from(sub.as_str()));
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => {
            claims.insert("aud".into(), Value::from(one.as_str()));
        }
        many => {
            claims.insert("aud".into(), Value::from(many.to_vec()));
        }
    }
    if let Some(secs) = args.exp_in {
        let exp = now
            .checked_add(secs)
            .ok_or_else(|| Failure::usage("--exp-in is too large"))?;
        claims.insert("exp".into(), Value::from(exp));
    }
    if args.jti {
        claims.insert("jti".into(), Value::from(random_id()?));
    }
    Ok(claims)
}

/// 128 random bits, base64url: a fresh `jti`.
fn random_id() -> Result<String, Failure> {
    zegel_jwt::claims::random_jti().map_err(|e| exit::jwt_config("cannot make a jti", &e))
}

fn clock() -> Result<UnixTime, Failure> {
    UnixTime::from_system_time(SystemTime::now())
        .ok_or_else(|| Failure::usage("the system clock is before 1970"))
}

fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let allowed = algs::jws_algs(&args.alg)?;
    let decrypt_algs = args
        .decrypt_alg
        .iter()
        .map(|n| algs::key_mgmt(n))
        .collect::<Result<Vec<_>, _>>()?;
    let encs = args
        .enc
        .iter()
        .map(|n| algs::content_enc(n))
        .collect::<Result<Vec<_>, _>>()?;
    let verify_keys = keys::load(&args.key)?;
    let decrypt_keys = args.decrypt_key.as_deref().map(keys::load).transpose()?;
    let now = match args.now {
        Some(secs) => UnixTime::from_secs(secs),
        None => clock()?,
    };
    let token = io::read_token(args.input.as_deref())?;
    let inner = match &decrypt_keys {
        Some(keys) => {
            let plaintext = jwe_cmd::decrypt_token(&token, keys, &decrypt_algs, &encs)?;
            plaintext.expose_secret().trim_ascii().to_vec()
        }
        None => token,
    };
    if inner.first() == Some(&b'{') {
        return Err(Failure::rejected(
            "a JWT uses the compact serialization, not JSON",
        ));
    }
    let verified = jws_cmd::verify_token(&inner, &verify_keys, &allowed)?;
    let map = zegel_jose::json::parse_object(verified.payload(), Part::Payload, MAX_CLAIMS_DEPTH)
        .map_err(|e| exit::input("the payload is not a JWT claim set", &e))?;
    let claims = Claims::<Map<String, Value>>::from_map(map.clone())
        .map_err(|e| exit::jwt_input("the payload is not a JWT claim set", &e))?;
    let mut validation = Validation::new(&[verified.alg()]);
    if let Some(iss) = &args.iss {
        validation = validation.issuer(iss.clone());
    }
    for aud in &args.aud {
        validation = validation.audience(aud.clone());
    }
    if let Some(leeway) = args.leeway {
        validation = validation.leeway(Duration::from_secs(leeway));
    }
    if let Some(max_age) = args.max_age {
        validation = validation.max_age(Duration::from_secs(max_age));
    }
    let mut custom = Vec::new();
    for name in &args.require {
        match Claim::ALL.into_iter().find(|c| c.name() == name) {
            Some(claim) => validation = validation.require(claim),
            None => custom.push(name.as_str()),
        }
    }
    if args.no_exp {
        validation = validation.dangerous_without_exp();
    }
    validation
        .validate(&claims, now)
        .map_err(|e| exit::jwt_input("the token was refused", &e))?;
    // Claims that are not registered ones, required by name (--require).
    if let Some(missing) = custom.into_iter().find(|name| !map.contains_key(*name)) {
        return Err(Failure::rejected(format!(
            "the token was refused: the required claim {missing:?} is missing"
        )));
    }
    io::write_line(&Value::Object(map).to_string())
}
