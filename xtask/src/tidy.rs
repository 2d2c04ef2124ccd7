//! `cargo xtask tidy`: the architecture rules that rustc and clippy cannot see.
//!
//! Each check is a function from its input (parsed `cargo metadata`, or one file's text) to a list
//! of problems, so that the tests below can plant a violation and watch the check find it. The
//! `workspace_is_tidy` test runs all of them on the real workspace, which makes `cargo test
//! --workspace` enforce them too.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::metadata::Workspace;
use crate::source;

/// What one workspace crate may depend on and how its code is held, as data: one row per crate,
/// lowest layer first. A row for a crate that is not in the workspace yet is simply unused, so a
/// coming crate passes the checks the day it appears.
pub(crate) struct CrateRule {
    /// The package name.
    pub(crate) name: &'static str,
    /// Its layer: a crate may depend only on crates of lower layers.
    pub(crate) layer: usize,
    /// The workspace crates it may depend on besides the layer rule (`None`: any lower layer).
    internal: Option<&'static [&'static str]>,
    /// External crates it must not depend on (normal and build dependencies).
    banned: &'static [&'static str],
    /// External crates it may depend on only as optional dependencies, behind a feature.
    optional_only: &'static [&'static str],
    /// Library code: no panicking, printing or debugging calls in `src` outside tests.
    library_code: bool,
    /// Never reads the clock: its `clippy.toml` bans the clock reads ([`CLOCK_READS`]).
    no_clock: bool,
}

/// The HTTP client, its TLS, the async runtime and logging of the OpenID Connect edge.
const HTTP_EDGE: &[&str] = &[
    "hyper",
    "hyper-util",
    "http-body-util",
    "hyper-rustls",
    "rustls",
    "webpki-roots",
    "tokio",
    "tracing",
];

/// What the JOSE and JWT libraries must not depend on: the HTTP edge, HTTP types and URLs, and
/// the crates that belong to binaries.
const NOT_IN_CORE: &[&str] = &[
    "hyper",
    "hyper-util",
    "http-body-util",
    "hyper-rustls",
    "rustls",
    "webpki-roots",
    "tokio",
    "tracing",
    "url",
    "http",
    "reqwest",
    "anyhow",
    "clap",
];

/// Crates that belong to binaries (the CLI, xtask).
const BINARY_ONLY: &[&str] = &["anyhow", "clap"];

/// The workspace crates and their rules. Layers: jose < jwt < oidc < itsme < the key providers
/// (an HSM or PKCS #11 signer) < the CLI.
pub(crate) const CRATE_RULES: &[CrateRule] = &[
    CrateRule {
        name: "zegel-jose",
        layer: 0,
        internal: Some(&[]),
        banned: NOT_IN_CORE,
        optional_only: &[],
        library_code: true,
        no_clock: true,
    },
    CrateRule {
        name: "zegel-jwt",
        layer: 1,
        internal: Some(&["zegel-jose"]),
        banned: NOT_IN_CORE,
        optional_only: &[],
        library_code: true,
        no_clock: true,
    },
    // Sans-IO requests and responses use `http` types and `url`; the hyper client, its TLS, the
    // runtime and logging sit behind its (default-on) feature.
    CrateRule {
        name: "zegel-oidc",
        layer: 2,
        internal: Some(&["zegel-jose", "zegel-jwt"]),
        banned: BINARY_ONLY,
        optional_only: HTTP_EDGE,
        library_code: true,
        no_clock: false,
    },
    CrateRule {
        name: "zegel-itsme",
        layer: 3,
        internal: None,
        banned: BINARY_ONLY,
        optional_only: HTTP_EDGE,
        library_code: true,
        no_clock: false,
    },
    // The local itsme®-like provider: a test and demo server, not a partner library, so the
    // hyper server and tokio are plain dependencies. It talks HTTP and JOSE only: never the
    // relying-party side (zegel-oidc), whose tests it serves.
    CrateRule {
        name: "zegel-itsme-provider",
        layer: 4,
        internal: Some(&["zegel-jose", "zegel-jwt", "zegel-itsme"]),
        banned: BINARY_ONLY,
        optional_only: &[],
        library_code: true,
        no_clock: false,
    },
    CrateRule {
        name: "zegel-pkcs11",
        layer: 4,
        // zegel-jwt as a dev dependency only: the nested-JWT test through the token.
        internal: Some(&["zegel-jose", "zegel-jwt"]),
        banned: BINARY_ONLY,
        optional_only: &[],
        library_code: true,
        no_clock: false,
    },
    CrateRule {
        name: "zegel-cli",
        layer: 5,
        internal: None,
        banned: &[],
        optional_only: &[],
        library_code: false,
        no_clock: false,
    },
];

