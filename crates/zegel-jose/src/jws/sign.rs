//! Producing JWS: compact, flattened JSON and general JSON serializations (RFC 7515 §7), with
//! base64url or unencoded (RFC 7797) and attached or detached (RFC 7515 Appendix F) payloads.

use core::fmt;
use std::io::Write;

use serde_json::{Map, Value};

use super::alg::JwsAlgorithm;
use super::backend::PreparedSigner;
use super::header::JwsHeader;
use crate::base64url;
use crate::error::{CountRule, Error, KeyError, Shape};
use crate::header::{JWS_REGISTERED, check_crit, check_disjoint};
use crate::jwk::{Jwk, KeyOp};

/// What signs a JWS: a private key bound to one algorithm that computes signatures over the
/// JWS signing input and never hands the key out.
///
/// [`SigningKey`] is the in-memory implementation (a [`Jwk`]). A key kept in an HSM or a cloud
/// KMS implements it too, answering [`sign`](Self::sign) from its store: every signing
/// function of this crate and of `zegel-jwt` takes a `&dyn Signer`.
///
/// ```
/// use zegel_jose::jws::{self, JwsHeader, Signer, SigningKey, Verifier};
/// use zegel_jose::Jwk;
///
/// let key = Jwk::generate(&zegel_jose::jwk::KeySpec::Ec(zegel_jose::jwk::Curve::P256))?;
/// let signer: &dyn Signer = &SigningKey::new(&key, &jws::ES256)?;
/// let token = jws::sign_compact(b"hello", signer, &JwsHeader::new())?;
/// let public = signer.public_jwk().expect("an EC key has a public part");
/// assert_eq!(Verifier::new(&[&jws::ES256]).verify(token.as_bytes(), public)?.payload(), b"hello");
/// # Ok::<(), zegel_jose::Error>(())
/// ```
pub trait Signer: Send + Sync {
    /// The algorithm this signer signs with (the header's `alg`).
    fn alg(&self) -> &'static JwsAlgorithm;

    /// The key's `kid`, if it has one (not copied into headers automatically).
    fn kid(&self) -> Option<&str>;

    /// The key's public JWK, to publish or to verify with; `None` for an HMAC secret or when
    /// the store does not say.
    fn public_jwk(&self) -> Option<&Jwk>;

    /// Signs `signing_input` (RFC 7515 §5.1: `protected '.' payload`), returning the signature
    /// in its JWS form (for ECDSA, `r ‖ s`, RFC 7518 §3.4).
    ///
    /// # Errors
    /// Whatever the signer cannot do: [`Error::Key`], [`Error::Random`], or an error of the
    /// store.
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error>;
}

/// A private key bound to one algorithm and prepared (parsed by the crypto backend) once, to
/// sign any number of payloads: the in-memory [`Signer`].
///
/// `Debug` shows the algorithm and `kid`, never key material.
pub struct SigningKey {
    alg: &'static JwsAlgorithm,
    kid: Option<String>,
    public: Option<Jwk>,
    inner: Box<dyn PreparedSigner>,
}

impl SigningKey {
    /// Prepares `key` to sign with `alg`.
    ///
    /// # Errors
    /// [`Error::AlgorithmUnavailable`] when no backend compiled in computes `alg`;
    /// [`Error::Key`] when the key is bound to another algorithm ([`KeyError::AlgMismatch`]),
    /// has the wrong type or curve ([`KeyError::WrongKeyType`]), is an HMAC key shorter than
    /// the hash output ([`KeyError::WrongLength`], RFC 7518 §3.2), is public
    /// ([`KeyError::NotPrivate`]), may not sign ([`KeyError::UsageNotPermitted`]), or is
    /// refused by the backend.
    pub fn new(key: &Jwk, alg: &'static JwsAlgorithm) -> Result<Self, Error> {
        let imp = alg
            .backend()
            .sign
            .ok_or(Error::AlgorithmUnavailable { alg: alg.name() })?;
        if let Some(bound) = key.alg()
            && bound != alg.name()
        {
            return Err(KeyError::AlgMismatch {
                key_alg: bound.to_owned(),
                alg: alg.name(),
            }
            .into());
        }
        alg.check_material(key.material())?;
        if !key.is_private() {
            return Err(KeyError::NotPrivate.into());
        }
        key.check_op(KeyOp::Sign)?;
        let inner = imp.prepare(key.material())?;
        Ok(Self {
            alg,
            kid: key.kid().map(str::to_owned),
            public: key.to_public(),
            inner,
        })
    }

