//! The reject paths: each rule of the authorization and token endpoints, refused as itsme®
//! refuses it.

use std::time::Duration;

use serde_json::{Map, Value, json};
use zegel_itsme_provider::{Endpoint, Faults};
use zegel_jose::jws::{self, SigningKey};
use zegel_jwt::Claims;

use crate::client::*;

/// The authorization answer for these parameters, sent in a request object.
async fn authorize_with(p: &Map<String, Value>) -> (zegel_itsme_provider::Provider, Response) {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let url = auth_url(
        &provider,
        p,
        &request_object(&provider, &keys.signer(), p, provider.issuer()),
    );
    let resp = get(&url).await;
    (provider, resp)
}

fn assert_error(resp: &Response, code: &str) {
    let q = redirect_query(resp);
    assert_eq!(q.get("error").map(String::as_str), Some(code), "{q:?}");
    // The state is sent back when known: not when the request object holding it is refused.
    if let Some(state) = q.get("state") {
        assert_eq!(state, "state-123");
    }
    assert!(q["iss"].starts_with("http://127.0.0.1:"));
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn a_request_object_signed_by_another_key() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let other = PartnerKeys::generate();
    let (_, challenge) = pkce();
    let p = params(&challenge);
    let url = auth_url(
        &provider,
        &p,
        &request_object(&provider, &other.signer(), &p, provider.issuer()),
    );
    let resp = get(&url).await;
    assert_error(&resp, "invalid_request_object");
    let q = redirect_query(&resp);
    assert_eq!(
        q["error_description"],
        "the request object's signature is not valid"
    );
    assert!(!q.contains_key("state"));
}

#[tokio::test]
async fn a_request_object_not_encrypted() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (_, challenge) = pkce();
    let p = params(&challenge);
    let claims = Claims::new(p.clone())
        .with_issuer(CLIENT_ID)
        .with_audience(provider.issuer())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let signed = zegel_jwt::sign(&claims, &keys.signer()).unwrap();
    assert_error(
        &get(&auth_url(&provider, &p, &signed)).await,
        "invalid_request_object",
    );
}

#[tokio::test]
async fn a_request_object_for_another_audience_or_expired_or_from_another_issuer() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (_, challenge) = pkce();
    let p = params(&challenge);
    let wrong_aud = request_object(
        &provider,
        &keys.signer(),
        &p,
        "https://idp.prd.itsme.services/v2",
    );
    let resp = get(&auth_url(&provider, &p, &wrong_aud)).await;
    assert_error(&resp, "invalid_request_object");
    assert_eq!(
        redirect_query(&resp)["error_description"],
        "the request object's iss, aud or exp is not valid"
    );
    let expired = Claims::new(p.clone())
        .with_issuer(CLIENT_ID)
        .with_audience(provider.issuer())
        .with_lifetime(
            now().saturating_sub(Duration::from_secs(600)),
            Duration::from_secs(60),
        )
        .unwrap();
    let expired = encrypt_to_provider(
        &provider,
        &zegel_jwt::sign(&expired, &keys.signer()).unwrap(),
    );
    assert_error(
        &get(&auth_url(&provider, &p, &expired)).await,
        "invalid_request_object",
    );
    let other_iss = Claims::new(p.clone())
        .with_issuer("someone-else")
        .with_audience(provider.issuer())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let other_iss = encrypt_to_provider(
        &provider,
        &zegel_jwt::sign(&other_iss, &keys.signer()).unwrap(),
    );
    assert_error(
        &get(&auth_url(&provider, &p, &other_iss)).await,
        "invalid_request_object",
    );
}

#[tokio::test]
async fn a_request_object_required_and_outer_parameters_matching() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (_, challenge) = pkce();
    let p = params(&challenge);
    // A private_key_jwt client sending plain parameters.
    assert_error(&get(&plain_url(&provider, &p)).await, "invalid_request");
    // The outer scope differs from the inner one.
    let request = request_object(&provider, &keys.signer(), &p, provider.issuer());
    let mut outer = p.clone();
    outer.insert("scope".into(), json!("openid service:MY_SERVICE"));
    assert_error(
        &get(&auth_url(&provider, &outer, &request)).await,
        "invalid_request",
    );
    // The outer scope missing.
    outer.remove("scope");
    assert_error(
        &get(&auth_url(&provider, &outer, &request)).await,
        "invalid_request",
    );
}