/// The rule row of `name`.
pub(crate) fn rule(name: &str) -> Option<&'static CrateRule> {
    CRATE_RULES.iter().find(|r| r.name == name)
}

/// The layer of `name`, if it is a layer crate.
pub(crate) fn layer_of(name: &str) -> Option<usize> {
    rule(name).map(|r| r.layer)
}

/// The layer order in words, for messages.
fn layer_names() -> String {
    let mut out = String::new();
    let mut last = None;
    for r in CRATE_RULES {
        match last {
            Some(l) if l == r.layer => out.push_str(" = "),
            Some(_) => out.push_str(" < "),
            None => {}
        }
        out.push_str(r.name);
        last = Some(r.layer);
    }
    out
}

/// Test servers: any layer crate may use them as a dev-dependency (its tests run against a
/// real provider), though they sit above it; never as a normal or build dependency.
pub(crate) const TEST_SERVERS: &[&str] = &["zegel-itsme-provider"];

/// Workspace members outside the layers: they may depend on anything and nothing depends on them.
pub(crate) const EXEMPT: &[&str] = &["xtask", "zegel-tests"];

/// The clock reads a `no_clock` crate's `clippy.toml` must ban through `disallowed-methods`
/// (clippy sees through aliases and imports, which a text search cannot).
const CLOCK_READS: &[&str] = &["std::time::SystemTime::now", "std::time::Instant::now"];

/// Algorithm table files: every `pub static` must be in an `ALL` table.
const ALG_TABLES: &[&str] = &[
    "crates/zegel-jose/src/jws/alg.rs",
    "crates/zegel-jose/src/jwe/alg.rs",
];

/// Calls banned in library source, outside test code (clock reads are clippy's, see
/// [`CLOCK_READS`]). `(pattern, why)`; a pattern starting with
/// an identifier character only matches at the start of an identifier.
const BANNED_CALLS: &[(&str, &str)] = &[
    ("unwrap()", "return an error instead of panicking"),
    (".expect(", "return an error instead of panicking"),
    ("println!", "libraries do not print"),
    ("eprintln!", "libraries do not print"),
    ("print!", "libraries do not print"),
    ("eprint!", "libraries do not print"),
    ("dbg!", "leftover debugging"),
];

/// Runs every check on the workspace at `root` and prints the problems.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let problems = problems(root)?;
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    if !problems.is_empty() {
        bail!("tidy found {} problem(s)", problems.len());
    }
    println!("tidy: ok");
    Ok(())
}

/// Every problem in the workspace at `root`.
pub(crate) fn problems(root: &Path) -> anyhow::Result<Vec<String>> {
    let ws = Workspace::load(root)?;
    let mut problems = Vec::new();
    problems.extend(layer_order(&ws));
    problems.extend(library_dependencies(&ws));
    problems.extend(internal_dependency_specs(&ws));
    for r in CRATE_RULES.iter().filter(|r| ws.is_member(r.name)) {
        if r.no_clock {
            let file = root.join("crates").join(r.name).join("clippy.toml");
            let text = fs::read_to_string(&file).unwrap_or_default();
            problems.extend(clock_ban(r.name, &text));
        }
        if !r.library_code {
            continue;
        }
        let dir = root.join("crates").join(r.name).join("src");
        for file in rust_files(&dir)? {
            let text = fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            let shown = relative(root, &file);
            problems.extend(module_doc(&shown, &text));
            if !is_test_file(file.strip_prefix(&dir).unwrap_or(&file)) {
                problems.extend(banned_calls(&shown, &text));
            }
        }
    }
    for table in ALG_TABLES {
        let file = root.join(table);
        if file.exists() {
            let text = fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            problems.extend(alg_table(table, &text));
        }
    }
    Ok(problems)
}

