//! `cargo xtask deny`: cargo-deny-style checks of the resolved dependency graph, offline.
//!
//! Reads `cargo metadata` with dependencies (the lock file's resolve; the sources must have been
//! fetched, as `.ci/run` does) and checks:
//!
//! - **licenses**: every package's SPDX expression can be satisfied from [`ALLOWED_LICENSES`]
//!   (or is the one license [`LICENSE_EXCEPTIONS`] allows for that crate);
//! - **sources**: every package comes from crates.io or the workspace (no git, no other
//!   registry);
//! - **bans**: no package of [`BANNED`] anywhere (the RustCrypto `rsa` crate, OpenSSL);
//! - **layers, transitively**: nothing that zegel-jose or zegel-jwt builds with (normal and build
//!   dependencies, all the way down) is an HTTP stack or async runtime, and zegel-oidc brings
//!   no other HTTP client than its own ([`NOT_UNDER`]).
//!
//! Security advisories (cargo-deny's `advisories`) need the RustSec database from GitHub, which
//! CI cannot reach: they are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

/// Licenses a dependency may be used under (any one branch of an `OR` is enough).
const ALLOWED_LICENSES: &[&str] = &[
    "Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "MIT",
    "MIT-0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "OpenSSL",
    "Unicode-3.0",
    "Unlicense",
    "Zlib",
    "0BSD",
    "CC0-1.0",
    // webpki-roots (zegel-oidc's default client): the Mozilla root store as data, a permissive
    // data licence (attribution only).
    "CDLA-Permissive-2.0",
];

/// Crates allowed under one more license, each with its license and why: a row per crate.
const LICENSE_EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "webdriver",
    "MPL-2.0",
    "the WebDriver protocol types under fantoccini, zegel-itsme's browser test only (a \
     dev-dependency, never in a build of the libraries); MPL-2.0 is file-level copyleft and \
     zegel changes none of its files",
)];

/// Crates that must not appear in the graph, and why.
const BANNED: &[(&str, &str)] = &[
    (
        "rsa",
        "RustCrypto rsa is not constant-time (RUSTSEC-2023-0071); RSA comes from ring/aws-lc-rs",
    ),
    ("openssl", "the crypto backends are ring and aws-lc-rs"),
    ("openssl-sys", "the crypto backends are ring and aws-lc-rs"),
];

/// What each layer crate must not pull in, even indirectly (normal and build dependencies, with
/// its default features): a row per crate, as data. A row for a crate not in the workspace yet
/// is unused.
const NOT_UNDER: &[(&str, &[&str])] = &[
    ("zegel-jose", NOT_UNDER_CORE),
    ("zegel-jwt", NOT_UNDER_CORE),
    // The OpenID Connect layer brings its own HTTP client (hyper, behind its default-on
    // feature); another client or runtime is a mistake.
    ("zegel-oidc", &["reqwest", "async-std", "anyhow", "clap"]),
    // The local provider serves on hyper and tokio; another HTTP stack or runtime is a mistake.
    (
        "zegel-itsme-provider",
        &["reqwest", "async-std", "anyhow", "clap"],
    ),
];

/// What the JOSE and JWT libraries must not pull in: any HTTP stack or async runtime.
const NOT_UNDER_CORE: &[&str] = &[
    "http",
    "hyper",
    "hyper-util",
    "hyper-rustls",
    "rustls",
    "tokio",
    "url",
    "reqwest",
    "async-std",
    "mio",
];

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// Runs the checks on the workspace at `root`.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let problems = problems(root)?;
    for p in &problems {
        eprintln!("deny: {p}");
    }
    if !problems.is_empty() {
        bail!("deny found {} problem(s)", problems.len());
    }
    println!("deny: ok (licenses, sources, bans, library dependency closure)");
    Ok(())
}

/// Every problem in the resolved graph of the workspace at `root`.
pub(crate) fn problems(root: &Path) -> anyhow::Result<Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json: Value = serde_json::from_slice(&out.stdout).context("cargo metadata output")?;
    Ok(check(&json))
}

