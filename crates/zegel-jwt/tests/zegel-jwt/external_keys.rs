//! Keys that never leave their store: a [`Signer`] and a [`Decrypter`] whose private keys live
//! in another thread (as in an HSM or a cloud KMS) and answer over a channel. They sign a JWS,
//! a JWT and a nested JWT, and decrypt the nested JWT, without ever handing the key out.

use core::time::Duration;
use std::sync::mpsc;
use std::thread;

use serde::{Deserialize, Serialize};
use zegel_jose::SecretBytes;
use zegel_jose::jwe::{self, ContentEncryption, Decrypter, KeyManagement};
use zegel_jose::jwk::{Curve, KeySpec};
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, Signer, SigningKey, Verifier};
use zegel_jose::{Error as JoseError, Jwk};
use zegel_jwt::{Claims, Decryption, UnixTime, Validation};

use crate::common::{NOW, available};

type Reply<T> = mpsc::Sender<Result<T, JoseError>>;

/// What the store is asked; its answers never contain the key.
enum Request {
    Sign(Vec<u8>, Reply<Vec<u8>>),
    Unwrap(
        &'static KeyManagement,
        &'static ContentEncryption,
        Vec<u8>,
        Reply<SecretBytes>,
    ),
    Agree(&'static KeyManagement, Box<Jwk>, Reply<SecretBytes>),
}

/// The front of a key store: a channel to the thread that holds the private key, and the
/// key's public facts. It has no field that could hold the private key.
struct Vault {
    requests: mpsc::Sender<Request>,
    alg: &'static JwsAlgorithm,
    algs: Vec<&'static KeyManagement>,
    kid: Option<String>,
    public: Option<Jwk>,
}

impl Vault {
    /// Moves `key` into a new thread; only its public part stays here.
    fn new(key: Jwk, alg: &'static JwsAlgorithm) -> Self {
        let (requests, inbox) = mpsc::channel::<Request>();
        let public = key.to_public();
        let kid = key.kid().map(str::to_owned);
        let algs = Decrypter::algs(&key);
        thread::spawn(move || {
            for request in inbox {
                // A reply nobody waits for any more is dropped.
                match request {
                    Request::Sign(input, reply) => {
                        let signed =
                            SigningKey::new(&key, alg).and_then(|s| Signer::sign(&s, &input));
                        let _ = reply.send(signed);
                    }
                    Request::Unwrap(a, enc, ek, reply) => {
                        let _ = reply.send(key.unwrap_key(a, enc, &ek));
                    }
                    Request::Agree(a, epk, reply) => {
                        let _ = reply.send(key.agree(a, &epk));
                    }
                }
            }
        });
        Self {
            requests,
            alg,
            algs,
            kid,
            public,
        }
    }

    fn ask<T>(&self, request: impl FnOnce(Reply<T>) -> Request) -> Result<T, JoseError> {
        let (reply, answer) = mpsc::channel();
        self.requests
            .send(request(reply))
            .map_err(|_| JoseError::DecryptionFailed)?;
        answer.recv().map_err(|_| JoseError::DecryptionFailed)?
    }
}

impl Signer for Vault {
    fn alg(&self) -> &'static JwsAlgorithm {
        self.alg
    }

    fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn public_jwk(&self) -> Option<&Jwk> {
        self.public.as_ref()
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError> {
        self.ask(|reply| Request::Sign(signing_input.to_vec(), reply))
    }
}

impl Decrypter for Vault {
    fn algs(&self) -> Vec<&'static KeyManagement> {
        self.algs.clone()
    }

    fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn unwrap_key(
        &self,
        alg: &'static KeyManagement,
        enc: &'static ContentEncryption,
        encrypted_key: &[u8],
    ) -> Result<SecretBytes, JoseError> {
        self.ask(|reply| Request::Unwrap(alg, enc, encrypted_key.to_vec(), reply))
    }

