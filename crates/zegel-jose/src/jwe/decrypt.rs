//! Decryption (RFC 7516 §5.2) behind an allowlist.
//!
//! The caller names the `alg` and `enc` values it accepts; anything else is
//! [`Error::AlgNotAllowed`] before any cryptography. Keys come from the caller (one [`Jwk`], or
//! a list for key rotation), never from the token's `jwk`, `jku`, `x5u` or `x5c`. The token's
//! `kid` only selects among several keys: a single key given to [`Decryptor::decrypt`] is used
//! whatever `kid` the token names, as with [`jws::Verifier::verify`](crate::jws::Verifier).
//! Every cryptographic failure, whatever its cause, is the single [`Error::DecryptionFailed`];
//! on the RSA paths a bad encrypted key continues with a random CEK so that it fails at the tag
//! check, taking the same path and time as a bad tag.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::alg::{
    ContentEncryption, KeyManagement, KeyReq, RSA1_5_FOR_LEGACY_USE_ONLY, by_name, enc_by_name,
};
use super::header::{self, JweHeader};
use super::keymgmt::{UnwrapCtx, random};
use super::token::{Limits, UnverifiedJwe};
use super::zip::{self, DEFAULT_MAX_PLAINTEXT};
use crate::error::{Error, KeyError};
use crate::jwk::{Jwk, JwkSet, KeyMaterial, KeyOp};
use crate::secret::SecretBytes;

/// The default ceiling on the PBES2 iteration count (`p2c`).
pub const DEFAULT_MAX_P2C: u32 = 10_000;

/// How many times the `p2c` ceiling one decryption may spend on PBKDF2 in total, over all the
/// recipients and keys it tries.
pub const PBES2_BUDGET_FACTOR: u32 = 4;

/// Decrypts JWEs whose `alg` and `enc` are in its allowlists.
///
/// ```
/// use zegel_jose::jwe::{self, Decryptor};
/// let decryptor = Decryptor::new(&[&jwe::RSA_OAEP_256, &jwe::DIR], &[&jwe::A128CBC_HS256, &jwe::A256GCM])
///     .with_max_plaintext(64 * 1024);
/// # let _ = decryptor;
/// ```
#[derive(Clone, Debug)]
pub struct Decryptor {
    algs: Vec<&'static KeyManagement>,
    encs: Vec<&'static ContentEncryption>,
    max_p2c: u32,
    max_plaintext: usize,
    limits: Limits,
    critical: Vec<String>,
}

/// A decrypted JWE: its header and its plaintext.
#[derive(Debug)]
#[non_exhaustive]
pub struct Decrypted {
    header: JweHeader,
    protected: Map<String, Value>,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    recipient: usize,
    plaintext: SecretBytes,
}

impl Decrypted {
    /// The JOSE header of the recipient that decrypted (protected and unprotected parts).
    #[must_use]
    pub fn header(&self) -> &JweHeader {
        &self.header
    }

    /// The protected header alone: the only header parameters the tag authenticates.
    #[must_use]
    pub fn protected_header(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// The key management algorithm used.
    #[must_use]
    pub fn alg(&self) -> &'static KeyManagement {
        self.alg
    }

    /// The content encryption algorithm used.
    #[must_use]
    pub fn enc(&self) -> &'static ContentEncryption {
        self.enc
    }

    /// The index of the recipient whose encrypted key was used (0 for compact and flattened).
    #[must_use]
    pub fn recipient(&self) -> usize {
        self.recipient
    }

    /// The plaintext (decompressed when `zip` was `DEF`).
    ///
    /// # Security
    /// The slice is the decrypted secret: do not log it.
    #[must_use]
    pub fn plaintext(&self) -> &[u8] {
        self.plaintext.expose_secret()
    }

    /// The plaintext, zeroized on drop.
    #[must_use]
    pub fn into_plaintext(self) -> SecretBytes {
        self.plaintext
    }
}