/// All checks on a full `cargo metadata` document.
fn check(json: &Value) -> Vec<String> {
    let packages = json["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut problems = Vec::new();
    for p in packages {
        let name = p["name"].as_str().unwrap_or_default();
        let version = p["version"].as_str().unwrap_or_default();
        let unpublished = matches!(&p["publish"], Value::Array(r) if r.is_empty());
        match p["source"].as_str() {
            None | Some(CRATES_IO) => {}
            Some(other) => problems.push(format!("{name} {version}: comes from {other}")),
        }
        if let Some((_, why)) = BANNED.iter().find(|(banned, _)| *banned == name) {
            problems.push(format!("{name} {version}: banned: {why}"));
        }
        match p["license"].as_str() {
            Some(expr) if license_allowed(expr) => {}
            Some(expr)
                if LICENSE_EXCEPTIONS
                    .iter()
                    .any(|(crate_, license, _)| *crate_ == name && *license == expr) => {}
            Some(expr) => problems.push(format!("{name} {version}: license `{expr}` not allowed")),
            None if unpublished && p["source"].is_null() => {}
            None => problems.push(format!("{name} {version}: no license")),
        }
    }
    problems.extend(library_closure(json));
    problems
}

/// The non-dev dependency closure of each crate of [`NOT_UNDER`] avoids its row.
fn library_closure(json: &Value) -> Vec<String> {
    let nodes = json["resolve"]["nodes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let name_of: BTreeMap<&str, &str> = json["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    // id -> ids of its normal and build dependencies.
    let edges: BTreeMap<&str, Vec<&str>> = nodes
        .iter()
        .filter_map(|n| {
            let deps = n["deps"]
                .as_array()?
                .iter()
                .filter(|d| {
                    d["dep_kinds"].as_array().is_some_and(|kinds| {
                        kinds.iter().any(|k| k["kind"].as_str() != Some("dev"))
                    })
                })
                .filter_map(|d| d["pkg"].as_str())
                .collect();
            Some((n["id"].as_str()?, deps))
        })
        .collect();
    let mut problems = Vec::new();
    for (lib, not_under) in NOT_UNDER {
        let Some(start) = name_of.iter().find(|(_, n)| *n == lib).map(|(id, _)| *id) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            stack.extend(edges.get(id).map(Vec::as_slice).unwrap_or_default());
        }
        for id in seen {
            let name = name_of.get(id).copied().unwrap_or_default();
            if not_under.contains(&name) {
                problems.push(format!("{lib}: depends on {name} (indirectly)"));
            }
        }
    }
    problems
}

/// Whether an SPDX expression (with cargo's legacy `/` for `OR`) can be met using only
/// [`ALLOWED_LICENSES`]. `AND` binds tighter than `OR`; parentheses group.
fn license_allowed(expr: &str) -> bool {
    let spaced = expr
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let result = or_expr(&tokens, &mut pos);
    result == Some(true) && pos == tokens.len()
}

fn or_expr(tokens: &[&str], pos: &mut usize) -> Option<bool> {
    let mut value = and_expr(tokens, pos)?;
    while tokens.get(*pos) == Some(&"OR") {
        *pos += 1;
        value |= and_expr(tokens, pos)?;
    }
    Some(value)
}

fn and_expr(tokens: &[&str], pos: &mut usize) -> Option<bool> {
    let mut value = term(tokens, pos)?;
    while tokens.get(*pos) == Some(&"AND") {
        *pos += 1;
        value &= term(tokens, pos)?;
    }
    Some(value)
}

fn term(tokens: &[&str], pos: &mut usize) -> Option<bool> {
    let token = *tokens.get(*pos)?;
    *pos += 1;
    if token == "(" {
        let value = or_expr(tokens, pos)?;
        if tokens.get(*pos) != Some(&")") {
            return None;
        }
        *pos += 1;
        return Some(value);
    }
    if matches!(token, ")" | "AND" | "OR" | "WITH") {
        return None;
    }
    let mut id = token.to_owned();
    if tokens.get(*pos) == Some(&"WITH") {
        id = format!("{id} WITH {}", tokens.get(*pos + 1)?);
        *pos += 2;
    }
    Some(ALLOWED_LICENSES.contains(&id.as_str()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn licenses() {
        assert!(license_allowed("MIT OR Apache-2.0"));
        assert!(license_allowed("MIT/Apache-2.0"));
        assert!(license_allowed(
            "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"
        ));
        assert!(license_allowed("ISC AND (Apache-2.0 OR ISC) AND OpenSSL"));
        assert!(license_allowed("MIT OR Apache-2.0 OR LGPL-2.1-or-later"));
        assert!(!license_allowed("GPL-3.0"));
        assert!(!license_allowed("MIT AND GPL-3.0"));
        assert!(!license_allowed("(MIT OR Apache-2.0"));
        assert!(!license_allowed("MIT OR"));
        assert!(!license_allowed(""));
    }

    #[test]
    fn graph_checks_find_planted_problems() {
        let metadata = json!({
            "packages": [
                {"id": "jose", "name": "zegel-jose", "version": "0.1.0", "source": null,
                 "license": "Apache-2.0 OR MIT", "publish": null},
                {"id": "mid", "name": "middle", "version": "1.0.0", "source": CRATES_IO,
                 "license": "MIT", "publish": null},
                {"id": "tok", "name": "tokio", "version": "1.0.0", "source": CRATES_IO,
                 "license": "MIT", "publish": null},
                {"id": "rsa", "name": "rsa", "version": "0.9.0", "source": CRATES_IO,
                 "license": "MIT OR Apache-2.0", "publish": null},
                {"id": "g", "name": "gpl", "version": "1.0.0",
                 "source": "git+https://example.invalid/gpl", "license": "GPL-3.0", "publish": null},
                {"id": "xt", "name": "xtask", "version": "0.0.0", "source": null,
                 "license": null, "publish": []},
            ],
            "resolve": {"nodes": [
                {"id": "jose", "deps": [
                    {"pkg": "mid", "dep_kinds": [{"kind": null}]},
                    {"pkg": "rsa", "dep_kinds": [{"kind": "dev"}]},
                ]},
                {"id": "mid", "deps": [{"pkg": "tok", "dep_kinds": [{"kind": "build"}]}]},
                {"id": "tok", "deps": []},
                {"id": "rsa", "deps": []},
                {"id": "g", "deps": []},
                {"id": "xt", "deps": []},
            ]},
        });
        assert_eq!(
            check(&metadata),
            [
                "rsa 0.9.0: banned: RustCrypto rsa is not constant-time (RUSTSEC-2023-0071); RSA \
                 comes from ring/aws-lc-rs",
                "gpl 1.0.0: comes from git+https://example.invalid/gpl",
                "gpl 1.0.0: license `GPL-3.0` not allowed",
                "zegel-jose: depends on tokio (indirectly)",
            ]
        );
    }
}
