//! Issue 12's end-to-end test: an itsme® login against the local provider with both partner
//! keys in a throwaway SoftHSM2 token, their private parts never in the process. The token
//! makes the `sig` (RS256) and `enc` (RSA-OAEP) keys; their public JWKs (`kid` = thumbprint)
//! are the client's JWK Set at the provider; the itsme® configuration names the keys by PKCS #11
//! URIs (`signing_key`, `encryption_keys`: no key file), which are opened as an application
//! does and handed to the client; the request object and the client assertion are
//! signed in the token, the ID token and the UserInfo response are decrypted in it. Twins: an
//! ID token encrypted to another key is refused with a typed error; a wrong PIN fails when the
//! token is opened, before any request.
//!
//! Each test runs again in a child process whose `SOFTHSM2_CONF` points to a new token folder
//! (the module reads it once per process), with zegel-pkcs11's own test harness. Without SoftHSM2 the
//! tests say they were skipped and pass, unless `CI` is set: then they fail.

#![cfg(test)]

use std::path::Path;
use std::sync::Arc;

use zegel_itsme::config::{Acr, ClientAuth};
use zegel_itsme::{Config, ExternalKeys, FlowError, ItsmeClient};
use zegel_itsme_provider::{Client, DEMO_NATIONAL_NUMBER, Provider};
use zegel_jose::jwe::{self, Decrypter};
use zegel_jose::jwk::KeySpec;
use zegel_jose::jws::{self, Signer};
use zegel_jose::{Jwk, JwkSet};
use zegel_oidc::clock::SystemClock;
use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};
use zegel_pkcs11::{KeyPurpose, KeyRef, PinSource, Pkcs11Error, Pkcs11Uri, Token, TokenSelector};

#[allow(
    dead_code,
    reason = "zegel-pkcs11's harness; this file uses part of it"
)]
#[path = "../../crates/zegel-pkcs11/tests/softhsm/common.rs"]
mod softhsm;

use softhsm::{LABEL, MODULE, PIN, PIN_VAR};

const REDIRECT: &str = "http://127.0.0.1:8080/callback";

// ---- the throwaway token -------------------------------------------------------------------

/// Runs `body` in a child process with a fresh token (`LABEL`, `PIN` in `PIN_VAR`), through
/// zegel-pkcs11's test harness, or says the test was skipped (fails under `CI`). `env` adds
/// variables to the child's environment.
fn in_child(name: &str, env: &[(&str, &str)], body: impl FnOnce()) {
    if softhsm::is_child(name) {
        body();
    } else {
        softhsm::in_child(name, env);
    }
}

