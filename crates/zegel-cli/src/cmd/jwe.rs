//! `zegel jwe encrypt|decrypt`.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use zegel_jose::jwe::{
    self, ContentEncryption, Decrypter, Decryptor, Encryptor, KeyManagement, Recipient,
};
use zegel_jose::jwk::KeyOp;
use zegel_jose::{Jwk, SecretBytes};

use crate::cmd::JsonForm;
use crate::exit::{self, Failure};
use crate::keys::{self, Keys};
use crate::{algs, io};

/// `zegel jwe ...`
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Encrypt the plaintext read from standard input.
    Encrypt(EncryptArgs),
    /// Decrypt a JWE (compact or JSON) and print its plaintext.
    Decrypt(DecryptArgs),
}

/// `zegel jwe encrypt`
#[derive(Debug, ClapArgs)]
pub(crate) struct EncryptArgs {
    /// The recipient's key: JWK, JWK Set or PEM (public is enough, except for symmetric keys).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Key management algorithm (RSA-OAEP-256, ECDH-ES+A128KW, A128KW, dir, ...).
    #[arg(long)]
    alg: String,
    /// Content encryption algorithm (A128GCM, A128CBC-HS256, ...).
    #[arg(long)]
    enc: String,
    /// `kid` header (default: the key's own kid); also picks the key from a set.
    #[arg(long)]
    kid: Option<String>,
    /// `cty` header.
    #[arg(long)]
    cty: Option<String>,
    /// `typ` header.
    #[arg(long)]
    typ: Option<String>,
    /// Compress the plaintext first (`DEF`, RFC 1951).
    #[arg(long, value_parser = ["DEF"])]
    zip: Option<String>,
    /// Output the JSON serialization instead of the compact one.
    #[arg(long, value_name = "FORM", num_args = 0..=1, default_missing_value = "flattened")]
    json: Option<JsonForm>,
    /// Read the plaintext from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// `zegel jwe decrypt`
#[derive(Debug, ClapArgs)]
pub(crate) struct DecryptArgs {
    /// The decryption key: JWK, JWK Set or PEM; or (extension) a key in an HSM, as an RFC 7512
    /// `pkcs11:` URI.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// An allowed key management algorithm (repeatable). Default: the key's own `alg`, else
    /// every one that fits the key's type (never RSA1_5 unless named).
    #[arg(long)]
    alg: Vec<String>,
    /// An allowed content encryption algorithm (repeatable). Default: all.
    #[arg(long)]
    enc: Vec<String>,
    /// Use only the key with this `kid` from the set.
    #[arg(long)]
    kid: Option<String>,
    /// Read the JWE from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
}

/// Runs `zegel jwe ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Encrypt(args) => encrypt(args),
        Command::Decrypt(args) => decrypt(args),
    }
}

fn encrypt(args: &EncryptArgs) -> Result<(), Failure> {
    let alg = algs::key_mgmt(&args.alg)?;
    let enc = algs::content_enc(&args.enc)?;
    let keys = keys::load(&args.key)?;
    let key = keys.pick(args.kid.as_deref(), alg.name(), KeyOp::Encrypt, |k| {
        alg.fits(k)
    })?;
    let plaintext = io::read_input(args.input.as_deref())?;
    let opts = Options {
        kid: args.kid.as_deref().or(key.kid()),
        typ: args.typ.as_deref(),
        cty: args.cty.as_deref(),
        zip: args.zip.is_some(),
    };
    let token = encrypt_with(&plaintext, key, alg, enc, &opts, args.json)?;
    io::write_line(&token)
}

/// Header options for [`encrypt_with`].
#[derive(Debug, Default)]
pub(crate) struct Options<'a> {
    /// `kid`.
    pub(crate) kid: Option<&'a str>,
    /// `typ`.
    pub(crate) typ: Option<&'a str>,
    /// `cty`.
    pub(crate) cty: Option<&'a str>,
    /// Compress with DEF.
    pub(crate) zip: bool,
}