#[tokio::test]
async fn pkce_is_required_with_s256() {
    let (_, challenge) = pkce();
    let mut p = params(&challenge);
    p.remove("code_challenge");
    assert_error(&authorize_with(&p).await.1, "invalid_request");
    let mut p = params(&challenge);
    p.insert("code_challenge_method".into(), json!("plain"));
    assert_error(&authorize_with(&p).await.1, "invalid_request");
}

#[tokio::test]
async fn state_and_nonce_are_required() {
    let (_, challenge) = pkce();
    let mut p = params(&challenge);
    p.remove("nonce");
    assert_error(&authorize_with(&p).await.1, "invalid_request");
    let mut p = params(&challenge);
    p.remove("state");
    let q = redirect_query(&authorize_with(&p).await.1);
    assert_eq!(q["error"], "invalid_request");
    assert_eq!(q["error_description"], "state is required");
}

#[tokio::test]
async fn scopes_are_itsme_scopes_with_exactly_one_service() {
    let (_, challenge) = pkce();
    for (scope, why) in [
        (
            "openid service:MY_SERVICE service:MY_SERVICE",
            "exactly one service:CODE scope is required",
        ),
        (
            "openid profile",
            "exactly one service:CODE scope is required",
        ),
        (
            "openid offline_access service:MY_SERVICE",
            "a scope is not an itsme® scope",
        ),
        (
            "openid service:OTHER",
            "the service code is not one registered for this client",
        ),
        ("profile service:MY_SERVICE", "the openid scope is required"),
    ] {
        let mut p = params(&challenge);
        p.insert("scope".into(), json!(scope));
        let resp = authorize_with(&p).await.1;
        assert_error(&resp, "invalid_scope");
        assert_eq!(redirect_query(&resp)["error_description"], why, "{scope}");
    }
}

#[tokio::test]
async fn acr_values_response_type_and_claims_are_checked() {
    let (_, challenge) = pkce();
    let mut p = params(&challenge);
    p.insert("acr_values".into(), json!("urn:other:acr"));
    assert_error(&authorize_with(&p).await.1, "invalid_request");
    let mut p = params(&challenge);
    p.insert("response_type".into(), json!("token"));
    assert_error(&authorize_with(&p).await.1, "unsupported_response_type");
    let mut p = params(&challenge);
    p.insert("claims".into(), json!({"access_token": {}}));
    assert_error(&authorize_with(&p).await.1, "invalid_request");
    let mut p = params(&challenge);
    p.insert("prompt".into(), json!("none"));
    assert_error(&authorize_with(&p).await.1, "login_required");
}

#[tokio::test]
async fn an_unknown_client_or_wrong_redirect_uri_gets_a_page_not_a_redirect() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (_, challenge) = pkce();
    let mut p = params(&challenge);
    p.insert("client_id".into(), json!("nobody"));
    let resp = get(&plain_url(&provider, &p)).await;
    assert_eq!(resp.status, 400);
    assert!(!resp.headers.contains_key("location"));
    assert!(resp.text().contains("invalid_client_id"));
    let mut p = params(&challenge);
    p.insert(
        "redirect_uri".into(),
        json!("http://127.0.0.1:9/callback/other"),
    );
    let resp = get(&auth_url(&provider, &p, "x")).await;
    assert_eq!(resp.status, 400);
    assert!(resp.text().contains("invalid_redirect_uri"));
    let resp = get(&format!(
        "{}?client_id=a&client_id=b",
        provider.authorization_endpoint()
    ))
    .await;
    assert_eq!(resp.status, 400);
    assert!(resp.text().contains("the parameter client_id is repeated"));
}

