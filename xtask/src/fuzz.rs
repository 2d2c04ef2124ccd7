//! `cargo xtask fuzz [--seconds N] [TARGET]...`: runs the cargo-fuzz targets in `fuzz/` for a
//! bounded time each and reports executions and crashes.
//!
//! Needs `cargo install cargo-fuzz` (CI does not fuzz). cargo-fuzz passes `-Z` flags to rustc;
//! on a stable toolchain this sets `RUSTC_BOOTSTRAP=1`, which the stable compiler (with its
//! bundled sanitizer runtimes) accepts. Targets whose library API has not landed yet are behind
//! features of the fuzz crate that are off by default; they are listed as "not built".

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

/// Parsed `cargo xtask fuzz` arguments.
#[derive(Debug)]
pub(crate) struct Options {
    seconds: u64,
    targets: Vec<String>,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = Self {
            seconds: 30,
            targets: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if let Some(value) = arg.strip_prefix("--seconds=") {
                options.seconds = seconds(value)?;
            } else if arg == "--seconds" {
                options.seconds = seconds(args.next().map_or("", String::as_str))?;
            } else if arg.starts_with('-') {
                bail!("unknown fuzz option `{arg}` (expected --seconds N)");
            } else {
                options.targets.push(arg.clone());
            }
        }
        Ok(options)
    }
}

fn seconds(value: &str) -> anyhow::Result<u64> {
    match value.parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!("--seconds takes a positive whole number, not `{value}`"),
    }
}

/// What one target's run came to.
#[derive(Debug, Default, PartialEq, Eq)]
struct Outcome {
    executions: Option<u64>,
    crashes: Vec<String>,
}

/// Builds and runs the fuzz targets.
pub(crate) fn run(root: &Path, options: &Options) -> anyhow::Result<()> {
    let fuzz_dir = root.join("fuzz");
    let all = targets(&fuzz_dir)?;
    for t in &options.targets {
        if !all.contains(t) {
            bail!("no fuzz target `{t}` (targets: {})", all.join(", "));
        }
    }
    let chosen: Vec<&String> = all
        .iter()
        .filter(|t| options.targets.is_empty() || options.targets.contains(t))
        .collect();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let fuzz_ok = Command::new(&cargo)
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !fuzz_ok {
        bail!("cargo-fuzz is not installed: run `cargo install cargo-fuzz`");
    }
    let bootstrap = !is_nightly();

    println!(
        "fuzz: building targets{}",
        if bootstrap {
            " (RUSTC_BOOTSTRAP=1)"
        } else {
            ""
        }
    );
    let mut build = Command::new(&cargo);
    build.args(["fuzz", "build", "--release"]).current_dir(root);
    if bootstrap {
        build.env("RUSTC_BOOTSTRAP", "1");
    }
    crate::run_command(&mut build)?;

    let mut report = String::new();
    let mut crashed = 0;
    for target in chosen {
        let binary = fuzz_dir
            .join("target")
            .join(host())
            .join("release")
            .join(target);
        if !binary.exists() {
            println!("fuzz: {target}: not built (its feature is off: the API has not landed)");
            let _ = writeln!(report, "  {target:<12} not built");
            continue;
        }
        let corpus = fuzz_dir.join("corpus").join(target);
        fs::create_dir_all(&corpus).with_context(|| format!("{}", corpus.display()))?;
        let mut cmd = Command::new(&cargo);
        cmd.args(["fuzz", "run", "--release", target]).arg(&corpus);
        let seeds = fuzz_dir.join("seeds").join(target);
        if seeds.is_dir() {
            cmd.arg(&seeds);
        }
        cmd.args([
            "--",
            &format!("-max_total_time={}", options.seconds),
            "-print_final_stats=1",
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-max_len=65536",
        ]);
        if bootstrap {
            cmd.env("RUSTC_BOOTSTRAP", "1");
        }
        println!("fuzz: {target}: running for {} s", options.seconds);
        let start = Instant::now();
        let out = cmd
            .current_dir(root)
            .output()
            .with_context(|| format!("running {target}"))?;
        let took = start.elapsed().as_secs();
        let log = String::from_utf8_lossy(&out.stderr);
        let outcome = parse_log(&log);
        let crash_note = if out.status.success() && outcome.crashes.is_empty() {
            String::from("0 crashes")
        } else {
            crashed += 1;
            eprintln!("{}", crash_excerpt(&log));
            format!("CRASH ({}) {}", out.status, outcome.crashes.join(" "))
        };
        let execs = outcome
            .executions
            .map_or_else(|| "?".to_owned(), |n| n.to_string());
        let line = format!("  {target:<12} {took:>4} s  {execs:>12} executions  {crash_note}");
        println!("{line}");
        let _ = writeln!(report, "{line}");
    }
    println!(
        "\nfuzz summary ({} s per target):\n{report}",
        options.seconds
    );
    if crashed > 0 {
        bail!("{crashed} fuzz target(s) crashed; inputs are in fuzz/artifacts/");
    }
    Ok(())
}