fn open_token() -> Token {
    Token::open(MODULE, TokenSelector::Label(LABEL), PinSource::env(PIN_VAR)).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// ---- the login -----------------------------------------------------------------------------

/// The partner's keys made in the token, and their public JWK Set: the `sig` key for RS256,
/// the `enc` key for RSA-OAEP (the only OAEP SoftHSM 2.6 decrypts).
fn hsm_keys(token: &Token) -> JwkSet {
    let sig_jwk = token
        .generate_rsa("partner-sig", &[1], 2048, KeyPurpose::Sign)
        .unwrap();
    let enc_jwk = token
        .generate_rsa("partner-enc", &[2], 2048, KeyPurpose::Decrypt)
        .unwrap();
    let signer = token
        .signer(&KeyRef::label("partner-sig"), &jws::RS256)
        .unwrap();
    let decrypter = token
        .decrypter(&KeyRef::label("partner-enc"), Some(&jwe::RSA_OAEP))
        .unwrap();
    let sig_public = signer.public_jwk().clone();
    let enc_public = decrypter.public_jwk().clone();
    // What the token gave at generation is what is published (no private part anywhere).
    assert_eq!(sig_public.kid(), sig_jwk.kid());
    assert_eq!(enc_public.kid(), enc_jwk.kid());
    for (key, use_, alg) in [
        (&sig_public, "sig", "RS256"),
        (&enc_public, "enc", "RSA-OAEP"),
    ] {
        assert!(!key.is_private());
        assert_eq!(key.kid(), Some(key.thumbprint_sha256_b64().as_str()));
        assert_eq!(key.params().use_.as_deref(), Some(use_));
        assert_eq!(key.alg(), Some(alg));
    }
    assert_private_parts_stay_in_the_token();
    JwkSet::new(vec![sig_public, enc_public])
}

/// Through another context on the module: both private keys are sensitive and not
/// extractable, and their private exponents cannot be read out.
fn assert_private_parts_stay_in_the_token() {
    use cryptoki::context::Pkcs11;
    use cryptoki::object::{Attribute, AttributeInfo, AttributeType, ObjectClass};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    let ctx = Pkcs11::new(MODULE).unwrap();
    let slot = ctx.get_slots_with_token().unwrap()[0];
    let session = ctx.open_ro_session(slot).unwrap();
    // The token's own sessions logged the user in already: a second login may say so.
    let _ = session.login(UserType::User, Some(&AuthPin::from(PIN)));
    for (label, sign, decrypt) in [("partner-sig", true, false), ("partner-enc", false, true)] {
        let found = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .unwrap();
        assert_eq!(found.len(), 1, "{label}");
        let attrs = session
            .get_attributes(
                found[0],
                &[
                    AttributeType::Sensitive,
                    AttributeType::Extractable,
                    AttributeType::Sign,
                    AttributeType::Decrypt,
                ],
            )
            .unwrap();
        assert_eq!(
            attrs,
            [
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Sign(sign),
                Attribute::Decrypt(decrypt),
            ],
            "{label}"
        );
        let info = session
            .get_attribute_info(
                found[0],
                &[AttributeType::PrivateExponent, AttributeType::Prime1],
            )
            .unwrap();
        assert_eq!(info.len(), 2, "{label}");
        assert!(
            info.iter().all(|i| matches!(i, AttributeInfo::Sensitive)),
            "{label}: {info:?}"
        );
    }
}

/// The provider's own keys and a client `id` registered with `public`.
async fn provider(clients: Vec<(&str, JwkSet)>) -> Provider {
    let spec = KeySpec::Rsa { bits: 2048 };
    let mut builder = Provider::builder().keys(
        Jwk::generate(&spec).unwrap().with_kid("itsme-sig"),
        Jwk::generate(&spec).unwrap().with_kid("itsme-enc"),
    );
    for (id, public) in clients {
        builder = builder.client(
            Client::private_key_jwt(id, public)
                .redirect_uri(REDIRECT)
                .service("MY_SERVICE"),
        );
    }
    builder.start().await.unwrap()
}

/// The URI of the token's key `object`, as a configuration names it.
fn uri(object: &str) -> String {
    format!(
        "pkcs11:token={LABEL};object={object};type=private\
         ?pin-source=env:{PIN_VAR}&module-path={MODULE}"
    )
}

/// The itsme® configuration, naming the partner's keys by PKCS #11 URIs (no key file).
fn config(provider: &Provider, client_id: &str) -> Config {
    let toml = format!(
        r#"
        discovery_url = "{}"
        client_id = "{client_id}"
        service_code = "MY_SERVICE"
        redirect_uri = "{REDIRECT}"
        auth_method = "private_key_jwt"
        signing_key = "{}"
        encryption_keys = ["{}"]
        scopes = ["profile", "email"]
        id_token_claims = ["family_name", "http://itsme.services/v2/claim/BENationalNumber"]
        acr = "advanced"
        request_object = "request"
        pkce = true
        allow_insecure_loopback = true
        "#,
        provider.discovery_url(),
        uri("partner-sig"),
        uri("partner-enc"),
    );
    Config::from_toml(&toml, Path::new("/"), |_| None).unwrap()
}

/// The keys the configuration names, opened as an application does.
fn open_keys(config: &Config) -> ExternalKeys {
    let ClientAuth::ExternalKeys(uris) = config.auth() else {
        panic!("keys named by URIs")
    };
    let open = |text: &str| {
        let uri = Pkcs11Uri::parse(text).unwrap();
        (
            Token::from_uri(&uri).unwrap(),
            KeyRef::from_uri(&uri).unwrap(),
        )
    };
    let (token, key) = open(uris.signing());
    let signer: Arc<dyn Signer> = Arc::new(token.signer(&key, &jws::RS256).unwrap());
    let decrypters = uris
        .encryption()
        .iter()
        .map(|text| {
            let (token, key) = open(text);
            let decrypter: Arc<dyn Decrypter> = Arc::new(token.decrypter(&key, None).unwrap());
            decrypter
        })
        .collect();
    ExternalKeys::new(signer, decrypters)
}

async fn itsme_client(provider: &Provider, client_id: &str) -> ItsmeClient {
    let config = config(provider, client_id);
    let keys = open_keys(&config);
    ItsmeClient::discover_with_keys(
        config,
        Some(keys),
        Arc::new(HyperClient::new(HttpConfig::new()).unwrap()),
        Arc::new(SystemClock),
    )
    .await
    .unwrap()
}

/// The browser: follows the authorization URL to the provider (which approves), returns the
/// callback URL it is sent back to.
async fn browse(url: &str) -> String {
    let http = HyperClient::new(HttpConfig::new()).unwrap();
    let request = http::Request::get(url).body(Vec::new()).unwrap();
    let response = http.send(request).await.unwrap();
    assert!(
        response.status().is_redirection(),
        "{}: {}",
        response.status(),
        String::from_utf8_lossy(response.body())
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    location
}

#[test]
fn itsme_login_with_both_partner_keys_in_softhsm2() {
    in_child(
        "itsme_login_with_both_partner_keys_in_softhsm2",
        &[],
        || {
            let token = open_token();
            let public = hsm_keys(&token);
            // An `enc` key in software under its own kid: the ID token names a key the token
            // does not hold.
            let other_enc = Jwk::generate(&KeySpec::Rsa { bits: 2048 })
                .unwrap()
                .with_use("enc")
                .with_alg("RSA-OAEP");
            let other_kid = other_enc.thumbprint_sha256_b64();
            let other_set = JwkSet::new(vec![
                public.keys()[0].clone(),
                other_enc.clone().with_kid(other_kid).to_public().unwrap(),
            ]);
            // The same software key under the token key's kid: the token is asked to decrypt a
            // content key encrypted to another key.
            let hsm_enc_kid = public.keys()[1].kid().unwrap().to_owned();
            let same_kid_set = JwkSet::new(vec![
                public.keys()[0].clone(),
                other_enc.with_kid(hsm_enc_kid).to_public().unwrap(),
            ]);
            runtime().block_on(async {
                let provider = provider(vec![
                    ("hsm", public),
                    ("other-enc", other_set),
                    ("same-kid", same_kid_set),
                ])
                .await;

                let client = itsme_client(&provider, "hsm").await;
                let auth = client.authorization().await.unwrap();
                let callback = browse(&auth.url).await;
                let login = client.complete(&auth.pending, &callback).await.unwrap();
                let id = login.identity();
                assert_eq!(id.family_name(), Some("Peeters"));
                assert_eq!(id.be_national_number(), Some(DEMO_NATIONAL_NUMBER));
                assert_eq!(login.acr(), Acr::Advanced);
                assert_eq!(login.id_token().alg().name(), "RS256");
                let userinfo = client.userinfo(&login).await.unwrap();
                assert_eq!(userinfo.sub(), id.sub());
                assert_eq!(userinfo.email(), Some("jan.peeters@example.be"));
                let c = provider.counters();
                assert_eq!((c.authorization, c.token, c.userinfo), (1, 1, 1));

                // The reject twin: the ID token is encrypted to a key the token does not hold.
                for (client_id, code, message) in [
                    (
                        "other-enc",
                        "jose.unknown_kid",
                        "the ID token is refused: no key has the token's kid",
                    ),
                    (
                        "same-kid",
                        "jose.decryption_failed",
                        "the ID token is refused: decryption failed",
                    ),
                ] {
                    let client = itsme_client(&provider, client_id).await;
                    let auth = client.authorization().await.unwrap();
                    let callback = browse(&auth.url).await;
                    let e = client.complete(&auth.pending, &callback).await.unwrap_err();
                    assert!(matches!(e, FlowError::IdToken(_)), "{client_id}: {e:?}");
                    assert_eq!(e.code(), code, "{client_id}: {e}");
                    assert_eq!(e.to_string(), message, "{client_id}");
                }
            });
        },
    );
}

#[test]
fn a_wrong_pin_fails_before_any_request() {
    const WRONG_VAR: &str = "ZEGEL_TEST_HSM_WRONG_PIN";
    let env = [(WRONG_VAR, "0000-wrong")];
    in_child("a_wrong_pin_fails_before_any_request", &env, || {
        let wrong = PinSource::env(WRONG_VAR);
        let e = Token::open(MODULE, TokenSelector::Label(LABEL), wrong).unwrap_err();
        assert_eq!(e, Pkcs11Error::WrongPin);
        assert_eq!(e.code(), "pkcs11.wrong_pin");
        assert_eq!(e.to_string(), "the pkcs #11 token refused the pin");
        // The right PIN still opens it (one wrong attempt does not lock it).
        open_token();
    });
}