impl Decryptor {
    /// A decryptor accepting exactly these key management and content encryption algorithms.
    /// `RSA1_5` is accepted only when [`RSA1_5_FOR_LEGACY_USE_ONLY`] is named here (or added
    /// with [`with_rsa1_5_for_legacy_use_only`](Self::with_rsa1_5_for_legacy_use_only)).
    #[must_use]
    pub fn new(algs: &[&'static KeyManagement], encs: &[&'static ContentEncryption]) -> Self {
        Self {
            algs: algs.to_vec(),
            encs: encs.to_vec(),
            max_p2c: DEFAULT_MAX_P2C,
            max_plaintext: DEFAULT_MAX_PLAINTEXT,
            limits: Limits::default(),
            critical: Vec::new(),
        }
    }

    /// Sets the ceiling on the PBES2 iteration count (default [`DEFAULT_MAX_P2C`]). A token
    /// above it is refused before any PBKDF2 work. Across all the (recipient, key) pairs one
    /// decryption tries, PBKDF2 runs at most [`PBES2_BUDGET_FACTOR`] times this many
    /// iterations in total, so several recipients and passwords cannot multiply the work.
    #[must_use]
    pub fn with_max_p2c(mut self, max: u32) -> Self {
        self.max_p2c = max;
        self
    }

    /// Sets the cap on the decompressed plaintext of a `zip: DEF` token, in bytes (default
    /// [`DEFAULT_MAX_PLAINTEXT`](super::DEFAULT_MAX_PLAINTEXT)).
    #[must_use]
    pub fn with_max_plaintext(mut self, max: usize) -> Self {
        self.max_plaintext = max;
        self
    }

    /// Sets the maximum size of a serialized token, in bytes (default
    /// [`DEFAULT_MAX_TOKEN_LEN`](super::DEFAULT_MAX_TOKEN_LEN)).
    #[must_use]
    pub fn with_max_token_len(mut self, max: usize) -> Self {
        self.limits.max_token_len = max;
        self
    }

    /// Sets the maximum JSON nesting depth of headers and of the JSON serialization.
    #[must_use]
    pub fn with_max_json_depth(mut self, max: usize) -> Self {
        self.limits.max_json_depth = max;
        self
    }

    /// Sets the maximum number of recipients of a general JSON JWE (default
    /// [`DEFAULT_MAX_RECIPIENTS`](super::DEFAULT_MAX_RECIPIENTS)).
    #[must_use]
    pub fn with_max_recipients(mut self, max: usize) -> Self {
        self.limits.max_recipients = max;
        self
    }

    /// Sets the maximum number of members of one recipient's JOSE header, its three headers
    /// together (default [`DEFAULT_MAX_HEADER_MEMBERS`](super::DEFAULT_MAX_HEADER_MEMBERS)); a
    /// token past it is [`Error::TooManyMembers`] before anything else is read.
    #[must_use]
    pub fn with_max_header_members(mut self, max: usize) -> Self {
        self.limits.max_header_members = max;
        self
    }

    /// Names header parameters the caller understands, so that `crit` may list them.
    #[must_use]
    pub fn with_critical(mut self, names: &[&str]) -> Self {
        self.critical.extend(names.iter().map(|n| (*n).to_owned()));
        self
    }

    /// Adds [`RSA1_5_FOR_LEGACY_USE_ONLY`] to the allowlist.
    ///
    /// # Security
    /// See [`RSA1_5_FOR_LEGACY_USE_ONLY`]: accept it only for a peer that cannot send
    /// anything better.
    #[must_use]
    pub fn with_rsa1_5_for_legacy_use_only(mut self) -> Self {
        if !self.algs.contains(&&RSA1_5_FOR_LEGACY_USE_ONLY) {
            self.algs.push(&RSA1_5_FOR_LEGACY_USE_ONLY);
        }
        self
    }

