//! `cargo xtask release-check`: could the workspace be published today?
//!
//! - every publishable crate (`publish` not `false`) has the same version, and each dependency on
//!   a sibling asks for exactly that version;
//! - the publish order (dependencies first) follows the layers: jose, jwt, oidc, itsme, cli;
//! - every publishable crate packages: `cargo package --no-verify` of all of them at once, which
//!   checks the manifests, the readme and the file list, and resolves each crate's siblings
//!   through cargo's local overlay registry as if they had been published before it.
//!
//! Why `--no-verify`: verifying rebuilds every packaged crate from its `.crate` file in a fresh
//! target directory (aws-lc-sys included), which costs CI minutes for little: the same sources
//! are compiled, linted and tested by the other CI steps. A crate that depends on an unpublished
//! sibling could not be verified by `cargo package -p` alone at all (its sibling is not on
//! crates.io yet); packaging the whole set in one command is what makes it resolvable.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::bail;

use crate::metadata::{Dep, Package, Workspace};
use crate::run_command;
use crate::tidy::layer_of;

/// crates.io refuses `.crate` files above 10 MiB.
const MAX_CRATE_BYTES: u64 = 10 * 1024 * 1024;

/// Runs the checks and packages every publishable crate.
pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let ws = Workspace::load(root)?;
    let publishable: Vec<&Package> = ws.packages.iter().filter(|p| p.publish).collect();
    let mut problems = versions(&publishable);
    let order = match publish_order(&publishable) {
        Ok(order) => order,
        Err(problem) => {
            problems.push(problem);
            Vec::new()
        }
    };
    problems.extend(order_follows_layers(&order));
    for p in &problems {
        eprintln!("release-check: {p}");
    }
    if !problems.is_empty() {
        bail!("release-check found {} problem(s)", problems.len());
    }
    println!("release-check: publish order: {}", order.join(" -> "));

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.args(["package", "--no-verify", "--locked", "--allow-dirty"])
        .current_dir(root);
    for name in &order {
        cmd.args(["-p", name]);
    }
    run_command(&mut cmd)?;

    let version = publishable
        .first()
        .map(|p| p.version.as_str())
        .unwrap_or_default();
    for name in &order {
        let file = ws
            .target_directory
            .join("package")
            .join(format!("{name}-{version}.crate"));
        let size = fs::metadata(&file).map(|m| m.len()).unwrap_or(u64::MAX);
        if size > MAX_CRATE_BYTES {
            bail!(
                "{}: missing or larger than crates.io accepts (10 MiB)",
                file.display()
            );
        }
        println!(
            "release-check: {name} {version}: {} KiB",
            size.div_ceil(1024)
        );
    }
    println!("release-check: ok ({} crates)", order.len());
    Ok(())
}

/// A path-only dev-dependency (no version): `cargo publish` leaves it out of the published
/// manifest, so it neither orders publishing nor asks for a version (a library's tests driving
/// the test server built on it).
fn left_out_on_publish(d: &Dep) -> bool {
    d.kind == "dev" && d.req == "*" && d.path.is_some()
}

/// All publishable crates share one version, and sibling dependencies ask for it.
fn versions(publishable: &[&Package]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(first) = publishable.first() else {
        return problems;
    };
    for p in publishable {
        if p.version != first.version {
            problems.push(format!(
                "{} is at {} but {} is at {}: versions move together",
                p.name, p.version, first.name, first.version
            ));
        }
        for d in p
            .deps
            .iter()
            .filter(|d| publishable.iter().any(|s| s.name == d.name) && !left_out_on_publish(d))
        {
            let wanted = d.req.trim_start_matches(['^', '=']);
            if wanted != first.version {
                problems.push(format!(
                    "{}: dependency on {} asks for `{}`, not the workspace version {}",
                    p.name, d.name, d.req, first.version
                ));
            }
        }
    }
    problems
}

/// A topological order of the publishable crates (dependencies first, dev-dependencies
/// included since crates.io needs them to exist too), ties broken by layer.
fn publish_order(publishable: &[&Package]) -> Result<Vec<String>, String> {
    let rank = |name: &str| layer_of(name).unwrap_or(usize::MAX);
    // For each crate, the publishable siblings it depends on.
    let mut waiting: BTreeMap<&str, Vec<&str>> = publishable
        .iter()
        .map(|p| {
            let deps = p
                .deps
                .iter()
                .filter(|d| {
                    d.name != p.name
                        && publishable.iter().any(|s| s.name == d.name)
                        && !left_out_on_publish(d)
                })
                .map(|d| d.name.as_str())
                .collect();
            (p.name.as_str(), deps)
        })
        .collect();
    let mut order: Vec<String> = Vec::new();
    while !waiting.is_empty() {
        let next = waiting
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| order.iter().any(|o| o == d)))
            .map(|(name, _)| *name)
            .min_by_key(|name| (rank(name), *name));
        let Some(next) = next else {
            let stuck: Vec<&str> = waiting.keys().copied().collect();
            return Err(format!("dependency cycle among {}", stuck.join(", ")));
        };
        waiting.remove(next);
        order.push(next.to_owned());
    }
    Ok(order)
}

