//! Verifying JWS: the [`Verifier`] and its [`Verified`] result.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::alg::{self, JwsAlgorithm};
use super::backend::PreparedVerifier;
use super::header::JwsHeader;
use super::parse::{self, CheckedSig, Limits, RawJws, RawSig};
use crate::base64url;
use crate::error::{Error, KeyError, Part, Shape};
use crate::json;
use crate::jwk::{Jwk, JwkSet, KeyOp, KeyQuery};
use crate::keys::{self, KeySource, Keys, Lookup};
use crate::secret::SecretBytes;

/// The default maximum size of a serialized JWS: 256 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 256 * 1024;

/// The default maximum number of signatures of a general JSON serialization: 16.
pub const DEFAULT_MAX_SIGNATURES: usize = 16;

/// The default budget of signature verifications one token may cost, over all its signatures
/// and the candidate keys of each: 16.
pub const DEFAULT_MAX_KEY_OPERATIONS: usize = 16;

/// The largest payload [`Verifier::verify_compact_with`] decodes on the stack: 4 KiB, room
/// for an ID token with many claims; a larger one goes to the heap.
pub const STACK_PAYLOAD_LEN: usize = 4096;

/// The smaller stack buffer of [`Verifier::verify_compact_with`], for most JWTs: under the
/// 2 KiB from which glibc zeroes with `rep stosb`.
const SMALL_PAYLOAD_LEN: usize = 1920;

/// Which algorithms a [`Verifier`] accepts.
#[derive(Clone, Debug)]
enum Allowed {
    /// Exactly these.
    List(Vec<&'static JwsAlgorithm>),
    /// The algorithm named by each key's own `alg` member (keys without one are refused).
    KeyAlg,
}

/// Verifies JWS in every serialization against keys the caller supplies.
///
/// The accepted algorithms are named up front ([`Verifier::new`]) or taken from the key's own
/// `alg` ([`Verifier::for_key_alg`]). Before any cryptography runs, a token must be within the
/// size limit, its headers strict JSON with no duplicate names, `crit` understood, its `alg`
/// known and accepted, and the key of the type the algorithm needs. `none` is never accepted,
/// an RSA, EC or OKP key is never used as an HMAC secret, and header parameters (`jwk`, `jku`,
/// `x5u`, `x5c`, `kid`) never choose a key by themselves: `kid` only narrows the caller's
/// key set, and a single key given to [`verify`](Self::verify) is used whatever `kid` the token
/// names (as with [`jwe::Decryptor::decrypt`](crate::jwe::Decryptor::decrypt)).
///
/// ```
/// use zegel_jose::jws::{self, JwsHeader, SigningKey, Verifier};
/// use zegel_jose::Jwk;
///
/// let key = Jwk::parse(br#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#)?;
/// let token = jws::sign_compact(b"hello", &SigningKey::new(&key, &jws::HS256)?, &JwsHeader::new())?;
/// let verified = Verifier::new(&[&jws::HS256]).verify(token.as_bytes(), &key)?;
/// assert_eq!(verified.payload(), b"hello");
/// # Ok::<(), zegel_jose::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    allowed: Allowed,
    limits: Limits,
    critical: Vec<String>,
    detached: Option<Vec<u8>>,
    mixed_key_set: bool,
    max_key_operations: usize,
}

/// A JWS whose signature verified: its header (protected and unprotected, merged), its payload
/// and the algorithm. Only verification makes one.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    header: JwsHeader,
    unprotected: Option<Map<String, Value>>,
    payload: Vec<u8>,
    alg: &'static JwsAlgorithm,
    index: usize,
}

