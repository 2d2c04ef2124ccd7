//! The web application: "Log in with itsme®" on hyper, with no server-side storage.
//!
//! - `GET /`: the login button (a form posting to `/login`).
//! - `POST /login`: the authorization URL; the pending login sealed into a cookie scoped to the
//!   callback path; a redirect to itsme®.
//! - `GET <callback path>`: the cookie opened (and cleared), the login completed, the session
//!   (a second sealed cookie) started, a redirect to `/me`.
//! - `GET /me`: the verified claims; `POST /logout`.
//! - `GET` (or `HEAD`) `/.well-known/jwks_public.json`: the partner's public keys, which itsme®
//!   fetches ([`zegel_itsme::JwksEndpoint`]).
//!
//! Every failure is a friendly page; the reason goes to the server log (stderr), never to the
//! page.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use zegel_itsme::config::JWKS_MIN_MAX_AGE;
use zegel_itsme::error::PendingError;
use zegel_itsme::pending::SealingKey;
use zegel_itsme::provider_error::ErrorCode;
use zegel_itsme::{FlowError, Identity, ItsmeClient, JwksEndpoint, Login, PendingLogin};
use zegel_jose::jwe::{self, Decryptor, Encryptor, Recipient};
use zegel_jose::jwk::KeySpec;
use zegel_jose::{Jwk, JwkSet};
use zegel_jwt::UnixTime;

/// How long a person has to log in at itsme® (the pending login's lifetime).
pub(crate) const LOGIN_TTL: Duration = Duration::from_secs(600);
/// How long an application session lasts.
const SESSION_TTL: Duration = Duration::from_secs(3600);
/// Where the partner's public keys are served.
pub(crate) const JWKS_PATH: &str = "/.well-known/jwks_public.json";
const PENDING_COOKIE: &str = "itsme_pending";
const SESSION_COOKIE: &str = "app_session";
const SESSION_TYP: &str = "app-session+json";

/// The application's clock (a test moves it forward).
pub(crate) type Clock = Arc<dyn Fn() -> UnixTime + Send + Sync>;

/// The application: the itsme® client, its keys, and the clock.
pub(crate) struct App {
    itsme: ItsmeClient,
    pending_key: SealingKey,
    session_key: Jwk,
    jwks_public: Option<JwksEndpoint>,
    callback_path: String,
    secure_cookies: bool,
    clock: Clock,
}

impl App {
    /// An application for `itsme`, serving `jwks_public` (the partner's public JWK Set).
    pub(crate) fn new(
        itsme: ItsmeClient,
        jwks_public: Option<&JwkSet>,
        clock: Clock,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let redirect = url::Url::parse(itsme.config().redirect_uri())?;
        Ok(Self {
            callback_path: redirect.path().to_owned(),
            // `Secure` cookies everywhere but on loopback http (a local demo).
            secure_cookies: redirect.scheme() == "https",
            // itsme® caches the partner's keys; at least 30 minutes, as it asks.
            jwks_public: jwks_public.map(|set| JwksEndpoint::new(set, JWKS_MIN_MAX_AGE)),
            itsme,
            pending_key: SealingKey::generate()?,
            session_key: Jwk::generate(&KeySpec::Oct { bytes: 32 })?,
            clock,
        })
    }

    fn cookie(&self, name: &str, value: &str, path: &str, max_age: Duration) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        let max_age = max_age.as_secs();
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }

    fn clear(&self, name: &str, path: &str) -> String {
        self.cookie(name, "", path, Duration::ZERO)
    }
}

/// Serves `app` on `listener`, one task per connection.
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(Arc::clone(&app), req));
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

/// Answers one request.
pub(crate) async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    Ok(match (req.method(), path) {
        (&Method::GET, "/") => html(StatusCode::OK, &index_page()),
        (&Method::POST, "/login") => login(&app).await,
        (&Method::GET, p) if p == app.callback_path => callback(&app, &req).await,
        (&Method::GET, "/me") => me(&app, &req),
        (&Method::POST, "/logout") => redirect("/")
            .header(SET_COOKIE, app.clear(SESSION_COOKIE, "/"))
            .body(Full::default())
            .unwrap_or_default(),
        (method, JWKS_PATH) => match &app.jwks_public {
            Some(jwks) => jwks.respond(method).map(Full::from),
            None => failure(Failure::NotFound),
        },
        _ => failure(Failure::NotFound),
    })
}

/// `POST /login`: to itsme®, with the pending login in a cookie only the callback sees.
async fn login(app: &App) -> Response<Full<Bytes>> {
    let auth = match app.itsme.authorization().await {
        Ok(auth) => auth,
        Err(e) => return log_failure(Failure::ProviderDown, &e),
    };
    let sealed = match auth.pending.seal(&app.pending_key, LOGIN_TTL) {
        Ok(sealed) => sealed,
        Err(e) => return log_failure(Failure::Refused, &e),
    };
    redirect(&auth.url)
        .header(
            SET_COOKIE,
            app.cookie(PENDING_COOKIE, &sealed, &app.callback_path, LOGIN_TTL),
        )
        .body(Full::default())
        .unwrap_or_default()
}

