//! [`Pkcs11Decrypter`]: the private-key step of JWE decryption in the token: `C_Decrypt` of
//! the encrypted key with RSA-OAEP, or `C_DeriveKey` with `CKM_ECDH1_DERIVE` for ECDH-ES,
//! returning only the shared secret `Z` (the Concat KDF and AES key unwrap stay in zegel).

use core::fmt;

use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass};
use cryptoki::session::Session;
use cryptoki::types::Ulong;
use zegel_jose::jwe::{self, ContentEncryption, Decrypter, KeyManagement};
use zegel_jose::jwk::KeyMaterial;
use zegel_jose::{Jwk, SecretBytes};

use crate::error::Pkcs11Error;
use crate::key::{KeyKind, KeyRef, Located, Operation, inspect, permits, publish};
use crate::token::{Token, classify};

/// RSA-OAEP algorithms: the OAEP hash and the matching MGF1 (RFC 7518 §4.3, RFC 8230 style
/// SHA-384/512 variants).
/// A token may offer `CKM_RSA_PKCS_OAEP` with some hashes only (SoftHSM 2.6: SHA-1 only).
static OAEP: [(&KeyManagement, MechanismType, PkcsMgfType, &str); 4] = [
    (
        &jwe::RSA_OAEP,
        MechanismType::SHA1,
        PkcsMgfType::MGF1_SHA1,
        "CKM_RSA_PKCS_OAEP with SHA-1",
    ),
    (
        &jwe::RSA_OAEP_256,
        MechanismType::SHA256,
        PkcsMgfType::MGF1_SHA256,
        "CKM_RSA_PKCS_OAEP with SHA-256",
    ),
    (
        &jwe::RSA_OAEP_384,
        MechanismType::SHA384,
        PkcsMgfType::MGF1_SHA384,
        "CKM_RSA_PKCS_OAEP with SHA-384",
    ),
    (
        &jwe::RSA_OAEP_512,
        MechanismType::SHA512,
        PkcsMgfType::MGF1_SHA512,
        "CKM_RSA_PKCS_OAEP with SHA-512",
    ),
];

/// The OAEP mechanism of a row.
fn oaep(hash: MechanismType, mgf: PkcsMgfType) -> Mechanism<'static> {
    Mechanism::RsaPkcsOaep(PkcsOaepParams::new(hash, mgf, PkcsOaepSource::empty()))
}

/// The ECDH-ES algorithms (RFC 7518 §4.6); the token computes `Z`.
static ECDH: [&KeyManagement; 4] = [
    &jwe::ECDH_ES,
    &jwe::ECDH_ES_A128KW,
    &jwe::ECDH_ES_A192KW,
    &jwe::ECDH_ES_A256KW,
];

/// A JWE [`Decrypter`] whose private key stays in the token.
///
/// Its public JWK carries `kid` (the RFC 7638 thumbprint), `"use": "enc"` and `alg` when the
/// decrypter was bound to one.
pub struct Pkcs11Decrypter {
    token: Token,
    key: Located,
    kind: KeyKind,
    algs: Vec<&'static KeyManagement>,
    public: Jwk,
    kid: String,
}