impl Verified {
    /// The header of the signature that verified.
    #[must_use]
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The members of [`header`](Self::header) that came from an unprotected header (JSON
    /// serializations only): they are not covered by the signature.
    ///
    /// # Security
    /// Make no decision on these (a `typ` or `kid` here could have been changed in transit).
    #[must_use]
    pub fn unprotected(&self) -> Option<&Map<String, Value>> {
        self.unprotected.as_ref()
    }

    /// The payload.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload, by value.
    #[must_use]
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// The header and the payload, by value (no copy of either).
    #[must_use]
    pub fn into_header_and_payload(self) -> (JwsHeader, Vec<u8>) {
        (self.header, self.payload)
    }

    /// The algorithm of the signature that verified.
    #[must_use]
    pub fn alg(&self) -> &'static JwsAlgorithm {
        self.alg
    }

    /// The index of the signature that verified (0 for compact and flattened JSON).
    #[must_use]
    pub fn signature_index(&self) -> usize {
        self.index
    }
}

impl Verifier {
    /// A verifier that accepts exactly the algorithms in `algs`.
    #[must_use]
    pub fn new(algs: &[&'static JwsAlgorithm]) -> Self {
        Self::with_allowed(Allowed::List(algs.to_vec()))
    }

    /// A verifier that accepts, for each key, the algorithm of the key's own `alg` member; a
    /// key without `alg` verifies nothing.
    #[must_use]
    pub fn for_key_alg() -> Self {
        Self::with_allowed(Allowed::KeyAlg)
    }

    /// The accepted algorithms; `None` for [`for_key_alg`](Self::for_key_alg), which accepts
    /// each key's own.
    #[must_use]
    pub fn algorithms(&self) -> Option<&[&'static JwsAlgorithm]> {
        match &self.allowed {
            Allowed::List(algs) => Some(algs),
            Allowed::KeyAlg => None,
        }
    }

    fn with_allowed(allowed: Allowed) -> Self {
        Self {
            allowed,
            limits: Limits {
                max_token_len: DEFAULT_MAX_TOKEN_LEN,
                max_json_depth: json::DEFAULT_MAX_DEPTH,
                max_signatures: DEFAULT_MAX_SIGNATURES,
            },
            critical: Vec::new(),
            detached: None,
            mixed_key_set: false,
            max_key_operations: DEFAULT_MAX_KEY_OPERATIONS,
        }
    }

    /// Accepts key sets that mix `oct` secrets with RSA, EC or OKP public keys. By default such
    /// a set is refused with [`KeyError::MixedKeySet`]: an HMAC secret kept beside public keys
    /// is almost always a configuration mistake, and invites algorithm confusion.
    #[must_use]
    pub fn with_mixed_key_set(mut self) -> Self {
        self.mixed_key_set = true;
        self
    }

    /// Sets the budget of signature verifications one token may cost, over all its signatures
    /// and the candidate keys of each (default [`DEFAULT_MAX_KEY_OPERATIONS`]); past it,
    /// [`Error::KeyOperationBudget`]. Checked before each verification.
    #[must_use]
    pub fn with_max_key_operations(mut self, n: usize) -> Self {
        self.max_key_operations = n;
        self
    }

    /// Sets the maximum size of a serialized token, in bytes (default 256 KiB); checked before
    /// any decoding.
    #[must_use]
    pub fn with_max_token_len(mut self, len: usize) -> Self {
        self.limits.max_token_len = len;
        self
    }

    /// Sets the maximum JSON nesting depth of headers and JSON serializations (default 32).
    #[must_use]
    pub fn with_max_json_depth(mut self, depth: usize) -> Self {
        self.limits.max_json_depth = depth;
        self
    }

    /// Sets the maximum number of signatures of a general JSON serialization (default 16);
    /// checked before any header is decoded. Each signature costs a pass over the payload.
    #[must_use]
    pub fn with_max_signatures(mut self, n: usize) -> Self {
        self.limits.max_signatures = n;
        self
    }

    /// Declares header extensions the caller processes, so that tokens listing them in `crit`
    /// are accepted (`b64` is always understood). The caller must then check them in
    /// [`Verified::header`].
    #[must_use]
    pub fn with_critical(mut self, names: &[&str]) -> Self {
        self.critical.extend(names.iter().map(|n| (*n).to_owned()));
        self
    }

    /// Verifies tokens whose payload was detached (RFC 7515 Appendix F) against `payload`:
    /// every `verify*` method then uses it. See also [`verify_detached`](Self::verify_detached).
    #[must_use]
    pub fn with_detached_payload(mut self, payload: impl Into<Vec<u8>>) -> Self {
        self.detached = Some(payload.into());
        self
    }

    /// Verifies a JWS in any serialization (compact, flattened or general JSON) with the keys
    /// of `keys`: one [`Jwk`], used whatever `kid` the token names, or a set ([`JwkSet`],
    /// `[Jwk]`, or any [`KeySource`]), narrowed by the rules of [`keys`](crate::keys): a token
    /// with a `kid` is tried only with keys of that exact `kid`, and only keys whose `alg` (if
    /// any), type and `use`/`key_ops` fit are tried, in order, until one verifies. A set that
    /// mixes `oct` secrets with public keys is refused unless
    /// [`with_mixed_key_set`](Self::with_mixed_key_set).
    ///
    /// For the general serialization, the first signature that verifies wins, and all the
    /// signatures must use the same `b64` value (RFC 7797 §3), else
    /// [`Error::InvalidParameter`] (`b64`).
    ///
    /// # Errors
    /// [`Error::TooLarge`], [`Error::Structure`], [`Error::Base64`], [`Error::Json`],
    /// [`Error::Crit`], [`Error::InvalidParameter`], [`Error::DuplicateParameter`] and
    /// [`Error::MissingParameter`] for malformed tokens; [`Error::UnknownAlgorithm`] and
    /// [`Error::AlgNotAllowed`] for algorithms not accepted; [`Error::Key`] when the key does
    /// not fit or the set is refused; [`Error::UnknownKid`] when no key of the set has the
    /// token's `kid`; [`Error::NoMatchingKey`] when keys with that `kid` exist but none fits;
    /// [`Error::KeyOperationBudget`]; [`Error::AlgorithmUnavailable`];
    /// [`Error::InvalidSignature`] (the error of the last key tried when none verifies).
    pub fn verify<S: KeySource + ?Sized>(&self, token: &[u8], keys: &S) -> Result<Verified, Error> {
        let raw = parse::split(token, self.limits)?;
        self.first_valid(&raw, self.detached.as_deref(), keys)
    }

    /// Verifies a JWS in the compact serialization only (as JWTs must be).
    ///
    /// # Errors
    /// As [`verify`](Self::verify), and [`Error::Structure`] for a JSON serialization.
    pub fn verify_compact<S: KeySource + ?Sized>(
        &self,
        token: &[u8],
        keys: &S,
    ) -> Result<Verified, Error> {
        if token.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            return Err(Error::Structure {
                expected: Shape::Compact,
            });
        }
        self.verify(token, keys)
    }

