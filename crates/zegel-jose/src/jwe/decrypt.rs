//! Decryption (RFC 7516 §5.2) behind an allowlist.
//!
//! The caller names the `alg` and `enc` values it accepts; anything else is
//! [`Error::AlgNotAllowed`] before any cryptography. Keys come from the caller (any
//! [`KeySource`]: one [`Jwk`], or a set for key rotation), never from the token's `jwk`, `jku`,
//! `x5u` or `x5c`. The token's `kid` only selects among several keys (the rules of
//! [`keys`](crate::keys)): a single key is used whatever `kid` the token names, as with
//! [`jws::Verifier::verify`](crate::jws::Verifier).
//!
//! # Symmetric keys
//! One `oct` secret must never serve two key management algorithms, one for its sender and
//! another for an attacker. Give `oct` keys an `alg` (`A128KW`, `A256GCMKW`, `dir`, or for a
//! `dir` key the `enc` it is the key of, as RFC 7520 §5.6 does); a key with `alg` serves only
//! that. A key without `alg` serves only the one accepted algorithm its length fits, and is
//! refused with [`KeyError::UnboundSymmetricKey`] when several fit, unless the caller opts in
//! with [`Decryptor::with_unbound_oct_keys`]. A key that fits both a PBES2 algorithm and
//! another one is no password unless the caller says so
//! ([`Decryptor::with_oct_keys_as_passwords`]): a raw AES key must not double as one. Whatever the key, `dir` is accepted
//! only with `alg` and `enc` in a non-empty protected header: otherwise the AES-GCM key
//! wrapping of a CEK (under an empty AAD) could be replayed as a `dir` ciphertext under the
//! same key, and "decrypt" to that CEK ([`Error::Unprotected`]).
//!
//! # Work
//! Each (recipient, candidate key) pair costs one key management operation (an RSA private
//! key operation, an ECDH agreement, a key unwrap). [`Decryptor::with_max_key_operations`]
//! bounds their total per token ([`DEFAULT_MAX_KEY_OPERATIONS`]); PBES2 has its own, tighter
//! budget in iterations.
//! Every cryptographic failure, whatever its cause, is the single [`Error::DecryptionFailed`];
//! on the RSA paths a bad encrypted key continues with a random CEK so that it fails at the tag
//! check, taking the same path and time as a bad tag.

use std::sync::OnceLock;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::alg::{
    ContentEncryption, KeyManagement, KeyReq, RSA1_5_FOR_LEGACY_USE_ONLY, by_name, enc_by_name,
};
use super::compact::ForDecryption;
use super::decrypter::{self, Decrypter};
use super::header::{self, JweHeader};
use super::keymgmt::{UnwrapCtx, random};
use super::token::{Limits, TokenRef, UnverifiedJwe, check_len, is_json};
use super::zip::{self, DEFAULT_MAX_PLAINTEXT};
use crate::error::{CountRule, Error, KeyError, Shape};
use crate::jwk::{Jwk, JwkSet, KeyMaterial, KeyOp, KeyType};
use crate::keys::{self, KeySource, Keys, Lookup};
use crate::secret::SecretBytes;

/// The default ceiling on the PBES2 iteration count (`p2c`).
pub const DEFAULT_MAX_P2C: u32 = 10_000;

/// How many times the `p2c` ceiling one decryption may spend on PBKDF2 in total, over all the
/// recipients and keys it tries.
pub const PBES2_BUDGET_FACTOR: u32 = 4;

/// The default budget of key management operations (recipients times candidate keys) one
/// decryption may spend: 16.
pub const DEFAULT_MAX_KEY_OPERATIONS: usize = 16;

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
    max_key_operations: usize,
    unbound_oct_keys: bool,
    oct_as_passwords: bool,
}

