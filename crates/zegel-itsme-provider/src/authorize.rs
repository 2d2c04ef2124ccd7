//! The authorization endpoint: the request object (signed by the client, then encrypted to the
//! provider) or, for a client that sends them, the plain parameters; checked as itsme® checks
//! them, then answered by the scripted user (or the interactive page) with a code or an error,
//! by redirect.

use serde_json::{Map, Value};
use zegel_itsme::config::Acr;
use zegel_itsme::provider_error::ErrorCode;
use zegel_jose::jwe::{self, Decryptor};
use zegel_jose::jws;
use zegel_jose::keys::KeySource;
use zegel_jwt::Validation;

use crate::client::{Client, ClientAuth, ClientKeys};
use crate::form::{self, Form, FormError};
use crate::http::{Req, Resp};
use crate::routes::{self, SCOPES};
use crate::state::{Grant, Issued, PENDING_LIFETIME, Shared, UserAction, random_code, random_id};

/// The parameters a repeated occurrence of which is named in the error.
const PARAMS: &[&str] = &[
    "client_id",
    "response_type",
    "scope",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "request",
    "acr_values",
    "claims",
];

/// The parameters that must be repeated outside a request object and match it.
const OUTER: &[&str] = &["client_id", "response_type", "scope", "redirect_uri"];

/// A refusal sent back to the client by redirect.
struct Refusal {
    code: ErrorCode,
    description: &'static str,
}

fn refuse(code: ErrorCode, description: &'static str) -> Refusal {
    Refusal { code, description }
}

/// A `400` page: the redirect URI cannot be trusted, so the user is not sent back.
fn page(status: u16, message: &str) -> Resp {
    Resp::new(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><title>itsme® (local)</title><h1>Request refused</h1><p>{}</p>",
            form::html_escape(message)
        ),
    )
}

pub(crate) async fn authorize(shared: &Shared, req: &Req) -> Resp {
    let query = match Form::parse(&req.query, PARAMS) {
        Ok(q) => q,
        Err(FormError::Repeated(name)) => {
            return page(
                400,
                &format!("invalid_request: the parameter {name} is repeated"),
            );
        }
        Err(_) => return page(400, "invalid_request: the query is malformed"),
    };
    let Some(client) = query.get("client_id").and_then(|id| shared.client(id)) else {
        return page(400, "invalid_client_id: the client_id is unknown");
    };
    let Some(redirect_uri) = query
        .get("redirect_uri")
        .filter(|r| client.redirect_uris.iter().any(|u| u == r))
    else {
        return page(
            400,
            "invalid_redirect_uri: the redirect_uri is not one registered for this client",
        );
    };
    let outer_state = query.get("state").unwrap_or_default().to_owned();
    let back = |r: Refusal, state: &str| {
        error_redirect(shared, redirect_uri, r.code, r.description, state)
    };
    let params = match parameters(shared, client, &query).await {
        Ok(p) => p,
        Err(r) => return back(r, &outer_state),
    };
    let state = params
        .get("state")
        .and_then(Value::as_str)
        .map_or_else(|| outer_state.clone(), str::to_owned);
    let grant = match check(client, redirect_uri, &params, state.clone()) {
        Ok(g) => g,
        Err(r) => return back(r, &state),
    };
    if shared.interactive {
        return interactive_page(shared, grant);
    }
    let action = shared.next_action();
    answer(shared, grant, action)
}