    /// Decrypts `token` (any serialization) with `key`.
    ///
    /// The caller chose this key, so it is used whatever `kid` the token names (as
    /// [`jws::Verifier::verify`](crate::jws::Verifier::verify) does): a `kid` only selects among
    /// several keys. For the general JSON serialization, every recipient whose `alg` is allowed
    /// and fits the key is tried in turn.
    ///
    /// # Errors
    /// Before any cryptography: parse errors (see [`UnverifiedJwe::parse`]),
    /// [`Error::UnknownAlgorithm`], [`Error::AlgNotAllowed`], [`Error::Crit`],
    /// [`Error::Key`] when the key does not fit, [`Error::Pbes2CountTooHigh`],
    /// [`Error::InvalidParameter`] (for example an `epk` not on its curve),
    /// [`Error::RecipientCount`]. Then [`Error::DecryptionFailed`] for any cryptographic
    /// failure, and [`Error::TooLarge`] when the inflated plaintext passes the cap.
    pub fn decrypt(&self, token: &[u8], key: &Jwk) -> Result<Decrypted, Error> {
        let jwe = UnverifiedJwe::parse_with(token, &self.limits)?;
        self.run(jwe, core::slice::from_ref(key), KidRule::Ignore)
    }

    /// Decrypts `token` with the first of `keys` that works, for key rotation.
    ///
    /// Keys are tried in order. A recipient with a `kid` is tried only with the keys of exactly
    /// that `kid` (a key without `kid` is not a fallback, as in
    /// [`jws::Verifier::verify_with_keys`](crate::jws::Verifier::verify_with_keys)); one without
    /// is tried with every key that fits its `alg`. To use one key whatever the token's `kid`,
    /// give it to [`decrypt`](Self::decrypt).
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt); [`Error::NoMatchingKey`] when no key fits any recipient.
    pub fn decrypt_with_keys(&self, token: &[u8], keys: &[Jwk]) -> Result<Decrypted, Error> {
        let jwe = UnverifiedJwe::parse_with(token, &self.limits)?;
        self.run(jwe, keys, KidRule::Exact)
    }

    /// Decrypts `token` with a key from `set`, for key rotation.
    ///
    /// A recipient with a `kid` is tried only with the keys of exactly that `kid` (a key
    /// without `kid` is not a fallback); one without is tried with every key that fits its
    /// `alg`. Candidates are tried in set order; the first success wins.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt); [`Error::NoMatchingKey`] when no key fits any recipient.
    pub fn decrypt_with_set(&self, token: &[u8], set: &JwkSet) -> Result<Decrypted, Error> {
        let jwe = UnverifiedJwe::parse_with(token, &self.limits)?;
        self.run(jwe, set.keys(), KidRule::Exact)
    }

    /// Decrypts an already parsed JWE; see [`decrypt_with_keys`](Self::decrypt_with_keys).
    /// The token was parsed with the default limits; this decryptor's recipient limit applies
    /// here too (its size and depth limits cannot: the token is no longer text).
    ///
    /// # Errors
    /// As [`decrypt_with_keys`](Self::decrypt_with_keys).
    pub fn decrypt_parsed(&self, jwe: &UnverifiedJwe, keys: &[Jwk]) -> Result<Decrypted, Error> {
        if jwe.recipients.len() > self.limits.max_recipients {
            return Err(Error::RecipientCount {
                rule: "between one and the configured maximum of recipients",
            });
        }
        self.run(jwe.clone(), keys, KidRule::Exact)
    }

    /// Checks recipient `i`'s headers against the rules and the allowlists. The headers are
    /// read where they are, never joined: the plan keeps only what key management reads.
    fn plan<'j>(&self, jwe: &'j UnverifiedJwe, i: usize) -> Result<Plan<'j>, Error> {
        let unprotected = [
            jwe.unprotected.as_ref(),
            jwe.recipients.get(i).and_then(|r| r.header.as_ref()),
        ];
        header::check_rules(&jwe.protected, &unprotected, &self.critical)?;
        let view = header::View::new(&jwe.protected, unprotected);
        let typed = view.typed()?;
        let enc = enc_by_name(typed.enc).ok_or_else(|| Error::UnknownAlgorithm {
            name: typed.enc.to_owned(),
        })?;
        if !self.encs.contains(&enc) {
            return Err(Error::AlgNotAllowed {
                alg: typed.enc.to_owned(),
            });
        }
        let alg = by_name(typed.alg).ok_or_else(|| Error::UnknownAlgorithm {
            name: typed.alg.to_owned(),
        })?;
        if !self.algs.contains(&alg) {
            return Err(Error::AlgNotAllowed {
                alg: typed.alg.to_owned(),
            });
        }
        Ok(Plan {
            recipient: i,
            alg,
            enc,
            kid: typed.kid,
            zip: typed.zip,
            params: view.key_params(),
        })
    }

    fn run(
        &self,
        mut jwe: UnverifiedJwe,
        keys: &[Jwk],
        kid_rule: KidRule,
    ) -> Result<Decrypted, Error> {
        // Decrypted in place, below: the plans borrow the rest of the token.
        let mut ciphertext = core::mem::take(&mut jwe.ciphertext);
        // Phase 1: headers and allowlists, no cryptography.
        let mut plans: Vec<Plan> = Vec::with_capacity(jwe.recipients.len());
        let mut refused = None;
        for i in 0..jwe.recipients.len() {
            match self.plan(&jwe, i) {
                Ok(plan) => plans.push(plan),
                // With several recipients, one this decryptor does not accept is skipped.
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        let Some(enc) = plans.first().map(|p| p.enc) else {
            return Err(refused.unwrap_or(Error::RecipientCount {
                rule: "at least one recipient",
            }));
        };
        if jwe.recipients.len() > 1 && plans.iter().any(|p| p.alg.is_direct()) {
            return Err(Error::RecipientCount {
                rule: "dir and ECDH-ES allow exactly one recipient",
            });
        }
        if jwe.iv.len() != enc.iv_len() {
            return Err(Error::Structure {
                expected: "an initialization vector of the length enc requires",
            });
        }
        if jwe.tag.len() != enc.tag_len() {
            return Err(Error::Structure {
                expected: "an authentication tag of the length enc requires",
            });
        }

        // Phase 2: the (recipient, key) pairs to try, in order.
        let mut attempts: Vec<(usize, &Jwk)> = Vec::new();
        let mut key_error = None;
        for (p, plan) in plans.iter().enumerate() {
            for key in keys {
                match usable(key, plan.alg, enc, plan.kid, kid_rule) {
                    Ok(true) => attempts.push((p, key)),
                    Ok(false) => {}
                    Err(e) => {
                        key_error.get_or_insert(e);
                    }
                }
            }
        }
        if attempts.is_empty() {
            return Err(match key_error {
                Some(e) if keys.len() == 1 => e,
                _ => Error::NoMatchingKey,
            });
        }

        // Phase 3: cryptography.
        let aad = jwe.content_aad();
        let mut failure = None;
        let last = attempts.len() - 1;
        let budget = u64::from(self.max_p2c) * u64::from(PBES2_BUDGET_FACTOR);
        let mut spent: u64 = 0;
        for (n, (p, key)) in attempts.into_iter().enumerate() {
            let Some(plan) = plans.get(p) else { continue };
            if plan.alg.key_req() == KeyReq::Password {
                let p2c = plan.params.get("p2c").and_then(Value::as_u64).unwrap_or(0);
                spent = spent.saturating_add(p2c.min(u64::from(self.max_p2c)));
                if spent > budget {
                    failure.get_or_insert(Error::Pbes2CountTooHigh {
                        p2c: spent,
                        limit: self.max_p2c,
                    });
                    break;
                }
            }
            let Some(r) = jwe.recipients.get(plan.recipient) else {
                continue;
            };
            let ctx = UnwrapCtx {
                key,
                alg: plan.alg,
                enc,
                header: &plan.params,
                encrypted_key: &r.encrypted_key,
                max_p2c: self.max_p2c,
            };
            // The ciphertext is decrypted in place: the last attempt may consume it.
            let ciphertext = if n == last {
                core::mem::take(&mut ciphertext)
            } else {
                ciphertext.clone()
            };
            match open(&jwe, &ctx, &aad, ciphertext) {
                Ok(mut plain) => {
                    let plaintext = if plan.zip {
                        zip::inflate(&plain, self.max_plaintext)?
                    } else {
                        // Moved, not copied: one buffer holds the plaintext.
                        SecretBytes::new(core::mem::take(&mut *plain))
                    };
                    let (alg, recipient) = (plan.alg, plan.recipient);
                    // The one copy of the header: the recipient that decrypted.
                    let header = jwe.header(recipient)?;
                    return Ok(Decrypted {
                        header,
                        protected: core::mem::take(&mut jwe.protected),
                        alg,
                        enc,
                        recipient,
                        plaintext,
                    });
                }
                Err(e) => {
                    if failure.is_none() || e == Error::DecryptionFailed {
                        failure = Some(e);
                    }
                }
            }
        }
        Err(failure.unwrap_or(Error::DecryptionFailed))
    }
}

/// One recipient this decryptor accepts: its algorithms, its `kid` (borrowed from the token)
/// and the few parameters key management reads (`epk`, `p2c`...), not a copy of its headers.
struct Plan<'j> {
    recipient: usize,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    kid: Option<&'j str>,
    zip: bool,
    params: Map<String, Value>,
}