    /// The algorithm this key signs with.
    #[must_use]
    pub fn alg(&self) -> &'static JwsAlgorithm {
        self.alg
    }

    /// The `kid` of the key it was made from, if any (not copied into headers automatically).
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
}

impl Signer for SigningKey {
    fn alg(&self) -> &'static JwsAlgorithm {
        self.alg
    }

    fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn public_jwk(&self) -> Option<&Jwk> {
        self.public.as_ref()
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner.sign(signing_input)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg.name())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Signs `payload` into the compact serialization `header.payload.signature` (RFC 7515 §7.1).
///
/// `header.alg` is set to the key's algorithm. With `header.b64 == Some(false)` the payload is
/// written unencoded (RFC 7797) and `"b64"` is added to `crit` if missing.
///
/// # Errors
/// [`Error::Structure`] for an unencoded payload that is not UTF-8 or contains `.` (RFC 7797
/// §5.2); [`Error::Crit`] or [`Error::InvalidParameter`] for a header that breaks the `crit`
/// rules; [`Error::Random`] or [`Error::Key`] when the backend fails.
pub fn sign_compact(payload: &[u8], key: &dyn Signer, header: &JwsHeader) -> Result<String, Error> {
    compact(payload, key, header, false)
}

/// Signs `payload` into a compact serialization with a detached payload, `header..signature`
/// (RFC 7515 Appendix F). The payload travels separately.
///
/// # Errors
/// As [`sign_compact`].
pub fn sign_compact_detached(
    payload: &[u8],
    key: &dyn Signer,
    header: &JwsHeader,
) -> Result<String, Error> {
    compact(payload, key, header, true)
}

/// Signs `payload` into the flattened JSON serialization (RFC 7515 §7.2.2), with the protected
/// header `protected` and an optional unprotected header.
///
/// # Errors
/// As [`sign_compact`], and [`Error::DuplicateParameter`] when a parameter is in both headers;
/// [`Error::InvalidParameter`] for `b64` in the unprotected header.
pub fn sign_flattened(
    payload: &[u8],
    key: &dyn Signer,
    protected: &JwsHeader,
    unprotected: Option<&Map<String, Value>>,
) -> Result<String, Error> {
    json(payload, &[(key, protected, unprotected)], true, false)
}

/// As [`sign_flattened`], with the payload left out (detached).
///
/// # Errors
/// As [`sign_flattened`].
pub fn sign_flattened_detached(
    payload: &[u8],
    key: &dyn Signer,
    protected: &JwsHeader,
    unprotected: Option<&Map<String, Value>>,
) -> Result<String, Error> {
    json(payload, &[(key, protected, unprotected)], true, true)
}

/// One signer of a general JSON serialization: the key, its protected header and an optional
/// unprotected header.
pub type GeneralSigner<'a> = (
    &'a dyn Signer,
    &'a JwsHeader,
    Option<&'a Map<String, Value>>,
);

