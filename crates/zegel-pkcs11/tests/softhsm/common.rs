//! A throwaway SoftHSM2 token per test: the test re-runs itself in a child process whose
//! `SOFTHSM2_CONF` points to a token directory in a new temporary folder (the module reads it
//! at `C_Initialize`, once per process), and removes the folder afterwards.
//!
//! Without SoftHSM2 the tests say they were skipped and pass, unless `CI` is set: then a
//! missing SoftHSM2 is a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use zegel_pkcs11::{PinSource, Token, TokenSelector};

/// Debian's SoftHSM2 module.
pub(crate) const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The test token's label and PINs.
pub(crate) const LABEL: &str = "zegel-test";
pub(crate) const PIN: &str = "1234-zegel";
const SO_PIN: &str = "5678-zegel";
/// The environment variable the child reads the PIN from.
pub(crate) const PIN_VAR: &str = "ZEGEL_TEST_HSM_PIN";
/// Set in the child to the name of the test it runs.
const CHILD: &str = "ZEGEL_TEST_HSM_CHILD";

/// Why SoftHSM2 cannot be used here, if it cannot.
pub(crate) fn missing() -> Option<String> {
    if !Path::new(MODULE).is_file() {
        return Some(format!("the SoftHSM2 module {MODULE} is not installed"));
    }
    match Command::new("softhsm2-util").arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some("softhsm2-util is not installed".to_owned()),
    }
}

/// `true` when the test should go on; prints why not, or fails under CI.
pub(crate) fn softhsm_or_skip(name: &str) -> bool {
    match missing() {
        None => true,
        Some(why) if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => {
            panic!("{name}: {why}, and CI is set: install softhsm2 (apt-get install softhsm2)")
        }
        Some(why) => {
            // Written past libtest's capture, so that a normal run shows it.
            let _ = writeln!(
                std::io::stderr(),
                "skipped {name}: {why} (apt-get install softhsm2)"
            );
            false
        }
    }
}

/// Runs `body` with the token of a fresh SoftHSM2 token directory, in a child process. `name`
/// is the test's exact name in this binary.
pub(crate) fn with_token(name: &str, body: impl FnOnce(&Token)) {
    if std::env::var(CHILD).is_ok_and(|c| c == name) {
        let token = Token::open(MODULE, TokenSelector::Label(LABEL), PinSource::env(PIN_VAR))
            .expect("the test token opens");
        body(&token);
        return;
    }
    in_child(name, &[]);
}

/// Runs the test `name` again in a child with a new token directory; `env` adds variables.
pub(crate) fn in_child(name: &str, env: &[(&str, &str)]) {
    if !softhsm_or_skip(name) {
        return;
    }
    let dir = TempDir::new(name);
    let conf = dir.create_token();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD, name)
        .env(PIN_VAR, PIN)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    drop(dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} failed in its SoftHSM2 child:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether this process is the child running `name`.
pub(crate) fn is_child(name: &str) -> bool {
    std::env::var(CHILD).is_ok_and(|c| c == name)
}

/// A temporary SoftHSM2 token directory with its configuration file, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "zegel-softhsm-{}-{}-{}",
            std::process::id(),
            name.replace("::", "-"),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        Self(dir)
    }

    /// Writes the configuration and initializes the token `LABEL`; returns the conf path.
    pub(crate) fn create_token(&self) -> PathBuf {
        let conf = self.0.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                self.0.join("tokens").display()
            ),
        )
        .unwrap();
        let out = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", LABEL])
            .args(["--pin", PIN, "--so-pin", SO_PIN])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "softhsm2-util --init-token: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        conf
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