/// The callback: the pending login opened and cleared (it is single use), the login
/// completed, the session started.
async fn callback(app: &App, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let clear = app.clear(PENDING_COOKIE, &app.callback_path);
    let mut response = match complete(app, req).await {
        Ok(login) => match seal_session(app, login.identity()) {
            Ok(session) => redirect("/me")
                .header(
                    SET_COOKIE,
                    app.cookie(SESSION_COOKIE, &session, "/", SESSION_TTL),
                )
                .body(Full::default())
                .unwrap_or_default(),
            Err(e) => log_failure(Failure::Refused, &e),
        },
        Err(failure) => failure,
    };
    if let Ok(value) = clear.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

async fn complete(app: &App, req: &Request<Incoming>) -> Result<Login, Response<Full<Bytes>>> {
    let Some(sealed) = cookie(req, PENDING_COOKIE) else {
        eprintln!("callback refused: no pending login cookie (expired, used, or another browser)");
        return Err(failure(Failure::NoLogin));
    };
    let pending = PendingLogin::open(sealed, &app.pending_key, (app.clock)()).map_err(|e| {
        let kind = match e {
            PendingError::Expired { .. } => Failure::Expired,
            _ => Failure::Refused,
        };
        log_failure(kind, &e)
    })?;
    let callback_url = format!(
        "{}?{}",
        app.itsme.config().redirect_uri(),
        req.uri().query().unwrap_or_default()
    );
    match app.itsme.complete(&pending, &callback_url).await {
        Ok(login) => Ok(login),
        Err(e) => Err(log_failure(classify(&e), &e)),
    }
}

fn classify(e: &FlowError) -> Failure {
    use zegel_oidc::error::CallbackError;
    match e {
        FlowError::Provider {
            code: ErrorCode::AccessDenied,
        } => Failure::Cancelled,
        FlowError::Oidc(zegel_oidc::Error::Callback(
            CallbackError::StateMismatch | CallbackError::MissingState,
        )) => Failure::StateMismatch,
        FlowError::Oidc(zegel_oidc::Error::Connect { .. } | zegel_oidc::Error::Timeout { .. }) => {
            Failure::ProviderDown
        }
        FlowError::Oidc(zegel_oidc::Error::Status { status, .. }) if *status >= 500 => {
            Failure::ProviderDown
        }
        FlowError::Provider { code } | FlowError::Token { code } if code.is_retryable() => {
            Failure::ProviderDown
        }
        _ => Failure::Refused,
    }
}

/// `GET /me`: the verified claims, from the session cookie.
fn me(app: &App, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let Some(session) = cookie(req, SESSION_COOKIE).and_then(|s| open_session(app, s)) else {
        return redirect("/").body(Full::default()).unwrap_or_default();
    };
    let field = |name: &str| session[name].as_str().unwrap_or("—").to_owned();
    let rows: String = [
        ("Name", "name"),
        ("Birth date", "birthdate"),
        ("National number", "national_number"),
        ("Address", "address"),
        ("Email", "email"),
    ]
    .iter()
    .map(|(label, name)| {
        format!(
            "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>",
            escape(&field(name))
        )
    })
    .collect();
    let body = format!(
        "<h1>Welcome, {}</h1><p>itsme® confirmed who you are:</p>\
         <table id=\"claims\">{rows}</table>\
         <form method=\"post\" action=\"/logout\"><button id=\"logout\" class=\"secondary\">Log out</button></form>",
        escape(&field("given_name"))
    );
    html(StatusCode::OK, &page("Your identity", &body))
}

/// The session: only what `/me` shows (the national number already masked), sealed under the
/// server's key with an `exp`.
fn seal_session(app: &App, id: &Identity) -> Result<String, zegel_jose::Error> {
    let address = id
        .address()
        .map(|a| match (a.street_address, a.postal_code, a.locality) {
            (Some(street), Some(code), Some(city)) => format!("{street}, {code} {city}"),
            _ => a.formatted.unwrap_or_default().replace('\n', ", "),
        });
    let exp = (app.clock)().as_secs() + SESSION_TTL.as_secs();
    let claims = json!({
        "given_name": id.given_name(),
        "name": id.name(),
        "birthdate": id.birthdate().map(|d| d.to_string()),
        "national_number": id.be_national_number().map(mask),
        "address": address,
        "email": id.email(),
        "exp": exp,
    });
    Encryptor::new(&jwe::A256GCM)
        .with_typ(SESSION_TYP)
        .encrypt_compact(
            claims.to_string().as_bytes(),
            &Recipient::new(&app.session_key, &jwe::DIR),
        )
}

fn open_session(app: &App, sealed: &str) -> Option<Value> {
    let opened = Decryptor::new(&[&jwe::DIR], &[&jwe::A256GCM])
        .decrypt(sealed.as_bytes(), &app.session_key)
        .ok()?;
    if opened.protected_header().get("typ").and_then(Value::as_str) != Some(SESSION_TYP) {
        return None;
    }
    let session: Value = serde_json::from_slice(opened.into_plaintext().expose_secret()).ok()?;
    let live = session["exp"].as_u64()? > (app.clock)().as_secs();
    live.then_some(session)
}

/// The national number with all but its last 4 digits hidden.
pub(crate) fn mask(national_number: &str) -> String {
    let n = national_number.chars().count();
    national_number
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '•' } else { c })
        .collect()
}

