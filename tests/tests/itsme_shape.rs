//! The layers together, in the shape of an itsme® login: a partner JWK Set made and published
//! with zegel-jose, a request object signed then encrypted to the provider, an ID token signed by
//! the provider then encrypted to the partner, opened into a typed struct with zegel-jwt, and
//! partner key rotation. Every accepted step has its refused twin.

#![cfg(test)]

use std::time::Duration;

use serde::Deserialize;
use zegel_jose::jwe::{self, KeyManagement};
use zegel_jose::jwk::{KeyOp, KeyQuery, KeySpec};
use zegel_jose::jws::{self, SigningKey};
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::{Claims, Decryption, Error, UnixTime, Validation};

const CLIENT_ID: &str = "partner-client";
const ISSUER: &str = "https://idp.e2e.itsme.services/v2";
const NOW: u64 = 1_800_000_000;

/// An RSA key for `alg` and `use`, with its RFC 7638 thumbprint as `kid`, as `zegel jwks
/// generate` makes them.
fn rsa_key(alg: &str, use_: &str) -> Jwk {
    let key = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_alg(alg)
        .with_use(use_);
    let kid = key.thumbprint_sha256_b64();
    key.with_kid(kid)
}

/// A party's private set, and the public set it publishes, read back from its JSON text as a
/// relying party would fetch it.
fn publish(keys: Vec<Jwk>) -> (JwkSet, JwkSet) {
    let private = JwkSet::new(keys);
    let public = JwkSet::parse(private.to_public_json().as_bytes()).unwrap();
    assert!(public.keys().iter().all(|k| !k.is_private()));
    (private, public)
}

fn encryption_key(public: &JwkSet) -> &Jwk {
    let query = KeyQuery::new()
        .with_alg(jwe::RSA_OAEP_256.name())
        .with_op(KeyOp::Encrypt);
    public.select(&query).next().expect("an encryption key")
}

fn signing_key(private: &JwkSet) -> SigningKey {
    let query = KeyQuery::new().with_alg("RS256").with_op(KeyOp::Sign);
    SigningKey::new(
        private.select(&query).next().expect("a signing key"),
        &jws::RS256,
    )
    .unwrap()
}

/// The claims of the ID token, read into the partner's own type.
#[derive(Debug, Deserialize, PartialEq)]
struct IdToken {
    nonce: String,
    #[serde(rename = "http://itsme.services/v2/claim/BENationalNumber")]
    national_number: String,
}

fn id_token_claims() -> Claims {
    let mut claims = Claims::new(serde_json::Map::new())
        .with_issuer(ISSUER)
        .with_subject("itsme-user-42")
        .with_audience(CLIENT_ID)
        .with_lifetime(UnixTime::from_secs(NOW), Duration::from_secs(300))
        .unwrap();
    claims.extra.insert("nonce".into(), "n-0S6_WzA2Mj".into());
    claims.extra.insert(
        "http://itsme.services/v2/claim/BENationalNumber".into(),
        "85073003328".into(),
    );
    claims
}

fn id_token_validation() -> Validation {
    Validation::new(&[&jws::RS256])
        .issuer(ISSUER)
        .audience(CLIENT_ID)
}

fn itsme_decryption() -> Decryption {
    Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256])
}

fn seal(claims: &Claims, signer: &SigningKey, to: &Jwk, alg: &'static KeyManagement) -> String {
    zegel_jwt::sign_and_encrypt(claims, signer, to, alg, &jwe::A128CBC_HS256).unwrap()
}

