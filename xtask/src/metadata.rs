//! The parts of `cargo metadata --format-version 1 --no-deps` that tidy and release-check read.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

/// The workspace's own packages.
#[derive(Debug)]
pub(crate) struct Workspace {
    pub(crate) packages: Vec<Package>,
    pub(crate) target_directory: PathBuf,
}

/// One workspace member.
#[derive(Debug)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) version: String,
    /// False for `publish = false` (metadata: `"publish": []`).
    pub(crate) publish: bool,
    pub(crate) deps: Vec<Dep>,
}

/// One dependency declaration of a package.
#[derive(Debug)]
pub(crate) struct Dep {
    pub(crate) name: String,
    /// `normal`, `dev` or `build`.
    pub(crate) kind: &'static str,
    /// The version requirement; `*` when the manifest gives none.
    pub(crate) req: String,
    pub(crate) path: Option<PathBuf>,
    /// Whether it is optional (enabled by a feature).
    pub(crate) optional: bool,
}

impl Workspace {
    /// Runs `cargo metadata` in `root` and reads the workspace members.
    pub(crate) fn load(root: &Path) -> anyhow::Result<Self> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
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
        Self::from_json(&json)
    }

    /// Reads the metadata JSON (also used by the tests on synthetic input).
    pub(crate) fn from_json(json: &Value) -> anyhow::Result<Self> {
        let Some(members) = json["workspace_members"].as_array() else {
            bail!("cargo metadata: no workspace_members");
        };
        let Some(packages) = json["packages"].as_array() else {
            bail!("cargo metadata: no packages");
        };
        let mut out = Vec::new();
        for p in packages {
            if !members.contains(&p["id"]) {
                continue;
            }
            let deps = p["dependencies"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|d| Dep {
                    name: str_of(&d["name"]),
                    kind: match d["kind"].as_str() {
                        Some("dev") => "dev",
                        Some("build") => "build",
                        _ => "normal",
                    },
                    req: str_of(&d["req"]),
                    path: d["path"].as_str().map(PathBuf::from),
                    optional: d["optional"].as_bool().unwrap_or(false),
                })
                .collect();
            out.push(Package {
                name: str_of(&p["name"]),
                version: str_of(&p["version"]),
                publish: !matches!(&p["publish"], Value::Array(registries) if registries.is_empty()),
                deps,
            });
        }
        Ok(Self {
            packages: out,
            target_directory: PathBuf::from(str_of(&json["target_directory"])),
        })
    }

    /// Whether `name` is a workspace member.
    pub(crate) fn is_member(&self, name: &str) -> bool {
        self.packages.iter().any(|p| p.name == name)
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