/// How a recipient's `kid` selects among the caller's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KidRule {
    /// One key the caller chose: the token's `kid` does not matter.
    Ignore,
    /// Several keys (a list or a JWK Set): only keys with exactly the recipient's `kid` are
    /// tried.
    Exact,
}

/// Whether `key` may be tried for a recipient using `alg` with header `kid`. A key that does
/// not fit is `Ok(false)`, or an error saying why when it is the only candidate.
fn usable(
    key: &Jwk,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    kid: Option<&str>,
    rule: KidRule,
) -> Result<bool, Error> {
    match (rule, kid, key.kid()) {
        (KidRule::Exact, Some(want), Some(have)) if want != have => {
            return Ok(false);
        }
        (KidRule::Exact, Some(_), None) => return Ok(false),
        _ => {}
    }
    if !alg.fits(key) {
        return Err(match (alg.key_req(), key.material()) {
            (KeyReq::Oct(len), KeyMaterial::Oct { k }) => KeyError::WrongLength {
                expected: len,
                actual: k.len(),
            },
            _ => KeyError::WrongKeyType { alg: alg.name() },
        }
        .into());
    }
    // A `dir` key may name the content encryption algorithm it is the key of (RFC 7520 §5.6).
    if let Some(bound) = key.alg()
        && bound != alg.name()
        && !(alg == &super::alg::DIR && enc.name() == bound)
    {
        return Err(KeyError::AlgMismatch {
            key_alg: bound.to_owned(),
            alg: alg.name(),
        }
        .into());
    }
    let p = key.params();
    if !(p.permits(KeyOp::Decrypt) || p.permits(KeyOp::UnwrapKey) || p.permits(KeyOp::DeriveKey)) {
        return Err(KeyError::UsageNotPermitted.into());
    }
    if !key.is_private() {
        return Err(KeyError::NotPrivate.into());
    }
    Ok(true)
}

