//! `zegel itsme demo`: the whole itsme® login against the local itsme®-like provider of
//! zegel-itsme-provider on 127.0.0.1, with no setup, printed step by step: the partner's keys,
//! discovery, the request object's header, the login, the token response's shape, the ID
//! token's headers, the verified claims, UserInfo. Headings in colour on a terminal, plain when
//! piped (or with `NO_COLOR`).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Map, Value};
use zegel_itsme_provider::{Client, Provider};
use zegel_jose::jwk::KeySpec;
use zegel_jose::{Jwk, JwkSet};
use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};

use crate::cmd::itsme::{colour, discover, refused, runtime};
use crate::exit::Failure;
use crate::io;

const CLIENT_ID: &str = "zegel-demo";
const SERVICE: &str = "ZEGEL_DEMO";
const REDIRECT: &str = "http://127.0.0.1:8080/itsme/callback";

/// What the demo prints, built up step by step.
struct Out {
    colour: bool,
    text: String,
    step: usize,
}

impl Out {
    fn heading(&mut self, title: &str) {
        self.step += 1;
        let line = format!("{}. {title}", self.step);
        if self.colour {
            let _ = writeln!(self.text, "\n\x1b[1;36m{line}\x1b[0m");
        } else {
            let _ = writeln!(self.text, "\n{line}");
        }
    }

    fn field(&mut self, name: &str, value: impl core::fmt::Display) {
        if self.colour {
            let _ = writeln!(self.text, "   \x1b[2m{name:<22}\x1b[0m {value}");
        } else {
            let _ = writeln!(self.text, "   {name:<22} {value}");
        }
    }

    fn json(&mut self, value: &Value) {
        let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
        for line in pretty.lines() {
            let _ = writeln!(self.text, "   {line}");
        }
    }

    /// Prints what has been built so far.
    fn flush(&mut self) -> Result<(), Failure> {
        let text = core::mem::take(&mut self.text);
        io::write_bytes(text.as_bytes())
    }
}