impl Token {
    /// A decrypter for the private key `key`, for `alg` only or (`None`) every RSA-OAEP or
    /// ECDH-ES algorithm that fits the key.
    ///
    /// # Errors
    /// [`Pkcs11Error::KeyNotFound`], [`Pkcs11Error::AmbiguousKey`],
    /// [`Pkcs11Error::WrongKeyType`] (`alg` does not fit the key),
    /// [`Pkcs11Error::MechanismUnsupported`] (`CKM_RSA_PKCS_OAEP` or `CKM_ECDH1_DERIVE`),
    /// [`Pkcs11Error::PublicKeyUnreadable`], or a token failure.
    pub fn decrypter(
        &self,
        key: &KeyRef,
        alg: Option<&'static KeyManagement>,
    ) -> Result<Pkcs11Decrypter, Pkcs11Error> {
        let (kind, public) = inspect(self, key)?;
        let fitting: Vec<&'static KeyManagement> = match kind {
            KeyKind::Rsa => {
                if alg.is_none_or(|a| OAEP.iter().any(|r| r.0 == a)) {
                    permits(self, key, Operation::Decrypt)?;
                }
                self.require(MechanismType::RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP")?;
                let rows = OAEP.iter().filter(|r| alg.is_none_or(|a| a == r.0));
                let mut offered = Vec::new();
                let mut refused = None;
                for (a, hash, mgf, name) in rows {
                    // `C_DecryptInit` on a throwaway session says whether the token takes the
                    // hash; closing the session ends the operation.
                    let probe = self.run_rw(|session| {
                        let handle = key.find(session, ObjectClass::PRIVATE_KEY)?;
                        session
                            .decrypt_init(&oaep(*hash, *mgf), handle)
                            .map_err(|e| classify(&e))
                    });
                    match probe {
                        Ok(()) => offered.push(*a),
                        Err(
                            Pkcs11Error::Device { .. } | Pkcs11Error::MechanismUnsupported { .. },
                        ) => {
                            refused = Some(*name);
                        }
                        Err(e) => return Err(e),
                    }
                }
                match (offered.is_empty(), refused) {
                    (true, Some(mechanism)) => {
                        return Err(Pkcs11Error::MechanismUnsupported { mechanism });
                    }
                    _ => offered,
                }
            }
            KeyKind::Ec(..) => {
                if alg.is_none_or(|a| ECDH.contains(&a)) {
                    permits(self, key, Operation::Derive)?;
                }
                self.require(MechanismType::ECDH1_DERIVE, "CKM_ECDH1_DERIVE")?;
                ECDH.to_vec()
            }
        };
        let algs = match alg {
            None => fitting,
            Some(a) if fitting.contains(&a) => vec![a],
            Some(a) => return Err(Pkcs11Error::WrongKeyType { alg: a.name() }),
        };
        let public = publish(public, alg.map(KeyManagement::name), "enc");
        let kid = public.kid().unwrap_or_default().to_owned();
        Ok(Pkcs11Decrypter {
            token: self.clone(),
            key: Located::new(key.clone()),
            kind,
            algs,
            public,
            kid,
        })
    }

    /// The public JWK of the private key `key` (with its thumbprint as `kid`, no `alg` or
    /// `use`).
    ///
    /// # Errors
    /// As [`decrypter`](Self::decrypter), without the mechanism checks.
    pub fn public_jwk(&self, key: &KeyRef) -> Result<Jwk, Pkcs11Error> {
        let (_, public) = inspect(self, key)?;
        let kid = public.thumbprint_sha256_b64();
        Ok(public.with_kid(kid))
    }
}

impl Pkcs11Decrypter {
    /// The public JWK, to publish in the JWK Set.
    #[must_use]
    pub fn public_jwk(&self) -> &Jwk {
        &self.public
    }

    /// RSA-OAEP decryption of `encrypted_key` in the token, with the typed error.
    ///
    /// # Errors
    /// [`Pkcs11Error::WrongKeyType`] for an algorithm this decrypter does not do,
    /// [`Pkcs11Error::SessionLost`], or the token's refusal (bad padding included).
    pub fn try_unwrap_key(
        &self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
        encrypted_key: &[u8],
    ) -> Result<SecretBytes, Pkcs11Error> {
        let wrong = || Pkcs11Error::WrongKeyType { alg: alg.name() };
        if !self.algs.contains(&alg) {
            return Err(wrong());
        }
        let (_, hash, mgf, _) = OAEP.iter().find(|r| r.0 == alg).ok_or_else(wrong)?;
        let mechanism = oaep(*hash, *mgf);
        let cek = self.token.run(|session, generation| {
            let handle = self.key.handle(session, generation)?;
            session
                .decrypt(&mechanism, handle, encrypted_key)
                .map(SecretBytes::new)
                .map_err(|e| classify(&e))
        })?;
        if cek.len() != enc.key_len() {
            return Err(Pkcs11Error::Device {
                function: "Decrypt".to_owned(),
                rv: "wrong content key length".to_owned(),
            });
        }
        Ok(cek)
    }

