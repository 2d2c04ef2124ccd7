//! Reading input and key files, writing output.
//!
//! Input comes from standard input or `--in FILE`; output goes to standard output and nothing
//! else does. Tokens on input may carry surrounding whitespace; output tokens end with one
//! newline; payloads and plaintexts are written as their exact bytes.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::exit::Failure;

/// The most input read from standard input or `--in` (a guard against unbounded allocation).
pub(crate) const MAX_INPUT: usize = 64 * 1024 * 1024;

/// The largest key file read.
const MAX_KEY_FILE: usize = 4 * 1024 * 1024;

/// How many bytes to read to learn whether a stream is longer than `limit`.
fn read_limit(limit: usize) -> u64 {
    u64::try_from(limit).map_or(u64::MAX, |l| l.saturating_add(1))
}

/// Reads the whole input: the file named by `--in`, or standard input.
///
/// The buffer is zeroized on drop: it may hold a plaintext or a private key.
pub(crate) fn read_input(path: Option<&Path>) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut buf = Zeroizing::new(Vec::new());
    let read = match path {
        Some(p) => fs::File::open(p)
            .and_then(|f| f.take(read_limit(MAX_INPUT)).read_to_end(&mut buf))
            .map_err(|e| Failure::usage(format!("cannot read input file {}: {e}", p.display()))),
        None => io::stdin()
            .lock()
            .take(read_limit(MAX_INPUT))
            .read_to_end(&mut buf)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}"))),
    };
    read?;
    if buf.len() > MAX_INPUT {
        return Err(Failure::rejected(format!(
            "the input is larger than {MAX_INPUT} bytes"
        )));
    }
    Ok(buf)
}

/// Reads a token: the input without surrounding whitespace.
pub(crate) fn read_token(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let raw = read_input(path)?;
    let token = raw.trim_ascii();
    if token.is_empty() {
        return Err(Failure::rejected("the input is empty: expected a token"));
    }
    Ok(token.to_vec())
}

/// Reads a key file (JWK, JWK Set or PEM). Any failure is a configuration error.
pub(crate) fn read_key_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut buf = Zeroizing::new(Vec::new());
    fs::File::open(path)
        .and_then(|f| f.take(read_limit(MAX_KEY_FILE)).read_to_end(&mut buf))
        .map_err(|e| Failure::usage(format!("cannot read key file {}: {e}", path.display())))?;
    if buf.len() > MAX_KEY_FILE {
        return Err(Failure::usage(format!(
            "key file {} is larger than {MAX_KEY_FILE} bytes",
            path.display()
        )));
    }
    Ok(buf)
}

/// Writes `text` and one newline to standard output (tokens, JSON documents, thumbprints).
pub(crate) fn write_line(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(write_failed)
}

/// Writes the exact bytes to standard output, adding nothing (payloads, plaintexts).
pub(crate) fn write_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(write_failed)
}

fn write_failed(e: io::Error) -> Failure {
    Failure::usage(format!("cannot write to standard output: {e}"))
}

/// Writes a new file with the given Unix mode: through a temporary file in the same folder,
/// renamed into place, so the file never exists with other permissions or half written.
/// Without `force`, an existing file is left alone and the call fails.
pub(crate) fn write_file(
    path: &Path,
    contents: &[u8],
    mode: u32,
    force: bool,
) -> Result<(), Failure> {
    if !force && path.exists() {
        return Err(Failure::usage(format!(
            "{} exists; refusing to overwrite it (use --force)",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let fail = |e: io::Error| Failure::usage(format!("cannot write {}: {e}", path.display()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}
