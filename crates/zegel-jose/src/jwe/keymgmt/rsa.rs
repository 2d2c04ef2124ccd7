//! RSA key management (RFC 7518 §4.2, §4.3): RSAES-OAEP, and RSAES-PKCS1-v1_5 for decrypting
//! legacy tokens, through aws-lc-rs (ring has no RSA encryption).
//!
//! Decryption never fails here: when the encrypted key does not decrypt (bad padding, wrong
//! key, wrong length), the result is a random CEK of the right length, drawn before the RSA
//! operation, so the failure shows only later as a failed tag check and takes the same path
//! (RFC 7516 §11.5, RFC 3218).

#[cfg(feature = "aws-lc")]
pub(crate) use lc::{OAEP_SHA1, OAEP_SHA256, OAEP_SHA384, OAEP_SHA512, PKCS1};

#[cfg(not(feature = "aws-lc"))]
mod unavailable {
    use crate::jwe::keymgmt::Unavailable;

    pub(crate) static OAEP_SHA1: Unavailable = Unavailable("RSA-OAEP");
    pub(crate) static OAEP_SHA256: Unavailable = Unavailable("RSA-OAEP-256");
    pub(crate) static OAEP_SHA384: Unavailable = Unavailable("RSA-OAEP-384");
    pub(crate) static OAEP_SHA512: Unavailable = Unavailable("RSA-OAEP-512");
    pub(crate) static PKCS1: Unavailable = Unavailable("RSA1_5");
}
#[cfg(not(feature = "aws-lc"))]
pub(crate) use unavailable::{OAEP_SHA1, OAEP_SHA256, OAEP_SHA384, OAEP_SHA512, PKCS1};

/// Minimal DER writing for the RSA key structures aws-lc-rs imports.
#[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
pub(crate) mod der {
    use zeroize::Zeroizing;

    fn push_len(out: &mut Vec<u8>, len: usize) {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let body = bytes.get(skip..).unwrap_or_default();
        match u8::try_from(len) {
            Ok(short) if short < 0x80 => out.push(short),
            // At most 8 length bytes: the count always fits.
            _ => {
                out.push(0x80 | u8::try_from(body.len()).unwrap_or(8));
                out.extend_from_slice(body);
            }
        }
    }

    fn tlv(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
        out.push(tag);
        push_len(out, body.len());
        out.extend_from_slice(body);
    }

    /// A non-negative INTEGER from big-endian bytes.
    fn integer(out: &mut Vec<u8>, be: &[u8]) {
        let skip = be.iter().take_while(|&&b| b == 0).count();
        let be = be.get(skip..).unwrap_or_default();
        let pad = be.first().is_none_or(|&b| b & 0x80 != 0);
        out.push(0x02);
        push_len(out, be.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(be);
    }

    /// AlgorithmIdentifier { rsaEncryption, NULL }.
    const RSA_ALG_ID: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];

    /// SubjectPublicKeyInfo of an RSA public key.
    pub(crate) fn spki(n: &[u8], e: &[u8]) -> Vec<u8> {
        let mut rsa = Vec::with_capacity(n.len() + 16);
        integer(&mut rsa, n);
        integer(&mut rsa, e);
        let mut seq = Vec::with_capacity(rsa.len() + 4);
        tlv(&mut seq, 0x30, &rsa);
        let mut bits = Vec::with_capacity(seq.len() + 1);
        bits.push(0);
        bits.extend_from_slice(&seq);
        let mut body = RSA_ALG_ID.to_vec();
        tlv(&mut body, 0x03, &bits);
        let mut out = Vec::with_capacity(body.len() + 4);
        tlv(&mut out, 0x30, &body);
        out
    }

    /// PKCS #8 PrivateKeyInfo of an RSA private key, zeroized on drop.
    pub(crate) fn pkcs8(parts: [&[u8]; 8]) -> Zeroizing<Vec<u8>> {
        let mut rsa = Zeroizing::new(Vec::with_capacity(1300));
        integer(&mut rsa, &[0]);
        for p in parts {
            integer(&mut rsa, p);
        }
        let mut pkcs1 = Zeroizing::new(Vec::with_capacity(rsa.len() + 4));
        tlv(&mut pkcs1, 0x30, &rsa);
        let mut body = Zeroizing::new(Vec::with_capacity(pkcs1.len() + 24));
        integer(&mut body, &[0]);
        body.extend_from_slice(RSA_ALG_ID);
        tlv(&mut body, 0x04, &pkcs1);
        let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 4));
        tlv(&mut out, 0x30, &body);
        out
    }
}

