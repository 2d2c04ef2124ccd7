//! `zegel discovery fetch URL` and `zegel jwks fetch URL`: a provider's discovery document and
//! JWK Set, fetched and validated by zegel-oidc, printed as pretty JSON.
//!
//! A URL that cannot be used (malformed, not `https`, `http` without
//! `--allow-insecure-loopback` or to a host other than 127.0.0.1 or `[::1]`, a discovery URL that
//! does not end in `/.well-known/openid-configuration`) is a usage error (exit 2); a provider
//! that answers wrongly (connection, status, body, size, a check) is exit 1.

use clap::Args as ClapArgs;
use zegel_oidc::discovery::{self, Security};
use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};
use zegel_oidc::jwks::{self, CachePolicy};

use crate::exit::Failure;

/// `zegel discovery ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Fetch and validate a discovery document (the issuer must equal the URL minus
    /// /.well-known/openid-configuration); print it as pretty JSON.
    Fetch(FetchArgs),
}

/// The arguments of `discovery fetch` and `jwks fetch`.
#[derive(Debug, ClapArgs)]
pub(crate) struct FetchArgs {
    /// Also allow http:// to 127.0.0.1 and `[::1]` (for local tests).
    #[arg(long)]
    allow_insecure_loopback: bool,
    /// The URL to fetch (https).
    #[arg(value_name = "URL")]
    url: String,
}

impl FetchArgs {
    fn security(&self) -> Security {
        if self.allow_insecure_loopback {
            Security::AllowInsecureLoopback
        } else {
            Security::HttpsOnly
        }
    }
}

/// Runs `zegel discovery ...`.
pub(crate) fn run(cmd: &Command) -> Result<(), Failure> {
    match cmd {
        Command::Fetch(args) => discovery_fetch(args),
    }
}

fn discovery_fetch(args: &FetchArgs) -> Result<(), Failure> {
    let security = args.security();
    let request =
        discovery::request(&args.url, security).map_err(|e| Failure::usage(e.to_string()))?;
    let response = send(request)?;
    let metadata = discovery::from_response(&args.url, &response, security)
        .map_err(|e| Failure::rejected(e.to_string()))?;
    println!("{}", metadata.to_json_pretty());
    Ok(())
}

/// Runs `zegel jwks fetch`.
pub(crate) fn jwks_fetch(args: &FetchArgs) -> Result<(), Failure> {
    let url = discovery::check_url(&args.url, "jwk set url", args.security())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let request = jwks::request(&url).map_err(|e| Failure::usage(e.to_string()))?;
    let response = send(request)?;
    let now = zegel_jwt::UnixTime::EPOCH;
    let snapshot = jwks::from_response(url.as_str(), &response, &CachePolicy::new(), now)
        .map_err(|e| Failure::rejected(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&snapshot.to_jwk_set().to_public_json())
        .map_err(|e| Failure::rejected(e.to_string()))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    Ok(())
}

fn send(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    let client = HyperClient::new(HttpConfig::new()).map_err(|e| Failure::usage(e.to_string()))?;
    runtime
        .block_on(client.send(request))
        .map_err(|e| Failure::rejected(e.to_string()))
}
