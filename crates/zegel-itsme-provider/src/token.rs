//! The token endpoint (client authentication, then the code, its redirect URI and PKCE
//! verifier) and the UserInfo endpoint (bearer access token).

use std::time::Duration;

use serde_json::{Map, Value, json};
use zegel_jose::hash::HashAlg;
use zegel_jose::jws;
use zegel_jwt::{Claim, NumericDate, UnixTime, Validation};

use crate::client::{Client, ClientAuth};
use crate::form::Form;
use crate::http::{Req, Resp};
use crate::issue::{self, pairwise_sub, release, requested, scope_claims};
use crate::routes;
use crate::state::{
    ACCESS_TOKEN_LIFETIME, CODE_LIFETIME, ID_TOKEN_LIFETIME, Issued, MAX_ASSERTION_LIFETIME,
    Shared, random_id,
};

/// The client assertion type of `private_key_jwt` (RFC 7523 §2.2).
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The longest `jti` itsme® accepts.
const MAX_JTI_LEN: usize = 255;

const PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

fn bad(code: &str, description: &str) -> Resp {
    Resp::oauth_error(400, code, description)
}

fn unauthorized(description: &str) -> Resp {
    Resp::oauth_error(401, "invalid_client", description)
}

pub(crate) async fn token(shared: &Shared, req: &Req) -> Resp {
    let form_type = req
        .content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if form_type != Some("application/x-www-form-urlencoded") {
        return bad(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    if !req.query.is_empty() {
        return bad(
            "invalid_request",
            "the parameters go in the body, not the query",
        );
    }
    let Ok(body) = core::str::from_utf8(&req.body) else {
        return bad("invalid_request", "the body is not UTF-8");
    };
    let Ok(form) = Form::parse(body, PARAMS) else {
        return bad(
            "invalid_request",
            "the body is malformed or repeats a parameter",
        );
    };
    if form.get("grant_type") != Some("authorization_code") {
        return bad(
            "unsupported_grant_type",
            "only authorization_code is supported",
        );
    }
    let client = match authenticate(shared, &form).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let now = shared.now();
    let Some(code) = form.get("code") else {
        return bad("invalid_request", "code is required");
    };
    // Single use: the first redemption by its client consumes the code, even a failed one.
    let issued = {
        let mut inner = shared.lock();
        match inner.codes.get_mut(code) {
            Some(i) if i.grant.client_id == client.id => {
                let first = !i.used;
                i.used = true;
                first.then(|| i.clone())
            }
            _ => None,
        }
    };
    let Some(issued) = issued else {
        return bad(
            "invalid_grant",
            "the code is unknown, already used or for another client",
        );
    };
    if now.saturating_duration_since(issued.issued_at) > CODE_LIFETIME {
        return bad("invalid_grant", "the code has expired");
    }
    if form.get("redirect_uri") != Some(issued.grant.redirect_uri.as_str()) {
        return bad(
            "invalid_grant",
            "redirect_uri does not match the authorization request",
        );
    }
    match (&issued.grant.code_challenge, form.get("code_verifier")) {
        (None, None) => {}
        (None, Some(_)) => {
            return bad(
                "invalid_grant",
                "code_verifier without a code_challenge in the authorization request",
            );
        }
        (Some(_), None) => return bad("invalid_grant", "code_verifier is required (PKCE)"),
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
            let computed =
                zegel_jose::base64url::encode(&HashAlg::Sha256.digest(verifier.as_bytes()));
            if !well_formed || computed != *challenge {
                return bad(
                    "invalid_grant",
                    "code_verifier does not match the code_challenge",
                );
            }
        }
    }
    let Ok(access_token) = random_id() else {
        return Resp::new(500, "text/plain; charset=utf-8", "no randomness");
    };
    let faults = shared.lock().faults.clone();
    let id_token = match id_token(shared, client, &issued, &access_token, now, &faults).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    shared.lock().access_tokens.insert(
        access_token.clone(),
        Issued {
            issued_at: now,
            ..issued
        },
    );
    Resp::json(
        200,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME.as_secs(),
            "id_token": id_token,
        }),
    )
    .with_header("pragma", "no-cache")
}