#[cfg(feature = "aws-lc")]
mod lc {
    use aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
        OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
        Pkcs1PrivateDecryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
    };
    use zeroize::Zeroizing;

    use super::der;
    use crate::error::{Error, KeyError};
    use crate::jwe::keymgmt::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, random};
    use crate::jwk::{Jwk, KeyMaterial};
    use crate::secret::SecretBytes;

    /// RSAES-OAEP with one hash.
    pub(crate) struct Oaep(&'static OaepAlgorithm);
    /// RSAES-PKCS1-v1_5, decryption only.
    pub(crate) struct Pkcs1;

    pub(crate) static OAEP_SHA1: Oaep = Oaep(&OAEP_SHA1_MGF1SHA1);
    pub(crate) static OAEP_SHA256: Oaep = Oaep(&OAEP_SHA256_MGF1SHA256);
    pub(crate) static OAEP_SHA384: Oaep = Oaep(&OAEP_SHA384_MGF1SHA384);
    pub(crate) static OAEP_SHA512: Oaep = Oaep(&OAEP_SHA512_MGF1SHA512);
    pub(crate) static PKCS1: Pkcs1 = Pkcs1;

    /// The aws-lc-rs public key of an RSA JWK (public or private).
    pub(crate) fn public_key(key: &Jwk, alg: &'static str) -> Result<PublicEncryptingKey, Error> {
        let KeyMaterial::Rsa { n, e, .. } = key.material() else {
            return Err(KeyError::WrongKeyType { alg }.into());
        };
        PublicEncryptingKey::from_der(&der::spki(n, e)).map_err(|_| KeyError::Backend.into())
    }

    /// The aws-lc-rs private key of a private RSA JWK.
    pub(crate) fn private_key(key: &Jwk, alg: &'static str) -> Result<PrivateDecryptingKey, Error> {
        let KeyMaterial::Rsa { n, e, private } = key.material() else {
            return Err(KeyError::WrongKeyType { alg }.into());
        };
        let p = private.as_deref().ok_or(KeyError::NotPrivate)?;
        let pkcs8 = der::pkcs8([
            n,
            e,
            p.d.expose_secret(),
            p.p.expose_secret(),
            p.q.expose_secret(),
            p.dp.expose_secret(),
            p.dq.expose_secret(),
            p.qi.expose_secret(),
        ]);
        PrivateDecryptingKey::from_pkcs8(&pkcs8).map_err(|_| KeyError::InvalidPrivateKey.into())
    }

    /// The cache tags of prepared RSA-OAEP keys (see `Jwk::prepared`).
    const PUBLIC_TAG: &str = "jwe:rsa-oaep-public";
    const PRIVATE_TAG: &str = "jwe:rsa-oaep-private";

    impl KeyManager for Oaep {
        fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
            let cek = ctx.cek.ok_or(Error::DecryptionFailed)?;
            // Parsed by aws-lc once per key, then kept with the key.
            let key = ctx.key.prepared().get_or_try_init(PUBLIC_TAG, || {
                OaepPublicEncryptingKey::new(public_key(ctx.key, ctx.alg.name())?)
                    .map_err(|_| Error::Key(KeyError::Backend))
            })?;
            let mut out = vec![0; key.ciphertext_size()];
            let len = key
                .encrypt(self.0, cek.expose_secret(), &mut out, None)
                .map_err(|_| KeyError::Backend)?
                .len();
            out.truncate(len);
            Ok(Wrapped {
                cek: None,
                encrypted_key: out,
                params: serde_json::Map::new(),
            })
        }

        fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
            // Parsed (and checked) by aws-lc once per key, then kept with the key.
            let key = ctx.key.prepared().get_or_try_init(PRIVATE_TAG, || {
                OaepPrivateDecryptingKey::new(private_key(ctx.key, ctx.alg.name())?)
                    .map_err(|_| Error::Key(KeyError::Backend))
            })?;
            // Drawn first, so both outcomes do the same work.
            let fallback = random(ctx.enc.key_len())?;
            let mut out = Zeroizing::new(vec![0; key.min_output_size()]);
            Ok(select(
                key.decrypt(self.0, ctx.encrypted_key, &mut out, None)
                    .ok()
                    .map(|p| &*p),
                fallback,
            ))
        }
    }

    impl KeyManager for Pkcs1 {
        fn wrap(&self, _: &WrapCtx<'_>) -> Result<Wrapped, Error> {
            Err(Error::AlgNotAllowed {
                alg: "RSA1_5".into(),
            })
        }

        fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
            let key = Pkcs1PrivateDecryptingKey::new(private_key(ctx.key, ctx.alg.name())?)
                .map_err(|_| Error::Key(KeyError::Backend))?;
            let fallback = random(ctx.enc.key_len())?;
            let mut out = Zeroizing::new(vec![0; key.min_output_size()]);
            Ok(select(
                key.decrypt(ctx.encrypted_key, &mut out).ok().map(|p| &*p),
                fallback,
            ))
        }
    }

    /// The decrypted key when it has the CEK's length, else the random fallback.
    fn select(decrypted: Option<&[u8]>, fallback: SecretBytes) -> SecretBytes {
        match decrypted {
            Some(cek) if cek.len() == fallback.len() => SecretBytes::from_slice(cek),
            _ => fallback,
        }
    }
}
