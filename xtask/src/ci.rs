//! `cargo xtask ci`: exactly what CI runs (`.ci/run` calls this), one step after another.
//!
//! The quick checks come first so that a formatting slip fails in seconds; the test suite comes
//! last so that its summary lines close the log. Each step is printed with its time; the first
//! failure stops the run with a non-zero exit.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{deps, release, run_command, tidy};

/// One CI step.
enum Step {
    /// A cargo command with its arguments and extra environment.
    Cargo(
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
    ),
    /// `cargo test`, whose result lines are counted.
    Test(&'static [&'static str]),
    /// An xtask command run in this process.
    Xtask(&'static str, fn(&Path) -> anyhow::Result<()>),
}

const STEPS: &[Step] = &[
    Step::Cargo(&["fmt", "--all", "--check"], &[]),
    Step::Cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    ),
    // The ring-only build: the library crates and the CLI without the default `aws-lc` feature.
    Step::Cargo(
        &[
            "clippy",
            "-p",
            "zegel-jose",
            "-p",
            "zegel-jwt",
            "-p",
            "zegel-cli",
            "--no-default-features",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    ),
    Step::Cargo(
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    ),
    Step::Xtask("tidy", tidy::run),
    Step::Xtask("deny", deps::run),
    Step::Xtask("release-check", release::run),
    // The ring-only build's tests: what needs aws-lc must say `AlgorithmUnavailable`.
    Step::Test(&[
        "test",
        "-p",
        "zegel-jose",
        "-p",
        "zegel-jwt",
        "-p",
        "zegel-cli",
        "--no-default-features",
        "--locked",
    ]),
    // Unit, integration and doc tests of every member; benches are built by clippy, never run.
    Step::Test(&["test", "--workspace", "--locked"]),
];

/// Runs every step in `root`.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let start = Instant::now();
    let mut times = Vec::new();
    let mut tests = None;
    for (n, step) in STEPS.iter().enumerate() {
        let title = match step {
            Step::Cargo(args, env) => {
                let env: String = env.iter().map(|(k, v)| format!("{k}=\"{v}\" ")).collect();
                format!("{env}cargo {}", args.join(" "))
            }
            Step::Test(args) => format!("cargo {}", args.join(" ")),
            Step::Xtask(name, _) => format!("cargo xtask {name}"),
        };
        println!("\n==> [{}/{}] {title}", n + 1, STEPS.len());
        flush();
        let step_start = Instant::now();
        let result = match step {
            Step::Cargo(args, env) => {
                let mut cmd = Command::new(&cargo);
                cmd.args(*args).envs(env.iter().copied()).current_dir(root);
                run_command(&mut cmd)
            }
            Step::Test(args) => {
                let mut cmd = Command::new(&cargo);
                cmd.args(*args).current_dir(root);
                run_tests(&mut cmd).map(|counts| {
                    let sum = tests.get_or_insert_with(Counts::default);
                    sum.passed += counts.passed;
                    sum.failed += counts.failed;
                })
            }
            Step::Xtask(_, f) => f(root),
        };
        let took = step_start.elapsed();
        match result {
            Ok(()) => println!("<== ok: {title} ({})", secs(took)),
            Err(e) => {
                println!("<== FAILED: {title} ({})", secs(took));
                return Err(e.context(format!("ci step {} of {} failed", n + 1, STEPS.len())));
            }
        }
        times.push((title, took));
    }
    println!(
        "\nci: all {} steps passed in {}",
        STEPS.len(),
        secs(start.elapsed())
    );
    for (title, took) in &times {
        println!("  {:>7}  {title}", secs(*took));
    }
    if let Some(counts) = tests {
        // The plain closing line that a log reader can take in any language.
        println!("tests: {} passed, {} failed", counts.passed, counts.failed);
    }
    Ok(())
}

/// What the `test result:` lines of one `cargo test` run add up to.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
}

/// Runs `cargo test`, passing its output through, and adds up its result lines.
fn run_tests(cmd: &mut Command) -> anyhow::Result<Counts> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start cargo test")?;
    let mut counts = Counts::default();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout();
        for line in BufReader::new(stdout).lines() {
            let line = line.context("reading cargo test output")?;
            writeln!(out, "{line}").context("writing cargo test output")?;
            if let Some((passed, failed)) = result_line(&line) {
                counts.passed += passed;
                counts.failed += failed;
            }
        }
    }
    let status = child.wait().context("waiting for cargo test")?;
    if !status.success() {
        bail!(
            "cargo test failed ({status}); {} passed, {} failed",
            counts.passed,
            counts.failed
        );
    }
    if counts.passed == 0 {
        bail!("cargo test ran no test");
    }
    Ok(counts)
}

/// Parses `test result: ok. 12 passed; 0 failed; 0 ignored; ...` into `(12, 0)`.
fn result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let (_, counts) = rest.split_once(". ")?;
    let mut passed = None;
    let mut failed = None;
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let n = words.next().and_then(|n| n.parse::<u64>().ok());
        match words.next() {
            Some("passed") => passed = n,
            Some("failed") => failed = n,
            _ => {}
        }
    }
    Some((passed?, failed?))
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

fn flush() {
    // Step titles must appear before the output of the command they announce.
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_are_counted() {
        assert_eq!(
            result_line(
                "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; \
                 finished in 0.01s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            result_line("test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured"),
            Some((3, 1))
        );
        assert_eq!(result_line("test foo ... ok"), None);
        assert_eq!(result_line("test result: garbage"), None);
    }
}