/// The fuzz targets: the files in `fuzz/fuzz_targets`, by stem.
fn targets(fuzz_dir: &Path) -> anyhow::Result<Vec<String>> {
    let dir = fuzz_dir.join("fuzz_targets");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("{}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs")
            && let Some(stem) = path.file_stem()
        {
            out.push(stem.to_string_lossy().into_owned());
        }
    }
    out.sort();
    Ok(out)
}

/// Reads libFuzzer's final stats and crash lines.
fn parse_log(log: &str) -> Outcome {
    let mut outcome = Outcome::default();
    for line in log.lines() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            outcome.executions = n.trim().parse().ok();
        } else if let Some(path) = line.split("Test unit written to ").nth(1) {
            outcome.crashes.push(path.trim().to_owned());
        } else if outcome.executions.is_none()
            && let Some(rest) = line.strip_prefix("Done ")
        {
            outcome.executions = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        }
    }
    outcome
}

/// The part of a crashed run's log worth reading: from the panic message or sanitizer report
/// on (40 lines), or else the last 40 lines.
fn crash_excerpt(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("panicked at") || l.contains("ERROR: "))
        .unwrap_or(lines.len().saturating_sub(40));
    lines
        .iter()
        .skip(start)
        .take(40)
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_nightly() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    Command::new(rustc)
        .arg("-V")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("nightly"))
}

/// The target triple cargo-fuzz builds for (it always passes `--target`).
fn host() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    Command::new(rustc)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        })
        .unwrap_or_else(|| "x86_64-unknown-linux-gnu".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let o = Options::parse(&args(&["--seconds", "5", "jwk"])).unwrap();
        assert_eq!((o.seconds, o.targets), (5, vec!["jwk".to_owned()]));
        assert_eq!(Options::parse(&args(&["--seconds=7"])).unwrap().seconds, 7);
        assert_eq!(Options::parse(&[]).unwrap().seconds, 30);
        assert!(Options::parse(&args(&["--seconds", "0"])).is_err());
        assert!(Options::parse(&args(&["--seconds"])).is_err());
        assert!(Options::parse(&args(&["--jobs", "2"])).is_err());
    }

    #[test]
    fn crash_excerpts_start_at_the_panic() {
        let log =
            "#1 NEW\n#2 NEW\nthread '<unnamed>' panicked at x.rs:1:1:\nboom\n==1== ERROR: x\n";
        assert!(crash_excerpt(log).starts_with("thread '<unnamed>' panicked"));
        assert_eq!(crash_excerpt("a\nb"), "a\nb");
    }

    #[test]
    fn logs_are_read() {
        let clean =
            "#2 INITED\nDone 123456 runs in 31 second(s)\nstat::number_of_executed_units: 123457\n";
        assert_eq!(
            parse_log(clean),
            Outcome {
                executions: Some(123_457),
                crashes: vec![]
            }
        );
        let crash = "==1== ERROR: libFuzzer: deadly signal\n\
                     artifact_prefix='fuzz/artifacts/jwk/'; Test unit written to fuzz/artifacts/jwk/crash-ab\n\
                     stat::number_of_executed_units: 99\n";
        assert_eq!(
            parse_log(crash),
            Outcome {
                executions: Some(99),
                crashes: vec!["fuzz/artifacts/jwk/crash-ab".to_owned()]
            }
        );
    }
}
