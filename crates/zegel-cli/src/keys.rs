//! Loading keys (`--key FILE`: a JWK, a JWK Set or PEM) and choosing one from a set; and, an
//! extension of the contract, keys in an HSM (`--key pkcs11:...`, an RFC 7512 URI) through
//! zegel-pkcs11.
//!
//! A key file that cannot be read or parsed is a configuration error (exit 2). The loaded
//! [`Keys`] are a [`KeySource`]: to verify or decrypt, the library narrows a JWK Set by the
//! token's `kid` (or `--kid`), then by `alg`, `use` and `kty` (the rules of
//! [`zegel_jose::keys`]). To sign or encrypt, [`Keys::pick`] chooses with the same query.

use std::path::Path;

use zegel_jose::Jwk;
use zegel_jose::jwk::{JwkSet, KeyOp, KeyQuery};
use zegel_jose::keys::{self as source, KeySource, Lookup};

use zegel_jose::jwe::KeyManagement;
use zegel_jose::jws::JwsAlgorithm;
use zegel_pkcs11::{KeyRef, Pkcs11Decrypter, Pkcs11Error, Pkcs11Signer, Pkcs11Uri, Token};

use crate::exit::{self, Failure};
use crate::io;

/// The keys of one `--key` file.
#[derive(Debug)]
pub(crate) enum Keys {
    /// A single JWK, or a PEM key.
    One(Box<Jwk>),
    /// A JWK Set.
    Set(JwkSet),
}

/// Reads and parses a key file.
pub(crate) fn load(path: &Path) -> Result<Keys, Failure> {
    let bytes = io::read_key_file(path)?;
    parse(&bytes).map_err(|e| exit::config(&format!("key file {}", path.display()), &e))
}

/// Parses a JWK, a JWK Set (an object with `keys`) or a PEM key.
pub(crate) fn parse(bytes: &[u8]) -> Result<Keys, zegel_jose::Error> {
    let text = bytes.trim_ascii();
    if text.starts_with(b"-----BEGIN") {
        let pem = core::str::from_utf8(text)
            .map_err(|_| zegel_jose::Error::Key(zegel_jose::error::KeyError::Pem))?;
        return Jwk::from_pem(pem).map(|k| Keys::One(Box::new(k)));
    }
    if is_set(text) {
        JwkSet::parse(text).map(Keys::Set)
    } else {
        Jwk::parse(text).map(|k| Keys::One(Box::new(k)))
    }
}

/// Whether a JSON text is an object with a top-level `keys` member (a JWK Set).
fn is_set(text: &[u8]) -> bool {
    zegel_jose::json::parse_object(
        text,
        zegel_jose::error::Part::JwkSet,
        zegel_jose::json::DEFAULT_MAX_DEPTH,
    )
    .is_ok_and(|obj| obj.contains_key("keys"))
}

impl KeySource for Keys {
    fn keys_for(&self, lookup: &Lookup<'_>) -> Result<source::Keys<'_>, zegel_jose::Error> {
        match self {
            Self::One(key) => key.keys_for(lookup),
            Self::Set(set) => set.keys_for(lookup),
        }
    }
}

impl Keys {
    /// Keeps only the keys with this `kid` (`--kid` on a verify or decrypt command).
    pub(crate) fn restrict_kid(self, kid: Option<&str>) -> Result<Self, Failure> {
        let Some(kid) = kid else { return Ok(self) };
        match self {
            Self::One(key) => {
                if key.kid() == Some(kid) {
                    Ok(Self::One(key))
                } else {
                    Err(Failure::usage(format!("the key's kid is not {kid:?}")))
                }
            }
            Self::Set(set) => {
                let keys: Vec<Jwk> = set
                    .keys()
                    .iter()
                    .filter(|k| k.kid() == Some(kid))
                    .cloned()
                    .collect();
                if keys.is_empty() {
                    return Err(Failure::usage(format!("no key in the set has kid {kid:?}")));
                }
                Ok(Self::Set(JwkSet::new(keys)))
            }
        }
    }

