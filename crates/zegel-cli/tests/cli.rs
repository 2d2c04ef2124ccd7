//! CLI-contract tests (`spec/cli.md`): drive the built `zegel` binary and check its standard
//! output, standard error and exit status exactly, on the accept and the reject paths.
//!
//! Fixture keys and tokens under `tests/cli/data/` were made by an independent implementation
//! (Python jwcrypto) and OpenSSL; each JWK's `kid` is its RFC 7638 thumbprint as computed there.

// Test helpers outside `#[test]` functions: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "cli/conventions.rs"]
mod conventions;
#[path = "cli/discovery.rs"]
mod discovery;
#[path = "cli/inspect.rs"]
mod inspect;
#[path = "cli/itsme.rs"]
mod itsme;
#[path = "cli/jwe.rs"]
mod jwe;
#[path = "cli/jwk.rs"]
mod jwk;
#[path = "cli/jwks.rs"]
mod jwks;
#[path = "cli/jws.rs"]
mod jws;
#[path = "cli/jwt.rs"]
mod jwt;
#[path = "cli/pkcs11.rs"]
mod pkcs11;
#[path = "cli/usage.rs"]
mod usage;
#[path = "cli/wycheproof.rs"]
mod wycheproof;
// The Wycheproof files and tables of the library's runner, shared (not every item is used here).
#[allow(
    dead_code,
    reason = "shared with the zegel-jose runner, which uses the rest"
)]
#[path = "../../zegel-jose/tests/zegel-jose/wycheproof_cases.rs"]
mod wycheproof_cases;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a run of `zegel` produced.
#[derive(Debug)]
pub(crate) struct Out {
    pub(crate) code: i32,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

impl Out {
    /// Asserts success (exit 0) and returns the output.
    #[track_caller]
    pub(crate) fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success; stderr: {}", self.stderr);
        self
    }

    /// Asserts success and returns standard output as text.
    #[track_caller]
    pub(crate) fn ok_text(self) -> String {
        let out = self.ok();
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Asserts success, and that standard output is one line ending in one newline; returns it
    /// without the newline.
    #[track_caller]
    pub(crate) fn ok_line(self) -> String {
        let text = self.ok_text();
        let line = text.strip_suffix('\n').expect("output ends with a newline");
        assert!(
            !line.contains('\n') && !line.ends_with('\r'),
            "one line: {text:?}"
        );
        line.to_owned()
    }

    /// Asserts success and parses standard output (one line) as JSON.
    #[track_caller]
    pub(crate) fn ok_json(self) -> serde_json::Value {
        serde_json::from_str(&self.ok_line()).expect("json output")
    }

    /// Asserts exit status `code` with nothing on standard output and exactly one line on
    /// standard error, starting with `error: `; returns that line.
    #[track_caller]
    pub(crate) fn fails(self, code: i32) -> String {
        assert_eq!(self.code, code, "exit status; stderr: {}", self.stderr);
        assert!(
            self.stdout.is_empty(),
            "nothing on stdout: {:?}",
            String::from_utf8_lossy(&self.stdout)
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {:?}", self.stderr);
        assert!(
            lines[0].starts_with("error: "),
            "starts with `error: `: {:?}",
            lines[0]
        );
        assert!(self.stderr.ends_with('\n'));
        lines[0].to_owned()
    }

    /// Like [`fails`](Self::fails), and the message contains `needle`.
    #[track_caller]
    pub(crate) fn fails_with(self, code: i32, needle: &str) -> String {
        let line = self.fails(code);
        assert!(line.contains(needle), "{line:?} should contain {needle:?}");
        line
    }
}

/// Whether the `aws-lc` backend is compiled in (zegel-jose then offers RSA-OAEP and ES512):
/// RSA encryption and key generation, P-521 and static X25519 keys need it. Without it (ring
/// alone), the tests that need them return early, and `jws::sign_then_verify_every_algorithm`
/// and `jwe::rsa_needs_the_aws_lc_backend` check that the CLI refuses them.
pub(crate) fn with_aws_lc() -> bool {
    zegel_jose::jwe::RSA_OAEP.is_available() && zegel_jose::jws::ES512.is_available()
}

/// Runs `zegel ARGS` with `stdin` on standard input.
pub(crate) fn zegel(args: &[&str], stdin: impl AsRef<[u8]>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zegel"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zegel");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.as_ref().to_vec();
    let writer = std::thread::spawn(move || {
        // The command may exit before reading everything (usage errors): ignore EPIPE.
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().expect("wait for zegel");
    writer.join().expect("stdin writer");
    Out {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// A fixture file under `tests/cli/data/`.
pub(crate) fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/data")
        .join(name);
    assert!(path.exists(), "fixture {name}");
    path.to_str().expect("utf-8 path").to_owned()
}

/// The text of a fixture file.
pub(crate) fn data_text(name: &str) -> String {
    std::fs::read_to_string(data(name)).expect("fixture")
}

/// A temporary folder, removed on drop.
#[derive(Debug)]
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "zegel-cli-test-{}-{label}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create scratch folder");
        Self(dir)
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.0
    }

    /// A path in the folder, as a string argument.
    pub(crate) fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("utf-8 path").to_owned()
    }

    /// Writes a file and returns its path.
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// base64url without padding, for building test tokens by hand.
pub(crate) fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Flips one character in the middle of the given dot-separated segment of a compact token.
pub(crate) fn tamper(token: &str, segment: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let seg = &mut parts[segment];
    let mid = seg.len() / 2;
    let c = seg.as_bytes()[mid];
    let replacement = if c == b'A' { 'B' } else { 'A' };
    seg.replace_range(mid..=mid, &replacement.to_string());
    parts.join(".")
}

#[test]
fn b64_helper_is_base64url() {
    assert_eq!(b64(b""), "");
    assert_eq!(b64(b"f"), "Zg");
    assert_eq!(b64(b"fo"), "Zm8");
    assert_eq!(b64(b"foo"), "Zm9v");
    assert_eq!(b64(&[0xfb, 0xff]), "-_8");
}