/// The parameters of the request: the request object's claims (with the outer ones checked
/// against them), or the plain query for a client that may send it.
async fn parameters(
    shared: &Shared,
    client: &Client,
    query: &Form,
) -> Result<Map<String, Value>, Refusal> {
    if query.get("request_uri").is_some() {
        return Err(refuse(
            ErrorCode::InvalidRequestUri,
            "request_uri is not supported: send the request object by value",
        ));
    }
    let Some(request) = query.get("request") else {
        if client.request_object {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "this client must send a signed and encrypted request object",
            ));
        }
        let mut map = Map::new();
        for name in PARAMS
            .iter()
            .chain(["ui_locales", "prompt", "display", "max_age"].iter())
        {
            if let Some(v) = query.get(name) {
                map.insert((*name).to_owned(), Value::String(v.to_owned()));
            }
        }
        return Ok(map);
    };
    let keys = client_keys(shared, client).await.ok_or_else(|| {
        refuse(
            ErrorCode::InvalidRequestObject,
            "the client's keys are unavailable",
        )
    })?;
    let inner = open_request_object(shared, client, request, &keys)?;
    for name in OUTER {
        let outer = query.get(name).ok_or_else(|| {
            refuse(
                ErrorCode::InvalidRequest,
                "client_id, response_type, scope and redirect_uri must be repeated outside the request object",
            )
        })?;
        if let Some(v) = inner.get(*name)
            && v.as_str() != Some(outer)
        {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "a parameter outside the request object does not match the one inside",
            ));
        }
    }
    let mut map = Map::new();
    for (k, v) in inner {
        let v = match v {
            Value::String(s) => Value::String(s),
            Value::Object(o) if k == "claims" => Value::String(Value::Object(o).to_string()),
            Value::Number(n) if k == "max_age" => Value::String(n.to_string()),
            other => other,
        };
        map.insert(k, v);
    }
    for name in OUTER {
        if !map.contains_key(*name)
            && let Some(v) = query.get(name)
        {
            map.insert((*name).to_owned(), Value::String(v.to_owned()));
        }
    }
    Ok(map)
}

/// Decrypts the request object with the provider's `enc` key (RSA-OAEP-256 or RSA-OAEP,
/// A128CBC-HS256), then verifies the inner RS256 JWS with the client's keys: `iss` the
/// `client_id`, `aud` the issuer, `exp` in the future.
fn open_request_object(
    shared: &Shared,
    client: &Client,
    request: &str,
    client_keys: &zegel_jose::JwkSet,
) -> Result<Map<String, Value>, Refusal> {
    let invalid = |d| refuse(ErrorCode::InvalidRequestObject, d);
    if request.split('.').count() != 5 {
        return Err(invalid(
            "the request object is not encrypted (a compact JWE)",
        ));
    }
    let decrypted = Decryptor::new(
        &[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP],
        &[&jwe::A128CBC_HS256],
    )
    .decrypt(request.as_bytes(), &shared.keys.encryption)
    .map_err(|_| invalid("the request object could not be decrypted"))?;
    // itsme®'s JOSE rules: the JWE says `cty: JWT`, the JWS names its key (`kid`).
    if !decrypted
        .header()
        .cty
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("JWT"))
    {
        return Err(invalid(
            "the request object's encryption header must say cty: JWT",
        ));
    }
    if zegel_jwt::unverified_header(decrypted.plaintext())
        .ok()
        .and_then(|h| h.kid)
        .is_none()
    {
        return Err(invalid(
            "the request object's signature header must name its kid",
        ));
    }
    let validation = Validation::new(&[&jws::RS256])
        .issuer(client.id.clone())
        .audience(shared.issuer.clone());
    let verified = zegel_jwt::verify(
        decrypted.plaintext(),
        client_keys as &dyn KeySource,
        &validation,
        shared.now(),
    )
    .map_err(|e| match e {
        zegel_jwt::Error::Jose(_) => invalid("the request object's signature is not valid"),
        _ => invalid("the request object's iss, aud or exp is not valid"),
    })?;
    verified
        .into_claims()
        .to_map()
        .map_err(|_| invalid("the request object's claims are malformed"))
}

/// The client's public keys: given, or fetched from its `jwks_uri` once.
pub(crate) async fn client_keys(shared: &Shared, client: &Client) -> Option<zegel_jose::JwkSet> {
    match &client.auth {
        ClientAuth::PrivateKeyJwt(ClientKeys::Set(set)) => Some(set.clone()),
        ClientAuth::PrivateKeyJwt(ClientKeys::Uri(uri)) => {
            if let Some(set) = shared.lock().fetched_jwks.get(uri) {
                return Some(set.clone());
            }
            let set = crate::http::fetch_jwks(uri).await?;
            shared.lock().fetched_jwks.insert(uri.clone(), set.clone());
            Some(set)
        }
        ClientAuth::ClientSecretPost(_) => None,
    }
}

