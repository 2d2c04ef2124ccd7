//! `zegel`: make keys, sign, verify, encrypt, decrypt and inspect JOSE objects and JWTs.
//!
//! The flags, streams and exit codes are a contract (`spec/cli.md`): standard output carries
//! only the output; on failure exactly one `error: ` line goes to standard error and the exit
//! status is `1` (input rejected) or `2` (usage or configuration error).

mod algs;
mod cmd;
mod exit;
mod io;
mod keys;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use crate::exit::Failure;

/// JOSE and JWT from the command line: keys, JWS, JWE, JWT, inspection.
#[derive(Debug, Parser)]
#[command(name = "zegel", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// JSON Web Keys: generate, public part, thumbprint.
    #[command(subcommand)]
    Jwk(cmd::jwk::Command),
    /// JWK Sets: generate the signing and encryption keys a relying party publishes.
    #[command(subcommand)]
    Jwks(cmd::jwks::Command),
    /// JSON Web Signatures: sign, verify.
    #[command(subcommand)]
    Jws(cmd::jws::Command),
    /// JSON Web Encryption: encrypt, decrypt.
    #[command(subcommand)]
    Jwe(cmd::jwe::Command),
    /// JSON Web Tokens: sign, sign then encrypt, verify with claim checks.
    #[command(subcommand)]
    Jwt(cmd::jwt::Command),
    /// Show a JWS or JWE's header (and a JWS's payload) WITHOUT verifying anything.
    Inspect(cmd::inspect::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let result = match &cli.command {
        Command::Jwk(c) => cmd::jwk::run(c),
        Command::Jwks(c) => cmd::jwks::run(c),
        Command::Jws(c) => cmd::jws::run(c),
        Command::Jwe(c) => cmd::jwe::run(c),
        Command::Jwt(c) => cmd::jwt::run(c),
        Command::Inspect(args) => cmd::inspect::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Reports a command-line parsing failure as one `error: ` line, exit 2 (`--help` and
/// `--version` print to standard output, exit 0).
fn usage_error(e: &clap::Error) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return match e.print() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(2),
        };
    }
    Failure::usage(clap_message(e)).report()
}

/// Clap's message squeezed to one line: the error, a tip when there is one, and the usage.
fn clap_message(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let lines: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let usage = lines.iter().find_map(|l| l.strip_prefix("Usage: "));
    let mut message = if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        "a subcommand is missing".to_owned()
    } else {
        lines
            .first()
            .map_or("invalid arguments", |l| {
                l.strip_prefix("error: ").unwrap_or(l)
            })
            .to_owned()
    };
    if let Some(tip) = lines.iter().find_map(|l| l.strip_prefix("tip: ")) {
        message.push_str("; ");
        message.push_str(tip);
    }
    if let Some(usage) = usage {
        message.push_str("; usage: ");
        message.push_str(usage);
    }
    message
}