/// Client authentication: `private_key_jwt` (the assertion: RS256 with the client's key, `iss`
/// = `sub` = `client_id`, `aud` the token endpoint only, `exp` in the future and at most 10
/// minutes ahead, `jti` at most 255 characters and never seen before) or `client_secret_post`.
async fn authenticate<'s>(shared: &'s Shared, form: &Form) -> Result<&'s Client, Resp> {
    if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type") != Some(JWT_BEARER) {
            return Err(unauthorized("client_assertion_type must be jwt-bearer"));
        }
        if form.get("client_secret").is_some() {
            return Err(unauthorized("one client authentication method only"));
        }
        // The assertion names its client; its signature decides.
        let claimed = jws::dangerous::decode_unverified(assertion.as_bytes())
            .ok()
            .and_then(|u| serde_json::from_slice::<Map<String, Value>>(u.payload()?).ok())
            .and_then(|c| c.get("iss").and_then(Value::as_str).map(str::to_owned));
        let client = claimed
            .as_deref()
            .and_then(|id| shared.client(id))
            .filter(|c| matches!(c.auth, ClientAuth::PrivateKeyJwt(_)))
            .ok_or_else(|| unauthorized("the client is unknown or does not use private_key_jwt"))?;
        if form.get("client_id").is_some_and(|id| id != client.id) {
            return Err(unauthorized(
                "client_id does not match the client assertion",
            ));
        }
        let keys = crate::authorize::client_keys(shared, client)
            .await
            .ok_or_else(|| unauthorized("the client's keys are unavailable"))?;
        if zegel_jwt::unverified_header(assertion)
            .ok()
            .and_then(|h| h.kid)
            .is_none()
        {
            return Err(unauthorized("the client assertion must name its kid"));
        }
        let now = shared.now();
        let validation = Validation::new(&[&jws::RS256])
            .issuer(client.id.clone())
            .subject(client.id.clone())
            .audience(shared.endpoint(routes::TOKEN))
            .require(Claim::Jti)
            .leeway(Duration::from_secs(5));
        let verified = zegel_jwt::verify(assertion, &keys, &validation, now)
            .map_err(|_| unauthorized("the client assertion is not valid"))?;
        let claims = verified.claims();
        let too_far = NumericDate::from_unix_time(now.saturating_add(MAX_ASSERTION_LIFETIME));
        if claims.exp.is_none_or(|exp| exp.secs() > too_far.secs()) {
            return Err(unauthorized("the client assertion lives too long"));
        }
        let jti = claims.jti.clone().unwrap_or_default();
        if jti.is_empty() || jti.len() > MAX_JTI_LEN {
            return Err(unauthorized("the client assertion's jti is not valid"));
        }
        let exp = claims.exp.map_or(0, |e| e.secs());
        let mut inner = shared.lock();
        inner.prune(now);
        if inner.jtis.insert((client.id.clone(), jti), exp).is_some() {
            return Err(unauthorized("the client assertion was already used"));
        }
        return Ok(client);
    }
    let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) else {
        return Err(unauthorized("client authentication is required"));
    };
    let client = shared
        .client(id)
        .ok_or_else(|| unauthorized("the client is unknown"))?;
    let ClientAuth::ClientSecretPost(expected) = &client.auth else {
        return Err(unauthorized("this client uses private_key_jwt"));
    };
    // Compared through their digests, so the comparison's timing says nothing of the secret.
    let digest = |s: &str| HashAlg::Sha256.digest(s.as_bytes());
    if digest(secret) != digest(expected) {
        return Err(unauthorized("the client secret is not valid"));
    }
    Ok(client)
}

/// The common claims of ID tokens and UserInfo responses, with the faults applied.
fn base_claims(
    shared: &Shared,
    client: &Client,
    issued: &Issued,
    now: UnixTime,
    faults: &crate::faults::Faults,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert(
        "iss".into(),
        json!(
            faults
                .issuer
                .clone()
                .unwrap_or_else(|| shared.issuer.clone())
        ),
    );
    c.insert(
        "sub".into(),
        json!(pairwise_sub(&client.id, &issued.identity)),
    );
    c.insert(
        "aud".into(),
        json!(faults.audience.clone().unwrap_or_else(|| client.id.clone())),
    );
    let (iat, exp) = if faults.expired_id_token {
        let iat = now.saturating_sub(Duration::from_secs(3600));
        (iat, iat.saturating_add(ID_TOKEN_LIFETIME))
    } else {
        (now, now.saturating_add(ID_TOKEN_LIFETIME))
    };
    c.insert("iat".into(), json!(iat.as_secs()));
    c.insert("nbf".into(), json!(iat.as_secs()));
    c.insert("exp".into(), json!(exp.as_secs()));
    c
}

