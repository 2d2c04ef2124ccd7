//! Symmetric keys made from the client secret (OpenID Connect Core §10.1, §10.2).
//!
//! - Signatures and MACs (`HS256`, `HS384`, `HS512`): the key is the octets of the UTF-8 secret.
//! - Encryption (`dir`, `A*KW`, `A*GCMKW`): the key is the left-most bits of a SHA-2 hash of the
//!   secret, as many as the `enc` (for `dir`) or the key wrap `alg` needs: SHA-256 for keys of up
//!   to 256 bits, SHA-384 up to 384 bits, SHA-512 up to 512 bits.
//!
//! A client authenticating with `client_secret_post` or `client_secret_basic` thus opens ID
//! tokens encrypted this way with no extra configuration.

use zegel_jose::error::KeyError;
use zegel_jose::hash::HashAlg;
use zegel_jose::jwe::{self, ContentEncryption, KeyManagement};
use zegel_jose::jwk::{JwkParams, KeyMaterial};
use zegel_jose::jws::JwsAlgorithm;
use zegel_jose::{Jwk, SecretBytes};

use crate::error::Error;
use crate::secret::ClientSecret;

/// The key wrapping algorithms a secret-derived key serves, with their key length in bytes.
static WRAP_KEY_LEN: &[(&KeyManagement, usize)] = &[
    (&jwe::A128KW, 16),
    (&jwe::A192KW, 24),
    (&jwe::A256KW, 32),
    (&jwe::A128GCMKW, 16),
    (&jwe::A192GCMKW, 24),
    (&jwe::A256GCMKW, 32),
];

/// The MAC key for `HS256`/`HS384`/`HS512` (Core §10.1): the secret's octets, bound to `alg`.
///
/// # Errors
/// [`Error::Jose`] with a key length error when the secret is shorter than `alg` requires
/// (RFC 7518 §3.2: at least the hash size).
pub fn mac_key(secret: &ClientSecret, alg: &'static JwsAlgorithm) -> Result<Jwk, Error> {
    let octets = secret.expose_secret().as_bytes();
    let key = oct(SecretBytes::from_slice(octets), alg.name())?;
    if !alg.fits(&key) {
        return Err(zegel_jose::Error::Key(KeyError::WrongKeyType { alg: alg.name() }).into());
    }
    // RFC 7518 §3.2: a MAC key at least as long as the hash output.
    let min = alg.hash_alg().output_len();
    if octets.len() < min {
        return Err(zegel_jose::Error::Key(KeyError::WrongLength {
            expected: min,
            actual: octets.len(),
        })
        .into());
    }
    Ok(key)
}

/// The key that opens a JWE made with `alg` and `enc` under the client secret (Core §10.2).
///
/// # Errors
/// [`Error::Unsupported`] when `alg` is not `dir` or a symmetric key wrap.
pub fn encryption_key(
    secret: &ClientSecret,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
) -> Result<Jwk, Error> {
    let len = if alg.is_direct() {
        enc.key_len()
    } else {
        WRAP_KEY_LEN
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, len)| *len)
            .ok_or(Error::Unsupported {
                what: "a key management algorithm without a client-secret key",
            })?
    };
    let hash = match len {
        ..=32 => HashAlg::Sha256,
        33..=48 => HashAlg::Sha384,
        _ => HashAlg::Sha512,
    };
    let digest = zeroize::Zeroizing::new(hash.digest(secret.expose_secret().as_bytes()));
    let bytes = digest.get(..len).ok_or(Error::Unsupported {
        what: "a key longer than 512 bits",
    })?;
    oct(SecretBytes::from_slice(bytes), alg.name())
}

fn oct(k: SecretBytes, alg: &str) -> Result<Jwk, Error> {
    Ok(Jwk::new(KeyMaterial::Oct { k }, JwkParams::default())?.with_alg(alg))
}

#[cfg(test)]
mod tests {
    use zegel_jose::jws;

    use super::*;

    fn k(jwk: &Jwk) -> Vec<u8> {
        match jwk.material() {
            KeyMaterial::Oct { k } => k.expose_secret().to_vec(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn mac_keys_are_the_octets() {
        let secret = ClientSecret::new("0123456789abcdef0123456789abcdef");
        let key = mac_key(&secret, &jws::HS256).unwrap();
        assert_eq!(k(&key), b"0123456789abcdef0123456789abcdef");
        assert_eq!(key.alg(), Some("HS256"));
        // Shorter than SHA-384's output: refused, not padded.
        assert!(mac_key(&secret, &jws::HS384).is_err());
    }

    #[test]
    fn encryption_keys_are_leftmost_hash_bits() {
        let secret = ClientSecret::new("s3cret");
        let sha256 = HashAlg::Sha256.digest(b"s3cret");
        let sha384 = HashAlg::Sha384.digest(b"s3cret");
        let sha512 = HashAlg::Sha512.digest(b"s3cret");
        let dir = |enc| k(&encryption_key(&secret, &jwe::DIR, enc).unwrap());
        assert_eq!(dir(&jwe::A128GCM), sha256[..16]);
        assert_eq!(dir(&jwe::A256GCM), sha256[..32]);
        assert_eq!(dir(&jwe::A128CBC_HS256), sha256[..32]);
        assert_eq!(dir(&jwe::A192CBC_HS384), sha384[..48]);
        assert_eq!(dir(&jwe::A256CBC_HS512), sha512[..64]);
        let kw = encryption_key(&secret, &jwe::A128KW, &jwe::A256GCM).unwrap();
        assert_eq!(k(&kw), sha256[..16]);
        assert_eq!(kw.alg(), Some("A128KW"));
        assert!(matches!(
            encryption_key(&secret, &jwe::RSA_OAEP, &jwe::A128GCM),
            Err(Error::Unsupported { .. })
        ));
    }
}
