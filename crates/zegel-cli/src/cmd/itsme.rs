//! `zegel itsme auth-url | callback | demo`: the itsme® login from the command line, on
//! zegel-itsme's [`ItsmeClient`].
//!
//! `auth-url` prints the authorization URL and writes the pending login (state, nonce, PKCE
//! verifier) to the session file, mode 0600; `callback` checks the callback's `state` against
//! it before any request, then completes the login and prints the verified claims; `demo` runs
//! the whole flow against the local itsme®-like provider of zegel-itsme-provider, step by step.
//!
//! A configuration or session file that cannot be used is exit 2; everything itsme® (or the
//! local provider) answers wrongly, and every refused callback or token, is exit 1.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};
use zegel_itsme::config::{Acr, ClientAuth};
use zegel_itsme::{Config, ExternalKeys, FlowError, ItsmeClient, PendingLogin};
use zegel_jose::jwe::Decrypter;
use zegel_jose::jws::{self, Signer};
use zegel_jwt::UnixTime;
use zegel_oidc::clock::SystemClock;
use zegel_oidc::http::{HttpConfig, HyperClient};
use zeroize::Zeroizing;

use crate::exit::Failure;
use crate::{io, keys};

/// `zegel itsme ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Print the authorization URL (one line); write the pending login to the session file
    /// (mode 0600).
    AuthUrl(AuthUrlArgs),
    /// Complete the login from the URL the browser was sent back to; print the verified claims
    /// as {"id_token": {...}, "userinfo": {...}}.
    Callback(CallbackArgs),
    /// The whole flow against a built-in local itsme®-like provider on 127.0.0.1, step by step.
    Demo,
}

/// The arguments of `itsme auth-url`.
#[derive(Debug, clap::Args)]
pub(crate) struct AuthUrlArgs {
    /// The itsme® configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Where to write the pending login (mode 0600).
    #[arg(long, value_name = "FILE")]
    session_out: PathBuf,
}

/// The arguments of `itsme callback`.
#[derive(Debug, clap::Args)]
pub(crate) struct CallbackArgs {
    /// The itsme® configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// The pending login written by `auth-url`.
    #[arg(long, value_name = "FILE")]
    session: PathBuf,
    /// The URL the browser was sent back to.
    #[arg(long, value_name = "CALLBACK_URL")]
    url: String,
    /// Also fetch and open the UserInfo response.
    #[arg(long)]
    userinfo: bool,
}

/// Runs `zegel itsme ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::AuthUrl(args) => auth_url(args),
        Command::Callback(args) => callback(args),
        Command::Demo => crate::cmd::itsme_demo::run(),
    }
}

/// A current-thread runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))
}

fn load(path: &Path) -> Result<Config, Failure> {
    Config::load(path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

/// A flow failure: exit 1, the message naming the itsme® error code when there is one.
pub(crate) fn refused(e: &FlowError) -> Failure {
    Failure::rejected(e.to_string())
}

/// The client of `config`; with `signing_key` and `encryption_keys` (the extension naming
/// keys in an HSM), the keys are opened first, so a wrong PIN or a missing key fails before
/// any request.
pub(crate) async fn discover(config: Config) -> Result<ItsmeClient, Failure> {
    let ClientAuth::ExternalKeys(uris) = config.auth() else {
        return ItsmeClient::discover(config).await.map_err(|e| refused(&e));
    };
    let signer: Arc<dyn Signer> = Arc::new(keys::hsm_signer(uris.signing(), &jws::RS256)?);
    let mut decrypters: Vec<Arc<dyn Decrypter>> = Vec::new();
    for uri in uris.encryption() {
        decrypters.push(Arc::new(keys::hsm_decrypter(uri, &[])?));
    }
    let http = HyperClient::new(HttpConfig::new()).map_err(|e| refused(&FlowError::Oidc(e)))?;
    ItsmeClient::discover_with_keys(
        config,
        Some(ExternalKeys::new(signer, decrypters)),
        Arc::new(http),
        Arc::new(SystemClock),
    )
    .await
    .map_err(|e| refused(&e))
}

fn auth_url(args: &AuthUrlArgs) -> Result<(), Failure> {
    let config = load(&args.config)?;
    let auth = runtime()?.block_on(async {
        let client = discover(config).await?;
        client.authorization().await.map_err(|e| refused(&e))
    })?;
    let session = session_json(&auth.pending);
    io::write_file(&args.session_out, session.as_bytes(), 0o600, true)?;
    io::write_line(&auth.url)
}

fn callback(args: &CallbackArgs) -> Result<(), Failure> {
    let session = Zeroizing::new(
        std::fs::read(&args.session)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.session.display())))?,
    );
    let pending = session_from_json(&session).ok_or_else(|| {
        Failure::usage(format!(
            "{} is not a session file written by `zegel itsme auth-url`",
            args.session.display()
        ))
    })?;
    // A stray callback is refused before anything else: no configuration read, no request.
    zegel_itsme::flow::check_state(&pending, &args.url).map_err(|e| refused(&e))?;
    let config = load(&args.config)?;
    let out = runtime()?.block_on(async {
        let client = discover(config).await?;
        let login = client
            .complete(&pending, &args.url)
            .await
            .map_err(|e| refused(&e))?;
        let mut out = Map::new();
        out.insert(
            "id_token".into(),
            Value::Object(login.identity().as_map().clone()),
        );
        if args.userinfo {
            let userinfo = client.userinfo(&login).await.map_err(|e| refused(&e))?;
            out.insert("userinfo".into(), Value::Object(userinfo.as_map().clone()));
        }
        Ok::<_, Failure>(out)
    })?;
    io::write_line(&serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default())
}

/// The session file: the pending login as JSON.
pub(crate) fn session_json(p: &PendingLogin) -> Zeroizing<String> {
    let value = json!({
        "state": p.state(),
        "nonce": p.nonce(),
        "code_verifier": p.code_verifier(),
        "redirect_uri": p.redirect_uri(),
        "acr": p.acr().name(),
        "created_at": p.created_at().as_secs(),
    });
    Zeroizing::new(format!("{value}\n"))
}

fn session_from_json(json: &[u8]) -> Option<PendingLogin> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(json) else {
        return None;
    };
    let text = |name: &str| map.get(name).and_then(Value::as_str).map(str::to_owned);
    let code_verifier = match map.get("code_verifier") {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(v.clone()),
        Some(_) => return None,
    };
    Some(PendingLogin::new(
        text("state")?,
        text("nonce")?,
        code_verifier,
        text("redirect_uri")?,
        Acr::from_name(&text("acr")?)?,
        UnixTime::from_secs(map.get("created_at").and_then(Value::as_u64)?),
    ))
}

/// Whether standard output gets colour: a terminal, and no `NO_COLOR`.
pub(crate) fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