/// The upward edges allowed, as dev-dependencies only: a library's tests driving the test
/// server built on it (the itsme® client's tests against the local itsme®-like provider).
const UPWARD_DEV: &[(&str, &str)] = &[("zegel-itsme", "zegel-itsme-provider")];

/// Every dependency between workspace crates goes down the layers, to a crate its row allows.
pub(crate) fn layer_order(ws: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for p in &ws.packages {
        if EXEMPT.contains(&p.name.as_str()) {
            continue;
        }
        let Some(own) = rule(&p.name) else {
            problems.push(format!(
                "{}: workspace crate outside the layer order; add a row to CRATE_RULES or it to \
                 EXEMPT in xtask/src/tidy.rs",
                p.name
            ));
            continue;
        };
        for d in p.deps.iter().filter(|d| ws.is_member(&d.name)) {
            let upward = UPWARD_DEV.contains(&(p.name.as_str(), d.name.as_str()));
            let test_server = TEST_SERVERS.contains(&d.name.as_str()) && d.name != p.name;
            if d.kind == "dev" && (upward || test_server) {
                continue;
            }
            match layer_of(&d.name) {
                Some(theirs) if theirs < own.layer => {
                    if own
                        .internal
                        .is_some_and(|allowed| !allowed.contains(&d.name.as_str()))
                    {
                        problems.push(format!(
                            "{}: {} dependency on {} is not in its row of CRATE_RULES",
                            p.name, d.kind, d.name
                        ));
                    }
                }
                Some(_) => problems.push(format!(
                    "{}: {} dependency on {} goes up the layers ({})",
                    p.name,
                    d.kind,
                    d.name,
                    layer_names()
                )),
                None => problems.push(format!(
                    "{}: {} dependency on {}, which is not a layer",
                    p.name, d.kind, d.name
                )),
            }
        }
    }
    problems
}

/// Each crate's normal and build dependencies follow its row: none of its banned crates, and
/// its optional-only crates only as optional dependencies (behind a feature).
pub(crate) fn library_dependencies(ws: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for p in &ws.packages {
        let Some(r) = rule(&p.name) else { continue };
        for d in p.deps.iter().filter(|d| d.kind != "dev") {
            if r.banned.contains(&d.name.as_str()) {
                problems.push(format!(
                    "{}: depends on {} (not allowed: {})",
                    p.name,
                    d.name,
                    r.banned.join(", ")
                ));
            } else if r.optional_only.contains(&d.name.as_str()) && !d.optional {
                problems.push(format!(
                    "{}: depends on {} unconditionally; it belongs behind a feature (an optional \
                     dependency)",
                    p.name, d.name
                ));
            }
        }
    }
    problems
}

/// A crate that never reads the clock bans every clock read in its `clippy.toml`.
pub(crate) fn clock_ban(name: &str, clippy_toml: &str) -> Vec<String> {
    let has_section = clippy_toml.contains("disallowed-methods");
    CLOCK_READS
        .iter()
        .filter(|path| !has_section || !clippy_toml.contains(&format!("\"{path}\"")))
        .map(|path| {
            format!(
                "crates/{name}/clippy.toml: `disallowed-methods` does not ban `{path}` (the crate \
                 never reads the clock)"
            )
        })
        .collect()
}