/// A decrypted JWE: its header and its plaintext.
#[derive(Debug)]
#[non_exhaustive]
pub struct Decrypted {
    /// Built on first use from `protected` when it is the whole JOSE header (the compact
    /// serialization): most callers read the plaintext, or one header parameter. Typing it
    /// cannot fail there, since the decryption plan checked the same parameters
    /// (`View::typed`). Measured on `dir` + A256GCM: 1.4k of the 23.7k instructions of a
    /// decryption, and 0.3k of its drop.
    header: OnceLock<JweHeader>,
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
        self.header
            .get_or_init(|| JweHeader::from_ref(&self.protected).unwrap_or_default())
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
            max_key_operations: DEFAULT_MAX_KEY_OPERATIONS,
            unbound_oct_keys: false,
            oct_as_passwords: false,
        }
    }

    /// Sets the budget of key management operations one token may cost, over all its
    /// recipients and the candidate keys of each (default [`DEFAULT_MAX_KEY_OPERATIONS`]);
    /// past it, [`Error::KeyOperationBudget`]. Checked before each operation.
    #[must_use]
    pub fn with_max_key_operations(mut self, n: usize) -> Self {
        self.max_key_operations = n;
        self
    }

    /// Lets an `oct` key without `alg` serve every accepted key management algorithm its
    /// length fits (`A*KW`, `A*GCMKW`, `dir`), instead of only the one that fits.
    ///
    /// # Security
    /// The key then serves several algorithms. The known cross-algorithm replay (a GCM-wrapped
    /// CEK presented as a `dir` ciphertext) is closed whatever this says, since `dir` needs a
    /// protected `alg` and `enc`; still, prefer keys that carry `alg`.
    #[must_use]
    pub fn with_unbound_oct_keys(mut self) -> Self {
        self.unbound_oct_keys = true;
        self
    }

    /// Lets an `oct` key without `alg` be a PBES2 password although its length also fits
    /// another accepted algorithm (`A128KW`, `dir`...). By default such a key is refused with
    /// [`KeyError::NotAPassword`]: a raw AES key must not double as a password. A key whose
    /// `alg` names a `PBES2-*` algorithm, or an unbound key that only a `PBES2-*` algorithm of
    /// the allowlist fits, is a password without this.
    #[must_use]
    pub fn with_oct_keys_as_passwords(mut self) -> Self {
        self.oct_as_passwords = true;
        self
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

    /// Decrypts `token` (any serialization) with the keys of `keys`: one [`Jwk`], or a set
    /// ([`JwkSet`], `[Jwk]`, or any [`KeySource`]).
    ///
    /// A single key is used whatever `kid` the token names (as
    /// [`jws::Verifier::verify`](crate::jws::Verifier::verify) does): a `kid` only selects
    /// among several keys. With a set, a recipient with a `kid` is tried only with the keys of
    /// exactly that `kid` (a key without `kid` is not a fallback); one without is tried with
    /// every key that fits its `alg`; candidates are tried in set order and the first success
    /// wins. For the general JSON serialization, every recipient whose `alg` is allowed and
    /// fits is tried in turn.
    ///
    /// # Errors
    /// Before any cryptography: parse errors (see [`UnverifiedJwe::parse`]),
    /// [`Error::UnknownAlgorithm`], [`Error::AlgNotAllowed`], [`Error::Crit`],
    /// [`Error::Unprotected`] for a `dir` recipient whose `alg`/`enc` are not protected,
    /// [`Error::Key`] when the key does not fit, [`Error::UnknownKid`] when no key of the set
    /// has a recipient's `kid`, [`Error::NoMatchingKey`] when keys exist but none fits,
    /// [`Error::Pbes2CountTooHigh`], [`Error::KeyOperationBudget`],
    /// [`Error::InvalidParameter`] (for example an `epk` not on its curve),
    /// [`Error::RecipientCount`]. Then [`Error::DecryptionFailed`] for any cryptographic
    /// failure, and [`Error::TooLarge`] when the inflated plaintext passes the cap.
    pub fn decrypt<S: KeySource + ?Sized>(
        &self,
        token: &[u8],
        keys: &S,
    ) -> Result<Decrypted, Error> {
        self.parsed(token, |t, ciphertext| {
            self.open_with_keys(t, ciphertext, keys)
        })
    }

    /// Parses `token` and decrypts it with `open`: a compact token through
    /// [`ForDecryption`] (borrowed from the token; the same checks, errors and order as
    /// [`UnverifiedJwe::parse`], which reads every other token).
    fn parsed(
        &self,
        token: &[u8],
        open: impl FnOnce(TokenRef<'_>, Vec<u8>) -> Result<Opened, Error>,
    ) -> Result<Decrypted, Error> {
        check_len(token, &self.limits)?;
        if !is_json(token)
            && let Some(mut compact) = ForDecryption::parse(token, &self.limits)?
        {
            // Decrypted in place by `open`: the rest of the token is borrowed.
            let ciphertext = core::mem::take(&mut compact.ciphertext);
            let opened = open(compact.token_ref(), ciphertext)?;
            let header = header_of(&compact.token_ref(), opened.recipient)?;
            return self.finish(header, compact.protected, opened);
        }
        let mut jwe = UnverifiedJwe::parse_with(token, &self.limits)?;
        let ciphertext = core::mem::take(&mut jwe.ciphertext);
        let opened = open(jwe.token_ref(), ciphertext)?;
        let header = header_of(&jwe.token_ref(), opened.recipient)?;
        self.finish(header, jwe.protected, opened)
    }

    /// [`decrypt`](Self::decrypt) through the general parse only: the reference the compact
    /// fast path is tested against.
    #[cfg(test)]
    fn decrypt_general<S: KeySource + ?Sized>(
        &self,
        token: &[u8],
        keys: &S,
    ) -> Result<Decrypted, Error> {
        let jwe = UnverifiedJwe::parse_with(token, &self.limits)?;
        self.decrypt_parsed(&jwe, keys)
    }

    /// Decrypts `token` with the first of `keys` that works, as [`decrypt`](Self::decrypt)
    /// does with a set.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt).
    pub fn decrypt_with_keys(&self, token: &[u8], keys: &[Jwk]) -> Result<Decrypted, Error> {
        self.decrypt(token, keys)
    }

    /// Decrypts `token` with a key from `set`, as [`decrypt`](Self::decrypt) does.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt).
    pub fn decrypt_with_set(&self, token: &[u8], set: &JwkSet) -> Result<Decrypted, Error> {
        self.decrypt(token, set)
    }

    /// Decrypts an already parsed JWE; see [`decrypt`](Self::decrypt).
    /// The token was parsed with the default limits; this decryptor's recipient limit applies
    /// here too (its size and depth limits cannot: the token is no longer text).
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt).
    pub fn decrypt_parsed<S: KeySource + ?Sized>(
        &self,
        jwe: &UnverifiedJwe,
        keys: &S,
    ) -> Result<Decrypted, Error> {
        if jwe.recipients.len() > self.limits.max_recipients {
            return Err(Error::RecipientCount {
                rule: CountRule::RecipientsOutOfRange,
            });
        }
        let t = jwe.token_ref();
        let opened = self.open_with_keys(t, jwe.ciphertext.clone(), keys)?;
        let header = header_of(&t, opened.recipient)?;
        self.finish(header, jwe.protected.clone(), opened)
    }

    /// Checks recipient `i`'s headers against the rules and the allowlists. The headers are
    /// read where they are, never joined: the plan keeps only what key management reads.
    fn plan<'j>(&self, t: &TokenRef<'j>, i: usize) -> Result<Plan<'j>, Error> {
        let unprotected = [
            t.unprotected,
            t.recipients.get(i).and_then(|r| r.header.as_ref()),
        ];
        header::check_rules(t.protected, &unprotected, &self.critical)?;
        let view = header::View::new(t.protected, unprotected);
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
        // `dir` under an unprotected `alg`/`enc` would have an empty AAD, and accept the
        // GCM-wrapped CEK of another token under the same key as its ciphertext.
        if alg == &super::alg::DIR {
            for name in ["alg", "enc"] {
                if !t.protected.contains_key(name) {
                    return Err(Error::Unprotected { name });
                }
            }
        }
        Ok(Plan {
            recipient: i,
            alg,
            enc,
            kid: typed.kid,
            zip: typed.zip,
            params: view.key_params(alg.header_params()),
        })
    }

    /// Decrypts `token` (any serialization) through `decrypter`, a private key that stays in
    /// its store (an HSM, a cloud KMS, another thread): it does the private-key step (RSA-OAEP
    /// key decryption, ECDH agreement) and this decryptor everything else, with the same
    /// header rules, allowlists and limits as [`decrypt`](Self::decrypt). The decrypter is
    /// used whatever `kid` the token names, like a single key; each recipient whose `alg` is
    /// allowed and among the decrypter's [`algs`](Decrypter::algs) is tried in turn, those
    /// that name the decrypter's `kid` first.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt); [`Error::NoMatchingKey`] when the decrypter does none of
    /// the recipients' algorithms.
    pub fn decrypt_with_decrypter(
        &self,
        token: &[u8],
        decrypter: &dyn Decrypter,
    ) -> Result<Decrypted, Error> {
        self.parsed(token, |t, ciphertext| {
            self.open_with_decrypter(t, ciphertext, decrypter)
        })
    }

    /// The cryptography of [`decrypt_with_decrypter`](Self::decrypt_with_decrypter).
    fn open_with_decrypter(
        &self,
        t: TokenRef<'_>,
        ciphertext: Vec<u8>,
        decrypter: &dyn Decrypter,
    ) -> Result<Opened, Error> {
        let (plans, enc) = self.prepare(&t)?;
        let supported = decrypter.algs();
        let mut attempts: Vec<usize> = (0..plans.len())
            .filter(|p| {
                plans
                    .get(*p)
                    .is_some_and(|plan| supported.contains(&plan.alg))
            })
            .collect();
        // The recipients that name the decrypter's `kid` first: usually the one that opens.
        let kid = decrypter.kid();
        attempts.sort_by_key(|p| kid.is_none() || plans.get(*p).and_then(|plan| plan.kid) != kid);
        if attempts.is_empty() {
            return Err(Error::NoMatchingKey);
        }
        let aad = t.content_aad();
        let mut failure = None;
        for (n, p) in attempts.into_iter().enumerate() {
            if n >= self.max_key_operations {
                failure = Some(Error::KeyOperationBudget {
                    limit: self.max_key_operations,
                });
                break;
            }
            let (Some(plan), Some(r)) = (
                plans.get(p),
                plans
                    .get(p)
                    .and_then(|plan| t.recipients.get(plan.recipient)),
            ) else {
                continue;
            };
            let opened =
                decrypter::recover_cek(decrypter, plan.alg, enc, &plan.params, &r.encrypted_key)
                    .and_then(|cek| open_with(&t, enc, cek, &aad, ciphertext.clone()));
            match opened {
                Ok(plain) => return Ok(plan.opened(enc, plain)),
                Err(e) => {
                    if failure.is_none() || e == Error::DecryptionFailed {
                        failure = Some(e);
                    }
                }
            }
        }
        Err(failure.unwrap_or(Error::DecryptionFailed))
    }

    /// Phase 1 of a decryption: headers and allowlists, no cryptography. The recipients this
    /// decryptor accepts, and their content encryption.
    fn prepare<'j>(
        &self,
        t: &TokenRef<'j>,
    ) -> Result<(Vec<Plan<'j>>, &'static ContentEncryption), Error> {
        let mut plans: Vec<Plan> = Vec::with_capacity(t.recipients.len());
        let mut refused = None;
        for i in 0..t.recipients.len() {
            match self.plan(t, i) {
                Ok(plan) => plans.push(plan),
                // With several recipients, one this decryptor does not accept is skipped.
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        let Some(enc) = plans.first().map(|p| p.enc) else {
            return Err(refused.unwrap_or(Error::RecipientCount {
                rule: CountRule::RecipientsOutOfRange,
            }));
        };
        if t.recipients.len() > 1 && plans.iter().any(|p| p.alg.is_direct()) {
            return Err(Error::RecipientCount {
                rule: CountRule::DirectNotAlone,
            });
        }
        if t.iv.len() != enc.iv_len() {
            return Err(Error::Structure {
                expected: Shape::IvLength,
            });
        }
        if t.tag.len() != enc.tag_len() {
            return Err(Error::Structure {
                expected: Shape::TagLength,
            });
        }
        Ok((plans, enc))
    }

    /// The result of a decryption: the plaintext (inflated when `zip` was set), the header of
    /// the recipient that decrypted (`header_of`) and the protected header.
    fn finish(
        &self,
        header: OnceLock<JweHeader>,
        protected: Map<String, Value>,
        mut opened: Opened,
    ) -> Result<Decrypted, Error> {
        let plaintext = if opened.zip {
            zip::inflate(&opened.plain, self.max_plaintext)?
        } else {
            // Moved, not copied: one buffer holds the plaintext.
            SecretBytes::new(core::mem::take(&mut *opened.plain))
        };
        Ok(Decrypted {
            header,
            protected,
            alg: opened.alg,
            enc: opened.enc,
            recipient: opened.recipient,
            plaintext,
        })
    }

    /// The cryptography of [`decrypt`](Self::decrypt): the (recipient, key) pairs tried in
    /// turn; `ciphertext` is decrypted in place.
    fn open_with_keys<S: KeySource + ?Sized>(
        &self,
        t: TokenRef<'_>,
        mut ciphertext: Vec<u8>,
        source: &S,
    ) -> Result<Opened, Error> {
        let (plans, enc) = self.prepare(&t)?;

        // Phase 2: the (recipient, key) pairs to try, in order.
        let mut attempts: Vec<(usize, &Jwk)> = Vec::new();
        let mut key_error = None;
        // The error that says most: one key's own reason, a refused set, an unknown `kid`.
        let mut selection_error = None;
        for (p, plan) in plans.iter().enumerate() {
            let kid = plan.kid;
            let lookup = Lookup::new(kid, plan.alg.name(), KeyOp::Decrypt);
            // One key, or the keys of a set that `kid` selects: iterated, not collected.
            let (single, from_set, one) = match source.keys_for(&lookup)? {
                Keys::One(key) => (Some(key), None, true),
                Keys::Set(set) => match keys::by_kid(set, kid) {
                    Ok(it) => (None, Some(it), set.len() == 1),
                    Err(e) => {
                        selection_error.get_or_insert(e);
                        continue;
                    }
                },
            };
            for key in single.into_iter().chain(from_set.into_iter().flatten()) {
                match self.usable(key, plan.alg, enc) {
                    Ok(()) => attempts.push((p, key)),
                    // One key's own reason, and in a set the binding refusals (which say
                    // what to fix), are reported; other keys of a set that do not fit are not.
                    Err(e)
                        if one
                            || matches!(
                                e,
                                Error::Key(KeyError::UnboundSymmetricKey | KeyError::NotAPassword)
                            ) =>
                    {
                        key_error.get_or_insert(e);
                    }
                    Err(_) => {}
                }
            }
        }
        if attempts.is_empty() {
            return Err(key_error
                .or(selection_error)
                .unwrap_or(Error::NoMatchingKey));
        }

        // Phase 3: cryptography.
        let aad = t.content_aad();
        let mut failure = None;
        let last = attempts.len() - 1;
        let budget = u64::from(self.max_p2c) * u64::from(PBES2_BUDGET_FACTOR);
        let mut spent: u64 = 0;
        for (n, (p, key)) in attempts.into_iter().enumerate() {
            if n >= self.max_key_operations {
                failure = Some(Error::KeyOperationBudget {
                    limit: self.max_key_operations,
                });
                break;
            }
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
            let Some(r) = t.recipients.get(plan.recipient) else {
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
            let opened = ctx
                .alg
                .imp
                .unwrap(&ctx)
                .and_then(|cek| open_with(&t, enc, cek, &aad, ciphertext));
            match opened {
                Ok(plain) => return Ok(plan.opened(enc, plain)),
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

impl Plan<'_> {
    /// This recipient's content, opened.
    fn opened(&self, enc: &'static ContentEncryption, plain: Zeroizing<Vec<u8>>) -> Opened {
        Opened {
            recipient: self.recipient,
            alg: self.alg,
            enc,
            zip: self.zip,
            plain,
        }
    }
}

/// The content of one recipient, decrypted: what [`Decryptor::finish`] makes a [`Decrypted`]
/// of.
struct Opened {
    recipient: usize,
    alg: &'static KeyManagement,
    enc: &'static ContentEncryption,
    zip: bool,
    plain: Zeroizing<Vec<u8>>,
}

/// The JOSE header of `recipient`: typed on first use when it is the protected header alone
/// (the compact serialization; see [`Decrypted`]), else joined and typed now.
fn header_of(t: &TokenRef<'_>, recipient: usize) -> Result<OnceLock<JweHeader>, Error> {
    if t.only_protected(recipient) {
        Ok(OnceLock::new())
    } else {
        t.header(recipient).map(OnceLock::from)
    }
}

impl Decryptor {
    /// Whether `key` may be tried for a recipient using `alg` (the `kid` already chose it), or
    /// why not.
    fn usable(
        &self,
        key: &Jwk,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
    ) -> Result<(), Error> {
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
        match key.alg() {
            // A `dir` key may name the content encryption algorithm it is the key of (RFC 7520
            // §5.6).
            Some(bound)
                if bound != alg.name() && !(alg == &super::alg::DIR && enc.name() == bound) =>
            {
                return Err(KeyError::AlgMismatch {
                    key_alg: bound.to_owned(),
                    alg: alg.name(),
                }
                .into());
            }
            Some(_) => {}
            None if key.key_type() == KeyType::Oct => self.bind_unbound_oct(key)?,
            None => {}
        }
        let p = key.params();
        if !(p.permits(KeyOp::Decrypt)
            || p.permits(KeyOp::UnwrapKey)
            || p.permits(KeyOp::DeriveKey))
        {
            return Err(KeyError::UsageNotPermitted.into());
        }
        if !key.is_private() {
            return Err(KeyError::NotPrivate.into());
        }
        Ok(())
    }

    /// Binds an `oct` key without `alg` to the one accepted algorithm its length fits (see the
    /// [module](self) documentation), or refuses it.
    fn bind_unbound_oct(&self, key: &Jwk) -> Result<(), Error> {
        let KeyMaterial::Oct { k } = key.material() else {
            return Ok(());
        };
        let len = k.len();
        let mut passwords = 0usize;
        let mut others = 0usize;
        for a in &self.algs {
            if !a.fits(key)
                || (*a == &super::alg::DIR && !self.encs.iter().any(|e| e.key_len() == len))
            {
                continue;
            }
            if a.key_req() == KeyReq::Password {
                passwords += 1;
            } else {
                others += 1;
            }
        }
        if passwords > 0 && others > 0 && !self.oct_as_passwords {
            return Err(KeyError::NotAPassword.into());
        }
        if passwords + others > 1 && !self.unbound_oct_keys {
            return Err(KeyError::UnboundSymmetricKey.into());
        }
        Ok(())
    }
}

/// Opens the content (the ciphertext, decrypted in place) with the recovered `cek`. A CEK of
/// the wrong length becomes a random one of the right length, so that it fails at the tag
/// check like any other bad key.
fn open_with(
    t: &TokenRef<'_>,
    enc: &'static ContentEncryption,
    mut cek: SecretBytes,
    aad: &[u8],
    ciphertext: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(ciphertext);
    if cek.len() != enc.key_len() {
        cek = random(enc.key_len())?;
    }
    enc.imp
        .open(cek.expose_secret(), t.iv, aad, &mut buf, t.tag)?;
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
            let plan = d.plan(&jwe.token_ref(), i).unwrap();
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
    fn the_header_typed_on_first_use_is_the_parsed_one() {
        let key = Jwk::from_secret_bytes(&[7; 32]).unwrap().with_kid("k");
        let extra: Map<String, Value> =
            [("cty".to_owned(), "JWT".into()), ("x".to_owned(), 1.into())]
                .into_iter()
                .collect();
        let compact = Encryptor::new(&crate::jwe::A256GCM)
            .with_protected(extra.clone())
            .encrypt_compact(b"hi", &Recipient::new(&key, &crate::jwe::DIR))
            .unwrap();
        let kw = Jwk::from_secret_bytes(&[7; 16]).unwrap().with_alg("A128KW");
        let flattened = Encryptor::new(&crate::jwe::A256GCM)
            .with_unprotected(extra)
            .encrypt_flattened(b"hi", &Recipient::new(&kw, &A128KW))
            .unwrap();
        let d = Decryptor::new(&[&crate::jwe::DIR], &[&crate::jwe::A256GCM]);
        let out = d.decrypt(compact.as_bytes(), &key).unwrap();
        // Not built by the decryption, built once when asked for.
        assert!(out.header.get().is_none());
        let parsed = UnverifiedJwe::parse(compact.as_bytes()).unwrap();
        assert_eq!(out.header(), &parsed.header(0).unwrap());
        assert_eq!(
            (out.header().cty.as_deref(), out.header().other.len()),
            (Some("JWT"), 1)
        );
        assert!(core::ptr::eq(out.header(), out.header()));
        // With an unprotected header, the joint header is built by the decryption.
        let d = Decryptor::new(&[&A128KW], &[&crate::jwe::A256GCM]);
        let out = d.decrypt(flattened.as_bytes(), &kw).unwrap();
        assert!(out.header.get().is_some());
        let parsed = UnverifiedJwe::parse(flattened.as_bytes()).unwrap();
        assert_eq!(out.header(), &parsed.header(0).unwrap());
        assert_eq!(out.header().cty.as_deref(), Some("JWT"));
    }

    /// What a decryption's outcome is made of, comparable.
    type Outcome = Result<(Vec<u8>, JweHeader, Map<String, Value>, &'static str, usize), Error>;

    fn outcome(r: Result<Decrypted, Error>) -> Outcome {
        r.map(|d| {
            (
                d.plaintext().to_vec(),
                d.header().clone(),
                d.protected_header().clone(),
                d.enc().name(),
                d.recipient(),
            )
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512, ..proptest::prelude::ProptestConfig::default()
        })]

        /// The compact fast path of `decrypt` (`ForDecryption`) and the general parse agree on
        /// every token: the same plaintext and headers, or the same error.
        #[test]
        fn the_compact_fast_path_agrees_with_the_general_parse(
            plaintext in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            cbc in proptest::prelude::any::<bool>(),
            deflate in proptest::prelude::any::<bool>(),
            extra in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "kid", "cty", "zip", "crit", "x", "alg", "iv",
                    ]),
                    0..3_u8,
                ),
                0..3,
            ),
            mutation in 0..9_u8,
            at in 0..400_usize,
            with in proptest::sample::select(vec![
                b'A', b'_', b'-', b'.', b'=', b'{', b' ', b'\n',
            ]),
        ) {
            let key = Jwk::from_secret_bytes(&[1; 32]).unwrap().with_alg("dir");
            let enc = if cbc { &crate::jwe::A128CBC_HS256 } else { &crate::jwe::A256GCM };
            let extra: Map<String, Value> = extra
                .into_iter()
                .map(|(name, kind)| {
                    let value = match kind {
                        0 => Value::from(format!("{name}-v")),
                        1 => Value::from(7),
                        _ => serde_json::json!([name]),
                    };
                    (name.to_owned(), value)
                })
                .collect();
            let mut e = Encryptor::new(enc).with_protected(extra);
            if deflate {
                e = e.with_deflate();
            }
            let recipient = Recipient::new(&key, &crate::jwe::DIR);
            let Ok(token) = e.encrypt_compact(&plaintext, &recipient) else {
                // An extra member the encryptor refuses (`alg`, a bad `zip`...).
                return Ok(());
            };
            let mut t = token.into_bytes();
            let at = at % (t.len() + 1);
            match mutation {
                0 => {}
                1 => { if let Some(b) = t.get_mut(at) { *b = with; } }
                2 => { if at < t.len() { t.remove(at); } }
                3 => t.insert(at, with),
                4 => t.truncate(at),
                // An IV or tag too long for the stack: the general path reads it.
                5 => {
                    let dots: Vec<usize> =
                        (0..t.len()).filter(|i| t.get(*i) == Some(&b'.')).collect();
                    if let Some(d) = dots.get(at % 4) {
                        t.splice(d + 1..d + 1, [b'A'; 48]);
                    }
                }
                6 => t.insert(0, b' '),
                7 => t.extend_from_slice(b".AAAA"),
                _ => t = t.iter().copied().filter(|b| *b != b'.').collect(),
            }
            let d = Decryptor::new(
                &[&crate::jwe::DIR],
                &[&crate::jwe::A256GCM, &crate::jwe::A128CBC_HS256],
            );
            proptest::prop_assert_eq!(
                outcome(d.decrypt(&t, &key)),
                outcome(d.decrypt_general(&t, &key))
            );
            let tight = d
                .with_max_token_len(t.len().saturating_sub(at % 3))
                .with_max_header_members(2);
            proptest::prop_assert_eq!(
                outcome(tight.decrypt(&t, &key)),
                outcome(tight.decrypt_general(&t, &key))
            );
        }
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