#[test]
fn an_id_token_from_the_provider_opens_into_the_partners_type() {
    let (partner_private, partner_public) = publish(vec![
        rsa_key("RS256", "sig"),
        rsa_key("RSA-OAEP-256", "enc"),
    ]);
    let (provider_private, provider_public) = publish(vec![rsa_key("RS256", "sig")]);

    let token = seal(
        &id_token_claims(),
        &signing_key(&provider_private),
        encryption_key(&partner_public),
        &jwe::RSA_OAEP_256,
    );
    let open = |validation: &Validation, decrypt_with: &JwkSet, verify_with: &JwkSet| {
        zegel_jwt::open_as::<IdToken>(
            &token,
            &itsme_decryption(),
            validation,
            zegel_jwt::OpenKeys {
                recipient: decrypt_with,
                issuer: verify_with,
            },
            UnixTime::from_secs(NOW + 60),
        )
    };

    let verified = open(&id_token_validation(), &partner_private, &provider_public).unwrap();
    assert_eq!(
        verified.claims().extra,
        IdToken {
            nonce: "n-0S6_WzA2Mj".into(),
            national_number: "85073003328".into(),
        }
    );
    assert_eq!(verified.claims().sub.as_deref(), Some("itsme-user-42"));
    assert_eq!(verified.alg(), Some(&jws::RS256));
    let outer = verified.encryption_header().unwrap();
    assert_eq!(outer.cty.as_deref(), Some("JWT"));
    assert_eq!(outer.kid.as_deref(), encryption_key(&partner_public).kid());

    // The provider's keys cannot decrypt it, and the partner's keys did not sign it.
    assert!(matches!(
        open(&id_token_validation(), &provider_private, &provider_public),
        Err(Error::Jose(zegel_jose::Error::UnknownKid { .. }))
    ));
    assert!(matches!(
        open(&id_token_validation(), &partner_private, &partner_public),
        Err(Error::Jose(zegel_jose::Error::UnknownKid { .. }))
    ));
    // An ID token for another client.
    let other_client = Validation::new(&[&jws::RS256])
        .issuer(ISSUER)
        .audience("someone-else");
    assert!(matches!(
        open(&other_client, &partner_private, &provider_public),
        Err(Error::WrongAudience { .. })
    ));
    // A validation that only accepts PS256.
    let ps256_only = Validation::new(&[&jws::PS256])
        .issuer(ISSUER)
        .audience(CLIENT_ID);
    assert!(matches!(
        open(&ps256_only, &partner_private, &provider_public),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
    // Past `exp` plus the 30 s leeway.
    let late = zegel_jwt::open_as::<IdToken>(
        &token,
        &itsme_decryption(),
        &id_token_validation(),
        zegel_jwt::OpenKeys {
            recipient: &partner_private,
            issuer: &provider_public,
        },
        UnixTime::from_secs(NOW + 300 + 30),
    );
    assert!(matches!(late, Err(Error::Expired { .. })));
}

#[test]
fn a_signed_id_token_that_is_not_encrypted_is_refused() {
    let (partner_private, _) = publish(vec![rsa_key("RSA-OAEP-256", "enc")]);
    let (provider_private, provider_public) = publish(vec![rsa_key("RS256", "sig")]);
    let signed = zegel_jwt::sign(&id_token_claims(), &signing_key(&provider_private)).unwrap();

    // The relying party expects encryption: a plain JWS does not get through `open`.
    let opened = zegel_jwt::open_as::<IdToken>(
        &signed,
        &itsme_decryption(),
        &id_token_validation(),
        zegel_jwt::OpenKeys {
            recipient: &partner_private,
            issuer: &provider_public,
        },
        UnixTime::from_secs(NOW),
    );
    assert!(matches!(opened, Err(Error::Jose(_))), "{opened:?}");
    // The same token verifies where a signed token is what is expected.
    let verified = zegel_jwt::verify_as::<IdToken>(
        &signed,
        &provider_public,
        &id_token_validation(),
        UnixTime::from_secs(NOW),
    )
    .unwrap();
    assert_eq!(verified.claims().extra.national_number, "85073003328");
}

#[test]
fn a_request_object_is_signed_by_the_partner_then_encrypted_to_the_provider() {
    let (partner_private, partner_public) = publish(vec![rsa_key("RS256", "sig")]);
    let (provider_private, provider_public) = publish(vec![
        rsa_key("RS256", "sig"),
        rsa_key("RSA-OAEP-256", "enc"),
    ]);
    let mut request = Claims::new(serde_json::Map::new())
        .with_issuer(CLIENT_ID)
        .with_audience(ISSUER)
        .with_lifetime(UnixTime::from_secs(NOW), Duration::from_secs(120))
        .unwrap()
        .with_random_jti()
        .unwrap();
    request.extra.insert("response_type".into(), "code".into());
    request
        .extra
        .insert("scope".into(), "openid service:MY_SERVICE".into());
    let token = seal(
        &request,
        &signing_key(&partner_private),
        encryption_key(&provider_public),
        &jwe::RSA_OAEP_256,
    );

    let validation = Validation::new(&[&jws::RS256])
        .issuer(CLIENT_ID)
        .audience(ISSUER);
    let opened = zegel_jwt::open_as::<serde_json::Map<String, serde_json::Value>>(
        &token,
        &itsme_decryption(),
        &validation,
        zegel_jwt::OpenKeys {
            recipient: &provider_private,
            issuer: &partner_public,
        },
        UnixTime::from_secs(NOW + 10),
    )
    .unwrap();
    assert_eq!(opened.claims().extra["scope"], "openid service:MY_SERVICE");
    assert!(
        opened
            .claims()
            .jti
            .as_deref()
            .is_some_and(|j| !j.is_empty() && j.len() <= 255)
    );

    // The provider's key is bound to RSA-OAEP-256: sealing to it with RSA-OAEP is refused.
    let bound = zegel_jwt::sign_and_encrypt(
        &request,
        &signing_key(&partner_private),
        encryption_key(&provider_public),
        &jwe::RSA_OAEP,
        &jwe::A128CBC_HS256,
    );
    assert!(
        matches!(
            bound,
            Err(Error::Jose(zegel_jose::Error::Key(
                zegel_jose::error::KeyError::AlgMismatch { .. }
            )))
        ),
        "{bound:?}"
    );
    // Sealed with RSA-OAEP to an unbound copy of the key, it is outside the provider's
    // allowlist, and refused before any RSA work.
    let mut params = encryption_key(&provider_public).params().clone();
    params.alg = None;
    let unbound = encryption_key(&provider_public)
        .clone()
        .with_params(params)
        .unwrap();
    let oaep = seal(
        &request,
        &signing_key(&partner_private),
        &unbound,
        &jwe::RSA_OAEP,
    );
    let refused = zegel_jwt::open_as::<serde_json::Map<String, serde_json::Value>>(
        &oaep,
        &itsme_decryption(),
        &validation,
        zegel_jwt::OpenKeys {
            recipient: &provider_private,
            issuer: &partner_public,
        },
        UnixTime::from_secs(NOW + 10),
    );
    assert!(
        matches!(
            refused,
            Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { ref alg })) if alg == "RSA-OAEP"
        ),
        "{refused:?}"
    );
}

