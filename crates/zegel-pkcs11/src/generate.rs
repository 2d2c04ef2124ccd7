//! Key generation inside the token: RSA and EC key pairs whose private half is sensitive and
//! not extractable, allowed to sign or to decrypt (never both).

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use zegel_jose::Jwk;
use zegel_jose::jwk::Curve;

use crate::der;
use crate::error::Pkcs11Error;
use crate::key::KeyRef;
use crate::token::{Token, classify};

/// What a generated key may do.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Sign (`CKA_SIGN`; the public half `CKA_VERIFY`).
    Sign,
    /// Decrypt and unwrap (`CKA_DECRYPT`, `CKA_UNWRAP`, and `CKA_DERIVE` for EC; the public
    /// half `CKA_ENCRYPT`, `CKA_WRAP`).
    Decrypt,
}

/// The RSA sizes the generator makes.
const RSA_BITS: [u32; 3] = [2048, 3072, 4096];

impl Token {
    /// Generates an RSA key pair of `bits` (2048, 3072 or 4096) labelled `label` with id
    /// `id`, returning its public JWK (`kid` = thumbprint).
    ///
    /// # Errors
    /// [`Pkcs11Error::KeySize`], [`Pkcs11Error::KeyExists`] when a key with `label` exists,
    /// or a token failure.
    pub fn generate_rsa(
        &self,
        label: &str,
        id: &[u8],
        bits: u32,
        purpose: KeyPurpose,
    ) -> Result<Jwk, Pkcs11Error> {
        if !RSA_BITS.contains(&bits) {
            return Err(Pkcs11Error::KeySize { bits });
        }
        let public = vec![
            Attribute::ModulusBits(u64::from(bits).into()),
            Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
        ];
        self.generate(label, id, purpose, &Mechanism::RsaPkcsKeyPairGen, public)
    }

    /// Generates an EC key pair on `crv` (P-256, P-384 or P-521), as
    /// [`generate_rsa`](Self::generate_rsa).
    ///
    /// # Errors
    /// [`Pkcs11Error::KeySize`] (with `bits` 0) for another curve, and those of
    /// [`generate_rsa`](Self::generate_rsa).
    pub fn generate_ec(
        &self,
        label: &str,
        id: &[u8],
        crv: Curve,
        purpose: KeyPurpose,
    ) -> Result<Jwk, Pkcs11Error> {
        let params = der::params_of(crv).ok_or(Pkcs11Error::KeySize { bits: 0 })?;
        let public = vec![Attribute::EcParams(params.to_vec())];
        self.generate(label, id, purpose, &Mechanism::EccKeyPairGen, public)
    }

    fn generate(
        &self,
        label: &str,
        id: &[u8],
        purpose: KeyPurpose,
        mechanism: &Mechanism<'_>,
        mut public: Vec<Attribute>,
    ) -> Result<Jwk, Pkcs11Error> {
        let key = KeyRef::label(label);
        let sign = purpose == KeyPurpose::Sign;
        let ec = matches!(mechanism, Mechanism::EccKeyPairGen);
        let common = [
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.to_vec()),
        ];
        public.extend(common.iter().cloned());
        public.extend([
            Attribute::Verify(sign),
            Attribute::Encrypt(!sign && !ec),
            Attribute::Wrap(!sign && !ec),
        ]);
        let mut private = common.to_vec();
        private.extend([
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(sign),
            Attribute::Decrypt(!sign && !ec),
            Attribute::Unwrap(!sign && !ec),
            Attribute::Derive(!sign && ec),
        ]);
        self.run_rw(|session| {
            for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
                match key.find(session, class) {
                    Err(Pkcs11Error::KeyNotFound { .. }) => {}
                    Ok(_) | Err(Pkcs11Error::AmbiguousKey { .. }) => {
                        return Err(Pkcs11Error::KeyExists {
                            key: key.describe(),
                        });
                    }
                    Err(e) => return Err(e),
                }
            }
            session
                .generate_key_pair(mechanism, &public, &private)
                .map_err(|e| classify(&e))
        })?;
        self.public_jwk(&key)
    }
}
