//! `zegel jwt sign|encrypt|verify`.
//!
//! `sign` and `encrypt` build the claim set from standard input (a JSON object, may be `{}`)
//! and the flags (`iat` is always now; flags override members of the input). `verify` checks the
//! signature (after decrypting, with `--decrypt-key`) and then the claims with
//! [`zegel_jwt::Validation`], so the CLI decides nothing the library does not: `exp` is required
//! unless `--no-exp`, and a token with `aud` is rejected unless `--aud` names one of its values.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args as ClapArgs, Subcommand};
use serde_json::{Map, Value};
use zegel_jose::Jwk;
use zegel_jose::error::Part;
use zegel_jose::jwe::{Decrypter, Encryptor, Recipient};
use zegel_jose::jwk::KeyOp;
use zegel_jose::jws::{self, Signer};
use zegel_jwt::{Claim, Claims, Decryption, UnixTime, Validation};

use crate::cmd::{jwe as jwe_cmd, jws as jws_cmd};
use crate::exit::{self, Failure};
use crate::keys;
use crate::{algs, io};

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
    /// The signing key: JWK, JWK Set or PEM; or (extension) a key in an HSM, as an RFC 7512
    /// `pkcs11:` URI.
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
    /// The token is a nested JWT: decrypt it with this key first (extension: or with a key in
    /// an HSM, as an RFC 7512 `pkcs11:` URI).
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
    /// The expected subject (extension).
    #[arg(long)]
    sub: Option<String>,
    /// The expected `typ` header, compared as a media type (extension; e.g. JWT, at+jwt).
    #[arg(long)]
    typ: Option<String>,
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
    let mut recipient_spec = Recipient::new(recipient, alg);
    let mut encryptor = Encryptor::new(enc);
    if let Some(kid) = args
        .kid
        .as_deref()
        .filter(|kid| recipient.kid() != Some(*kid))
    {
        recipient_spec = recipient_spec.without_kid();
        let mut protected = Map::new();
        protected.insert("kid".into(), kid.into());
        encryptor = encryptor.with_protected(protected);
    }
    let token = zegel_jwt::encrypt_signed(&inner, &encryptor, &recipient_spec)
        .map_err(|e| exit::jwt_config(&format!("cannot encrypt with {}", alg.name()), &e))?;
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
    let hsm;
    let keys;
    let software;
    let (signer, key): (&dyn Signer, &Jwk) = match keys::pkcs11_uri(key_file) {
        Some(uri) => {
            hsm = keys::hsm_signer(uri, alg)?;
            (&hsm, hsm.public_jwk())
        }
        None => {
            keys = keys::load(key_file)?;
            let key = keys.pick(kid, alg.name(), KeyOp::Sign, |k| alg.fits(k))?;
            software = jws_cmd::signing_key(key, alg)?;
            (&software, key)
        }
    };
    let header = jws_cmd::build_header(key, kid, Some(typ), None, None)?;
    let claims = Claims::<Map<String, Value>>::from_map(claims(args)?)
        .map_err(|e| exit::jwt_input("the claims were refused", &e))?;
    zegel_jwt::sign_with_header(&claims, signer, &header)
        .map_err(|e| exit::jwt_config("cannot sign", &e))
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
    UnixTime::now().map_err(|_| Failure::usage("the system clock is before 1970"))
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
    let hsm_uri = args.decrypt_key.as_deref().and_then(keys::pkcs11_uri);
    let decrypt_keys = match hsm_uri {
        Some(_) => None,
        None => args.decrypt_key.as_deref().map(keys::load).transpose()?,
    };
    let now = match args.now {
        Some(secs) => UnixTime::from_secs(secs),
        None => clock()?,
    };
    let allowed = if allowed.is_empty() {
        jws_cmd::default_algs_or_usage(&verify_keys)?
    } else {
        allowed
    };
    let (validation, custom) = validation(args, &allowed);
    let token = compact_form(io::read_token(args.input.as_deref())?)?;
    if args.decrypt_key.is_none() && looks_encrypted(&token) {
        return Err(Failure::rejected(
            "the token is a JWE (encrypted); give the decryption key with --decrypt-key FILE",
        ));
    }
    let verified: zegel_jwt::Verified = match (&decrypt_keys, hsm_uri) {
        (_, Some(uri)) => {
            let decrypter = keys::hsm_decrypter(uri, &decrypt_algs)?;
            let algs = if decrypt_algs.is_empty() {
                Decrypter::algs(&decrypter)
            } else {
                decrypt_algs
            };
            let encs = if encs.is_empty() {
                zegel_jose::jwe::ALL_ENC.to_vec()
            } else {
                encs
            };
            let decryption = Decryption::new(&algs, &encs);
            let decrypted = zegel_jwt::decrypt_with_decrypter(&token, &decryption, &decrypter)
                .map_err(|e| exit::jwt_input("decryption failed", &e))?;
            decrypted.verify(&verify_keys, &validation, now)
        }
        (None, None) => zegel_jwt::verify(&token, &verify_keys, &validation, now),
        (Some(dk), None) => {
            let decryptor = jwe_cmd::decryptor(dk, &decrypt_algs, &encs)?;
            let decryption = Decryption::from_decryptor(decryptor);
            let decrypted = zegel_jwt::decrypt(&token, &decryption, dk)
                .map_err(|e| exit::jwt_input("decryption failed", &e))?;
            decrypted.verify(&verify_keys, &validation, now)
        }
    }
    .map_err(|e| refused(&e, &allowed))?;
    let claims = verified
        .into_claims()
        .to_map()
        .map_err(|e| exit::jwt_input("the token was refused", &e))?;
    // Claims other than the registered ones, required by name (--require).
    // A claim whose value is `null` is as good as absent (RFC 7519 §4: a claim is a name and a
    // value; `null` says there is none).
    if let Some(missing) = custom
        .into_iter()
        .find(|name| claims.get(*name).is_none_or(Value::is_null))
    {
        return Err(Failure::rejected(format!(
            "the token was refused: the required claim {missing:?} is missing"
        )));
    }
    io::write_line(&Value::Object(claims).to_string())
}

