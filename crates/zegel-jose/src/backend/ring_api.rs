//! The JWS parts that `ring` and `aws-lc-rs` share word for word (aws-lc-rs keeps ring's API):
//! HMAC, the RSA rows and signer, the ECDSA signer and the Ed25519 key pair. Each of the two
//! backend modules expands [`ring_api_jws!`] with its own library and adds what differs: how a
//! public key is held for verification (aws-lc-rs parses it once, ring verifies from its
//! components each time), the ECDSA key pair's constructor, and Ed25519 signing.

/// Expands, in the calling backend module, the JWS items common to `ring` and `aws-lc-rs`, for
/// the library crate `$lib`.
macro_rules! ring_api_jws {
    ($lib:ident) => {
        /// HMAC with one SHA-2 hash (RFC 7518 §3.2).
        pub(crate) struct Hmac(::$lib::hmac::Algorithm);

        pub(crate) static HMAC_SHA256: Hmac = Hmac(::$lib::hmac::HMAC_SHA256);
        pub(crate) static HMAC_SHA384: Hmac = Hmac(::$lib::hmac::HMAC_SHA384);
        pub(crate) static HMAC_SHA512: Hmac = Hmac(::$lib::hmac::HMAC_SHA512);

        struct HmacKey(::$lib::hmac::Key);

        impl Hmac {
            fn key(&self, key: &$crate::jwk::KeyMaterial) -> Result<HmacKey, $crate::error::Error> {
                let $crate::jwk::KeyMaterial::Oct { k } = key else {
                    return Err($crate::backend::wrong_type());
                };
                Ok(HmacKey(::$lib::hmac::Key::new(self.0, k.expose_secret())))
            }
        }

        impl $crate::backend::SignImpl for Hmac {
            fn prepare(
                &self,
                key: &$crate::jwk::KeyMaterial,
            ) -> Result<Box<dyn $crate::backend::PreparedSigner>, $crate::error::Error> {
                Ok(Box::new(self.key(key)?))
            }
        }

        impl $crate::backend::VerifyImpl for Hmac {
            fn prepare(
                &self,
                key: &$crate::jwk::KeyMaterial,
            ) -> Result<Box<dyn $crate::backend::PreparedVerifier>, $crate::error::Error> {
                Ok(Box::new(self.key(key)?))
            }
        }

        impl $crate::backend::PreparedSigner for HmacKey {
            fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, $crate::error::Error> {
                Ok(::$lib::hmac::sign(&self.0, msg).as_ref().to_vec())
            }
        }

        impl $crate::backend::PreparedVerifier for HmacKey {
            fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), $crate::error::Error> {
                ::$lib::hmac::verify(&self.0, msg, sig)
                    .map_err(|_| $crate::error::Error::InvalidSignature)
            }
        }

        /// RSASSA-PKCS1-v1_5 or RSASSA-PSS with one SHA-2 hash (RFC 7518 §3.3, §3.5).
        pub(crate) struct Rsa {
            sign: &'static dyn ::$lib::signature::RsaEncoding,
            verify: &'static ::$lib::signature::RsaParameters,
        }

        pub(crate) static RSA_PKCS1_SHA256: Rsa = Rsa {
            sign: &::$lib::signature::RSA_PKCS1_SHA256,
            verify: &::$lib::signature::RSA_PKCS1_2048_8192_SHA256,
        };
        pub(crate) static RSA_PKCS1_SHA384: Rsa = Rsa {
            sign: &::$lib::signature::RSA_PKCS1_SHA384,
            verify: &::$lib::signature::RSA_PKCS1_2048_8192_SHA384,
        };
        pub(crate) static RSA_PKCS1_SHA512: Rsa = Rsa {
            sign: &::$lib::signature::RSA_PKCS1_SHA512,
            verify: &::$lib::signature::RSA_PKCS1_2048_8192_SHA512,
        };
        pub(crate) static RSA_PSS_SHA256: Rsa = Rsa {
            sign: &::$lib::signature::RSA_PSS_SHA256,
            verify: &::$lib::signature::RSA_PSS_2048_8192_SHA256,
        };
        pub(crate) static RSA_PSS_SHA384: Rsa = Rsa {
            sign: &::$lib::signature::RSA_PSS_SHA384,
            verify: &::$lib::signature::RSA_PSS_2048_8192_SHA384,
        };
        pub(crate) static RSA_PSS_SHA512: Rsa = Rsa {
            sign: &::$lib::signature::RSA_PSS_SHA512,
            verify: &::$lib::signature::RSA_PSS_2048_8192_SHA512,
        };

        /// The RSA private key of modulus `n` and public exponent `e`, as the library takes it
        /// (signing here, key checks in `keys.rs`).
        pub(crate) fn rsa_components<'k>(
            n: &'k [u8],
            e: &'k [u8],
            private: &'k $crate::jwk::RsaPrivate,
        ) -> ::$lib::rsa::KeyPairComponents<&'k [u8]> {
            ::$lib::rsa::KeyPairComponents {
                public_key: ::$lib::rsa::PublicKeyComponents { n, e },
                d: private.d.expose_secret(),
                p: private.p.expose_secret(),
                q: private.q.expose_secret(),
                dP: private.dp.expose_secret(),
                dQ: private.dq.expose_secret(),
                qInv: private.qi.expose_secret(),
            }
        }

        struct RsaSigner {
            key: ::$lib::signature::RsaKeyPair,
            padding: &'static dyn ::$lib::signature::RsaEncoding,
            rng: ::$lib::rand::SystemRandom,
        }

        impl $crate::backend::SignImpl for Rsa {
            fn prepare(
                &self,
                key: &$crate::jwk::KeyMaterial,
            ) -> Result<Box<dyn $crate::backend::PreparedSigner>, $crate::error::Error> {
                let $crate::jwk::KeyMaterial::Rsa { n, e, private } = key else {
                    return Err($crate::backend::wrong_type());
                };
                let private = private
                    .as_deref()
                    .ok_or($crate::error::KeyError::NotPrivate)?;
                let key =
                    ::$lib::signature::RsaKeyPair::from_components(&rsa_components(n, e, private))
                        .map_err(|_| $crate::error::KeyError::InvalidPrivateKey)?;
                Ok(Box::new(RsaSigner {
                    key,
                    padding: self.sign,
                    rng: ::$lib::rand::SystemRandom::new(),
                }))
            }
        }

        impl $crate::backend::PreparedSigner for RsaSigner {
            fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, $crate::error::Error> {
                use ::$lib::signature::KeyPair as _;
                let mut out = vec![0; self.key.public_key().modulus_len()];
                self.key
                    .sign(self.padding, &self.rng, msg, &mut out)
                    .map_err(|_| $crate::error::Error::Random)?;
                Ok(out)
            }
        }

        /// ECDSA with a fixed-length `R || S` signature (RFC 7518 §3.4, RFC 8812 §3.2).
        pub(crate) struct Ecdsa {
            sign: &'static ::$lib::signature::EcdsaSigningAlgorithm,
            verify: &'static ::$lib::signature::EcdsaVerificationAlgorithm,
        }

        pub(crate) static ECDSA_P256_SHA256: Ecdsa = Ecdsa {
            sign: &::$lib::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            verify: &::$lib::signature::ECDSA_P256_SHA256_FIXED,
        };
        pub(crate) static ECDSA_P384_SHA384: Ecdsa = Ecdsa {
            sign: &::$lib::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            verify: &::$lib::signature::ECDSA_P384_SHA384_FIXED,
        };

        struct EcdsaSigner {
            key: ::$lib::signature::EcdsaKeyPair,
            rng: ::$lib::rand::SystemRandom,
        }

        impl $crate::backend::PreparedSigner for EcdsaSigner {
            fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, $crate::error::Error> {
                let s = self
                    .key
                    .sign(&self.rng, msg)
                    .map_err(|_| $crate::error::Error::Random)?;
                Ok(s.as_ref().to_vec())
            }
        }

        /// Ed25519 (RFC 8037 §3.1).
        pub(crate) struct Ed25519;

        pub(crate) static ED25519: Ed25519 = Ed25519;

        struct Ed25519Signer(::$lib::signature::Ed25519KeyPair);

        impl $crate::backend::SignImpl for Ed25519 {
            fn prepare(
                &self,
                key: &$crate::jwk::KeyMaterial,
            ) -> Result<Box<dyn $crate::backend::PreparedSigner>, $crate::error::Error> {
                let $crate::jwk::KeyMaterial::Okp { x, d, .. } = key else {
                    return Err($crate::backend::wrong_type());
                };
                let d = d.as_ref().ok_or($crate::error::KeyError::NotPrivate)?;
                let key = ::$lib::signature::Ed25519KeyPair::from_seed_and_public_key(
                    d.expose_secret(),
                    x,
                )
                .map_err(|_| $crate::error::KeyError::InvalidPrivateKey)?;
                Ok(Box::new(Ed25519Signer(key)))
            }
        }
    };
}
pub(crate) use ring_api_jws;