fn text<'a>(params: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Refusal> {
    match params.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(refuse(
            ErrorCode::InvalidRequest,
            "a parameter is not a string",
        )),
    }
}

fn required<'a>(
    params: &'a Map<String, Value>,
    name: &str,
    missing: &'static str,
) -> Result<&'a str, Refusal> {
    text(params, name)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| refuse(ErrorCode::InvalidRequest, missing))
}

/// The itsme® rules on the parameters.
fn check(
    client: &Client,
    redirect_uri: &str,
    params: &Map<String, Value>,
    state: String,
) -> Result<Grant, Refusal> {
    if text(params, "response_type")? != Some("code") {
        return Err(refuse(
            ErrorCode::UnsupportedResponseType,
            "only response_type=code is supported",
        ));
    }
    if text(params, "redirect_uri")? != Some(redirect_uri) {
        return Err(refuse(
            ErrorCode::InvalidRequest,
            "redirect_uri does not match",
        ));
    }
    let scope = required(params, "scope", "scope is required")?;
    let scopes: Vec<String> = scope.split(' ').map(str::to_owned).collect();
    let mut services = 0;
    for s in &scopes {
        if let Some(code) = s.strip_prefix("service:") {
            services += 1;
            if !client.services.iter().any(|c| c == code) {
                return Err(refuse(
                    ErrorCode::InvalidScope,
                    "the service code is not one registered for this client",
                ));
            }
        } else if !SCOPES.contains(&s.as_str()) {
            return Err(refuse(
                ErrorCode::InvalidScope,
                "a scope is not an itsme® scope",
            ));
        }
    }
    if !scopes.iter().any(|s| s == "openid") {
        return Err(refuse(
            ErrorCode::InvalidScope,
            "the openid scope is required",
        ));
    }
    if services != 1 {
        return Err(refuse(
            ErrorCode::InvalidScope,
            "exactly one service:CODE scope is required",
        ));
    }
    if state.is_empty() {
        return Err(refuse(ErrorCode::InvalidRequest, "state is required"));
    }
    let nonce = required(params, "nonce", "nonce is required")?;
    let challenge = text(params, "code_challenge")?.filter(|c| !c.is_empty());
    let method = text(params, "code_challenge_method")?;
    match (challenge, method) {
        (None, None) if !client.pkce_required => {}
        (None, _) => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "PKCE is required: code_challenge",
            ));
        }
        (Some(_), Some("S256")) => {}
        (Some(_), _) => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "PKCE is required with code_challenge_method=S256",
            ));
        }
    }
    if let Some(c) = challenge
        && (c.len() != 43
            || zegel_jose::base64url::decode(c.as_bytes(), zegel_jose::error::Part::Token).is_err())
    {
        return Err(refuse(
            ErrorCode::InvalidRequest,
            "code_challenge is not a S256 challenge",
        ));
    }
    let mut acr = Acr::Basic;
    if let Some(values) = text(params, "acr_values")? {
        for v in values.split(' ') {
            let level = Acr::from_uri(v)
                .ok_or_else(|| refuse(ErrorCode::InvalidRequest, "an acr value is not itsme®'s"))?;
            acr = acr.max(level);
        }
    }
    if let Some(display) = text(params, "display")?
        && display != "page"
    {
        return Err(refuse(
            ErrorCode::UnsupportedDisplay,
            "only display=page is supported",
        ));
    }
    if text(params, "prompt")?.is_some_and(|p| p.split(' ').any(|p| p == "none")) {
        return Err(refuse(ErrorCode::LoginRequired, "the user must sign in"));
    }
    let claims = match params.get("claims") {
        None => Map::new(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => o,
            _ => {
                return Err(refuse(
                    ErrorCode::InvalidRequest,
                    "claims is not a JSON object",
                ));
            }
        },
        Some(_) => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "claims is not a JSON object",
            ));
        }
    };
    for (k, v) in &claims {
        if !matches!(k.as_str(), "id_token" | "userinfo") || !v.is_object() {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "claims holds only id_token and userinfo objects",
            ));
        }
    }
    Ok(Grant {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state,
        nonce: nonce.to_owned(),
        code_challenge: challenge.map(str::to_owned),
        scopes,
        acr: acr.uri(),
        claims,
    })
}