    /// Every key, in order.
    pub(crate) fn all(&self) -> Vec<&Jwk> {
        match self {
            Self::One(key) => vec![key],
            Self::Set(set) => set.keys().iter().collect(),
        }
    }

    /// The key to sign or encrypt with: the single key, or the first key of the set that fits
    /// `kid` (when given), the algorithm (its name, and `fits`), the operation and, for sign,
    /// has a private part.
    pub(crate) fn pick(
        &self,
        kid: Option<&str>,
        alg: &str,
        op: KeyOp,
        fits: impl Fn(&Jwk) -> bool,
    ) -> Result<&Jwk, Failure> {
        match self {
            Self::One(key) => Ok(key),
            Self::Set(set) => {
                let mut query = KeyQuery::new().with_alg(alg).with_op(op);
                if let Some(kid) = kid {
                    query = query.with_kid(kid);
                }
                let needs_private = matches!(op, KeyOp::Sign | KeyOp::Decrypt | KeyOp::UnwrapKey);
                set.select(&query)
                    .find(|k| fits(k) && (!needs_private || k.is_private()))
                    .ok_or_else(|| {
                        Failure::usage(format!(
                            "no key in the set fits {alg}{} for {}",
                            kid.map(|k| format!(" with kid {k:?}")).unwrap_or_default(),
                            op.name()
                        ))
                    })
            }
        }
    }
}

/// The PKCS #11 URI a `--key` argument holds, if it holds one (`pkcs11:...`) rather than a
/// file path.
pub(crate) fn pkcs11_uri(arg: &Path) -> Option<&str> {
    arg.to_str().filter(|s| Pkcs11Uri::is_pkcs11_uri(s))
}

/// A token failure: a configuration error (exit 2) naming what is wrong.
fn hsm_failure(e: &Pkcs11Error) -> Failure {
    Failure::usage(format!("pkcs11: {e}"))
}

/// The token and key a PKCS #11 URI names.
pub(crate) fn hsm_key(uri: &str) -> Result<(Token, KeyRef), Failure> {
    let uri = Pkcs11Uri::parse(uri).map_err(|e| hsm_failure(&e.into()))?;
    let key = KeyRef::from_uri(&uri).map_err(|e| hsm_failure(&e.into()))?;
    let token = Token::from_uri(&uri).map_err(|e| hsm_failure(&e))?;
    Ok((token, key))
}

/// The token the URI names, for key generation (`object`, if any, is the label prefix).
pub(crate) fn hsm_token(uri: &str) -> Result<(Token, Option<String>), Failure> {
    let uri = Pkcs11Uri::parse(uri).map_err(|e| hsm_failure(&e.into()))?;
    let token = Token::from_uri(&uri).map_err(|e| hsm_failure(&e))?;
    Ok((token, uri.object().map(str::to_owned)))
}

/// A signer for the HSM key the URI names.
pub(crate) fn hsm_signer(uri: &str, alg: &'static JwsAlgorithm) -> Result<Pkcs11Signer, Failure> {
    let (token, key) = hsm_key(uri)?;
    token.signer(&key, alg).map_err(|e| hsm_failure(&e))
}

/// A decrypter for the HSM key the URI names; one algorithm named binds it to that one.
pub(crate) fn hsm_decrypter(
    uri: &str,
    algs: &[&'static KeyManagement],
) -> Result<Pkcs11Decrypter, Failure> {
    let (token, key) = hsm_key(uri)?;
    let only = match algs {
        [one] => Some(*one),
        _ => None,
    };
    token.decrypter(&key, only).map_err(|e| hsm_failure(&e))
}

/// A token failure as a [`Failure`], for callers outside this module.
pub(crate) fn hsm_error(e: &Pkcs11Error) -> Failure {
    hsm_failure(e)
}