/// Recovers the CEK and opens the content in `buf` (the ciphertext). A CEK of the wrong length
/// becomes a random one of the right length, so that it fails at the tag check like any other
/// bad key.
fn open(
    jwe: &UnverifiedJwe,
    ctx: &UnwrapCtx<'_>,
    aad: &[u8],
    ciphertext: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(ciphertext);
    let mut cek = ctx.alg.imp.unwrap(ctx)?;
    if cek.len() != ctx.enc.key_len() {
        cek = random(ctx.enc.key_len())?;
    }
    ctx.enc
        .imp
        .open(cek.expose_secret(), &jwe.iv, aad, &mut buf, &jwe.tag)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Part;
    use crate::jwe::{A128GCM, A128KW, DEFAULT_MAX_HEADER_MEMBERS, Encryptor, Recipient};

    /// A general JSON JWE to 16 `A128KW` recipients sharing an unprotected header of
    /// `members` members of 1000 bytes each.
    fn big_shared_header(members: usize) -> (String, Vec<Jwk>) {
        let keys: Vec<Jwk> = (0..16_u8)
            .map(|i| {
                Jwk::from_secret_bytes(&[i; 16])
                    .unwrap()
                    .with_kid(format!("k{i}"))
                    .with_alg("A128KW")
            })
            .collect();
        let shared: Map<String, Value> = (0..members)
            .map(|i| (format!("x{i}"), Value::String("v".repeat(1000))))
            .collect();
        let recipients: Vec<Recipient<'_>> =
            keys.iter().map(|k| Recipient::new(k, &A128KW)).collect();
        let token = Encryptor::new(&A128GCM)
            .with_unprotected(shared)
            .encrypt_general(b"hello", &recipients)
            .unwrap();
        (token, keys)
    }

    #[test]
    fn plans_borrow_the_shared_header() {
        let (token, keys) = big_shared_header(50);
        let jwe = UnverifiedJwe::parse(token.as_bytes()).unwrap();
        assert_eq!(jwe.recipient_count(), 16);
        let d = Decryptor::new(&[&A128KW], &[&A128GCM]);
        for i in 0..16 {
            let plan = d.plan(&jwe, i).unwrap();
            // Nothing of the 50 KB shared header is kept per recipient; the kid is borrowed.
            assert!(plan.params.is_empty());
            assert_eq!(plan.kid, Some(format!("k{i}").as_str()));
            assert!(!plan.zip);
        }
        // Only the last recipient's key: 15 recipients skipped by kid, then one decryption.
        let last = keys.get(15..).unwrap();
        let out = d.decrypt_with_keys(token.as_bytes(), last).unwrap();
        assert_eq!((out.plaintext(), out.recipient()), (&b"hello"[..], 15));
        // The header of the recipient that decrypted is whole.
        assert_eq!(out.header().other.len(), 50);
        assert_eq!(out.header().kid.as_deref(), Some("k15"));
    }

    #[test]
    fn header_members_are_capped() {
        let (token, keys) = big_shared_header(DEFAULT_MAX_HEADER_MEMBERS);
        let d = Decryptor::new(&[&A128KW], &[&A128GCM]);
        let too_many = Error::TooManyMembers {
            part: Part::Header,
            limit: DEFAULT_MAX_HEADER_MEMBERS,
        };
        assert_eq!(
            d.decrypt_with_keys(token.as_bytes(), &keys).unwrap_err(),
            too_many
        );
        assert_eq!(
            UnverifiedJwe::parse(token.as_bytes()).unwrap_err(),
            too_many
        );
        assert_eq!(too_many.code(), "jose.too_many_members");
        let roomy = d.clone().with_max_header_members(100);
        assert_eq!(
            roomy
                .decrypt_with_keys(token.as_bytes(), &keys)
                .unwrap()
                .plaintext(),
            b"hello"
        );
        let tight = d.with_max_header_members(3);
        let (small, keys) = big_shared_header(0);
        assert!(tight.decrypt_with_keys(small.as_bytes(), &keys).is_ok());
        let (four, keys) = big_shared_header(1);
        assert_eq!(
            tight.decrypt_with_keys(four.as_bytes(), &keys).unwrap_err(),
            Error::TooManyMembers {
                part: Part::Header,
                limit: 3
            }
        );
    }
}
