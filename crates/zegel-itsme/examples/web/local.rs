//! The local setup: the partner's keys, the local itsme®-like provider (interactive: a page with
//! "Approve" and "Cancel"), and the application, both on 127.0.0.1.

use std::sync::Arc;

use tokio::net::TcpListener;
use zegel_itsme::{Config, ItsmeClient};
use zegel_itsme_provider::{Client, Provider};
use zegel_jose::jwk::KeySpec;
use zegel_jose::{Jwk, JwkSet};

use crate::app::{App, Clock, JWKS_PATH};

const CLIENT_ID: &str = "example-partner";
const SERVICE: &str = "EXAMPLE_LOGIN";

/// What runs: the provider (stopped when dropped), the application and its listener.
pub(crate) struct Local {
    pub(crate) provider: Provider,
    pub(crate) app: Arc<App>,
    pub(crate) listener: TcpListener,
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
}

/// Starts the provider and prepares the application on 127.0.0.1 (a free port).
pub(crate) async fn start(clock: Clock) -> Result<Local, Box<dyn std::error::Error>> {
    // The application's address first: the redirect URI and the JWK Set URI need it.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let redirect_uri = format!("{url}/itsme/callback");

    // The partner's keys (what `zegel jwks generate` writes): one RSA `sig`, one RSA `enc`.
    let key = |use_: &str, alg: &str| -> Result<Jwk, zegel_jose::Error> {
        let key = Jwk::generate(&KeySpec::Rsa { bits: 2048 })?;
        let kid = key.thumbprint_sha256_b64();
        Ok(key.with_kid(kid).with_use(use_).with_alg(alg))
    };
    let private = JwkSet::new(vec![key("sig", "RS256")?, key("enc", "RSA-OAEP-256")?]);

    // The provider knows the partner as itsme® does: its redirect URI, its service, and the
    // URI of its public keys (fetched from the application, as itsme® does).
    let provider = Provider::builder()
        .client(
            Client::private_key_jwt_uri(CLIENT_ID, format!("{url}{JWKS_PATH}"))
                .redirect_uri(&redirect_uri)
                .service(SERVICE),
        )
        .interactive()
        .start()
        .await?;

    // The configuration, as a partner's file would say it.
    let dir = std::env::temp_dir().join(format!(
        "zegel-itsme-web-{}-{}",
        std::process::id(),
        listener.local_addr()?.port()
    ));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("jwks_private.json"),
        private.to_private_json().as_bytes(),
    )?;
    let toml = format!(
        r#"
        discovery_url = "{discovery}"
        client_id = "{CLIENT_ID}"
        service_code = "{SERVICE}"
        redirect_uri = "{redirect_uri}"
        auth_method = "private_key_jwt"
        jwks_private = "jwks_private.json"
        scopes = ["profile", "email", "address", "eid"]
        id_token_claims = ["name", "given_name", "family_name", "birthdate", "email", "address",
                           "http://itsme.services/v2/claim/BENationalNumber"]
        acr = "advanced"
        allow_insecure_loopback = true
        "#,
        discovery = provider.discovery_url()
    );
    let config = Config::from_toml(&toml, &dir, |_| None);
    let _ = std::fs::remove_dir_all(&dir);
    let config = config?;
    let public = match config.auth() {
        zegel_itsme::config::ClientAuth::PrivateKeyJwt(keys) => Some(keys.public_set()),
        _ => None,
    };
    let itsme = ItsmeClient::discover(config).await?;
    let app = Arc::new(App::new(itsme, public.as_ref(), clock)?);
    Ok(Local {
        provider,
        app,
        listener,
        url,
    })
}
