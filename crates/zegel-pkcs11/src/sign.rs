//! [`Pkcs11Signer`]: JWS signatures computed by the token (`C_Sign`), one table row per JWS
//! algorithm saying which mechanism computes it and over what.

use core::fmt;

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use zegel_jose::Jwk;
use zegel_jose::jwk::Curve;
use zegel_jose::jws::{self, JwsAlgorithm, Signer};

use crate::der;
use crate::error::Pkcs11Error;
use crate::key::{KeyKind, KeyRef, Located, Operation, inspect, permits, publish};
use crate::token::{Token, classify};

/// The key a row needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    Rsa,
    Ec(Curve),
}

/// How the token computes one JWS algorithm.
struct SignRow {
    alg: &'static JwsAlgorithm,
    needs: Needs,
    /// The mechanism, and its `CKM_` name for messages.
    mechanism: MechanismType,
    mechanism_name: &'static str,
    /// Whether zegel hashes the signing input first (raw `CKM_ECDSA` signs a digest).
    prehash: bool,
    /// PSS parameters: the hash and MGF1 hash, salt length = hash length (RFC 7518 §3.5).
    pss: Option<(MechanismType, PkcsMgfType, u64)>,
}

impl SignRow {
    fn mechanism(&self) -> Mechanism<'static> {
        match (self.pss, self.mechanism) {
            (Some((hash_alg, mgf, s_len)), m) => {
                let params = PkcsPssParams {
                    hash_alg,
                    mgf,
                    s_len: s_len.into(),
                };
                if m == MechanismType::SHA384_RSA_PKCS_PSS {
                    Mechanism::Sha384RsaPkcsPss(params)
                } else if m == MechanismType::SHA512_RSA_PKCS_PSS {
                    Mechanism::Sha512RsaPkcsPss(params)
                } else {
                    Mechanism::Sha256RsaPkcsPss(params)
                }
            }
            (None, m) if m == MechanismType::SHA256_RSA_PKCS => Mechanism::Sha256RsaPkcs,
            (None, m) if m == MechanismType::SHA384_RSA_PKCS => Mechanism::Sha384RsaPkcs,
            (None, m) if m == MechanismType::SHA512_RSA_PKCS => Mechanism::Sha512RsaPkcs,
            (None, _) => Mechanism::Ecdsa,
        }
    }
}

/// A row of a `CKM_SHA*_RSA_PKCS` algorithm.
const fn pkcs1(
    alg: &'static JwsAlgorithm,
    mechanism: MechanismType,
    mechanism_name: &'static str,
) -> SignRow {
    SignRow {
        alg,
        needs: Needs::Rsa,
        mechanism,
        mechanism_name,
        prehash: false,
        pss: None,
    }
}

/// A row of a `CKM_SHA*_RSA_PKCS_PSS` algorithm.
const fn pss(
    alg: &'static JwsAlgorithm,
    mechanism: MechanismType,
    mechanism_name: &'static str,
    hash: MechanismType,
    mgf: PkcsMgfType,
    salt: u64,
) -> SignRow {
    SignRow {
        alg,
        needs: Needs::Rsa,
        mechanism,
        mechanism_name,
        prehash: false,
        pss: Some((hash, mgf, salt)),
    }
}

/// A row of raw `CKM_ECDSA` over the algorithm's digest.
const fn ecdsa(alg: &'static JwsAlgorithm, crv: Curve) -> SignRow {
    SignRow {
        alg,
        needs: Needs::Ec(crv),
        mechanism: MechanismType::ECDSA,
        mechanism_name: "CKM_ECDSA",
        prehash: true,
        pss: None,
    }
}

/// The JWS algorithms a token key signs with.
static ROWS: [SignRow; 9] = [
    pkcs1(
        &jws::RS256,
        MechanismType::SHA256_RSA_PKCS,
        "CKM_SHA256_RSA_PKCS",
    ),
    pkcs1(
        &jws::RS384,
        MechanismType::SHA384_RSA_PKCS,
        "CKM_SHA384_RSA_PKCS",
    ),
    pkcs1(
        &jws::RS512,
        MechanismType::SHA512_RSA_PKCS,
        "CKM_SHA512_RSA_PKCS",
    ),
    pss(
        &jws::PS256,
        MechanismType::SHA256_RSA_PKCS_PSS,
        "CKM_SHA256_RSA_PKCS_PSS",
        MechanismType::SHA256,
        PkcsMgfType::MGF1_SHA256,
        32,
    ),
    pss(
        &jws::PS384,
        MechanismType::SHA384_RSA_PKCS_PSS,
        "CKM_SHA384_RSA_PKCS_PSS",
        MechanismType::SHA384,
        PkcsMgfType::MGF1_SHA384,
        48,
    ),
    pss(
        &jws::PS512,
        MechanismType::SHA512_RSA_PKCS_PSS,
        "CKM_SHA512_RSA_PKCS_PSS",
        MechanismType::SHA512,
        PkcsMgfType::MGF1_SHA512,
        64,
    ),
    ecdsa(&jws::ES256, Curve::P256),
    ecdsa(&jws::ES384, Curve::P384),
    ecdsa(&jws::ES512, Curve::P521),
];

