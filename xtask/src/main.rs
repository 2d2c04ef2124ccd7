//! `cargo xtask`: the project's own tooling, written in Rust so it runs wherever cargo does.
//!
//! ```text
//! cargo xtask ci                      everything CI runs, in order, stopping at the first failure
//! cargo xtask tidy                    layer order, banned calls and docs in library source
//! cargo xtask deny                    licenses, sources and bans in the dependency graph
//! cargo xtask release-check           packaging, versions and publish order
//! cargo xtask fuzz [--seconds N] [TARGET]...   each fuzz target for a bounded time
//! ```
//!
//! The crate depends on std, `anyhow` and `serde_json` only (it parses `cargo metadata`), so
//! building it costs seconds.

mod ci;
mod deps;
mod fuzz;
mod metadata;
mod release;
mod source;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci                             run every CI step (fmt, clippy, doc, tidy, deny, release-check,
                                 test)
  tidy                           check the layer order and library source rules
  deny                           check licenses, sources and bans of all dependencies (offline)
  release-check                  check that every publishable crate packages, in layer order
  fuzz [--seconds N] [TARGET]..  run the fuzz targets (default: all, 30 s each)
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        bail!("no command given");
    };
    match command.as_str() {
        "ci" => {
            no_args(rest)?;
            ci::run(&root)
        }
        "tidy" => {
            no_args(rest)?;
            tidy::run(&root)
        }
        "deny" => {
            no_args(rest)?;
            deps::run(&root)
        }
        "release-check" => {
            no_args(rest)?;
            release::run(&root)
        }
        "fuzz" => fuzz::run(&root, &fuzz::Options::parse(rest)?),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprint!("{USAGE}");
            bail!("unknown command `{other}`")
        }
    }
}

fn no_args(rest: &[String]) -> anyhow::Result<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => bail!("unexpected argument `{arg}`"),
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Runs `cmd` with inherited standard streams and fails unless it exits with success.
fn run_command(cmd: &mut std::process::Command) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(cmd));
    }
    Ok(())
}

/// A short shell-like rendering of a command, for messages.
fn describe(cmd: &std::process::Command) -> String {
    let mut out = String::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            out.push_str(&format!(
                "{}={} ",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    out.push_str(&cmd.get_program().to_string_lossy());
    for arg in cmd.get_args() {
        out.push(' ');
        out.push_str(&arg.to_string_lossy());
    }
    out
}