/// The publish order walks the layers upward.
fn order_follows_layers(order: &[String]) -> Vec<String> {
    let rank = layer_of;
    let mut problems = Vec::new();
    let mut last: Option<(usize, &str)> = None;
    for name in order {
        let Some(r) = rank(name) else {
            problems.push(format!("{name} is publishable but not in the layer order"));
            continue;
        };
        if let Some((prev, prev_name)) = last
            && prev > r
        {
            problems.push(format!(
                "{name} would be published after {prev_name}, a higher layer"
            ));
        }
        last = Some((r, name));
    }
    problems
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::metadata::Dep;

    fn package(name: &str, version: &str, deps: &[(&str, &str)]) -> Package {
        Package {
            name: name.to_owned(),
            version: version.to_owned(),
            publish: true,
            deps: deps
                .iter()
                .map(|(d, req)| Dep {
                    name: (*d).to_owned(),
                    kind: "normal",
                    req: (*req).to_owned(),
                    path: Some(PathBuf::from(format!("/ws/{d}"))),
                    optional: false,
                })
                .collect(),
        }
    }

    #[test]
    fn path_only_dev_dependencies_leave_the_order_alone() {
        let mut itsme = package("zegel-itsme", "0.1.0", &[("zegel-jose", "^0.1.0")]);
        itsme.deps.push(Dep {
            name: "zegel-itsme-provider".to_owned(),
            kind: "dev",
            req: "*".to_owned(),
            path: Some(PathBuf::from("/ws/zegel-itsme-provider")),
            optional: false,
        });
        let provider = package(
            "zegel-itsme-provider",
            "0.1.0",
            &[("zegel-itsme", "^0.1.0")],
        );
        let jose = package("zegel-jose", "0.1.0", &[]);
        let order = publish_order(&[&itsme, &provider, &jose]).unwrap();
        assert_eq!(order, ["zegel-jose", "zegel-itsme", "zegel-itsme-provider"]);
        assert!(versions(&[&itsme, &provider, &jose]).is_empty());
        // With a version, it is published and makes a cycle.
        itsme.deps[1].req = "^0.1.0".to_owned();
        assert!(publish_order(&[&itsme, &provider, &jose]).is_err());
    }

    #[test]
    fn order_is_topological_and_by_layer() {
        let cli = package(
            "zegel-cli",
            "0.1.0",
            &[("zegel-jwt", "^0.1.0"), ("zegel-jose", "^0.1.0")],
        );
        let jwt = package(
            "zegel-jwt",
            "0.1.0",
            &[("zegel-jose", "^0.1.0"), ("serde", "^1")],
        );
        let jose = package("zegel-jose", "0.1.0", &[("ring", "^0.17")]);
        let order = publish_order(&[&cli, &jwt, &jose]).unwrap();
        assert_eq!(order, ["zegel-jose", "zegel-jwt", "zegel-cli"]);
        assert!(order_follows_layers(&order).is_empty());
        assert!(versions(&[&cli, &jwt, &jose]).is_empty());
    }

    #[test]
    fn cycles_are_reported() {
        let a = package("zegel-jose", "0.1.0", &[("zegel-jwt", "^0.1.0")]);
        let b = package("zegel-jwt", "0.1.0", &[("zegel-jose", "^0.1.0")]);
        assert_eq!(
            publish_order(&[&a, &b]),
            Err("dependency cycle among zegel-jose, zegel-jwt".to_owned())
        );
    }

    #[test]
    fn an_order_against_the_layers_is_reported() {
        let order = [
            "zegel-jwt".to_owned(),
            "zegel-jose".to_owned(),
            "other".to_owned(),
        ];
        assert_eq!(
            order_follows_layers(&order),
            [
                "zegel-jose would be published after zegel-jwt, a higher layer",
                "other is publishable but not in the layer order",
            ]
        );
    }

    #[test]
    fn versions_must_agree() {
        let jose = package("zegel-jose", "0.1.0", &[]);
        let jwt = package("zegel-jwt", "0.2.0", &[("zegel-jose", "^0.0.9")]);
        assert_eq!(
            versions(&[&jose, &jwt]),
            [
                "zegel-jwt is at 0.2.0 but zegel-jose is at 0.1.0: versions move together",
                "zegel-jwt: dependency on zegel-jose asks for `^0.0.9`, not the workspace version \
                 0.1.0",
            ]
        );
    }
}