/// Redirects back with `error`, `error_description`, `state` and `iss` (RFC 9207).
fn error_redirect(
    shared: &Shared,
    redirect_uri: &str,
    code: ErrorCode,
    description: &str,
    state: &str,
) -> Resp {
    let mut pairs = vec![
        ("error", code.code().unwrap_or("invalid_request")),
        ("error_description", description),
    ];
    if !state.is_empty() {
        pairs.push(("state", state));
    }
    pairs.push(("iss", shared.issuer.as_str()));
    Resp::redirect(append_query(redirect_uri, &form::encode_pairs(&pairs)))
}

fn append_query(uri: &str, query: &str) -> String {
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{query}")
}

/// The user's answer: a code, or `access_denied`.
fn answer(shared: &Shared, grant: Grant, action: UserAction) -> Resp {
    let identity = match action {
        UserAction::Approve(identity) => identity,
        UserAction::Deny => {
            return error_redirect(
                shared,
                &grant.redirect_uri,
                ErrorCode::AccessDenied,
                "the user refused",
                &grant.state,
            );
        }
    };
    let Ok(code) = random_code() else {
        return Resp::new(500, "text/plain; charset=utf-8", "no randomness");
    };
    let now = shared.now();
    let location = append_query(
        &grant.redirect_uri,
        &form::encode_pairs(&[
            ("code", &code),
            ("state", &grant.state),
            ("iss", &shared.issuer),
        ]),
    );
    let mut inner = shared.lock();
    inner.prune(now);
    inner.codes.insert(
        code,
        Issued {
            grant,
            identity,
            auth_time: now,
            issued_at: now,
            used: false,
        },
    );
    Resp::redirect(location)
}

/// The interactive page: who asks, for what, and two buttons that post back.
fn interactive_page(shared: &Shared, grant: Grant) -> Resp {
    let Ok(id) = random_id() else {
        return Resp::new(500, "text/plain; charset=utf-8", "no randomness");
    };
    let client = form::html_escape(&grant.client_id);
    let scopes = form::html_escape(&grant.scopes.join(" "));
    let action = form::html_escape(&shared.endpoint(routes::DECISION));
    let now = shared.now();
    let mut inner = shared.lock();
    inner.prune(now);
    inner.pending.insert(id.clone(), (grant, now));
    drop(inner);
    Resp::new(
        200,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>itsme® (local)</title></head>\
             <body><h1>Confirm with itsme®</h1><p><b>{client}</b> asks for: {scopes}</p>\
             <form method=\"post\" action=\"{action}\">\
             <input type=\"hidden\" name=\"pending\" value=\"{id}\">\
             <button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Approve</button>\
             <button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"cancel\">Cancel</button>\
             </form></body></html>"
        ),
    )
}

/// The interactive page's answer.
pub(crate) fn decision(shared: &Shared, req: &Req) -> Resp {
    let Ok(body) = core::str::from_utf8(&req.body) else {
        return page(400, "invalid_request: the form is malformed");
    };
    let Ok(form) = Form::parse(body, &["pending", "decision"]) else {
        return page(400, "invalid_request: the form is malformed");
    };
    let Some(grant) = form
        .get("pending")
        .and_then(|id| shared.lock().pending.remove(id))
        .filter(|(_, at)| shared.now().saturating_duration_since(*at) <= PENDING_LIFETIME)
        .map(|(grant, _)| grant)
    else {
        return page(
            400,
            "invalid_request: this login is unknown or already answered",
        );
    };
    let action = match form.get("decision") {
        Some("approve") => match shared.next_action() {
            UserAction::Approve(identity) => UserAction::Approve(identity),
            UserAction::Deny => match &shared.default_action {
                UserAction::Approve(identity) => UserAction::Approve(identity.clone()),
                UserAction::Deny => UserAction::Approve(crate::identity::demo_identity()),
            },
        },
        _ => UserAction::Deny,
    };
    answer(shared, grant, action)
}
