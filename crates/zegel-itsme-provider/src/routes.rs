//! The endpoints under the issuer (`http://127.0.0.1:PORT/v2`), named as itsme®'s are, and the
//! discovery document and JWK Set.

use hyper::Method;
use serde_json::{Value, json};
use zegel_itsme::claims;
use zegel_itsme::config::Acr;

use crate::faults::Endpoint;
use crate::http::{Req, Resp};
use crate::state::Shared;

/// The authorization endpoint, under the issuer.
pub(crate) const AUTHORIZATION: &str = "/authorization";
/// Where the interactive page posts the user's decision.
pub(crate) const DECISION: &str = "/authorization/decision";
/// The token endpoint.
pub(crate) const TOKEN: &str = "/token";
/// The UserInfo endpoint.
pub(crate) const USERINFO: &str = "/userinfo";
/// The ID picture (the `picture` claim's URL), fetched with the access token.
pub(crate) const PICTURE: &str = "/picture";
/// The JWK Set.
pub(crate) const JWKS: &str = "/jwkSet";
/// The discovery document, under the issuer (and at the root too).
pub(crate) const DISCOVERY: &str = "/.well-known/openid-configuration";
/// The path of the issuer.
pub(crate) const ISSUER_PATH: &str = "/v2";

/// The scopes itsme® knows, besides `service:CODE`.
pub(crate) const SCOPES: &[&str] = &["openid", "profile", "email", "address", "phone", "eid"];

pub(crate) async fn route(shared: &Shared, req: Req) -> Resp {
    let path = req.path.strip_prefix(ISSUER_PATH).unwrap_or(&req.path);
    let endpoint = match (path, req.path.as_str()) {
        (DISCOVERY, _) | (_, DISCOVERY) => Endpoint::Discovery,
        (JWKS, _) => Endpoint::Jwks,
        (AUTHORIZATION | DECISION, _) => Endpoint::Authorization,
        (TOKEN, _) => Endpoint::Token,
        (USERINFO | PICTURE, _) => Endpoint::UserInfo,
        _ => return Resp::new(404, "text/plain; charset=utf-8", "not found"),
    };
    let path = path.to_owned();
    shared.count(endpoint);
    let faults = shared.lock().faults.clone();
    if let Some(delay) = faults.delay {
        tokio::time::sleep(delay).await;
    }
    if faults.server_error.contains(&endpoint) {
        return Resp::new(500, "text/plain; charset=utf-8", "internal server error");
    }
    match (endpoint, &req.method) {
        (Endpoint::Discovery, &Method::GET) => Resp::json(200, &discovery(shared)),
        (Endpoint::Jwks, &Method::GET) => {
            Resp::new(200, "application/json", shared.keys.public.to_public_json())
                .with_header("cache-control", "public, max-age=1800")
        }
        (Endpoint::Authorization, &Method::GET) if path == AUTHORIZATION => {
            crate::authorize::authorize(shared, &req).await
        }
        (Endpoint::Authorization, &Method::POST) if path == DECISION => {
            crate::authorize::decision(shared, &req)
        }
        (Endpoint::Token, &Method::POST) => crate::token::token(shared, &req).await,
        (Endpoint::UserInfo, &Method::GET) if path == PICTURE => {
            crate::token::picture(shared, &req)
        }
        (Endpoint::UserInfo, &Method::GET | &Method::POST) => {
            crate::token::userinfo(shared, &req).await
        }
        _ => Resp::new(405, "text/plain; charset=utf-8", "method not allowed"),
    }
}

/// The discovery document, with itsme®'s metadata.
pub(crate) fn discovery(shared: &Shared) -> Value {
    let mut scopes: Vec<String> = SCOPES.iter().map(|s| (*s).to_owned()).collect();
    for c in &shared.clients {
        for s in &c.services {
            let scope = format!("service:{s}");
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
    }
    let claims: Vec<String> = [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "nonce",
        "acr",
        "auth_time",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .chain(claims::ALL.iter().map(|c| c.name().into_owned()))
    .collect();
    json!({
        "issuer": shared.issuer,
        "authorization_endpoint": shared.endpoint(AUTHORIZATION),
        "token_endpoint": shared.endpoint(TOKEN),
        "userinfo_endpoint": shared.endpoint(USERINFO),
        "jwks_uri": shared.endpoint(JWKS),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "acr_values_supported": [Acr::Basic.uri(), Acr::Advanced.uri()],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "id_token_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256", "dir"],
        "id_token_encryption_enc_values_supported": ["A128CBC-HS256", "A256GCM"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        "userinfo_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256", "dir"],
        "userinfo_encryption_enc_values_supported": ["A128CBC-HS256", "A256GCM"],
        "request_object_signing_alg_values_supported": ["RS256"],
        "request_object_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256"],
        "request_object_encryption_enc_values_supported": ["A128CBC-HS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "display_values_supported": ["page"],
        "claim_types_supported": ["normal"],
        "claims_supported": claims,
        "claims_parameter_supported": true,
        "request_parameter_supported": true,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "ui_locales_supported": ["fr", "nl", "de", "en"],
    })
}