async fn id_token(
    shared: &Shared,
    client: &Client,
    issued: &Issued,
    access_token: &str,
    now: UnixTime,
    faults: &crate::faults::Faults,
) -> Result<String, Resp> {
    let mut c = base_claims(shared, client, issued, now, faults);
    c.insert(
        "nonce".into(),
        json!(
            faults
                .nonce
                .clone()
                .unwrap_or_else(|| issued.grant.nonce.clone())
        ),
    );
    c.insert("acr".into(), json!(issued.grant.acr));
    c.insert("auth_time".into(), json!(issued.auth_time.as_secs()));
    c.insert(
        "at_hash".into(),
        json!(zegel_jwt::hash::at_hash(access_token, &jws::RS256)),
    );
    release_claims(
        shared,
        &mut c,
        &issued.identity,
        requested(&issued.grant.claims, "id_token"),
    );
    seal_for(shared, client, c, faults).await
}

async fn seal_for(
    shared: &Shared,
    client: &Client,
    claims: Map<String, Value>,
    faults: &crate::faults::Faults,
) -> Result<String, Resp> {
    let keys = crate::authorize::client_keys(shared, client).await;
    issue::seal(shared, &client.auth, keys.as_ref(), claims, faults).map_err(|_| {
        Resp::oauth_error(
            500,
            "server_error",
            "the client's JWK Set has no RSA encryption key",
        )
    })
}

/// The grant behind the request's bearer access token, or the `401` to answer.
fn bearer(shared: &Shared, req: &Req) -> Result<Issued, Resp> {
    let challenge = |error: &str| {
        Resp::oauth_error(401, error, "a valid bearer access token is required")
            .with_header("www-authenticate", format!("Bearer error=\"{error}\""))
    };
    let token = req
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| challenge("invalid_request"))?;
    let issued = shared
        .lock()
        .access_tokens
        .get(token)
        .cloned()
        .ok_or_else(|| challenge("invalid_token"))?;
    if shared.now().saturating_duration_since(issued.issued_at) > ACCESS_TOKEN_LIFETIME {
        return Err(challenge("invalid_token"));
    }
    Ok(issued)
}

pub(crate) async fn userinfo(shared: &Shared, req: &Req) -> Resp {
    let issued = match bearer(shared, req) {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let Some(client) = shared.client(&issued.grant.client_id) else {
        return Resp::oauth_error(401, "invalid_token", "the client is gone");
    };
    let now = shared.now();
    let faults = shared.lock().faults.clone();
    let mut c = base_claims(shared, client, &issued, now, &faults);
    let mut names = requested(&issued.grant.claims, "userinfo");
    for scope in &issued.grant.scopes {
        names.extend(scope_claims(scope).iter().map(|s| (*s).to_owned()));
    }
    release_claims(shared, &mut c, &issued.identity, names);
    match seal_for(shared, client, c, &faults).await {
        Ok(jwt) => Resp::new(200, "application/jwt", jwt),
        Err(resp) => resp,
    }
}

/// The demo ID picture, served at the `picture` claim's URL.
const DEMO_PHOTO: &[u8] = include_bytes!("demo_photo.png");

/// The ID picture, for an access token whose login released `picture`.
pub(crate) fn picture(shared: &Shared, req: &Req) -> Resp {
    let issued = match bearer(shared, req) {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let granted = issued.grant.scopes.iter().any(|s| s == "profile")
        || ["id_token", "userinfo"].iter().any(|m| {
            requested(&issued.grant.claims, m)
                .iter()
                .any(|n| n == "picture")
        });
    if !granted {
        return Resp::oauth_error(403, "insufficient_scope", "picture was not granted");
    }
    Resp::new(200, "image/png", DEMO_PHOTO)
}

/// Releases the named claims the identity has; `picture`, unless the identity gives its own
/// URL, is the provider's picture endpoint.
fn release_claims(
    shared: &Shared,
    out: &mut Map<String, Value>,
    identity: &Map<String, Value>,
    names: Vec<String>,
) {
    let wants_picture = names.iter().any(|n| n == "picture");
    release(out, identity, names);
    if wants_picture && !out.contains_key("picture") {
        out.insert("picture".into(), json!(shared.endpoint(routes::PICTURE)));
    }
}