    /// As [`verify_compact`](Self::verify_compact), handing the header, the algorithm and the
    /// payload to `read` instead of returning them: a payload of up to [`STACK_PAYLOAD_LEN`]
    /// bytes is decoded into a buffer on the stack, not on the heap (for a caller that only
    /// parses it, as a JWT's claims are). The decoded payload is wiped once `read` returns, so
    /// it may be a secret (the claims of a nested token, decrypted).
    ///
    /// The heap allocation it saves is large enough (1.2 KB for an itsme®-like claim set) to
    /// take glibc's large-bin path, which consolidates the free lists first. Callgrind, the
    /// HS256 row of `zegel-jwt`'s `benches/compare.rs`: `zegel_jwt::verify` 127.1k
    /// instructions per token through [`verify_compact`](Self::verify_compact), 117.9k through
    /// this (the zeroed allocation cost 4.2k, and the heap it left made the claims parse after
    /// it 5.5k dearer), of which the HMAC is 60.9k.
    ///
    /// # Errors
    /// As [`verify_compact`](Self::verify_compact), in the same order.
    pub fn verify_compact_with<S: KeySource + ?Sized, R>(
        &self,
        token: &[u8],
        keys: &S,
        read: impl FnOnce(JwsHeader, &'static JwsAlgorithm, &[u8]) -> R,
    ) -> Result<R, Error> {
        if token.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            return Err(Error::Structure {
                expected: Shape::Compact,
            });
        }
        let raw = parse::split(token, self.limits)?;
        parse::check_same_b64(&raw, self.limits)?;
        let detached = self.detached.as_deref();
        // One signature: what `first_valid` returns for it.
        let (header, alg, encoded_payload) = self.check_one(&raw, 0, detached, keys, &mut 0)?;
        match (detached, &raw.payload) {
            (Some(d), _) => Ok(read(header, alg, d)),
            // Zeroing the buffer is part of the price: a payload that fits a smaller one gets
            // it (glibc zeroes 2 KiB and more with `rep stosb`, which callgrind counts per
            // byte: 4.1k instructions for the 4 KiB buffer, about 100 cycles).
            (None, Some(p)) if encoded_payload && p.len() / 4 * 3 < SMALL_PAYLOAD_LEN => {
                on_stack::<SMALL_PAYLOAD_LEN, _>(p, |payload| read(header, alg, payload))
            }
            (None, Some(p)) if encoded_payload => {
                on_stack::<STACK_PAYLOAD_LEN, _>(p, |payload| read(header, alg, payload))
            }
            (None, Some(p)) => Ok(read(header, alg, p)),
            (None, None) => Err(missing_payload()),
        }
    }