/// A JWS [`Signer`] whose private key stays in the token.
///
/// Its public JWK carries `kid` (the RFC 7638 thumbprint), `alg` and `"use": "sig"`.
pub struct Pkcs11Signer {
    token: Token,
    key: Located,
    row: &'static SignRow,
    coord_len: usize,
    public: Jwk,
    kid: String,
}

impl Token {
    /// A signer for the private key `key` with `alg`.
    ///
    /// # Errors
    /// [`Pkcs11Error::KeyNotFound`], [`Pkcs11Error::AmbiguousKey`],
    /// [`Pkcs11Error::WrongKeyType`] (the key's type or curve does not fit `alg`, or `alg` is
    /// not one a token signs with), [`Pkcs11Error::MechanismUnsupported`],
    /// [`Pkcs11Error::PublicKeyUnreadable`], or a token failure.
    pub fn signer(
        &self,
        key: &KeyRef,
        alg: &'static JwsAlgorithm,
    ) -> Result<Pkcs11Signer, Pkcs11Error> {
        let wrong = Pkcs11Error::WrongKeyType { alg: alg.name() };
        let row = ROWS.iter().find(|r| r.alg == alg).ok_or(wrong.clone())?;
        let (kind, public) = inspect(self, key)?;
        let coord_len = match (row.needs, kind) {
            (Needs::Rsa, KeyKind::Rsa) => 0,
            (Needs::Ec(want), KeyKind::Ec(crv, len)) if want == crv => len,
            _ => return Err(wrong),
        };
        permits(self, key, Operation::Sign)?;
        self.require(row.mechanism, row.mechanism_name)?;
        let public = publish(public, Some(alg.name()), "sig");
        let kid = public.kid().unwrap_or_default().to_owned();
        Ok(Pkcs11Signer {
            token: self.clone(),
            key: Located::new(key.clone()),
            row,
            coord_len,
            public,
            kid,
        })
    }
}

impl Pkcs11Signer {
    /// Signs `signing_input` in the token, with the typed error on failure (the [`Signer`]
    /// trait reports it as a [`zegel_jose::Error`], see [`Pkcs11Error::to_jose`]).
    ///
    /// # Errors
    /// [`Pkcs11Error::SessionLost`] (the next call opens a new session), or a token failure.
    pub fn try_sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Pkcs11Error> {
        let row = self.row;
        let digest;
        let data = if row.prehash {
            digest = row.alg.hash_alg().digest(signing_input);
            digest.as_slice()
        } else {
            signing_input
        };
        let sig = self.token.run(|session, generation| {
            let handle = self.key.handle(session, generation)?;
            session
                .sign(&row.mechanism(), handle, data)
                .map_err(|e| classify(&e))
        })?;
        if row.prehash {
            der::ecdsa_raw(sig, self.coord_len).ok_or(Pkcs11Error::Device {
                function: "Sign".to_owned(),
                rv: "malformed ECDSA signature".to_owned(),
            })
        } else {
            Ok(sig)
        }
    }

    /// The public JWK (with `kid`, `alg`, `use`), to publish in the JWK Set.
    #[must_use]
    pub fn public_jwk(&self) -> &Jwk {
        &self.public
    }
}

impl Signer for Pkcs11Signer {
    fn alg(&self) -> &'static JwsAlgorithm {
        self.row.alg
    }

    fn kid(&self) -> Option<&str> {
        Some(&self.kid)
    }

    fn public_jwk(&self) -> Option<&Jwk> {
        Some(&self.public)
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, zegel_jose::Error> {
        self.try_sign(signing_input)
            .map_err(|e| e.to_jose(self.row.alg.name()))
    }
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token.label())
            .field("alg", &self.row.alg.name())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