/// Encrypts to one recipient.
pub(crate) fn encrypt_with(
    plaintext: &[u8],
    key: &Jwk,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    opts: &Options<'_>,
    json: Option<JsonForm>,
) -> Result<String, Failure> {
    let mut encryptor = Encryptor::new(enc);
    let mut recipient = Recipient::new(key, alg);
    if let Some(kid) = opts.kid {
        // The key's own kid is written by default; another one replaces it.
        if key.kid() != Some(kid) {
            recipient = recipient.without_kid();
            let mut protected = serde_json::Map::new();
            protected.insert("kid".into(), kid.into());
            encryptor = encryptor.with_protected(protected);
        }
    }
    if let Some(typ) = opts.typ {
        encryptor = encryptor.with_typ(typ);
    }
    if let Some(cty) = opts.cty {
        encryptor = encryptor.with_cty(cty);
    }
    if opts.zip {
        encryptor = encryptor.with_deflate();
    }
    match json {
        None => encryptor.encrypt_compact(plaintext, &recipient),
        Some(JsonForm::Flattened) => encryptor.encrypt_flattened(plaintext, &recipient),
        Some(JsonForm::General) => encryptor.encrypt_general(plaintext, &[recipient]),
    }
    .map_err(|e| exit::config(&format!("cannot encrypt with {}", alg.name()), &e))
}

fn decrypt(args: &DecryptArgs) -> Result<(), Failure> {
    let algs = args
        .alg
        .iter()
        .map(|n| algs::key_mgmt(n))
        .collect::<Result<Vec<_>, _>>()?;
    let encs = args
        .enc
        .iter()
        .map(|n| algs::content_enc(n))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(uri) = keys::pkcs11_uri(&args.key) {
        let token = io::read_token(args.input.as_deref())?;
        let plaintext = decrypt_in_hsm(uri, args.kid.as_deref(), &token, &algs, &encs)?;
        return io::write_bytes(plaintext.expose_secret());
    }
    let keys = keys::load(&args.key)?.restrict_kid(args.kid.as_deref())?;
    let token = io::read_token(args.input.as_deref())?;
    let plaintext = decrypt_token(&token, &keys, &algs, &encs)?;
    io::write_bytes(plaintext.expose_secret())
}