    /// Verifies a JWS whose payload was detached (RFC 7515 Appendix F), given the payload.
    ///
    /// # Errors
    /// As [`verify`](Self::verify), and [`Error::Structure`] when the token carries a payload.
    pub fn verify_detached<S: KeySource + ?Sized>(
        &self,
        token: &[u8],
        payload: &[u8],
        keys: &S,
    ) -> Result<Verified, Error> {
        let raw = parse::split(token, self.limits)?;
        self.first_valid(&raw, Some(payload), keys)
    }

    /// Verifies with the keys of a list, as [`verify`](Self::verify) does with a set.
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_with_keys(&self, token: &[u8], keys: &[Jwk]) -> Result<Verified, Error> {
        self.verify(token, keys)
    }

    /// Verifies with the keys of a JWK Set, as [`verify`](Self::verify) does (for key
    /// rotation: the keys are tried in the set's order).
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_with_set(&self, token: &[u8], set: &JwkSet) -> Result<Verified, Error> {
        self.verify(token, set)
    }

    /// Verifies every signature of a JWS (any serialization) with `key`, each on its own: the
    /// outer error is for a token that cannot be read at all, each inner result says whether
    /// that signature verified (RFC 7515 §7.2: the application decides which must).
    ///
    /// # Errors
    /// [`Error::TooLarge`], [`Error::Structure`], [`Error::Json`] and the like for a token that
    /// is not a JWS; [`Error::Base64`] for a payload that is not base64url;
    /// [`Error::InvalidParameter`] (`b64`) when the signatures disagree on `b64` (RFC 7797 §3).
    pub fn verify_each(
        &self,
        token: &[u8],
        key: &Jwk,
    ) -> Result<Vec<Result<Verified, Error>>, Error> {
        let raw = parse::split(token, self.limits)?;
        parse::check_same_b64(&raw, self.limits)?;
        let mut spent = 0;
        Ok((0..raw.sigs().len())
            .map(|i| self.one(&raw, i, self.detached.as_deref(), key, &mut spent))
            .collect())
    }