#[tokio::test]
async fn a_wrong_verifier_a_replayed_code_and_an_expired_code_are_invalid_grant() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    // Wrong verifier: refused, and the code is spent.
    let (code, verifier) = login(&provider, keys).await;
    let (other_verifier, _) = pkce();
    let resp = exchange(&provider, keys, &code, &other_verifier).await;
    assert_eq!(resp.status, 400);
    assert_eq!(resp.json()["error"], "invalid_grant");
    assert_eq!(
        exchange(&provider, keys, &code, &verifier).await.json()["error"],
        "invalid_grant"
    );
    // Missing verifier.
    let (code, _) = login(&provider, keys).await;
    let a = assertion(
        keys,
        &provider.token_endpoint(),
        Duration::from_secs(60),
        &fresh_jti(),
    );
    let mut form = token_form(&code, "", &a);
    form.retain(|(k, _)| k != "code_verifier");
    let resp = post_form(&provider.token_endpoint(), &form).await;
    assert_eq!(
        resp.json()["error_description"],
        "code_verifier is required (PKCE)"
    );
    // Replayed code.
    let (code, verifier) = login(&provider, keys).await;
    assert_eq!(
        exchange(&provider, keys, &code, &verifier).await.status,
        200
    );
    let replay = exchange(&provider, keys, &code, &verifier).await;
    assert_eq!(replay.status, 400);
    assert_eq!(replay.json()["error"], "invalid_grant");
    // Wrong redirect_uri at the token endpoint.
    let (code, verifier) = login(&provider, keys).await;
    let a = assertion(
        keys,
        &provider.token_endpoint(),
        Duration::from_secs(60),
        &fresh_jti(),
    );
    let mut form = token_form(&code, &verifier, &a);
    form[2].1 = "http://127.0.0.1:9/other".into();
    assert_eq!(
        post_form(&provider.token_endpoint(), &form).await.json()["error"],
        "invalid_grant"
    );
    // Expired: 3 minutes and a second later, by the provider's clock.
    let (code, verifier) = login(&provider, keys).await;
    provider.advance_clock(Duration::from_secs(181));
    let a = assertion_at(
        keys,
        &provider.token_endpoint(),
        provider.now(),
        &fresh_jti(),
    );
    let resp = post_form(
        &provider.token_endpoint(),
        &token_form(&code, &verifier, &a),
    )
    .await;
    assert_eq!(resp.json()["error_description"], "the code has expired");
}