/// Decrypts a JWE with a key in an HSM (extension: `--key pkcs11:...`); empty lists mean the
/// algorithms the key does and every content encryption.
fn decrypt_in_hsm(
    uri: &str,
    kid: Option<&str>,
    token: &[u8],
    algs: &[&'static KeyManagement],
    encs: &[&'static ContentEncryption],
) -> Result<SecretBytes, Failure> {
    let decrypter = keys::hsm_decrypter(uri, algs)?;
    if let Some(kid) = kid.filter(|kid| Decrypter::kid(&decrypter) != Some(*kid)) {
        return Err(Failure::usage(format!("the key's kid is not {kid:?}")));
    }
    let algs = if algs.is_empty() {
        Decrypter::algs(&decrypter)
    } else {
        algs.to_vec()
    };
    let encs = if encs.is_empty() {
        jwe::ALL_ENC.to_vec()
    } else {
        encs.to_vec()
    };
    let decryptor = Decryptor::new(&algs, &encs)
        .with_max_token_len(io::MAX_INPUT)
        .with_max_plaintext(io::MAX_INPUT);
    let decrypted = decryptor
        .decrypt_with_decrypter(token, &decrypter)
        .map_err(|e| exit::input("decryption failed", &e))?;
    Ok(decrypted.into_plaintext())
}

/// Decrypts a JWE; empty lists mean the defaults (see [`DecryptArgs`]).
pub(crate) fn decrypt_token(
    token: &[u8],
    keys: &Keys,
    algs: &[&'static KeyManagement],
    encs: &[&'static ContentEncryption],
) -> Result<SecretBytes, Failure> {
    let decryptor = decryptor(keys, algs, encs)?;
    let decrypted = decryptor.decrypt(token, keys).map_err(|e| {
        let failure = exit::input("decryption failed", &e);
        match e {
            zegel_jose::Error::AlgNotAllowed { .. } => {
                failure.with_hint("--alg and --enc name the algorithms to accept")
            }
            _ => failure,
        }
    })?;
    Ok(decrypted.into_plaintext())
}

/// The decryptor for these keys and allowlists; empty lists mean the defaults (see
/// [`DecryptArgs`]). Every key must be private.
pub(crate) fn decryptor(
    keys: &Keys,
    algs: &[&'static KeyManagement],
    encs: &[&'static ContentEncryption],
) -> Result<Decryptor, Failure> {
    if keys.all().iter().any(|k| !k.is_private()) {
        return Err(Failure::usage(
            "decryption needs a private key; this key is public",
        ));
    }
    let rsa1_5 = algs
        .iter()
        .any(|a| core::ptr::eq(*a, &jwe::RSA1_5_FOR_LEGACY_USE_ONLY));
    // Naming a PBES2 algorithm is the caller saying that an `oct` key is a password.
    let passwords = algs.iter().any(|a| is_pbes2(a));
    let algs = if algs.is_empty() {
        let algs = default_algs(keys);
        if algs.is_empty() {
            return Err(Failure::usage(
                "no JWE key management algorithm fits the key (its own \"alg\", else its type); \
                 name one with --alg",
            ));
        }
        algs
    } else {
        algs.to_vec()
    };
    let encs = if encs.is_empty() {
        jwe::ALL_ENC.to_vec()
    } else {
        encs.to_vec()
    };
    // The input was already read in full: the library's network-sized defaults do not apply.
    // The contract accepts an `oct` key without `alg` for every algorithm it fits; the library
    // still refuses `dir` whose `alg`/`enc` are not protected, which closes the replay of a
    // wrapped key as a `dir` ciphertext.
    let mut decryptor = Decryptor::new(&algs, &encs)
        .with_max_token_len(io::MAX_INPUT)
        .with_max_plaintext(io::MAX_INPUT)
        .with_unbound_oct_keys();
    if rsa1_5 {
        decryptor = decryptor.with_rsa1_5_for_legacy_use_only();
    }
    if passwords {
        decryptor = decryptor.with_oct_keys_as_passwords();
    }
    Ok(decryptor)
}

/// Whether `alg` is one of the `PBES2-*` algorithms (a password, not a key).
fn is_pbes2(alg: &KeyManagement) -> bool {
    [
        &jwe::PBES2_HS256_A128KW,
        &jwe::PBES2_HS384_A192KW,
        &jwe::PBES2_HS512_A256KW,
    ]
    .iter()
    .any(|p| core::ptr::eq(*p, alg))
}

/// Without `--alg`: each key's own `alg` (a `dir` key may name its `enc` there instead, as
/// RFC 7520 §5.6 does), else every key management algorithm that fits its type and length,
/// `PBES2-*` and `RSA1_5` excluded (they must be named).
fn default_algs(keys: &Keys) -> Vec<&'static KeyManagement> {
    let mut out: Vec<&'static KeyManagement> = Vec::new();
    for key in keys.all() {
        let fitting = jwe::ALL.iter().copied().filter(|a| match key.alg() {
            Some(own) if jwe::enc_by_name(own).is_some() => core::ptr::eq(*a, &jwe::DIR),
            Some(own) => a.name() == own,
            None => {
                a.fits(key) && !core::ptr::eq(*a, &jwe::RSA1_5_FOR_LEGACY_USE_ONLY) && !is_pbes2(a)
            }
        });
        for alg in fitting {
            if !out.iter().any(|a| core::ptr::eq(*a, alg)) {
                out.push(alg);
            }
        }
    }
    out
}