    fn agree(&self, alg: &'static KeyManagement, epk: &Jwk) -> Result<SecretBytes, JoseError> {
        self.ask(|reply| Request::Agree(alg, Box::new(epk.clone()), reply))
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
struct IdToken {
    nonce: String,
}

fn claims() -> Claims<IdToken> {
    Claims::new(IdToken {
        nonce: "n-ext".into(),
    })
    .with_issuer("https://bank.example")
    .with_audience("client-1")
    .with_lifetime(UnixTime::from_secs(NOW), Duration::from_secs(300))
    .unwrap()
}

fn validation() -> Validation {
    Validation::new(&[&jws::ES256])
        .issuer("https://bank.example")
        .audience("client-1")
}

fn signing_vault() -> Vault {
    let key = Jwk::generate(&KeySpec::Ec(Curve::P256))
        .unwrap()
        .with_kid("hsm-sig")
        .with_use("sig");
    Vault::new(key, &jws::ES256)
}

#[test]
fn a_signer_in_another_thread_signs_jws_and_jwt() {
    let vault = signing_vault();
    let signer: &dyn Signer = &vault;
    let public = signer.public_jwk().unwrap().clone();
    assert!(!public.is_private());
    assert_eq!(signer.kid(), Some("hsm-sig"));
    let token = jws::sign_compact(b"payload", signer, &JwsHeader::new()).unwrap();
    assert_eq!(
        Verifier::new(&[&jws::ES256])
            .verify(token.as_bytes(), &public)
            .unwrap()
            .payload(),
        b"payload"
    );
    let jwt = zegel_jwt::sign(&claims(), signer).unwrap();
    let verified =
        zegel_jwt::verify_as::<IdToken>(&jwt, &public, &validation(), UnixTime::from_secs(NOW))
            .unwrap();
    assert_eq!(verified.claims(), &claims());
    assert_eq!(verified.header().unwrap().kid.as_deref(), Some("hsm-sig"));
    // The reject twin: another key does not verify what the vault signed.
    let other = Jwk::generate(&KeySpec::Ec(Curve::P256)).unwrap();
    assert_eq!(
        Verifier::new(&[&jws::ES256])
            .verify(token.as_bytes(), &other.to_public().unwrap())
            .unwrap_err(),
        JoseError::InvalidSignature
    );
}

#[test]
fn a_decrypter_in_another_thread_opens_a_nested_jwt() {
    let cases: [(KeySpec, &'static KeyManagement); 3] = [
        (KeySpec::Rsa { bits: 2048 }, &jwe::RSA_OAEP_256),
        (KeySpec::Ec(Curve::P256), &jwe::ECDH_ES_A128KW),
        (KeySpec::Okp(Curve::X25519), &jwe::ECDH_ES),
    ];
    for (spec, alg) in cases {
        if !available(&[alg]) {
            continue;
        }
        let signer = signing_vault();
        let key = Jwk::generate(&spec).unwrap().with_kid("hsm-enc");
        let decrypter = Vault::new(key, &jws::ES256);
        assert!(Decrypter::algs(&decrypter).contains(&alg), "{alg:?}");
        let recipient = Signer::public_jwk(&decrypter).unwrap().clone();
        let token =
            zegel_jwt::sign_and_encrypt(&claims(), &signer, &recipient, alg, &jwe::A128CBC_HS256)
                .unwrap();
        let decryption = Decryption::new(&[alg], &[&jwe::A128CBC_HS256]);
        let issuer = signer.public_jwk().unwrap().clone();
        let verified = zegel_jwt::decrypt_with_decrypter(&token, &decryption, &decrypter)
            .unwrap()
            .verify_as::<IdToken>(&issuer, &validation(), UnixTime::from_secs(NOW))
            .unwrap();
        assert_eq!(verified.claims(), &claims(), "{alg:?}");
        // The reject twins: a decrypter that does not do the token's algorithm, and a token
        // for another key.
        let other = Jwk::generate(&spec).unwrap();
        let elsewhere = zegel_jwt::sign_and_encrypt(
            &claims(),
            &signer,
            &other.to_public().unwrap(),
            alg,
            &jwe::A128CBC_HS256,
        )
        .unwrap();
        assert_eq!(
            zegel_jwt::decrypt_with_decrypter(&elsewhere, &decryption, &decrypter).unwrap_err(),
            zegel_jwt::Error::Jose(JoseError::DecryptionFailed),
            "{alg:?}"
        );
        let signing_only = signing_vault();
        assert_eq!(
            zegel_jwt::decrypt_with_decrypter(&token, &decryption, &signing_only)
                .map(|_| ())
                .unwrap_err(),
            // A signing key (`use: sig`) decrypts for no algorithm.
            zegel_jwt::Error::Jose(JoseError::NoMatchingKey),
            "{alg:?}"
        );
    }
}