    /// The ECDH shared secret `Z` of the token key and `epk`, with the typed error.
    ///
    /// # Errors
    /// [`Pkcs11Error::WrongKeyType`] for an algorithm this decrypter does not do or an `epk`
    /// on another curve, [`Pkcs11Error::SessionLost`], or the token's refusal.
    pub fn try_agree(
        &self,
        alg: &'static KeyManagement,
        epk: &Jwk,
    ) -> Result<SecretBytes, Pkcs11Error> {
        let wrong = || Pkcs11Error::WrongKeyType { alg: alg.name() };
        let KeyKind::Ec(crv, len) = self.kind else {
            return Err(wrong());
        };
        if !self.algs.contains(&alg) {
            return Err(wrong());
        }
        let KeyMaterial::Ec {
            crv: peer, x, y, ..
        } = epk.material()
        else {
            return Err(wrong());
        };
        if *peer != crv || x.len() != len || y.len() != len {
            return Err(wrong());
        }
        let mut point = Vec::with_capacity(1 + 2 * len);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        self.token.run(|session, generation| {
            let handle = self.key.handle(session, generation)?;
            derive_z(session, handle, &point, len)
        })
    }
}

/// `CKM_ECDH1_DERIVE` with `CKD_NULL` into a session object, read out and destroyed.
fn derive_z(
    session: &Session,
    key: cryptoki::object::ObjectHandle,
    point: &[u8],
    len: usize,
) -> Result<SecretBytes, Pkcs11Error> {
    let params = Ecdh1DeriveParams::new(EcKdf::null(), point);
    let value_len = Ulong::try_from(len).map_err(|_| Pkcs11Error::PublicKeyUnreadable)?;
    let template = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::ValueLen(value_len),
        Attribute::Token(false),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ];
    let derived = session
        .derive_key(&Mechanism::Ecdh1Derive(params), key, &template)
        .map_err(|e| classify(&e))?;
    let value = session.get_attributes(derived, &[AttributeType::Value]);
    // The session object goes whatever happened to the read.
    let destroyed = session.destroy_object(derived);
    let value = value.map_err(|e| classify(&e))?;
    destroyed.map_err(|e| classify(&e))?;
    match value.into_iter().next() {
        Some(Attribute::Value(z)) => Ok(SecretBytes::new(z)),
        _ => Err(Pkcs11Error::Device {
            function: "GetAttributeValue".to_owned(),
            rv: "no CKA_VALUE".to_owned(),
        }),
    }
}

impl Decrypter for Pkcs11Decrypter {
    fn algs(&self) -> Vec<&'static KeyManagement> {
        self.algs.clone()
    }

    fn kid(&self) -> Option<&str> {
        Some(&self.kid)
    }

    fn unwrap_key(
        &self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
        encrypted_key: &[u8],
    ) -> Result<SecretBytes, zegel_jose::Error> {
        self.try_unwrap_key(alg, enc, encrypted_key)
            .map_err(|e| e.to_jose(alg.name()))
    }

    fn agree(
        &self,
        alg: &'static KeyManagement,
        epk: &Jwk,
    ) -> Result<SecretBytes, zegel_jose::Error> {
        self.try_agree(alg, epk).map_err(|e| match e {
            Pkcs11Error::WrongKeyType { .. } => {
                zegel_jose::Error::InvalidParameter { name: "epk".into() }
            }
            e => e.to_jose(alg.name()),
        })
    }
}

impl fmt::Debug for Pkcs11Decrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algs: Vec<&str> = self.algs.iter().map(|a| a.name()).collect();
        f.debug_struct("Pkcs11Decrypter")
            .field("token", &self.token.label())
            .field("algs", &algs)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