/// Runs the demo.
pub(crate) fn run() -> Result<(), Failure> {
    let dir = std::env::temp_dir().join(format!("zegel-itsme-demo-{}", std::process::id()));
    let result = runtime()?.block_on(demo(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn key(spec: &KeySpec, use_: &str, alg: &str) -> Result<Jwk, Failure> {
    let key = Jwk::generate(spec).map_err(|e| Failure::usage(format!("cannot make a key: {e}")))?;
    let kid = key.thumbprint_sha256_b64();
    Ok(key.with_kid(kid).with_use(use_).with_alg(alg))
}

fn short(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_owned()
    } else {
        let head: String = s.chars().take(n).collect();
        format!("{head}… ({count} characters)")
    }
}

fn header_of(token: &str) -> Value {
    zegel_jose::jwe::UnverifiedJwe::parse(token.as_bytes()).map_or(Value::Null, |jwe| {
        Value::Object(jwe.protected_header().clone())
    })
}

async fn demo(dir: &PathBuf) -> Result<(), Failure> {
    let mut out = Out {
        colour: colour(),
        text: String::new(),
        step: 0,
    };
    let _ = writeln!(
        out.text,
        "zegel itsme demo: an itsme® login against a local itsme®-like provider (127.0.0.1)"
    );

    // 1. The partner's keys.
    out.heading("Keys: the partner's JWK Set (what `zegel jwks generate` writes)");
    let spec = KeySpec::Rsa { bits: 2048 };
    let sig = key(&spec, "sig", "RS256")?;
    let enc = key(&spec, "enc", "RSA-OAEP-256")?;
    out.field(
        "sig key",
        format!("RSA 2048, RS256, kid {}", sig.kid().unwrap_or("-")),
    );
    out.field(
        "enc key",
        format!("RSA 2048, RSA-OAEP-256, kid {}", enc.kid().unwrap_or("-")),
    );
    let private = JwkSet::new(vec![sig.clone(), enc.clone()]);
    let public = JwkSet::new(vec![
        sig.to_public()
            .ok_or_else(|| Failure::usage("no public key"))?,
        enc.to_public()
            .ok_or_else(|| Failure::usage("no public key"))?,
    ]);
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
    io::write_file(
        &dir.join("jwks_private.json"),
        private.to_private_json().as_bytes(),
        0o600,
        true,
    )?;
    out.flush()?;

    // 2. The provider, and discovery.
    let provider = Provider::builder()
        .client(
            Client::private_key_jwt(CLIENT_ID, public)
                .redirect_uri(REDIRECT)
                .service(SERVICE),
        )
        .start()
        .await
        .map_err(|e| Failure::usage(format!("cannot start the local provider: {e}")))?;
    let toml = format!(
        "discovery_url = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nservice_code = \"{SERVICE}\"\n\
         redirect_uri = \"{REDIRECT}\"\nauth_method = \"private_key_jwt\"\n\
         jwks_private = \"jwks_private.json\"\nscopes = [\"profile\", \"email\", \"address\"]\n\
         id_token_claims = [\"given_name\", \"family_name\", \"birthdate\", \
         \"http://itsme.services/v2/claim/BENationalNumber\"]\nacr = \"advanced\"\n\
         ui_locales = [\"en\"]\nallow_insecure_loopback = true\n",
        provider.discovery_url()
    );
    let config_path = dir.join("itsme.toml");
    io::write_file(&config_path, toml.as_bytes(), 0o600, true)?;
    let config = zegel_itsme::Config::load(&config_path)
        .map_err(|e| Failure::usage(format!("{}: {e}", config_path.display())))?;
    let client = discover(config).await?;
    out.heading("Discovery");
    let m = client.oidc().metadata();
    out.field("discovery URL", provider.discovery_url());
    out.field("issuer", &m.issuer);
    for (name, value) in [
        ("authorization_endpoint", &m.authorization_endpoint),
        ("token_endpoint", &m.token_endpoint),
        ("userinfo_endpoint", &m.userinfo_endpoint),
        ("jwks_uri", &m.jwks_uri),
    ] {
        out.field(name, value.as_deref().unwrap_or("-"));
    }
    out.flush()?;

    // 3. The authorization request.
    let auth = client.authorization().await.map_err(|e| refused(&e))?;
    out.heading(
        "Authorization request: the request object, signed (RS256) then encrypted to itsme®",
    );
    let url = url::Url::parse(&auth.url).map_err(|e| Failure::rejected(e.to_string()))?;
    for (name, value) in url.query_pairs() {
        if name == "request" {
            out.field("request", short(&value, 40));
            out.field("request JWE header", "");
            out.json(&header_of(&value));
            out.field(
                "inside",
                format!("a JWS, RS256, kid {}", sig.kid().unwrap_or("-")),
            );
        } else {
            out.field(&name, value);
        }
    }
    out.flush()?;

    // 4. The login.
    out.heading("Login: the user approves in the (scripted) itsme® app");
    let http = HyperClient::new(HttpConfig::new()).map_err(|e| Failure::usage(e.to_string()))?;
    let request = http::Request::get(auth.url.as_str())
        .body(Vec::new())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let response = http
        .send(request)
        .await
        .map_err(|e| Failure::rejected(e.to_string()))?;
    let callback = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| Failure::rejected("the provider did not send the browser back"))?;
    out.field("redirect", response.status());
    let back = url::Url::parse(&callback).map_err(|e| Failure::rejected(e.to_string()))?;
    out.field(
        "back to",
        format!("{}://{}{}", back.scheme(), back.authority(), back.path()),
    );
    for (name, value) in back.query_pairs() {
        let shown = if name == "iss" {
            value.into_owned()
        } else {
            short(&value, 8)
        };
        out.field(&name, shown);
    }
    out.flush()?;

    // 5. Token and ID token.
    let login = client
        .complete(&auth.pending, &callback)
        .await
        .map_err(|e| refused(&e))?;
    out.heading("Token response (private_key_jwt client assertion, PKCE verifier)");
    let tokens = login.tokens();
    out.field("token_type", tokens.token_type());
    out.field(
        "expires_in",
        tokens.expires_in().map_or("-".into(), |s| s.to_string()),
    );
    out.field(
        "access_token",
        format!("({} characters)", tokens.access_token().len()),
    );
    let id_token = tokens.id_token().unwrap_or_default();
    out.field("id_token", format!("JWE, {} characters", id_token.len()));
    out.heading("ID token: encrypted to the partner's enc key, signed by itsme®");
    out.field("JWE header", "");
    out.json(&header_of(id_token));
    out.field("inner JWS alg", login.id_token().alg().name());
    out.field(
        "checks",
        "signature (itsme®'s JWK Set), iss, aud, exp, iat, nonce, acr",
    );
    out.field("acr", login.acr().uri());
    out.flush()?;

    out.heading("Verified claims (zegel_itsme::Identity)");
    let id = login.identity();
    out.field("family_name()", id.family_name().unwrap_or("-"));
    out.field("given_name()", id.given_name().unwrap_or("-"));
    out.field(
        "birthdate()",
        id.birthdate().map_or("-".into(), |d| d.to_string()),
    );
    out.field(
        "be_national_number()",
        id.be_national_number().unwrap_or("-"),
    );
    let claims: Map<String, Value> = id.as_map().clone();
    out.json(&Value::Object(claims));
    out.flush()?;

    out.heading("UserInfo: encrypted, signed, same sub");
    let userinfo = client.userinfo(&login).await.map_err(|e| refused(&e))?;
    out.json(&Value::Object(userinfo.as_map().clone()));
    let _ = writeln!(out.text, "\nDone: a verified itsme® login.");
    out.flush()
}