/// Every dependency on a workspace crate has a version (for crates.io) and a path (for the
/// workspace); the upward dev-dependencies of [`UPWARD_DEV`] have a path only, so that
/// `cargo publish` leaves them out (with a version they would make a publishing cycle).
pub(crate) fn internal_dependency_specs(ws: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for p in &ws.packages {
        for d in p.deps.iter().filter(|d| ws.is_member(&d.name)) {
            if d.path.is_none() {
                problems.push(format!("{}: dependency on {} has no path", p.name, d.name));
            }
            let upward_dev =
                d.kind == "dev" && UPWARD_DEV.contains(&(p.name.as_str(), d.name.as_str()));
            if upward_dev && d.req != "*" {
                problems.push(format!(
                    "{}: dev dependency on {} has a version: give it a path only, so that \
                     publishing leaves it out",
                    p.name, d.name
                ));
            }
            if d.req == "*" && !upward_dev {
                problems.push(format!(
                    "{}: dependency on {} has no version",
                    p.name, d.name
                ));
            }
        }
    }
    problems
}

/// The file starts with a `//!` module doc (or, for a crate root, `#![doc = ...]`).
pub(crate) fn module_doc(shown: &str, text: &str) -> Vec<String> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if first.starts_with("//!") || first.starts_with("#![doc") {
        Vec::new()
    } else {
        vec![format!(
            "{shown}: does not start with a `//!` module doc comment"
        )]
    }
}

/// No banned call in the file's non-test code.
pub(crate) fn banned_calls(shown: &str, text: &str) -> Vec<String> {
    let code = source::without_test_items(&source::code_only(text));
    let mut problems = Vec::new();
    for (pattern, why) in BANNED_CALLS {
        let word = pattern.starts_with(source::is_ident);
        for (at, _) in code.match_indices(pattern) {
            let after_ident = code[..at].chars().next_back().is_some_and(source::is_ident);
            if word && after_ident {
                continue;
            }
            let line = source::line_of(&code, at);
            problems.push(format!(
                "{shown}:{line}: `{pattern}` in library code: {why}"
            ));
        }
    }
    problems
}

/// Every `pub static` in an algorithm table file is listed in one of its `ALL` tables.
pub(crate) fn alg_table(shown: &str, text: &str) -> Vec<String> {
    let code = source::without_test_items(&source::code_only(text));
    let mut statics = Vec::new();
    let mut tables = Vec::new();
    for (at, _) in code.match_indices("pub static ") {
        let rest = &code[at + "pub static ".len()..];
        let name: String = rest.chars().take_while(|&c| source::is_ident(c)).collect();
        let is_table = name == "ALL" || name.starts_with("ALL_") || name.ends_with("_ALL");
        if is_table {
            let body = rest.split_once('=').map_or("", |(_, b)| b);
            tables.push(body.split(';').next().unwrap_or_default().to_owned());
        } else if !name.is_empty() {
            statics.push((name, source::line_of(&code, at)));
        }
    }
    if tables.is_empty() && !statics.is_empty() {
        return vec![format!(
            "{shown}: has algorithm statics but no `pub static ALL` table"
        )];
    }
    let listed = |name: &str| {
        tables.iter().any(|t| {
            t.match_indices(name).any(|(at, _)| {
                let before = t[..at].trim_end().ends_with('&');
                let after = t[at + name.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !source::is_ident(c));
                before && after
            })
        })
    };
    statics
        .into_iter()
        .filter(|(name, _)| !listed(name))
        .map(|(name, line)| format!("{shown}:{line}: `{name}` is not in the file's ALL table"))
        .collect()
}

