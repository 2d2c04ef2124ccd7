//! The accept paths: discovery, JWK Set, a whole login for each client authentication method,
//! UserInfo, the scripted and interactive user, counters.

use std::time::Duration;

use serde_json::json;
use zegel_itsme_provider::{Client, Provider, demo_identity};
use zegel_jose::jwe;
use zegel_jose::jws;
use zegel_jwt::{Decryption, OpenKeys, Validation};

use crate::client::*;

#[tokio::test]
async fn discovery_and_jwks_have_itsme_shape() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let issuer = provider.issuer().to_owned();
    assert_eq!(issuer, format!("http://{}/v2", provider.addr()));
    let d = get(&provider.discovery_url()).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.headers["content-type"], "application/json");
    let d = d.json();
    assert_eq!(d["issuer"], issuer);
    assert_eq!(
        d["authorization_endpoint"],
        format!("{issuer}/authorization")
    );
    assert_eq!(d["token_endpoint"], format!("{issuer}/token"));
    assert_eq!(d["userinfo_endpoint"], format!("{issuer}/userinfo"));
    assert_eq!(d["jwks_uri"], format!("{issuer}/jwkSet"));
    assert_eq!(
        d["request_object_encryption_alg_values_supported"],
        json!(["RSA-OAEP", "RSA-OAEP-256"])
    );
    assert_eq!(
        d["request_object_encryption_enc_values_supported"],
        json!(["A128CBC-HS256"])
    );
    assert_eq!(d["id_token_signing_alg_values_supported"], json!(["RS256"]));
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        json!(["private_key_jwt", "client_secret_post"])
    );
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        d["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    assert_eq!(
        d["acr_values_supported"],
        json!([
            "http://itsme.services/v2/claim/acr_basic",
            "http://itsme.services/v2/claim/acr_advanced"
        ])
    );
    assert!(
        d["claims_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("http://itsme.services/v2/claim/BENationalNumber"))
    );
    assert!(
        d["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("service:MY_SERVICE"))
    );
    // Also at the root.
    let root = get(&format!(
        "http://{}/.well-known/openid-configuration",
        provider.addr()
    ))
    .await;
    assert_eq!(root.json()["issuer"], issuer);

    let j = get(&provider.jwks_uri()).await;
    assert_eq!(j.status, 200);
    assert_eq!(j.headers["cache-control"], "public, max-age=1800");
    let set = j.json();
    let keys_json = set["keys"].as_array().unwrap();
    assert_eq!(keys_json.len(), 2);
    assert_eq!(keys_json[0]["kty"], "RSA");
    assert_eq!(keys_json[0]["use"], "sig");
    assert_eq!(keys_json[0]["alg"], "RS256");
    assert_eq!(keys_json[1]["use"], "enc");
    assert!(keys_json[1].get("alg").is_none());
    for k in keys_json {
        assert!(k["kid"].is_string());
        assert!(k.get("d").is_none());
    }
    let c = provider.counters();
    assert_eq!((c.discovery, c.jwks, c.token), (2, 1, 0));
}

#[tokio::test]
async fn private_key_jwt_login_with_request_object() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (code, verifier) = login(&provider, keys).await;
    let resp = exchange(&provider, keys, &code, &verifier).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.headers["cache-control"], "no-store");
    let body = resp.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access_token = body["access_token"].as_str().unwrap();
    let id_token = body["id_token"].as_str().unwrap();

    let header = jwe::UnverifiedJwe::parse(id_token.as_bytes()).unwrap();
    let h = header.protected_header();
    assert_eq!(h["alg"], "RSA-OAEP-256");
    assert_eq!(h["enc"], "A128CBC-HS256");
    assert_eq!(h["cty"], "JWT");
    assert_eq!(h["kid"].as_str(), keys.enc.kid());

    let decryption = Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]);
    let validation = Validation::new(&[&jws::RS256])
        .issuer(provider.issuer())
        .audience(CLIENT_ID);
    let private = keys.private();
    let verified = zegel_jwt::open(
        id_token,
        &decryption,
        &validation,
        OpenKeys {
            recipient: &private,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    let inner = verified.header().unwrap();
    assert_eq!(inner.alg, "RS256");
    assert_eq!(inner.kid.as_deref(), provider.public_jwks().keys()[0].kid());
    let c = verified.claims();
    assert_eq!(c.extra["nonce"], "nonce-456");
    assert_eq!(
        c.extra["acr"],
        "http://itsme.services/v2/claim/acr_advanced"
    );
    assert_eq!(
        c.extra["http://itsme.services/v2/claim/BENationalNumber"],
        "85071415595"
    );
    assert!(c.extra.get("email").is_none(), "asked for in userinfo only");
    assert_eq!(
        c.extra["at_hash"],
        zegel_jwt::hash::at_hash(access_token, &jws::RS256)
    );
    let sub = c.sub.clone().unwrap();
    assert_eq!(sub.len(), 36);
    assert_eq!(c.exp.unwrap().secs() - c.iat.unwrap().secs(), 300);

    // UserInfo: GET with the bearer token, application/jwt, signed then encrypted.
    let bearer = format!("Bearer {access_token}");
    let u = request(
        "GET",
        &provider.userinfo_endpoint(),
        &[("authorization", &bearer)],
        Vec::new(),
    )
    .await;
    assert_eq!(u.status, 200, "{}", u.text());
    assert_eq!(u.headers["content-type"], "application/jwt");
    let verified = zegel_jwt::open(
        &u.body,
        &decryption,
        &validation,
        OpenKeys {
            recipient: &private,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    let c = verified.claims();
    assert_eq!(c.sub.as_deref(), Some(sub.as_str()));
    assert_eq!(c.extra["email"], "jan.peeters@example.be");
    assert_eq!(c.extra["family_name"], "Peeters");
    assert_eq!(
        c.extra["http://itsme.services/v2/claim/BEeidSn"],
        "591-1234567-53"
    );
    // POST works too; no token or another token does not.
    let u = request(
        "POST",
        &provider.userinfo_endpoint(),
        &[("authorization", &bearer)],
        Vec::new(),
    )
    .await;
    assert_eq!(u.status, 200);
    let u = get(&provider.userinfo_endpoint()).await;
    assert_eq!(u.status, 401);
    assert_eq!(
        u.headers["www-authenticate"],
        "Bearer error=\"invalid_request\""
    );
    let u = request(
        "GET",
        &provider.userinfo_endpoint(),
        &[("authorization", "Bearer nope")],
        Vec::new(),
    )
    .await;
    assert_eq!(u.status, 401);
    assert_eq!(u.json()["error"], "invalid_token");
    let c = provider.counters();
    assert_eq!((c.authorization, c.token, c.userinfo), (1, 1, 4));
}

#[tokio::test]
async fn client_secret_post_login_with_the_derived_key() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (verifier, challenge) = pkce();
    let mut p = params(&challenge);
    p.insert("client_id".into(), SECRET_CLIENT_ID.into());
    let q = redirect_query(&get(&plain_url(&provider, &p)).await);
    assert_eq!(q["state"], "state-123");
    assert_eq!(q["iss"], provider.issuer());
    let form: Vec<(String, String)> = [
        ("grant_type", "authorization_code"),
        ("code", q["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
        ("client_id", SECRET_CLIENT_ID),
        ("client_secret", SECRET),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let resp = post_form(&provider.token_endpoint(), &form).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let id_token = resp.json()["id_token"].as_str().unwrap().to_owned();
    let h = jwe::UnverifiedJwe::parse(id_token.as_bytes())
        .unwrap()
        .protected_header()
        .clone();
    assert_eq!(h["alg"], "dir");
    assert_eq!(h["enc"], "A256GCM");
    assert_eq!(h["cty"], "JWT");
    // OpenID Connect Core §10.2: the left-most 256 bits of SHA-256 of the secret.
    let digest = zegel_jose::hash::HashAlg::Sha256.digest(SECRET.as_bytes());
    let key = zegel_jose::Jwk::from_secret_bytes(&digest).unwrap();
    let decryption = Decryption::new(&[&jwe::DIR], &[&jwe::A256GCM]);
    let validation = Validation::new(&[&jws::RS256])
        .issuer(provider.issuer())
        .audience(SECRET_CLIENT_ID);
    let verified = zegel_jwt::open(
        &id_token,
        &decryption,
        &validation,
        OpenKeys {
            recipient: &key,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(verified.claims().extra["nonce"], "nonce-456");
    // Another secret's key does not open it.
    let wrong =
        zegel_jose::Jwk::from_secret_bytes(&zegel_jose::hash::HashAlg::Sha256.digest(b"other"))
            .unwrap();
    assert!(zegel_jwt::decrypt(&id_token, &decryption, &wrong).is_err());
    // The pairwise sub differs between clients for one user.
    let (code, verifier) = login(&provider, keys).await;
    let other = exchange(&provider, keys, &code, &verifier).await.json();
    let private = keys.private();
    let v2 = zegel_jwt::open(
        other["id_token"].as_str().unwrap(),
        &Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]),
        &Validation::new(&[&jws::RS256])
            .issuer(provider.issuer())
            .audience(CLIENT_ID),
        OpenKeys {
            recipient: &private,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    assert_ne!(v2.claims().sub, verified.claims().sub);
}

#[tokio::test]
async fn the_scripted_user_approves_with_given_claims_or_denies() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let mut identity = demo_identity();
    identity.insert(
        "http://itsme.services/v2/claim/BENationalNumber".into(),
        json!("00010100173"),
    );
    provider.approve_next(identity);
    provider.deny_next();
    let (code, verifier) = login(&provider, keys).await;
    let body = exchange(&provider, keys, &code, &verifier).await.json();
    let private = keys.private();
    let verified = zegel_jwt::open(
        body["id_token"].as_str().unwrap(),
        &Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]),
        &Validation::new(&[&jws::RS256])
            .issuer(provider.issuer())
            .audience(CLIENT_ID),
        OpenKeys {
            recipient: &private,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(
        verified.claims().extra["http://itsme.services/v2/claim/BENationalNumber"],
        "00010100173"
    );
    // The second login is refused by the user.
    let (_, challenge) = pkce();
    let p = params(&challenge);
    let url = auth_url(
        &provider,
        &p,
        &request_object(&provider, &keys.signer(), &p, provider.issuer()),
    );
    let q = redirect_query(&get(&url).await);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "state-123");
    assert_eq!(q["iss"], provider.issuer());
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn the_interactive_page_posts_back_approve_or_cancel() {
    let keys = PartnerKeys::shared();
    let provider = Provider::builder()
        .client(
            Client::private_key_jwt(CLIENT_ID, keys.public())
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .interactive()
        .start()
        .await
        .unwrap();
    for (decision, approved) in [("approve", true), ("cancel", false)] {
        let (_, challenge) = pkce();
        let p = params(&challenge);
        let url = auth_url(
            &provider,
            &p,
            &request_object(&provider, &keys.signer(), &p, provider.issuer()),
        );
        let page = get(&url).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
        let html = page.text();
        assert!(
            html.contains(">Approve</button>") && html.contains(">Cancel</button>"),
            "{html}"
        );
        let pending = html
            .split("name=\"pending\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let form = vec![
            ("pending".to_owned(), pending.to_owned()),
            ("decision".to_owned(), decision.to_owned()),
        ];
        let decision_url = format!("{}/decision", provider.authorization_endpoint());
        let q = redirect_query(&post_form(&decision_url, &form).await);
        assert_eq!(q.contains_key("code"), approved);
        assert_eq!(
            q.get("error").map(String::as_str),
            (!approved).then_some("access_denied")
        );
        // Answered once only.
        let again = post_form(&decision_url, &form).await;
        assert_eq!(again.status, 400);
    }
}

#[tokio::test]
async fn a_client_jwks_uri_is_fetched_once() {
    let keys = PartnerKeys::shared();
    // The partner's JWK Set served by a second provider-like server: here, a tiny server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let public = keys.public().to_public_json();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let body = public.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    let provider = Provider::builder()
        .client(
            Client::private_key_jwt_uri(CLIENT_ID, format!("http://{addr}/jwks_public.json"))
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .start()
        .await
        .unwrap();
    let (code, verifier) = login(&provider, keys).await;
    let resp = exchange(&provider, keys, &code, &verifier).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let _ = Duration::ZERO;
}

#[tokio::test]
async fn given_keys_are_published_with_itsme_metadata() {
    let (sig, enc) = provider_keys();
    let provider = Provider::builder()
        .keys(
            sig.clone(),
            enc.clone().with_alg("RSA-OAEP-256").with_kid("enc-1"),
        )
        .client(
            Client::client_secret_post("c", "s")
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .start()
        .await
        .unwrap();
    let set = provider.public_jwks();
    assert_eq!(
        set.keys()[0].kid(),
        Some(sig.thumbprint_sha256_b64().as_str())
    );
    assert_eq!(set.keys()[0].alg(), Some("RS256"));
    assert_eq!(set.keys()[1].kid(), Some("enc-1"));
    assert_eq!(set.keys()[1].alg(), None);
    assert_eq!(set.keys()[1].params().use_.as_deref(), Some("enc"));
    assert!(set.keys().iter().all(|k| !k.is_private()));
    // Not RSA: refused before binding.
    let ec = zegel_jose::Jwk::generate(&zegel_jose::jwk::KeySpec::Ec(zegel_jose::jwk::Curve::P256))
        .unwrap();
    let err = Provider::builder().keys(ec, enc).start().await.unwrap_err();
    assert_eq!(err.code(), "provider.keys");
    // A client without a redirect URI or service, or twice: refused.
    let err = Provider::builder()
        .client(Client::client_secret_post("c", "s").service(SERVICE))
        .start()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a registered client's redirect_uri is not usable"
    );
    let err = Provider::builder()
        .client(Client::client_secret_post("c", "s").redirect_uri(REDIRECT))
        .start()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a registered client's service is not usable"
    );
    let c = Client::client_secret_post("c", "s")
        .redirect_uri(REDIRECT)
        .service(SERVICE);
    let err = Provider::builder()
        .client(c.clone())
        .client(c)
        .start()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a registered client's client_id is not usable"
    );
}

#[tokio::test]
async fn a_private_key_jwt_client_with_plain_parameters_and_userinfo_for_a_secret_client() {
    let keys = PartnerKeys::shared();
    let (sig, enc) = provider_keys();
    let provider = Provider::builder()
        .keys(sig, enc)
        .client(
            Client::private_key_jwt(CLIENT_ID, keys.public())
                .redirect_uri(REDIRECT)
                .service(SERVICE)
                .with_plain_parameters(),
        )
        .client(
            Client::client_secret_post(SECRET_CLIENT_ID, SECRET)
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .start()
        .await
        .unwrap();
    let (verifier, challenge) = pkce();
    let q = redirect_query(&get(&plain_url(&provider, &params(&challenge))).await);
    let resp = exchange(&provider, keys, &q["code"], &verifier).await;
    assert_eq!(resp.status, 200, "{}", resp.text());

    let (verifier, challenge) = pkce();
    let mut p = params(&challenge);
    p.insert("client_id".into(), SECRET_CLIENT_ID.into());
    let q = redirect_query(&get(&plain_url(&provider, &p)).await);
    let form: Vec<(String, String)> = [
        ("grant_type", "authorization_code"),
        ("code", q["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
        ("client_id", SECRET_CLIENT_ID),
        ("client_secret", SECRET),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let body = post_form(&provider.token_endpoint(), &form).await.json();
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let u = request(
        "GET",
        &provider.userinfo_endpoint(),
        &[("authorization", &bearer)],
        Vec::new(),
    )
    .await;
    assert_eq!(u.headers["content-type"], "application/jwt");
    let digest = zegel_jose::hash::HashAlg::Sha256.digest(SECRET.as_bytes());
    let key = zegel_jose::Jwk::from_secret_bytes(&digest).unwrap();
    let verified = zegel_jwt::open(
        &u.body,
        &Decryption::new(&[&jwe::DIR], &[&jwe::A256GCM]),
        &Validation::new(&[&jws::RS256])
            .issuer(provider.issuer())
            .audience(SECRET_CLIENT_ID),
        OpenKeys {
            recipient: &key,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(verified.claims().extra["email"], "jan.peeters@example.be");
    // The access token expires after an hour.
    provider.advance_clock(Duration::from_secs(3601));
    let u = request(
        "GET",
        &provider.userinfo_endpoint(),
        &[("authorization", &bearer)],
        Vec::new(),
    )
    .await;
    assert_eq!(u.status, 401);
    assert_eq!(u.json()["error"], "invalid_token");
}

#[tokio::test]
async fn a_client_registered_without_pkce_enforcement() {
    let keys = PartnerKeys::shared();
    let (sig, enc) = provider_keys();
    let provider = Provider::builder()
        .keys(sig, enc)
        .client(
            Client::private_key_jwt(CLIENT_ID, keys.public())
                .redirect_uri(REDIRECT)
                .service(SERVICE)
                .with_optional_pkce(),
        )
        .start()
        .await
        .unwrap();
    let login_without_pkce = || async {
        let (_, challenge) = pkce();
        let mut p = params(&challenge);
        p.remove("code_challenge");
        p.remove("code_challenge_method");
        let url = auth_url(
            &provider,
            &p,
            &request_object(&provider, &keys.signer(), &p, provider.issuer()),
        );
        let q = redirect_query(&get(&url).await);
        q["code"].clone()
    };
    // Without PKCE: accepted, with no code_verifier.
    let code = login_without_pkce().await;
    assert_eq!(code.len(), 36);
    let a = assertion(
        keys,
        &provider.token_endpoint(),
        Duration::from_secs(60),
        &fresh_jti(),
    );
    let mut form = token_form(&code, "", &a);
    form.retain(|(k, _)| k != "code_verifier");
    let resp = post_form(&provider.token_endpoint(), &form).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    // A verifier where no challenge was sent: a downgrade, refused.
    let code = login_without_pkce().await;
    let (verifier, _) = pkce();
    let resp = exchange(&provider, keys, &code, &verifier).await;
    assert_eq!(
        resp.json()["error_description"],
        "code_verifier without a code_challenge in the authorization request"
    );
    // With PKCE: still checked.
    let (code, _) = login(&provider, keys).await;
    let (other, _) = pkce();
    let resp = exchange(&provider, keys, &code, &other).await;
    assert_eq!(
        resp.json()["error_description"],
        "code_verifier does not match the code_challenge"
    );
}

#[tokio::test]
async fn the_picture_is_fetched_with_the_access_token() {
    let keys = PartnerKeys::shared();
    let provider = provider(keys).await;
    let (code, verifier) = login(&provider, keys).await;
    let body = exchange(&provider, keys, &code, &verifier).await.json();
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let u = request(
        "GET",
        &provider.userinfo_endpoint(),
        &[("authorization", &bearer)],
        Vec::new(),
    )
    .await;
    let private = keys.private();
    let verified = zegel_jwt::open(
        &u.body,
        &Decryption::new(&[&jwe::RSA_OAEP_256], &[&jwe::A128CBC_HS256]),
        &Validation::new(&[&jws::RS256])
            .issuer(provider.issuer())
            .audience(CLIENT_ID),
        OpenKeys {
            recipient: &private,
            issuer: provider.public_jwks(),
        },
        now(),
    )
    .unwrap();
    let url = verified.claims().extra["picture"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(url, format!("{}/picture", provider.issuer()));
    let p = request("GET", &url, &[("authorization", &bearer)], Vec::new()).await;
    assert_eq!(p.status, 200);
    assert_eq!(p.headers["content-type"], "image/png");
    assert!(p.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(get(&url).await.status, 401);
    assert_eq!(provider.counters().userinfo, 3);
    // Without `profile` nor a `picture` claim asked for: not granted.
    let (verifier, challenge) = pkce();
    let mut p = params(&challenge);
    p.insert("scope".into(), json!(format!("openid service:{SERVICE}")));
    p.remove("claims");
    let request = request_object(&provider, &keys.signer(), &p, provider.issuer());
    let q = redirect_query(&get(&auth_url(&provider, &p, &request)).await);
    let body = exchange(&provider, keys, &q["code"], &verifier)
        .await
        .json();
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let p = request_with(&url, &bearer).await;
    assert_eq!(p.status, 403);
    assert_eq!(p.json()["error"], "insufficient_scope");
}

async fn request_with(url: &str, bearer: &str) -> Response {
    request("GET", url, &[("authorization", bearer)], Vec::new()).await
}
