//! RSA encryption through aws-lc-rs (ring has none): RSAES-OAEP, and RSAES-PKCS1-v1_5
//! decryption for legacy tokens.
//!
//! Keys are DER-encoded with the `pkcs1`/`pkcs8` encoders (the ones PEM export uses), parsed by
//! aws-lc once per [`Jwk`], and kept in the key's prepared-key slot: the private key under one
//! tag for every RSA key management algorithm, so RSA1_5 and the OAEP variants share the parse.

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};
use core::ops::Deref;

use zeroize::Zeroizing;

use crate::backend::RsaEncryption;
use crate::error::{Error, KeyError};
use crate::jwk::{Jwk, KeyMaterial};

/// The prepared-key tags (see `Jwk::prepared`).
const PUBLIC_TAG: &str = "jwe:rsa-public";
const PRIVATE_TAG: &str = "jwe:rsa-private";

/// RSAES-OAEP with one hash.
pub(crate) struct Oaep(&'static OaepAlgorithm);
/// RSAES-PKCS1-v1_5; it never encrypts.
pub(crate) struct Pkcs1;

pub(crate) static RSA_OAEP_SHA1: Oaep = Oaep(&OAEP_SHA1_MGF1SHA1);
pub(crate) static RSA_OAEP_SHA256: Oaep = Oaep(&OAEP_SHA256_MGF1SHA256);
pub(crate) static RSA_OAEP_SHA384: Oaep = Oaep(&OAEP_SHA384_MGF1SHA384);
pub(crate) static RSA_OAEP_SHA512: Oaep = Oaep(&OAEP_SHA512_MGF1SHA512);
pub(crate) static RSA_PKCS1: Pkcs1 = Pkcs1;

/// Checks that `key` is RSA.
fn rsa(key: &Jwk, alg: &'static str) -> Result<(), Error> {
    match key.material() {
        KeyMaterial::Rsa { .. } => Ok(()),
        _ => Err(KeyError::WrongKeyType { alg }.into()),
    }
}

/// The aws-lc-rs RSA-OAEP public key of an RSA JWK (public or private), parsed once per key
/// and kept ready to encrypt (only OAEP encrypts).
fn oaep_public_key<'k>(
    key: &'k Jwk,
    alg: &'static str,
) -> Result<impl Deref<Target = OaepPublicEncryptingKey> + 'k, Error> {
    rsa(key, alg)?;
    key.prepared().get_or_try_init(PUBLIC_TAG, || {
        let der = crate::jwk::pem::spki_der(key.material())?;
        let public =
            PublicEncryptingKey::from_der(&der).map_err(|_| Error::Key(KeyError::Backend))?;
        OaepPublicEncryptingKey::new(public).map_err(|_| Error::Key(KeyError::Backend))
    })
}

/// The aws-lc-rs private key of a private RSA JWK, parsed (and checked) once per key.
fn private_key(key: &Jwk, alg: &'static str) -> Result<PrivateDecryptingKey, Error> {
    rsa(key, alg)?;
    let parsed = key.prepared().get_or_try_init(PRIVATE_TAG, || {
        let der = crate::jwk::pem::pkcs8_der(key.material())?;
        PrivateDecryptingKey::from_pkcs8(&der).map_err(|_| Error::Key(KeyError::InvalidPrivateKey))
    })?;
    // A reference-count increment, not a copy.
    Ok(parsed.clone())
}

impl RsaEncryption for Oaep {
    fn encrypt(&self, key: &Jwk, alg: &'static str, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let key = oaep_public_key(key, alg)?;
        let mut out = vec![0; key.ciphertext_size()];
        let len = key
            .encrypt(self.0, msg, &mut out, None)
            .map_err(|_| KeyError::Backend)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn decrypt(
        &self,
        key: &Jwk,
        alg: &'static str,
        ciphertext: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let key =
            OaepPrivateDecryptingKey::new(private_key(key, alg)?).map_err(|_| KeyError::Backend)?;
        let mut out = Zeroizing::new(vec![0; key.min_output_size()]);
        let len = match key.decrypt(self.0, ciphertext, &mut out, None) {
            Ok(p) => p.len(),
            Err(_) => return Ok(None),
        };
        out.truncate(len);
        Ok(Some(out))
    }
}

impl RsaEncryption for Pkcs1 {
    fn encrypt(&self, _: &Jwk, alg: &'static str, _: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::AlgNotAllowed { alg: alg.into() })
    }

    fn decrypt(
        &self,
        key: &Jwk,
        alg: &'static str,
        ciphertext: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let key = Pkcs1PrivateDecryptingKey::new(private_key(key, alg)?)
            .map_err(|_| KeyError::Backend)?;
        let mut out = Zeroizing::new(vec![0; key.min_output_size()]);
        let len = match key.decrypt(ciphertext, &mut out) {
            Ok(p) => p.len(),
            Err(_) => return Ok(None),
        };
        out.truncate(len);
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa_key() -> Jwk {
        let all: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/vectors/jws-test-keys.json"))
                .unwrap();
        Jwk::parse(all["rsa2048"].to_string().as_bytes()).unwrap()
    }

    /// RSA1_5 parses its key once, like the OAEP paths, and both share the parse: after the
    /// first try, the key's slot holds the parsed key and a failing `make` is never called.
    #[test]
    fn rsa1_5_parses_the_key_once() {
        let key = rsa_key();
        let garbage = [7u8; 256];
        assert_eq!(RSA_PKCS1.decrypt(&key, "RSA1_5", &garbage).unwrap(), None);
        let cached = key
            .prepared()
            .get_or_try_init::<PrivateDecryptingKey>(PRIVATE_TAG, || Err(Error::Random));
        assert!(cached.is_ok());
        // The OAEP path reads the same parse.
        let ct = RSA_OAEP_SHA256
            .encrypt(&key, "RSA-OAEP-256", b"0123456789abcdef")
            .unwrap();
        let pt = RSA_OAEP_SHA256
            .decrypt(&key, "RSA-OAEP-256", &ct)
            .unwrap()
            .unwrap();
        assert_eq!(&pt[..], b"0123456789abcdef");
        assert_eq!(RSA_PKCS1.decrypt(&key, "RSA1_5", &ct).unwrap(), None);
    }

    #[test]
    fn rsa1_5_never_encrypts_and_needs_a_private_rsa_key() {
        let key = rsa_key();
        assert_eq!(
            RSA_PKCS1.encrypt(&key, "RSA1_5", b"x"),
            Err(Error::AlgNotAllowed {
                alg: "RSA1_5".into()
            })
        );
        let oct = Jwk::parse(br#"{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}"#).unwrap();
        assert_eq!(
            RSA_PKCS1.decrypt(&oct, "RSA1_5", &[0; 256]),
            Err(KeyError::WrongKeyType { alg: "RSA1_5" }.into())
        );
    }
}