#[tokio::test]
async fn within_three_minutes_a_code_is_still_good() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (code, verifier) = login(&provider, keys).await;
    provider.advance_clock(Duration::from_secs(170));
    let a = assertion_at(
        keys,
        &provider.token_endpoint(),
        provider.now(),
        &fresh_jti(),
    );
    let resp = post_form(
        &provider.token_endpoint(),
        &token_form(&code, &verifier, &a),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn bad_client_assertions_are_invalid_client() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (code, verifier) = login(&provider, keys).await;
    let token = provider.token_endpoint();
    let refused = |resp: Response, why: &str| {
        assert_eq!(resp.status, 401);
        let body = resp.json();
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_description"], why);
    };
    // aud: the issuer is not accepted, only the token endpoint.
    let a = assertion(
        keys,
        provider.issuer(),
        Duration::from_secs(60),
        &fresh_jti(),
    );
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client assertion is not valid",
    );
    // Expired.
    let expired = Claims::new(Map::new())
        .with_issuer(CLIENT_ID)
        .with_subject(CLIENT_ID)
        .with_audience(token.clone())
        .with_jti(fresh_jti())
        .with_lifetime(
            now().saturating_sub(Duration::from_secs(300)),
            Duration::from_secs(60),
        )
        .unwrap();
    let a = zegel_jwt::sign(&expired, &keys.signer()).unwrap();
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client assertion is not valid",
    );
    // Too long-lived.
    let a = assertion(keys, &token, Duration::from_secs(3600), &fresh_jti());
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client assertion lives too long",
    );
    // Signed by another key.
    let other = PartnerKeys::generate();
    let claims = Claims::new(Map::new())
        .with_issuer(CLIENT_ID)
        .with_subject(CLIENT_ID)
        .with_audience(token.clone())
        .with_jti(fresh_jti())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let a = zegel_jwt::sign(&claims, &SigningKey::new(&other.sig, &jws::RS256).unwrap()).unwrap();
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client assertion is not valid",
    );
    // sub is not the client.
    let claims = Claims::new(Map::new())
        .with_issuer(CLIENT_ID)
        .with_subject("someone")
        .with_audience(token.clone())
        .with_jti(fresh_jti())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let a = zegel_jwt::sign(&claims, &keys.signer()).unwrap();
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client assertion is not valid",
    );
    // Unknown client.
    let claims = Claims::new(Map::new())
        .with_issuer("nobody")
        .with_subject("nobody")
        .with_audience(token.clone())
        .with_jti(fresh_jti())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let a = zegel_jwt::sign(&claims, &keys.signer()).unwrap();
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client is unknown or does not use private_key_jwt",
    );
    // A good one, then its jti replayed (on another code).
    let jti = fresh_jti();
    let a = assertion(keys, &token, Duration::from_secs(60), &jti);
    assert_eq!(
        post_form(&token, &token_form(&code, &verifier, &a))
            .await
            .status,
        200
    );
    let (code, verifier) = login(&provider, keys).await;
    let a = assertion(keys, &token, Duration::from_secs(60), &jti);
    refused(
        post_form(&token, &token_form(&code, &verifier, &a)).await,
        "the client assertion was already used",
    );
    // The wrong assertion type.
    let a = assertion(keys, &token, Duration::from_secs(60), &fresh_jti());
    let mut form = token_form(&code, &verifier, &a);
    form[4].1 = "urn:other".into();
    refused(
        post_form(&token, &form).await,
        "client_assertion_type must be jwt-bearer",
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let form: Vec<(String, String)> = [
        ("grant_type", "authorization_code"),
        ("code", "x"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", "v"),
        ("client_id", SECRET_CLIENT_ID),
        ("client_secret", "wrong"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let resp = post_form(&provider.token_endpoint(), &form).await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.json()["error_description"],
        "the client secret is not valid"
    );
    // A private_key_jwt client may not use a secret.
    let mut form = form;
    form[4].1 = CLIENT_ID.into();
    let resp = post_form(&provider.token_endpoint(), &form).await;
    assert_eq!(
        resp.json()["error_description"],
        "this client uses private_key_jwt"
    );
    // grant_type.
    form[0].1 = "client_credentials".into();
    assert_eq!(
        post_form(&provider.token_endpoint(), &form).await.json()["error"],
        "unsupported_grant_type"
    );
}

#[tokio::test]
async fn faults_break_exactly_what_they_say() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let decryption = zegel_jwt::Decryption::new(
        &[&zegel_jose::jwe::RSA_OAEP_256],
        &[&zegel_jose::jwe::A128CBC_HS256],
    );
    let validation = zegel_jwt::Validation::new(&[&jws::RS256])
        .issuer(provider.issuer())
        .audience(CLIENT_ID);
    let private = keys.private();
    let open = |t: &str| {
        zegel_jwt::open(
            t,
            &decryption,
            &validation,
            zegel_jwt::OpenKeys {
                recipient: &private,
                issuer: provider.public_jwks(),
            },
            now(),
        )
    };
    let cases: Vec<(Faults, &str)> = vec![
        (
            Faults {
                wrong_signing_key: true,
                ..Faults::default()
            },
            "jose.invalid_signature",
        ),
        (
            Faults {
                audience: Some("other".into()),
                ..Faults::default()
            },
            "jwt.wrong_audience",
        ),
        (
            Faults {
                issuer: Some("https://evil.example".into()),
                ..Faults::default()
            },
            "jwt.wrong_issuer",
        ),
        (
            Faults {
                expired_id_token: true,
                ..Faults::default()
            },
            "jwt.expired",
        ),
    ];
    for (faults, code) in cases {
        provider.set_faults(faults);
        let (c, v) = login(&provider, keys).await;
        let body = exchange(&provider, keys, &c, &v).await.json();
        let err = open(body["id_token"].as_str().unwrap()).unwrap_err();
        assert_eq!(err.code(), code);
    }
    // Another nonce: valid token, the client must compare it.
    provider.set_faults(Faults {
        nonce: Some("other".into()),
        ..Faults::default()
    });
    let (c, v) = login(&provider, keys).await;
    let body = exchange(&provider, keys, &c, &v).await.json();
    assert_eq!(
        open(body["id_token"].as_str().unwrap())
            .unwrap()
            .claims()
            .extra["nonce"],
        "other"
    );
    // Not encrypted: a plain JWS.
    provider.set_faults(Faults {
        unencrypted: true,
        ..Faults::default()
    });
    let (c, v) = login(&provider, keys).await;
    let body = exchange(&provider, keys, &c, &v).await.json();
    assert_eq!(body["id_token"].as_str().unwrap().split('.').count(), 3);
    // alg none inside.
    provider.set_faults(Faults {
        alg_none: true,
        ..Faults::default()
    });
    let (c, v) = login(&provider, keys).await;
    let body = exchange(&provider, keys, &c, &v).await.json();
    let decrypted =
        zegel_jwt::decrypt(body["id_token"].as_str().unwrap(), &decryption, &private).unwrap();
    assert_eq!(
        decrypted
            .unverified_inner_header()
            .map(|h| h.alg)
            .as_deref(),
        Some("none")
    );
    assert!(open(body["id_token"].as_str().unwrap()).is_err());
    // 500 and delay.
    provider.set_faults(Faults {
        server_error: vec![Endpoint::Discovery],
        ..Faults::default()
    });
    assert_eq!(get(&provider.discovery_url()).await.status, 500);
    assert_eq!(get(&provider.jwks_uri()).await.status, 200);
    provider.set_faults(Faults {
        delay: Some(Duration::from_millis(200)),
        ..Faults::default()
    });
    let start = std::time::Instant::now();
    assert_eq!(get(&provider.jwks_uri()).await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(200));
}

/// The partner's signing key without its `kid`.
fn signer_without_kid(keys: &PartnerKeys) -> SigningKey {
    let mut params = keys.sig.params().clone();
    params.kid = None;
    SigningKey::new(&keys.sig.clone().with_params(params).unwrap(), &jws::RS256).unwrap()
}

#[tokio::test]
async fn itsme_jose_rules_cty_jwt_and_kid() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (_, challenge) = pkce();
    let p = params(&challenge);
    // The JWE without `cty: JWT`.
    let claims = Claims::new(p.clone())
        .with_issuer(CLIENT_ID)
        .with_audience(provider.issuer())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let signed = zegel_jwt::sign(&claims, &keys.signer()).unwrap();
    let enc = &provider.public_jwks().keys()[1];
    let no_cty = zegel_jose::jwe::Encryptor::new(&zegel_jose::jwe::A128CBC_HS256)
        .encrypt_compact(
            signed.as_bytes(),
            &zegel_jose::jwe::Recipient::new(enc, &zegel_jose::jwe::RSA_OAEP_256),
        )
        .unwrap();
    let resp = get(&auth_url(&provider, &p, &no_cty)).await;
    assert_error(&resp, "invalid_request_object");
    assert_eq!(
        redirect_query(&resp)["error_description"],
        "the request object's encryption header must say cty: JWT"
    );
    // The JWS without `kid`.
    let no_kid = request_object(&provider, &signer_without_kid(keys), &p, provider.issuer());
    let resp = get(&auth_url(&provider, &p, &no_kid)).await;
    assert_eq!(
        redirect_query(&resp)["error_description"],
        "the request object's signature header must name its kid"
    );
    // A client assertion without `kid`.
    let (code, verifier) = login(&provider, keys).await;
    let claims = Claims::new(Map::new())
        .with_issuer(CLIENT_ID)
        .with_subject(CLIENT_ID)
        .with_audience(provider.token_endpoint())
        .with_jti(fresh_jti())
        .with_lifetime(now(), Duration::from_secs(60))
        .unwrap();
    let a = zegel_jwt::sign(&claims, &signer_without_kid(keys)).unwrap();
    let resp = post_form(
        &provider.token_endpoint(),
        &token_form(&code, &verifier, &a),
    )
    .await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.json()["error_description"],
        "the client assertion must name its kid"
    );
}
