//! `zip: DEF` (RFC 7516 §4.1.3): raw DEFLATE (RFC 1951) of the plaintext before encryption.
//!
//! Inflation is streamed in fixed chunks and stops as soon as the output would pass the cap, so
//! a DEFLATE bomb costs at most the cap in memory and the work to produce it. Every buffer that
//! holds plaintext is zeroized on drop. (The 32 KiB window inside miniz_oxide's boxed state is
//! not: the crate offers no way to clear it.)

use miniz_oxide::inflate::stream::{InflateState, inflate as inflate_step};
use miniz_oxide::{DataFormat, MZFlush, MZStatus};
use zeroize::Zeroizing;

use crate::error::{Error, Part, Shape};
use crate::secret::SecretBytes;

/// The default cap on the inflated plaintext, in bytes.
pub const DEFAULT_MAX_PLAINTEXT: usize = 250_000;

/// The `zip` value this crate supports.
pub(crate) const DEF: &str = "DEF";

const CHUNK: usize = 16 * 1024;

/// Compresses `data` with raw DEFLATE.
pub(crate) fn deflate(data: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(miniz_oxide::deflate::compress_to_vec(data, 6))
}

/// Inflates raw DEFLATE `data`, refusing output longer than `cap` bytes with
/// [`Error::TooLarge`] for [`Part::Plaintext`].
///
/// # Errors
/// [`Error::TooLarge`] past the cap; [`Error::Structure`] for a stream that is invalid,
/// truncated or followed by trailing data.
pub(crate) fn inflate(data: &[u8], cap: usize) -> Result<SecretBytes, Error> {
    let bad = Error::Structure {
        expected: Shape::Deflate,
    };
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut chunks: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut total: usize = 0;
    let mut input = data;
    loop {
        let mut chunk = Zeroizing::new(vec![0; CHUNK]);
        let res = inflate_step(&mut state, input, &mut chunk, MZFlush::None);
        input = input.get(res.bytes_consumed..).unwrap_or_default();
        total = total
            .checked_add(res.bytes_written)
            .ok_or(Error::TooLarge {
                part: Part::Plaintext,
                limit: cap,
            })?;
        if total > cap {
            return Err(Error::TooLarge {
                part: Part::Plaintext,
                limit: cap,
            });
        }
        chunk.truncate(res.bytes_written);
        let written = res.bytes_written;
        if written > 0 {
            chunks.push(chunk);
        }
        match res.status {
            Ok(MZStatus::StreamEnd) => {
                if !input.is_empty() {
                    return Err(bad);
                }
                break;
            }
            Ok(_) if res.bytes_consumed > 0 || written > 0 => {}
            _ => return Err(bad),
        }
    }
    let mut out = Vec::with_capacity(total);
    for c in &chunks {
        out.extend_from_slice(c);
    }
    Ok(SecretBytes::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let data = b"hello hello hello hello hello".repeat(100);
        let z = deflate(&data);
        assert!(z.len() < data.len());
        assert_eq!(inflate(&z, data.len()).unwrap().expose_secret(), &data[..]);
        assert_eq!(
            inflate(&z, data.len() - 1),
            Err(Error::TooLarge {
                part: Part::Plaintext,
                limit: data.len() - 1
            })
        );
        assert_eq!(inflate(&deflate(b""), 0).unwrap().len(), 0);
    }

    #[test]
    fn refuses_a_bomb_at_the_cap() {
        let bomb = deflate(&vec![0u8; 4_000_000]);
        assert!(bomb.len() < 10_000);
        assert_eq!(
            inflate(&bomb, DEFAULT_MAX_PLAINTEXT),
            Err(Error::TooLarge {
                part: Part::Plaintext,
                limit: DEFAULT_MAX_PLAINTEXT
            })
        );
    }

    #[test]
    fn refuses_broken_streams() {
        let z = deflate(&b"abcdefgh".repeat(50));
        let bad = Error::Structure {
            expected: Shape::Deflate,
        };
        assert_eq!(inflate(&z[..z.len() - 2], 10_000), Err(bad.clone()));
        let mut trailing = z.to_vec();
        trailing.push(0);
        assert_eq!(inflate(&trailing, 10_000), Err(bad.clone()));
        assert_eq!(inflate(&[0xff, 0xff, 0xff], 10_000), Err(bad));
    }
}
