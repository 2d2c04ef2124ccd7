//! "Log in with itsme®": a small web application on hyper, the relying party a partner copies.
//!
//! ```text
//! cargo run -p zegel-itsme --example web              # against a local itsme®-like provider
//! cargo run -p zegel-itsme --example web -- itsme.toml # against itsme® (E2E), on 127.0.0.1:8080
//! ```
//!
//! `app.rs` is the application; `local.rs` starts the local provider and the application
//! together (the browser test starts them the same way).

mod app;
mod local;

use std::sync::Arc;

use zegel_jwt::UnixTime;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock: app::Clock = Arc::new(|| UnixTime::now().unwrap_or(UnixTime::EPOCH));
    let Some(path) = std::env::args_os().nth(1) else {
        let local = local::start(clock).await?;
        println!(
            "The local itsme®-like provider: {}",
            local.provider.issuer()
        );
        println!("Open {}/ and log in (Ctrl-C to stop).", local.url);
        let _provider = local.provider;
        app::serve(local.listener, local.app).await;
        return Ok(());
    };
    // itsme® E2E (or production): the partner's configuration file, as `zegel itsme` reads it.
    // The redirect URI registered at itsme® must reach this server (a reverse proxy with TLS).
    let config = zegel_itsme::Config::load(&path)?;
    let public = match config.auth() {
        zegel_itsme::config::ClientAuth::PrivateKeyJwt(keys) => Some(keys.public_set()),
        _ => None,
    };
    let itsme = zegel_itsme::ItsmeClient::discover(config).await?;
    let app = Arc::new(app::App::new(itsme, public.as_ref(), clock)?);
    let addr = std::env::var("WEB_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("Listening on http://{addr}/ (behind the proxy of your redirect URI).");
    app::serve(listener, app).await;
    Ok(())
}
