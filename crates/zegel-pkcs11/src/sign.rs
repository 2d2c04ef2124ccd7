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
    /// The mechanism (PSS: MGF1 of the same hash, salt length = hash length, RFC 7518 §3.5).
    mechanism: fn() -> Mechanism<'static>,
    /// Its `CKM_` name, for messages.
    mechanism_name: &'static str,
    /// Whether zegel hashes the signing input first (raw `CKM_ECDSA` signs a digest).
    prehash: bool,
}

/// PSS parameters: `hash`, MGF1 with the same hash, a salt as long as the hash.
fn pss(hash_alg: MechanismType, mgf: PkcsMgfType, salt: u64) -> PkcsPssParams {
    PkcsPssParams {
        hash_alg,
        mgf,
        s_len: salt.into(),
    }
}

/// The JWS algorithms a token key signs with.
static ROWS: [SignRow; 9] = [
    SignRow {
        alg: &jws::RS256,
        needs: Needs::Rsa,
        mechanism: || Mechanism::Sha256RsaPkcs,
        mechanism_name: "CKM_SHA256_RSA_PKCS",
        prehash: false,
    },
    SignRow {
        alg: &jws::RS384,
        needs: Needs::Rsa,
        mechanism: || Mechanism::Sha384RsaPkcs,
        mechanism_name: "CKM_SHA384_RSA_PKCS",
        prehash: false,
    },
    SignRow {
        alg: &jws::RS512,
        needs: Needs::Rsa,
        mechanism: || Mechanism::Sha512RsaPkcs,
        mechanism_name: "CKM_SHA512_RSA_PKCS",
        prehash: false,
    },
    SignRow {
        alg: &jws::PS256,
        needs: Needs::Rsa,
        mechanism: || {
            Mechanism::Sha256RsaPkcsPss(pss(MechanismType::SHA256, PkcsMgfType::MGF1_SHA256, 32))
        },
        mechanism_name: "CKM_SHA256_RSA_PKCS_PSS",
        prehash: false,
    },
    SignRow {
        alg: &jws::PS384,
        needs: Needs::Rsa,
        mechanism: || {
            Mechanism::Sha384RsaPkcsPss(pss(MechanismType::SHA384, PkcsMgfType::MGF1_SHA384, 48))
        },
        mechanism_name: "CKM_SHA384_RSA_PKCS_PSS",
        prehash: false,
    },
    SignRow {
        alg: &jws::PS512,
        needs: Needs::Rsa,
        mechanism: || {
            Mechanism::Sha512RsaPkcsPss(pss(MechanismType::SHA512, PkcsMgfType::MGF1_SHA512, 64))
        },
        mechanism_name: "CKM_SHA512_RSA_PKCS_PSS",
        prehash: false,
    },
    SignRow {
        alg: &jws::ES256,
        needs: Needs::Ec(Curve::P256),
        mechanism: || Mechanism::Ecdsa,
        mechanism_name: "CKM_ECDSA",
        prehash: true,
    },
    SignRow {
        alg: &jws::ES384,
        needs: Needs::Ec(Curve::P384),
        mechanism: || Mechanism::Ecdsa,
        mechanism_name: "CKM_ECDSA",
        prehash: true,
    },
    SignRow {
        alg: &jws::ES512,
        needs: Needs::Ec(Curve::P521),
        mechanism: || Mechanism::Ecdsa,
        mechanism_name: "CKM_ECDSA",
        prehash: true,
    },
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
        self.require((row.mechanism)().mechanism_type(), row.mechanism_name)?;
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
                .sign(&(row.mechanism)(), handle, data)
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
