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
    /// OpenID provider metadata: fetch and validate a discovery document.
    #[command(subcommand)]
    Discovery(cmd::discovery::Command),
    /// The itsme® login: authorization URL, callback, and a demo against a local provider.
    #[command(subcommand)]
    Itsme(cmd::itsme::Command),
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
        Command::Discovery(c) => cmd::discovery::run(c),
        Command::Itsme(c) => cmd::itsme::run(c),
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

/// Clap's message squeezed to one line: the error, its details (tip, possible values), and the
/// usage; for a missing subcommand, the subcommands there are.
fn clap_message(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let usage = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("Usage: "));
    let mut parts: Vec<String> = Vec::new();
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // The help text: name the subcommands listed under "Commands:".
        let commands: Vec<&str> = rendered
            .lines()
            .skip_while(|l| l.trim() != "Commands:")
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| *name != "help")
            .collect();
        parts.push(format!(
            "a subcommand is missing (one of: {})",
            commands.join(", ")
        ));
    } else {
        let details = rendered
            .lines()
            .map(str::trim)
            .take_while(|l| !l.starts_with("Usage: "))
            .filter(|l| !l.is_empty() && !l.starts_with("For more information"));
        for (i, line) in details.enumerate() {
            let line = if i == 0 {
                line.strip_prefix("error: ").unwrap_or(line)
            } else {
                line
            };
            let line = line.strip_prefix("tip: ").unwrap_or(line);
            let line = line
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .unwrap_or(line);
            parts.push(line.to_owned());
        }
    }
    if let Some(usage) = usage {
        parts.push(format!("usage: {usage}"));
    }
    if parts.is_empty() {
        parts.push("invalid arguments".to_owned());
    }
    parts.join("; ")
}
