//! Every rule of Core §3.1.3.7, accepted and refused.

use std::sync::OnceLock;

use serde_json::json;
use zegel_jose::jwk::KeySpec;
use zegel_jose::jws::SigningKey;

use super::*;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const ISS: &str = "https://op.example";
const CID: &str = "client";

struct Keys {
    op: Jwk,
    client_enc: Jwk,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        op: Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_kid("op1"),
        client_enc: Jwk::generate(&KeySpec::Rsa { bits: 2048 })
            .unwrap()
            .with_kid("enc1"),
    })
}

fn op_public() -> JwkSet {
    JwkSet::new(vec![keys().op.to_public().unwrap()])
}

fn claims(extra: Value) -> Claims<Map<String, Value>> {
    let mut base = json!({
        "iss": ISS, "sub": "alice", "aud": CID, "exp": 1_700_000_300, "iat": 1_700_000_000,
        "nonce": "N",
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    Claims::from_json(base.to_string().as_bytes()).unwrap()
}

fn signed(extra: Value) -> String {
    zegel_jwt::sign(
        &claims(extra),
        &SigningKey::new(&keys().op, &jws::RS256).unwrap(),
    )
    .unwrap()
}

fn encrypted(extra: Value) -> String {
    zegel_jwt::sign_and_encrypt(
        &claims(extra),
        &SigningKey::new(&keys().op, &jws::RS256).unwrap(),
        &keys().client_enc.to_public().unwrap(),
        &jwe::RSA_OAEP_256,
        &jwe::A128CBC_HS256,
    )
    .unwrap()
}

fn validator() -> IdTokenValidator {
    IdTokenValidator::new(ISS, CID)
}

fn check(
    token: &str,
    validator: &IdTokenValidator,
    expected: &Expected<'_>,
) -> Result<IdToken, Error> {
    let client_keys = [keys().client_enc.clone()];
    validator.open(token, &client_keys, None)?.validate(
        validator,
        &op_public(),
        None,
        expected,
        NOW,
    )
}

fn ok(extra: Value) -> Result<IdToken, Error> {
    check(&signed(extra), &validator(), &Expected::new("N"))
}

#[test]
fn accepts_signed_and_nested() {
    let t = ok(json!({})).unwrap();
    assert_eq!(t.subject(), "alice");
    assert_eq!(
        format!("{t:?}"),
        r#"IdToken { alg: "RS256", claims: "[redacted]" }"#
    );
    let e = Expected::new("N").with_access_token("secret-access");
    assert!(!format!("{e:?}").contains("secret-access") && !format!("{e:?}").contains("\"N\""));
    assert_eq!(t.alg().name(), "RS256");
    let opened = validator()
        .open(&encrypted(json!({})), &[keys().client_enc.clone()], None)
        .unwrap();
    assert_eq!(opened.kid(), Some("op1"));
    assert_eq!(opened.alg(), Some("RS256"));
    let nested = check(
        &encrypted(json!({})),
        &validator().with_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256),
        &Expected::new("N"),
    )
    .unwrap();
    assert_eq!(nested.claims().iss.as_deref(), Some(ISS));
}

#[test]
fn refuses_plain_jws_when_encryption_registered() {
    let v = validator().with_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256);
    assert!(matches!(
        check(&signed(json!({})), &v, &Expected::new("N")),
        Err(Error::Check(TokenCheck::NotEncrypted))
    ));
    // Another registered alg refuses this JWE's.
    let v = validator().with_encryption(&jwe::RSA_OAEP, &jwe::A128CBC_HS256);
    assert!(matches!(
        check(&encrypted(json!({})), &v, &Expected::new("N")),
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
}

#[test]
fn several_encryption_keys_during_a_rotation() {
    let old = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("enc0");
    // The token is encrypted to enc1; the client holds enc0 and enc1: chosen by kid.
    let keys = [old, keys().client_enc.clone()];
    let v = validator().with_encryption(&jwe::RSA_OAEP_256, &jwe::A128CBC_HS256);
    let opened = v.open(&encrypted(json!({})), &keys, None).unwrap();
    assert!(
        opened
            .validate(&v, &op_public(), None, &Expected::new("N"), NOW)
            .is_ok()
    );
    // Only the old key: no key has the token's kid.
    let e = v.open(&encrypted(json!({})), &keys[..1], None).unwrap_err();
    assert!(
        matches!(e, Error::Jose(zegel_jose::Error::UnknownKid { ref kid }) if kid == "enc1"),
        "{e:?}"
    );
}

#[test]
fn refuses_wrong_decryption_key() {
    let other = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("enc1");
    assert!(
        validator()
            .open(&encrypted(json!({})), &[other], None)
            .is_err()
    );
}

#[test]
fn issuer() {
    assert!(matches!(
        ok(json!({"iss": "https://evil"})),
        Err(Error::Jwt(zegel_jwt::Error::WrongIssuer { .. }))
    ));
    assert!(matches!(
        ok(json!({"iss": null})),
        Err(Error::Jwt(zegel_jwt::Error::MissingClaim { name: "iss" }))
    ));
}

#[test]
fn audience_and_azp() {
    assert!(matches!(
        ok(json!({"aud": "other"})),
        Err(Error::Jwt(zegel_jwt::Error::WrongAudience { .. }))
    ));
    assert!(matches!(
        ok(json!({"aud": [CID, "other"], "azp": CID})),
        Err(Error::Check(TokenCheck::UntrustedAudience))
    ));
    let trusting = validator().with_trusted_audience("other");
    let two = signed(json!({"aud": [CID, "other"], "azp": CID}));
    assert!(check(&two, &trusting, &Expected::new("N")).is_ok());
    let no_azp = signed(json!({"aud": [CID, "other"]}));
    assert!(matches!(
        check(&no_azp, &trusting, &Expected::new("N")),
        Err(Error::Check(TokenCheck::MissingAzp))
    ));
    assert!(matches!(
        ok(json!({"azp": "other"})),
        Err(Error::Check(TokenCheck::WrongAzp))
    ));
    assert!(ok(json!({"azp": CID})).is_ok());
}

#[test]
fn algorithm_and_signature() {
    // An ES256 token when RS256 is registered.
    let ec = Jwk::generate(&KeySpec::Ec(zegel_jose::jwk::Curve::P256)).unwrap();
    let es = zegel_jwt::sign(
        &claims(json!({})),
        &SigningKey::new(&ec, &jws::ES256).unwrap(),
    )
    .unwrap();
    let set = JwkSet::new(vec![ec.to_public().unwrap()]);
    let r = validator().open(&es, &[], None).unwrap().validate(
        &validator(),
        &set,
        None,
        &Expected::new("N"),
        NOW,
    );
    assert!(matches!(
        r,
        Err(Error::Jose(zegel_jose::Error::AlgNotAllowed { .. }))
    ));
    // A signature by another key with the same kid.
    let impostor = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid("op1");
    let forged = zegel_jwt::sign(
        &claims(json!({})),
        &SigningKey::new(&impostor, &jws::RS256).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        check(&forged, &validator(), &Expected::new("N")),
        Err(Error::Jose(zegel_jose::Error::InvalidSignature))
    ));
    // An unknown kid: the miss a refresh may cure.
    let stranger = zegel_jwt::sign(
        &claims(json!({})),
        &SigningKey::new(&impostor.with_kid("new"), &jws::RS256).unwrap(),
    )
    .unwrap();
    let e = check(&stranger, &validator(), &Expected::new("N")).unwrap_err();
    assert!(keys::is_key_miss(&e), "{e:?}");
    // alg none is no algorithm at all.
    let none = format!(
        "{}.{}.",
        zegel_jose::base64url::encode(br#"{"alg":"none"}"#),
        zegel_jose::base64url::encode(br#"{"iss":"x"}"#)
    );
    assert!(check(&none, &validator(), &Expected::new("N")).is_err());
}

#[test]
fn client_secret_tokens() {
    let secret = ClientSecret::new("0123456789abcdef0123456789abcdef");
    let key = secret_keys::mac_key(&secret, &jws::HS256).unwrap();
    let token = zegel_jwt::sign(
        &claims(json!({})),
        &SigningKey::new(&key, &jws::HS256).unwrap(),
    )
    .unwrap();
    let v = validator().with_algorithms(&[&jws::HS256]);
    let opened = v.open(&token, &[], Some(&secret)).unwrap();
    assert!(opened.uses_client_secret());
    assert!(
        opened
            .validate(
                &v,
                &JwkSet::default(),
                Some(&secret),
                &Expected::new("N"),
                NOW
            )
            .is_ok()
    );
    let wrong = ClientSecret::new("0123456789abcdef0123456789abcdeX");
    let opened = v.open(&token, &[], Some(&wrong)).unwrap();
    assert!(matches!(
        opened.validate(
            &v,
            &JwkSet::default(),
            Some(&wrong),
            &Expected::new("N"),
            NOW
        ),
        Err(Error::Jose(zegel_jose::Error::InvalidSignature))
    ));

    // dir encryption with the secret-derived key (Core §10.2).
    let signed = signed(json!({}));
    let enc_key = secret_keys::encryption_key(&secret, &jwe::DIR, &jwe::A128CBC_HS256).unwrap();
    let jwe_token = zegel_jwt::encrypt_signed(
        &signed,
        &jwe::Encryptor::new(&jwe::A128CBC_HS256),
        &jwe::Recipient::new(&enc_key, &jwe::DIR),
    )
    .unwrap();
    let opened = validator().open(&jwe_token, &[], Some(&secret)).unwrap();
    assert!(
        opened
            .validate(
                &validator(),
                &op_public(),
                Some(&secret),
                &Expected::new("N"),
                NOW
            )
            .is_ok()
    );
    assert!(validator().open(&jwe_token, &[], Some(&wrong)).is_err());
}

#[test]
fn times() {
    assert!(matches!(
        ok(json!({"exp": 1_699_999_960})),
        Err(Error::Jwt(zegel_jwt::Error::Expired { .. }))
    ));
    assert!(
        ok(json!({"exp": 1_699_999_980})).is_ok(),
        "within the 30 s leeway"
    );
    assert!(matches!(
        ok(json!({"iat": 1_700_000_100})),
        Err(Error::Jwt(zegel_jwt::Error::IssuedInFuture { .. }))
    ));
    assert!(matches!(
        ok(json!({"iat": null})),
        Err(Error::Jwt(zegel_jwt::Error::MissingClaim { name: "iat" }))
    ));
    assert!(matches!(
        ok(json!({"exp": null})),
        Err(Error::Jwt(zegel_jwt::Error::MissingClaim { name: "exp" }))
    ));
    let strict = validator().with_leeway(Duration::ZERO);
    assert!(
        check(
            &signed(json!({"exp": 1_699_999_980})),
            &strict,
            &Expected::new("N")
        )
        .is_err()
    );
}

#[test]
fn nonce() {
    assert!(matches!(
        ok(json!({"nonce": "M"})),
        Err(Error::Check(TokenCheck::WrongNonce))
    ));
    assert!(matches!(
        ok(json!({"nonce": null})),
        Err(Error::Check(TokenCheck::MissingNonce))
    ));
    assert!(matches!(
        ok(json!({"nonce": 5})),
        Err(Error::Check(TokenCheck::InvalidClaim { name: "nonce" }))
    ));
}

#[test]
fn acr_and_auth_time() {
    let values = vec!["basic".to_owned()];
    let want = Expected {
        acr_values: &values,
        acr_essential: true,
        ..Expected::new("N")
    };
    assert!(check(&signed(json!({"acr": "basic"})), &validator(), &want).is_ok());
    assert!(matches!(
        check(&signed(json!({"acr": "advanced"})), &validator(), &want),
        Err(Error::Check(TokenCheck::WrongAcr))
    ));
    assert!(matches!(
        check(&signed(json!({})), &validator(), &want),
        Err(Error::Check(TokenCheck::MissingAcr))
    ));
    // Not essential: not checked.
    assert!(
        check(
            &signed(json!({"acr": "advanced"})),
            &validator(),
            &Expected {
                acr_values: &values,
                ..Expected::new("N")
            }
        )
        .is_ok()
    );

    let aged = Expected {
        max_age: Some(Duration::from_secs(600)),
        ..Expected::new("N")
    };
    assert!(
        check(
            &signed(json!({"auth_time": 1_699_999_500})),
            &validator(),
            &aged
        )
        .is_ok()
    );
    assert!(matches!(
        check(
            &signed(json!({"auth_time": 1_699_999_000})),
            &validator(),
            &aged
        ),
        Err(Error::Check(TokenCheck::AuthTooOld))
    ));
    assert!(matches!(
        check(&signed(json!({})), &validator(), &aged),
        Err(Error::Check(TokenCheck::MissingAuthTime))
    ));
    assert!(matches!(
        check(&signed(json!({"auth_time": "x"})), &validator(), &aged),
        Err(Error::Check(TokenCheck::InvalidClaim { name: "auth_time" }))
    ));
}

#[test]
fn hashes() {
    let at = zegel_jwt::hash::at_hash("access", &jws::RS256);
    let c = zegel_jwt::hash::c_hash("code", &jws::RS256);
    let e = Expected {
        access_token: Some("access"),
        code: Some("code"),
        ..Expected::new("N")
    };
    assert!(
        check(
            &signed(json!({"at_hash": at, "c_hash": c})),
            &validator(),
            &e
        )
        .is_ok()
    );
    let wrong = Expected {
        access_token: Some("other"),
        code: Some("code"),
        ..Expected::new("N")
    };
    assert!(matches!(
        check(&signed(json!({"at_hash": at})), &validator(), &wrong),
        Err(Error::Jwt(zegel_jwt::Error::HashMismatch {
            claim: "at_hash"
        }))
    ));
    let wrong = Expected {
        access_token: Some("access"),
        code: Some("other"),
        ..Expected::new("N")
    };
    assert!(matches!(
        check(&signed(json!({"c_hash": c})), &validator(), &wrong),
        Err(Error::Jwt(zegel_jwt::Error::HashMismatch {
            claim: "c_hash"
        }))
    ));
    // Absent: not required in the code flow.
    assert!(check(&signed(json!({})), &validator(), &e).is_ok());
}