/// Signs `payload` once per signer into the general JSON serialization (RFC 7515 §7.2.1).
///
/// # Errors
/// As [`sign_flattened`]; [`Error::RecipientCount`] for no signers; [`Error::InvalidParameter`]
/// when the signers disagree on `b64` (RFC 7797 §3).
pub fn sign_general(payload: &[u8], signers: &[GeneralSigner<'_>]) -> Result<String, Error> {
    json(payload, signers, false, false)
}

/// As [`sign_general`], with the payload left out (detached).
///
/// # Errors
/// As [`sign_general`].
pub fn sign_general_detached(
    payload: &[u8],
    signers: &[GeneralSigner<'_>],
) -> Result<String, Error> {
    json(payload, signers, false, true)
}

/// The protected header of `key` as base64url, and whether the payload is base64url-encoded.
fn protected_b64(
    key: &dyn Signer,
    header: &JwsHeader,
    unprotected: Option<&Map<String, Value>>,
) -> Result<(String, bool), Error> {
    let mut buf = [0_u8; HEADER_BUF];
    if unprotected.is_none()
        && let Some(json) = simple_header_json(key.alg().name(), header, &mut buf)
    {
        let mut out = String::with_capacity(json.len().div_ceil(3) * 4);
        base64url::encode_public_into(json, &mut out);
        return Ok((out, true));
    }
    let mut obj = header.to_object();
    obj.insert("alg".into(), Value::String(key.alg().name().to_owned()));
    let encoded = header.payload_is_encoded();
    if !encoded {
        let crit = obj
            .entry("crit")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(names) = crit
            && !names.iter().any(|n| n == "b64")
        {
            names.push(Value::String("b64".into()));
        }
    }
    if let Some(u) = unprotected {
        if u.contains_key("b64") {
            return Err(Error::InvalidParameter { name: "b64".into() });
        }
        check_disjoint(&[&obj, u])?;
    }
    let others: Vec<&Map<String, Value>> = unprotected.into_iter().collect();
    check_crit(Some(&obj), &others, JWS_REGISTERED, |_| true)?;
    if obj.contains_key("b64")
        && !obj
            .get("crit")
            .is_some_and(|c| c.as_array().is_some_and(|c| c.iter().any(|n| n == "b64")))
    {
        return Err(Error::InvalidParameter { name: "b64".into() });
    }
    let json = serde_json::to_vec(&Value::Object(obj)).map_err(|_| Error::InvalidParameter {
        name: "header".into(),
    })?;
    let mut out = String::with_capacity(json.len().div_ceil(3) * 4);
    base64url::encode_public_into(&json, &mut out);
    Ok((out, encoded))
}

/// The size of the stack buffer for a header's JSON on the fast path.
const HEADER_BUF: usize = 512;

/// The JSON of a header with only string parameters (no `crit`, `b64`, `jwk`, `x5c` or
/// unknown parameters), written directly in the order the general path produces (sorted by
/// name); `None` for any other header.
fn simple_header_json<'b>(alg: &str, h: &JwsHeader, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    if h.crit.is_some()
        || h.b64.is_some()
        || h.jwk.is_some()
        || h.x5c.is_some()
        || !h.other.is_empty()
    {
        return None;
    }
    let members = [
        ("alg", Some(alg)),
        ("cty", h.cty.as_deref()),
        ("jku", h.jku.as_deref()),
        ("kid", h.kid.as_deref()),
        ("typ", h.typ.as_deref()),
        ("x5t", h.x5t.as_deref()),
        ("x5t#S256", h.x5t_s256.as_deref()),
        ("x5u", h.x5u.as_deref()),
    ];
    let capacity = buf.len();
    // A header that does not fit the buffer takes the general path.
    let mut w: &mut [u8] = &mut *buf;
    w.write_all(b"{").ok()?;
    let mut first = true;
    for (name, value) in members {
        let Some(value) = value else { continue };
        if !first {
            w.write_all(b",").ok()?;
        }
        first = false;
        w.write_all(b"\"").ok()?;
        w.write_all(name.as_bytes()).ok()?;
        w.write_all(b"\":").ok()?;
        serde_json::to_writer(&mut w, value).ok()?;
    }
    w.write_all(b"}").ok()?;
    let used = capacity.checked_sub(w.len())?;
    buf.get(..used)
}

/// The payload as it appears in the signing input and the serialization.
fn payload_segment(payload: &[u8], encoded: bool, compact: bool) -> Result<String, Error> {
    if encoded {
        let mut out = String::with_capacity(payload.len().div_ceil(3) * 4);
        base64url::encode_public_into(payload, &mut out);
        return Ok(out);
    }
    let text = core::str::from_utf8(payload).map_err(|_| Error::Structure {
        expected: Shape::Utf8UnencodedPayload,
    })?;
    if compact && text.contains('.') {
        return Err(Error::Structure {
            expected: Shape::UnencodedPayloadWithoutDot,
        });
    }
    Ok(text.to_owned())
}

fn compact(
    payload: &[u8],
    key: &dyn Signer,
    header: &JwsHeader,
    detached: bool,
) -> Result<String, Error> {
    let mut out = Vec::with_capacity(payload.len() / 3 * 4 + 800);
    let mut buf = [0_u8; HEADER_BUF];
    let encoded = if let Some(json) = simple_header_json(key.alg().name(), header, &mut buf) {
        // The common header: its JSON straight into the output, no intermediate string.
        base64url::encode_public_to_vec(json, &mut out);
        true
    } else {
        let (protected, encoded) = protected_b64(key, header, None)?;
        out.extend_from_slice(protected.as_bytes());
        encoded
    };
    let protected_len = out.len();
    out.push(b'.');
    if encoded {
        base64url::encode_public_to_vec(payload, &mut out);
    } else {
        out.extend_from_slice(payload_segment(payload, false, !detached)?.as_bytes());
    }
    let sig = key.sign(&out)?;
    if detached {
        out.truncate(protected_len + 1);
    }
    out.push(b'.');
    base64url::encode_public_to_vec(&sig, &mut out);
    String::from_utf8(out).map_err(|_| Error::Structure {
        expected: Shape::Serializable,
    })
}

fn json(
    payload: &[u8],
    signers: &[GeneralSigner<'_>],
    flattened: bool,
    detached: bool,
) -> Result<String, Error> {
    if signers.is_empty() {
        return Err(Error::RecipientCount {
            rule: CountRule::NoSigner,
        });
    }
    let mut encoded_all = None;
    let mut segment = String::new();
    let mut sigs = Vec::with_capacity(signers.len());
    for (key, header, unprotected) in signers {
        let (protected, encoded) = protected_b64(*key, header, *unprotected)?;
        match encoded_all {
            None => {
                encoded_all = Some(encoded);
                segment = payload_segment(payload, encoded, false)?;
            }
            Some(e) if e != encoded => return Err(Error::InvalidParameter { name: "b64".into() }),
            Some(_) => {}
        }
        let mut input = String::with_capacity(protected.len() + 1 + segment.len());
        input.push_str(&protected);
        input.push('.');
        input.push_str(&segment);
        let sig = key.sign(input.as_bytes())?;
        let mut obj = Map::new();
        obj.insert("protected".into(), Value::String(protected));
        if let Some(u) = unprotected {
            obj.insert("header".into(), Value::Object((*u).clone()));
        }
        let mut sig_b64 = String::with_capacity(sig.len().div_ceil(3) * 4);
        base64url::encode_public_into(&sig, &mut sig_b64);
        obj.insert("signature".into(), Value::String(sig_b64));
        sigs.push(obj);
    }
    let mut top = Map::new();
    if !detached {
        top.insert("payload".into(), Value::String(segment));
    }
    if flattened {
        if let Some(sig) = sigs.pop() {
            top.extend(sig);
        }
    } else {
        top.insert(
            "signatures".into(),
            sigs.into_iter().map(Value::Object).collect(),
        );
    }
    serde_json::to_string(&Value::Object(top)).map_err(|_| Error::Structure {
        expected: Shape::Serializable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simple_header_path_writes_what_the_general_path_writes() {
        let mut h = JwsHeader::new()
            .with_kid("k\"1\u{e9}")
            .with_typ("JWT")
            .with_cty("x/y");
        h.jku = Some("https://a.example/jwks".into());
        h.x5t = Some("t".into());
        h.x5t_s256 = Some("s".into());
        h.x5u = Some("u".into());
        for header in [JwsHeader::new(), JwsHeader::new().with_typ("JWT"), h] {
            let mut obj = header.to_object();
            obj.insert("alg".into(), Value::String("ES256".into()));
            let general = serde_json::to_vec(&Value::Object(obj)).unwrap();
            assert_eq!(
                simple_header_json("ES256", &header, &mut [0; HEADER_BUF]).unwrap(),
                general
            );
        }
        assert_eq!(
            simple_header_json(
                "ES256",
                &JwsHeader::new().with_unencoded_payload(),
                &mut [0; HEADER_BUF]
            ),
            None
        );
        // Too long for the buffer: the general path.
        let long = JwsHeader::new().with_kid("k".repeat(HEADER_BUF));
        assert_eq!(
            simple_header_json("ES256", &long, &mut [0; HEADER_BUF]),
            None
        );
    }
}