/// A JWT is compact (RFC 7519 §1), but the contract accepts the JSON serializations
/// everywhere: one whose every header member is protected, with one signature or recipient and
/// no `aad`, says exactly what its compact form says, and is verified as that. Anything else
/// has no compact form and is refused (exit 1).
fn compact_form(token: Vec<u8>) -> Result<Vec<u8>, Failure> {
    if token.first() != Some(&b'{') {
        return Ok(token);
    }
    let obj =
        zegel_jose::json::parse_object(&token, Part::Token, zegel_jose::json::DEFAULT_MAX_DEPTH)
            .map_err(|e| exit::input("the token was refused", &e))?;
    let no_compact = || {
        Failure::rejected(
            "the token was refused: this JSON serialization has no compact form (a JWT has one \
             signature or recipient, every header member protected, no aad)",
        )
    };
    let text = |o: &Map<String, Value>, name: &str, required: bool| match o.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        None if !required => Ok(String::new()),
        _ => Err(no_compact()),
    };
    let (list, is_jws) = if obj.contains_key("payload") {
        ("signatures", true)
    } else {
        ("recipients", false)
    };
    let entry = match obj.get(list) {
        None => &obj,
        Some(Value::Array(items)) => match items.as_slice() {
            [Value::Object(one)] => one,
            _ => return Err(no_compact()),
        },
        Some(_) => return Err(no_compact()),
    };
    if entry.contains_key("header") || obj.contains_key("unprotected") || obj.contains_key("aad") {
        return Err(no_compact());
    }
    let parts = if is_jws {
        vec![
            text(entry, "protected", true)?,
            text(&obj, "payload", true)?,
            text(entry, "signature", true)?,
        ]
    } else {
        vec![
            text(&obj, "protected", true)?,
            text(entry, "encrypted_key", false)?,
            text(&obj, "iv", false)?,
            text(&obj, "ciphertext", true)?,
            text(&obj, "tag", false)?,
        ]
    };
    Ok(parts.join(".").into_bytes())
}

/// Whether the token is a JWE: five compact parts, or a JSON serialization with `ciphertext`.
fn looks_encrypted(token: &[u8]) -> bool {
    if token.first() == Some(&b'{') {
        return zegel_jose::json::parse_object(
            token,
            Part::Token,
            zegel_jose::json::DEFAULT_MAX_DEPTH,
        )
        .is_ok_and(|obj| obj.contains_key("ciphertext"));
    }
    token.iter().filter(|&&b| b == b'.').count() == 4
}

/// The failure for a refused token, with advice for the checks a flag controls.
fn refused(e: &zegel_jwt::Error, allowed: &[&'static jws::JwsAlgorithm]) -> Failure {
    let failure = exit::jwt_input("the token was refused", e);
    match e {
        zegel_jwt::Error::UnexpectedAudience { .. } => {
            failure.with_hint("name the audience you accept with --aud")
        }
        zegel_jwt::Error::MissingClaim { name: "exp" } => {
            failure.with_hint("--no-exp accepts tokens without exp")
        }
        zegel_jwt::Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }) => {
            failure.with_hint(&jws_cmd::allowed_hint(allowed))
        }
        _ => failure,
    }
}

/// The validation the flags describe, and the names of non-registered claims `--require`d.
fn validation<'a>(
    args: &'a VerifyArgs,
    allowed: &[&'static jws::JwsAlgorithm],
) -> (Validation, Vec<&'a str>) {
    let mut validation = Validation::new(allowed);
    if let Some(iss) = &args.iss {
        validation = validation.issuer(iss.clone());
    }
    for aud in &args.aud {
        validation = validation.audience(aud.clone());
    }
    if let Some(sub) = &args.sub {
        validation = validation.subject(sub.clone());
    }
    if let Some(typ) = &args.typ {
        validation = validation.typ(typ.clone());
    }
    if let Some(leeway) = args.leeway {
        validation = validation.leeway(Duration::from_secs(leeway));
    }
    if let Some(max_age) = args.max_age {
        validation = validation.max_age(Duration::from_secs(max_age));
    }
    let mut custom = Vec::new();
    for name in &args.require {
        match Claim::from_name(name) {
            Some(claim) => validation = validation.require(claim),
            None => custom.push(name.as_str()),
        }
    }
    if args.no_exp {
        validation = validation.dangerous_without_exp();
    }
    (validation, custom)
}
