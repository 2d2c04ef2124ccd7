//! Runs the local itsme®-like provider for a person with a browser: the authorization endpoint
//! answers with the "Approve" / "Cancel" page.
//!
//! ```text
//! cargo run -p zegel-itsme-provider --example serve -- CLIENT_ID SECRET REDIRECT_URI SERVICE
//! ```
//!
//! registers one `client_secret_post` client (plain parameters, PKCE required) and prints the
//! discovery URL; it serves until interrupted.

use zegel_itsme_provider::{Client, Provider};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut next = |default: &str| args.next().unwrap_or_else(|| default.to_owned());
    let (client_id, secret) = (next("demo-client"), next("demo-secret"));
    let (redirect_uri, service) = (next("http://127.0.0.1:8080/callback"), next("DEMO"));
    let provider = Provider::builder()
        .client(
            Client::client_secret_post(client_id.as_str(), secret)
                .redirect_uri(redirect_uri.as_str())
                .service(service.as_str()),
        )
        .interactive()
        .start()
        .await?;
    println!("issuer:        {}", provider.issuer());
    println!("discovery:     {}", provider.discovery_url());
    println!("client:        {client_id} (client_secret_post), service:{service}");
    println!("redirect_uri:  {redirect_uri}");
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