    fn first_valid<S: KeySource + ?Sized>(
        &self,
        raw: &RawJws<'_>,
        detached: Option<&[u8]>,
        keys: &S,
    ) -> Result<Verified, Error> {
        parse::check_same_b64(raw, self.limits)?;
        let mut last = Error::InvalidSignature;
        let mut spent = 0;
        for i in 0..raw.sigs().len() {
            match self.one(raw, i, detached, keys, &mut spent) {
                Ok(v) => return Ok(v),
                Err(e @ Error::KeyOperationBudget { .. }) => return Err(e),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Counts one verification against the budget.
    fn spend(&self, spent: &mut usize) -> Result<(), Error> {
        *spent = spent.saturating_add(1);
        if *spent > self.max_key_operations {
            return Err(Error::KeyOperationBudget {
                limit: self.max_key_operations,
            });
        }
        Ok(())
    }

    /// Verifies signature `i`.
    fn one<S: KeySource + ?Sized>(
        &self,
        raw: &RawJws<'_>,
        i: usize,
        detached: Option<&[u8]>,
        source: &S,
        spent: &mut usize,
    ) -> Result<Verified, Error> {
        let (header, alg, encoded_payload) = self.check_one(raw, i, detached, source, spent)?;
        let payload = match (detached, &raw.payload) {
            (Some(d), _) => d.to_vec(),
            (None, Some(p)) if encoded_payload => base64url::decode_public(p, Part::Payload)?,
            (None, Some(p)) => p.to_vec(),
            (None, None) => return Err(missing_payload()),
        };
        Ok(Verified {
            header,
            unprotected: raw.sigs().get(i).and_then(|sig| sig.header.clone()),
            payload,
            alg,
            index: i,
        })
    }

    /// Checks the header and verifies signature `i`; returns the header, the algorithm and
    /// whether the payload is base64url (RFC 7797 `b64`).
    fn check_one<S: KeySource + ?Sized>(
        &self,
        raw: &RawJws<'_>,
        i: usize,
        detached: Option<&[u8]>,
        source: &S,
        spent: &mut usize,
    ) -> Result<(JwsHeader, &'static JwsAlgorithm, bool), Error> {
        let Some(sig) = raw.sigs().get(i) else {
            return Err(Error::InvalidSignature);
        };
        let CheckedSig {
            header,
            encoded_payload,
        } = parse::check_headers(raw, sig, self.limits, &self.critical)?;
        let alg = alg::by_name(&header.alg).ok_or_else(|| Error::UnknownAlgorithm {
            name: header.alg.clone(),
        })?;
        if let Allowed::List(list) = &self.allowed
            && !list.contains(&alg)
        {
            return Err(Error::AlgNotAllowed {
                alg: header.alg.clone(),
            });
        }
        let input = signing_input(raw, sig, detached, encoded_payload)?;
        let signature = base64url::decode_public(&sig.signature, Part::Signature)?;
        let kid = header.kid.as_deref();
        match source.keys_for(&Lookup::new(kid, alg.name(), KeyOp::Verify))? {
            Keys::One(key) => {
                self.spend(spent)?;
                self.with_key(key, alg, &input, &signature)?;
            }
            Keys::Set(set) => {
                if !self.mixed_key_set && keys::mixes_symmetry(set) {
                    return Err(KeyError::MixedKeySet.into());
                }
                let mut last = Error::NoMatchingKey;
                let mut ok = false;
                for key in keys::by_kid(set, kid)?.filter(|k| self.candidate(k, alg)) {
                    self.spend(spent)?;
                    match self.with_key(key, alg, &input, &signature) {
                        Ok(()) => {
                            ok = true;
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                if !ok {
                    return Err(last);
                }
            }
        }
        Ok((header, alg, encoded_payload))
    }

    /// Whether a key of a set (already narrowed by `kid`) may be tried for `alg` (the rules of
    /// [`KeyQuery`]: the key's own `alg`, `use`/`key_ops` permitting verification), and fits
    /// `alg`'s key type.
    fn candidate(&self, key: &Jwk, alg: &'static JwsAlgorithm) -> bool {
        let query = KeyQuery::new().with_alg(alg.name()).with_op(KeyOp::Verify);
        let alg_bound = !matches!(self.allowed, Allowed::KeyAlg) || key.alg().is_some();
        alg_bound && query.matches(key) && alg.fits(key)
    }

    fn with_key(
        &self,
        key: &Jwk,
        alg: &'static JwsAlgorithm,
        input: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        match (&self.allowed, key.alg()) {
            (Allowed::KeyAlg, None) => return Err(KeyError::MissingMember { name: "alg" }.into()),
            (Allowed::KeyAlg, Some(a)) if a != alg.name() => {
                return Err(Error::AlgNotAllowed {
                    alg: alg.name().to_owned(),
                });
            }
            (Allowed::List(_), Some(a)) if a != alg.name() => {
                return Err(KeyError::AlgMismatch {
                    key_alg: a.to_owned(),
                    alg: alg.name(),
                }
                .into());
            }
            _ => {}
        }
        alg.check_material(key.material())?;
        key.check_op(KeyOp::Verify)?;
        let Some(imp) = alg.backend().verify else {
            return Err(Error::AlgorithmUnavailable { alg: alg.name() });
        };
        let prepared = key
            .prepared()
            .get_or_try_init::<Box<dyn PreparedVerifier>>(alg.name(), || {
                imp.prepare(key.material())
            })?;
        prepared.verify(input, sig)
    }
}

/// Decodes the payload `p` into a buffer of `N` bytes on the stack if it fits (on the heap
/// if not), hands it to `read`, then wipes it: the payload of a nested token is decrypted
/// plaintext (wiping the 1.6 KB claims of an itsme® ID token costs about 0.3k instructions).
fn on_stack<const N: usize, R>(p: &[u8], read: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
    let mut buf = [0_u8; N];
    let decoded =
        base64url::decode_public_into(p, Part::Payload, &mut buf).map(|d| d.map(<[u8]>::len));
    let len = match decoded {
        Ok(Some(len)) => len,
        Err(e) => {
            // A bad character late in the text leaves the bytes before it decoded.
            crate::secret::zero(&mut buf);
            return Err(e);
        }
        Ok(None) => {
            let payload = SecretBytes::new(base64url::decode_public(p, Part::Payload)?);
            return Ok(read(payload.expose_secret()));
        }
    };
    let payload = buf.get_mut(..len).unwrap_or_default();
    let r = read(payload);
    crate::secret::zero(payload);
    Ok(r)
}

fn missing_payload() -> Error {
    Error::Structure {
        expected: Shape::DetachedPayload,
    }
}

/// The JWS signing input `protected '.' payload` (RFC 7515 §5.2, RFC 7797 §3).
fn signing_input<'a>(
    raw: &'a RawJws<'_>,
    sig: &RawSig<'_>,
    detached: Option<&[u8]>,
    encoded_payload: bool,
) -> Result<Cow<'a, [u8]>, Error> {
    if let (Some(input), None) = (raw.compact_input, detached) {
        return Ok(Cow::Borrowed(input));
    }
    let protected: &[u8] = sig.protected.as_deref().unwrap_or_default();
    let encoded;
    let payload: &[u8] = match (detached, &raw.payload) {
        (Some(_), Some(p)) if !p.is_empty() => {
            return Err(Error::Structure {
                expected: Shape::NoEmbeddedPayload,
            });
        }
        (Some(d), _) if encoded_payload => {
            encoded = {
                let mut e = String::with_capacity(d.len().div_ceil(3) * 4);
                base64url::encode_public_into(d, &mut e);
                e
            };
            encoded.as_bytes()
        }
        (Some(d), _) => d,
        (None, Some(p)) => p,
        (None, None) => return Err(missing_payload()),
    };
    let mut input = Vec::with_capacity(
        protected
            .len()
            .saturating_add(payload.len())
            .saturating_add(1),
    );
    input.extend_from_slice(protected);
    input.push(b'.');
    input.extend_from_slice(payload);
    Ok(Cow::Owned(input))
}