fn cookie<'r>(req: &'r Request<Incoming>, name: &str) -> Option<&'r str> {
    req.headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// What went wrong, as the person is told.
#[derive(Clone, Copy, Debug)]
enum Failure {
    Cancelled,
    StateMismatch,
    Expired,
    NoLogin,
    ProviderDown,
    Refused,
    NotFound,
}

impl Failure {
    fn page(self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::Cancelled => (
                StatusCode::OK,
                "You cancelled the login",
                "You chose not to share your identity with us. Nothing was shared.",
            ),
            Self::StateMismatch => (
                StatusCode::BAD_REQUEST,
                "This login could not be verified",
                "The answer from itsme® did not belong to the login started in this browser, \
                 so we did not accept it.",
            ),
            Self::Expired => (
                StatusCode::BAD_REQUEST,
                "Your login expired",
                "It took longer than 10 minutes. Please start again.",
            ),
            Self::NoLogin => (
                StatusCode::BAD_REQUEST,
                "This login link can no longer be used",
                "It was already used, it expired, or the login was started in another browser.",
            ),
            Self::ProviderDown => (
                StatusCode::SERVICE_UNAVAILABLE,
                "itsme® cannot be reached",
                "We could not reach itsme® just now. Please try again in a few minutes.",
            ),
            Self::Refused => (
                StatusCode::BAD_REQUEST,
                "The login did not succeed",
                "We could not confirm your identity with itsme®. Please start again.",
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address.",
            ),
        }
    }
}

fn log_failure(failure: Failure, reason: &dyn std::fmt::Display) -> Response<Full<Bytes>> {
    // The reason is for the operator: zegel's errors never echo a token or a secret.
    eprintln!("login refused ({failure:?}): {reason}");
    self::failure(failure)
}

fn failure(failure: Failure) -> Response<Full<Bytes>> {
    let (status, title, text) = failure.page();
    let body = format!(
        "<h1>{title}</h1><p>{text}</p><p><a class=\"button\" href=\"/\">Back to the start</a></p>"
    );
    html(status, &page(title, &body))
}

fn index_page() -> String {
    // The itsme® button guidance: a clear call to action naming itsme®, the brand colour, the
    // whole button clickable (without the brand assets: a partner uses the official ones).
    page(
        "Log in",
        "<h1>Welcome</h1><p>Log in to see who you are, confirmed by itsme®.</p>\
         <form method=\"post\" action=\"/login\">\
         <button id=\"itsme-login\" class=\"itsme\">Log in with itsme®</button></form>",
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Example partner</title><style>{CSS}</style></head>\
         <body><main>{body}</main></body></html>"
    )
}

const CSS: &str = "body{font-family:system-ui,sans-serif;background:#f6f6f8;color:#1d1d1f;margin:0}\
main{max-width:34rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;border-radius:12px;\
box-shadow:0 2px 12px rgba(0,0,0,.08)}h1{font-size:1.6rem;margin-top:0}\
button,.button{font:inherit;font-weight:600;border:0;border-radius:8px;padding:.8rem 1.4rem;\
cursor:pointer;text-decoration:none;display:inline-block}\
.itsme{background:#ff4612;color:#fff;min-width:16rem}.itsme:hover{background:#e03a0b}\
.secondary,.button{background:#e8e8ed;color:#1d1d1f}\
table{border-collapse:collapse;width:100%;margin:1rem 0 1.5rem}\
th,td{text-align:left;padding:.6rem .4rem;border-bottom:1px solid #e8e8ed;vertical-align:top}\
th{color:#6e6e73;font-weight:500;width:40%}";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn redirect(location: &str) -> http::response::Builder {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(LOCATION, location)
        .header(CACHE_CONTROL, "no-store")
}

fn html(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        .header(CACHE_CONTROL, "no-store")
        // The callback URL carries a code: never sent on as a Referer.
        .header("referrer-policy", "no-referrer")
        .header("x-frame-options", "DENY")
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        )
        .body(Full::from(body.to_owned()))
        .unwrap_or_default()
}