#[test]
fn partner_key_rotation_keeps_old_tokens_open_until_the_old_key_is_retired() {
    let old = rsa_key("RSA-OAEP-256", "enc");
    let new = rsa_key("RSA-OAEP-256", "enc");
    let (provider_private, provider_public) = publish(vec![rsa_key("RS256", "sig")]);
    let signer = signing_key(&provider_private);
    let to_old = seal(
        &id_token_claims(),
        &signer,
        &old.to_public().unwrap(),
        &jwe::RSA_OAEP_256,
    );
    let to_new = seal(
        &id_token_claims(),
        &signer,
        &new.to_public().unwrap(),
        &jwe::RSA_OAEP_256,
    );
    let open = |token: &str, partner: &JwkSet| {
        zegel_jwt::open_as::<IdToken>(
            token,
            &itsme_decryption(),
            &id_token_validation(),
            zegel_jwt::OpenKeys {
                recipient: partner,
                issuer: &provider_public,
            },
            UnixTime::from_secs(NOW),
        )
    };

    // During rotation the partner holds both keys; each token finds its key by `kid`.
    let both = JwkSet::new(vec![new.clone(), old.clone()]);
    assert!(open(&to_old, &both).is_ok());
    assert!(open(&to_new, &both).is_ok());
    // Once the old key is retired, a token sealed to it no longer opens.
    let retired = JwkSet::new(vec![new]);
    assert!(open(&to_new, &retired).is_ok());
    assert!(matches!(
        open(&to_old, &retired),
        Err(Error::Jose(zegel_jose::Error::UnknownKid { .. }))
    ));
    // The `kid` only selects: a key that carries the old `kid` but other material fails as a
    // decryption, with no hint of why.
    let impostor = rsa_key("RSA-OAEP-256", "enc").with_kid(old.kid().unwrap());
    assert!(matches!(
        open(&to_old, &JwkSet::new(vec![impostor])),
        Err(Error::Jose(zegel_jose::Error::DecryptionFailed))
    ));
}