/// All `.rs` files under `dir`, sorted.
fn rust_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).with_context(|| format!("{}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A unit-test file, given its path relative to `src`: `tests.rs` beside its module, or anything
/// under a `tests/` folder.
fn is_test_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
        || path
            .parent()
            .is_some_and(|p| p.components().any(|c| c.as_os_str() == "tests"))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn workspace_is_tidy() {
        let root = crate::workspace_root();
        let problems = problems(&root).unwrap();
        assert!(
            problems.is_empty(),
            "cargo xtask tidy:\n{}",
            problems.join("\n")
        );
    }

    /// A metadata document with the given `(package, [(dependency, kind)])` members.
    fn workspace(packages: &[(&str, &[(&str, &str)])]) -> Workspace {
        let packages: Vec<_> = packages
            .iter()
            .map(|(name, deps)| {
                let deps: Vec<_> = deps
                    .iter()
                    .map(|(d, kind)| {
                        let internal = d.starts_with("zegel");
                        json!({
                            "name": d,
                            "kind": if *kind == "normal" { serde_json::Value::Null } else { json!(kind) },
                            "req": "^0.1.0",
                            "path": if internal { json!(format!("/ws/crates/{d}")) } else { serde_json::Value::Null },
                        })
                    })
                    .collect();
                json!({
                    "id": name, "name": name, "version": "0.1.0", "publish": null,
                    "manifest_path": format!("/ws/crates/{name}/Cargo.toml"), "dependencies": deps,
                })
            })
            .collect();
        let ids: Vec<_> = packages.iter().map(|p| p["id"].clone()).collect();
        Workspace::from_json(&json!({ "packages": packages, "workspace_members": ids })).unwrap()
    }

    #[test]
    fn layer_order_accepts_downward_edges_and_skips() {
        let ws = workspace(&[
            ("zegel-jose", &[("serde", "normal")]),
            ("zegel-jwt", &[("zegel-jose", "normal")]),
            (
                "zegel-cli",
                &[("zegel-jose", "normal"), ("zegel-jwt", "normal")],
            ),
            ("zegel-tests", &[("zegel-cli", "dev")]),
            ("xtask", &[]),
        ]);
        assert_eq!(layer_order(&ws), Vec::<String>::new());
    }

    #[test]
    fn layer_order_allows_the_test_server_as_dev_dependency_only() {
        let ws = workspace(&[
            ("zegel-itsme", &[("zegel-itsme-provider", "dev")]),
            ("zegel-itsme-provider", &[("zegel-itsme", "normal")]),
        ]);
        assert_eq!(layer_order(&ws), Vec::<String>::new());
        let ws = workspace(&[
            ("zegel-itsme", &[("zegel-itsme-provider", "normal")]),
            ("zegel-itsme-provider", &[]),
        ]);
        assert_eq!(layer_order(&ws).len(), 1);
    }

    #[test]
    fn layer_order_rejects_upward_edges() {
        let ws = workspace(&[
            ("zegel-jose", &[("zegel-jwt", "dev")]),
            ("zegel-jwt", &[("zegel-jwt", "normal")]),
        ]);
        assert_eq!(
            layer_order(&ws),
            [
                "zegel-jose: dev dependency on zegel-jwt goes up the layers (zegel-jose < zegel-jwt \
                 < zegel-oidc < zegel-itsme < zegel-itsme-provider = zegel-pkcs11 < zegel-cli)",
                "zegel-jwt: normal dependency on zegel-jwt goes up the layers (zegel-jose < \
                 zegel-jwt < zegel-oidc < zegel-itsme < zegel-itsme-provider = zegel-pkcs11 < \
                 zegel-cli)",
            ]
        );
    }

    #[test]
    fn layer_order_rejects_unknown_crates() {
        let ws = workspace(&[
            ("zegel-extra", &[]),
            ("zegel-cli", &[("zegel-extra", "normal")]),
        ]);
        let problems = layer_order(&ws);
        assert_eq!(problems.len(), 2);
        assert!(problems[0].starts_with("zegel-extra: workspace crate outside the layer order"));
        assert_eq!(
            problems[1],
            "zegel-cli: normal dependency on zegel-extra, which is not a layer"
        );
    }

    #[test]
    fn library_dependencies_rejects_banned_crates() {
        let ws = workspace(&[
            ("zegel-jose", &[("tokio", "normal"), ("anyhow", "dev")]),
            ("zegel-jwt", &[("clap", "build")]),
            ("zegel-cli", &[("anyhow", "normal"), ("clap", "normal")]),
        ]);
        assert_eq!(
            library_dependencies(&ws),
            [
                "zegel-jose: depends on tokio (not allowed: hyper, hyper-util, http-body-util, \
                 hyper-rustls, rustls, webpki-roots, tokio, tracing, url, http, reqwest, anyhow, \
                 clap)",
                "zegel-jwt: depends on clap (not allowed: hyper, hyper-util, http-body-util, \
                 hyper-rustls, rustls, webpki-roots, tokio, tracing, url, http, reqwest, anyhow, \
                 clap)",
            ]
        );
    }

    #[test]
    fn oidc_may_use_its_http_client_behind_a_feature() {
        let mut ws = workspace(&[
            ("zegel-jose", &[]),
            ("zegel-jwt", &[("zegel-jose", "normal")]),
            (
                "zegel-oidc",
                &[
                    ("zegel-jose", "normal"),
                    ("zegel-jwt", "normal"),
                    ("http", "normal"),
                    ("url", "normal"),
                    ("hyper", "normal"),
                    ("tokio", "normal"),
                    ("tokio", "dev"),
                ],
            ),
            ("zegel-cli", &[("zegel-oidc", "normal")]),
        ]);
        // hyper and tokio as optional dependencies (behind the feature): fine.
        for d in &mut ws.packages[2].deps {
            d.optional = matches!(d.name.as_str(), "hyper" | "tokio");
        }
        assert_eq!(library_dependencies(&ws), Vec::<String>::new());
        assert_eq!(layer_order(&ws), Vec::<String>::new());
        // Unconditionally: refused.
        ws.packages[2].deps[4].optional = false;
        assert_eq!(
            library_dependencies(&ws),
            [
                "zegel-oidc: depends on hyper unconditionally; it belongs behind a feature (an \
              optional dependency)"
            ]
        );
        // What zegel-oidc may use, zegel-jose and zegel-jwt may not, even optionally.
        let mut ws = workspace(&[("zegel-jose", &[("hyper", "normal")])]);
        ws.packages[0].deps[0].optional = true;
        assert_eq!(library_dependencies(&ws).len(), 1);
    }

    #[test]
    fn oidc_depends_on_jose_and_jwt_only() {
        let ws = workspace(&[
            ("zegel-oidc", &[("zegel-itsme", "normal")]),
            ("zegel-itsme", &[("zegel-oidc", "normal")]),
        ]);
        assert_eq!(
            layer_order(&ws),
            [
                "zegel-oidc: normal dependency on zegel-itsme goes up the layers (zegel-jose < \
              zegel-jwt < zegel-oidc < zegel-itsme < zegel-itsme-provider = zegel-pkcs11 < zegel-cli)"
            ]
        );
    }

    #[test]
    fn the_provider_serves_on_hyper_but_never_uses_the_relying_party() {
        let ws = workspace(&[
            ("zegel-jose", &[]),
            ("zegel-jwt", &[("zegel-jose", "normal")]),
            (
                "zegel-oidc",
                &[("zegel-jose", "normal"), ("zegel-jwt", "normal")],
            ),
            (
                "zegel-itsme",
                &[("zegel-jose", "normal"), ("zegel-jwt", "normal")],
            ),
            (
                "zegel-itsme-provider",
                &[
                    ("zegel-jose", "normal"),
                    ("zegel-jwt", "normal"),
                    ("zegel-itsme", "normal"),
                    ("hyper", "normal"),
                    ("hyper-util", "normal"),
                    ("tokio", "normal"),
                ],
            ),
            ("zegel-cli", &[("zegel-itsme-provider", "normal")]),
        ]);
        assert_eq!(layer_order(&ws), Vec::<String>::new());
        assert_eq!(library_dependencies(&ws), Vec::<String>::new());
        let ws = workspace(&[
            ("zegel-oidc", &[]),
            (
                "zegel-itsme-provider",
                &[("zegel-oidc", "normal"), ("anyhow", "normal")],
            ),
        ]);
        assert_eq!(
            layer_order(&ws),
            [
                "zegel-itsme-provider: normal dependency on zegel-oidc is not in its row of CRATE_RULES"
            ]
        );
        assert_eq!(
            library_dependencies(&ws),
            ["zegel-itsme-provider: depends on anyhow (not allowed: anyhow, clap)"]
        );
    }

    #[test]
    fn the_provider_is_a_dev_dependency_of_any_layer_only() {
        let ws = workspace(&[
            ("zegel-itsme", &[("zegel-itsme-provider", "dev")]),
            ("zegel-jose", &[("zegel-itsme-provider", "dev")]),
            ("zegel-itsme-provider", &[("zegel-itsme", "normal")]),
        ]);
        assert_eq!(layer_order(&ws), Vec::<String>::new());
        let ws = workspace(&[
            ("zegel-itsme", &[("zegel-itsme-provider", "normal")]),
            ("zegel-jwt", &[("zegel-itsme-provider", "build")]),
            ("zegel-itsme-provider", &[]),
        ]);
        assert_eq!(
            layer_order(&ws),
            [
                "zegel-itsme: normal dependency on zegel-itsme-provider goes up the layers \
                 (zegel-jose < zegel-jwt < zegel-oidc < zegel-itsme < zegel-itsme-provider = \
                 zegel-pkcs11 < zegel-cli)",
                "zegel-jwt: build dependency on zegel-itsme-provider goes up the layers \
                 (zegel-jose < zegel-jwt < zegel-oidc < zegel-itsme < zegel-itsme-provider = \
                 zegel-pkcs11 < zegel-cli)",
            ]
        );
    }

    #[test]
    fn crates_not_in_the_workspace_yet_pass() {
        // Rows for zegel-oidc, zegel-itsme and the providers are unused until they appear.
        let ws = workspace(&[
            ("zegel-jose", &[]),
            ("zegel-jwt", &[("zegel-jose", "normal")]),
        ]);
        assert_eq!(layer_order(&ws), Vec::<String>::new());
        assert_eq!(library_dependencies(&ws), Vec::<String>::new());
    }

    #[test]
    fn clock_ban_is_clippys() {
        let good = "disallowed-methods = [\n\
            { path = \"std::time::SystemTime::now\", reason = \"r\" },\n\
            { path = \"std::time::Instant::now\", reason = \"r\" },\n]\n";
        assert_eq!(clock_ban("zegel-jwt", good), Vec::<String>::new());
        let partial = good.replace("std::time::Instant::now", "std::time::Instant::elapsed");
        assert_eq!(
            clock_ban("zegel-jwt", &partial),
            [
                "crates/zegel-jwt/clippy.toml: `disallowed-methods` does not ban \
              `std::time::Instant::now` (the crate never reads the clock)"
            ]
        );
        assert_eq!(clock_ban("zegel-jose", "").len(), 2);
    }

    #[test]
    fn the_test_server_dev_dependency_has_a_path_only() {
        let mut ws = workspace(&[
            ("zegel-itsme", &[("zegel-itsme-provider", "dev")]),
            ("zegel-itsme-provider", &[("zegel-itsme", "normal")]),
        ]);
        ws.packages[0].deps[0].req = "*".to_owned();
        assert_eq!(internal_dependency_specs(&ws), Vec::<String>::new());
        ws.packages[0].deps[0].req = "^0.1.0".to_owned();
        assert_eq!(internal_dependency_specs(&ws).len(), 1);
    }

    #[test]
    fn internal_dependency_specs_need_version_and_path() {
        let mut ws = workspace(&[
            ("zegel-jose", &[]),
            ("zegel-jwt", &[("zegel-jose", "normal")]),
            (
                "zegel-cli",
                &[("zegel-jose", "normal"), ("serde", "normal")],
            ),
        ]);
        assert_eq!(internal_dependency_specs(&ws), Vec::<String>::new());
        ws.packages[1].deps[0].req = "*".to_owned();
        ws.packages[2].deps[0].path = None;
        assert_eq!(
            internal_dependency_specs(&ws),
            [
                "zegel-jwt: dependency on zegel-jose has no version",
                "zegel-cli: dependency on zegel-jose has no path",
            ]
        );
    }

    #[test]
    fn module_doc_is_required() {
        assert!(module_doc("a.rs", "\n//! Docs.\nfn f() {}").is_empty());
        assert!(module_doc("lib.rs", "#![doc = include_str!(\"../README.md\")]").is_empty());
        assert_eq!(
            module_doc("b.rs", "/// Item doc.\nfn f() {}"),
            ["b.rs: does not start with a `//!` module doc comment"]
        );
        assert_eq!(module_doc("c.rs", "").len(), 1);
    }

    #[test]
    fn banned_calls_are_found_outside_tests_only() {
        let src = "\
//! Docs mention unwrap() and println! freely.
fn f(x: Option<u8>) -> u8 {
    let s = \"SystemTime::now\";
    x.unwrap_or(0) + x.unwrap() + y.expect(\"y\")
}
fn g() { println!(\"a\"); eprintln!(\"b\"); dbg!(1); }
fn h() { my_println!(); }
#[cfg(test)]
mod tests {
    fn t() { x.unwrap(); println!(); }
}
";
        assert_eq!(
            banned_calls("f.rs", src),
            [
                "f.rs:4: `unwrap()` in library code: return an error instead of panicking",
                "f.rs:4: `.expect(` in library code: return an error instead of panicking",
                "f.rs:6: `println!` in library code: libraries do not print",
                "f.rs:6: `eprintln!` in library code: libraries do not print",
                "f.rs:6: `dbg!` in library code: leftover debugging",
            ]
        );
    }

    #[test]
    fn alg_table_lists_every_static() {
        let good = "\
//! Table.
pub static HS256: JwsAlgorithm = JwsAlgorithm::new(\"HS256\");
pub static HS384: JwsAlgorithm = JwsAlgorithm::new(\"HS384\");
pub(crate) static HELPER: u8 = 1;
pub static ALL: &[&JwsAlgorithm] = &[&HS256, &HS384];
";
        assert!(alg_table("alg.rs", good).is_empty());
        let missing = good.replace("&[&HS256, &HS384]", "&[&HS256 /* &HS384 */]");
        assert_eq!(
            alg_table("alg.rs", &missing),
            ["alg.rs:3: `HS384` is not in the file's ALL table"]
        );
        let prefix = good.replace("&[&HS256, &HS384]", "&[&HS2564, &HS384]");
        assert_eq!(
            alg_table("alg.rs", &prefix),
            ["alg.rs:2: `HS256` is not in the file's ALL table"]
        );
        let no_table = "pub static A: X = X;";
        assert_eq!(
            alg_table("alg.rs", no_table),
            ["alg.rs: has algorithm statics but no `pub static ALL` table"]
        );
    }

    #[test]
    fn alg_table_accepts_several_tables() {
        let src = "\
pub static A128KW: KeyManagement = KeyManagement::new();
pub static A128GCM: ContentEncryption = ContentEncryption::new();
pub static ALL_KEY_MANAGEMENT: &[&KeyManagement] = &[&A128KW];
pub static CONTENT_ENCRYPTION_ALL: &[&ContentEncryption] = &[
    &A128GCM,
];
";
        assert!(alg_table("jwe/alg.rs", src).is_empty());
    }

    #[test]
    fn test_files_are_recognized() {
        assert!(is_test_file(Path::new("jws/tests.rs")));
        assert!(is_test_file(Path::new("jws/tests/vectors.rs")));
        assert!(!is_test_file(Path::new("jws/verify.rs")));
        assert!(!is_test_file(Path::new("lib.rs")));
    }
}
