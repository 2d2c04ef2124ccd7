//! `zegel itsme auth-url | callback | demo` against the local itsme®-like provider, started in
//! the test process: the whole login for both client authentication methods, and each reject
//! path (an `error=` callback, a replayed code, a mismatched state before any request, and
//! every ID token the provider can be told to get wrong).

use std::process::{Command, Stdio};

use serde_json::Value;
use zegel_itsme_provider::{Client, Faults, Provider};
use zegel_jose::JwkSet;
use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};

use crate::{Out, Scratch, with_aws_lc, zegel};

pub(crate) const REDIRECT: &str = "http://127.0.0.1:8080/callback";
const SECRET: &str = "a-client-secret-for-the-cli-tests-0123456789";

/// Starts the provider on a runtime of its own thread; it serves until dropped.
pub(crate) fn start(public: JwkSet) -> Provider {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let provider = Provider::builder()
                .client(
                    Client::private_key_jwt("pkjwt", public)
                        .redirect_uri(REDIRECT)
                        .service("MY_SERVICE"),
                )
                .client(
                    Client::client_secret_post("secret", SECRET)
                        .redirect_uri(REDIRECT)
                        .service("MY_SERVICE"),
                )
                .start()
                .await
                .unwrap();
            tx.send(provider).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

/// The browser: where the provider sends it back from the authorization URL.
pub(crate) fn browse(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = HyperClient::new(HttpConfig::new()).unwrap();
        let response = http
            .send(http::Request::get(url).body(Vec::new()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        response.headers()["location"].to_str().unwrap().to_owned()
    })
}

/// Runs `zegel ARGS` with the client secret's variable set.
fn zegel_env(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_zegel"))
        .args(args)
        .env("ITSME_TEST_SECRET", SECRET)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A scratch folder with the partner's keys (made by `zegel jwks generate`), a running
/// provider, and a configuration for `client_id` naming the key file by a relative path.
struct Setup {
    scratch: Scratch,
    provider: Provider,
    config: String,
}

fn setup(client_id: &str) -> Setup {
    let scratch = Scratch::new("itsme");
    zegel(
        &[
            "jwks",
            "generate",
            "--bits",
            "2048",
            "--out-dir",
            &scratch.path("keys"),
        ],
        "",
    )
    .ok();
    let public =
        JwkSet::parse(&std::fs::read(scratch.path("keys/jwks_public.json")).unwrap()).unwrap();
    let provider = start(public);
    let auth = if client_id == "secret" {
        "auth_method = \"client_secret_post\"\nclient_secret_env = \"ITSME_TEST_SECRET\"\n\
         request_object = \"none\""
    } else {
        "auth_method = \"private_key_jwt\"\njwks_private = \"keys/jwks_private.json\""
    };
    let config = scratch.write(
        "itsme.toml",
        format!(
            "discovery_url = \"{}\"\nclient_id = \"{client_id}\"\nservice_code = \"MY_SERVICE\"\n\
             redirect_uri = \"{REDIRECT}\"\n{auth}\nscopes = [\"profile\", \"email\"]\n\
             id_token_claims = [\"family_name\", \
             \"http://itsme.services/v2/claim/BENationalNumber\"]\nacr = \"basic\"\n\
             allow_insecure_loopback = true\n",
            provider.discovery_url()
        ),
    );
    Setup {
        scratch,
        provider,
        config,
    }
}

impl Setup {
    /// `zegel itsme auth-url`: the URL, and the session file's path.
    fn auth_url(&self) -> (String, String) {
        let session = self.scratch.path("session.json");
        let url = zegel_env(&[
            "itsme",
            "auth-url",
            "--config",
            &self.config,
            "--session-out",
            &session,
        ])
        .ok_line();
        assert!(
            url.starts_with(&self.provider.authorization_endpoint()),
            "{url}"
        );
        (url, session)
    }

    fn callback(&self, session: &str, url: &str, userinfo: bool) -> Out {
        let mut args = vec![
            "itsme",
            "callback",
            "--config",
            &self.config,
            "--session",
            session,
            "--url",
            url,
        ];
        if userinfo {
            args.push("--userinfo");
        }
        zegel_env(&args)
    }
}

fn json(out: Out) -> Value {
    serde_json::from_str(&out.ok_text()).unwrap()
}

fn whole_login(client_id: &str) {
    if !with_aws_lc() {
        return;
    }
    let s = setup(client_id);
    let (url, session) = s.auth_url();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let back = browse(&url);
    let out = json(s.callback(&session, &back, true));
    assert_eq!(out["id_token"]["family_name"], "Peeters");
    assert_eq!(
        out["id_token"]["http://itsme.services/v2/claim/BENationalNumber"],
        zegel_itsme_provider::DEMO_NATIONAL_NUMBER
    );
    assert_eq!(out["id_token"]["aud"], client_id);
    assert_eq!(out["id_token"]["iss"], s.provider.issuer());
    assert_eq!(out["userinfo"]["email"], "jan.peeters@example.be");
    assert_eq!(out["userinfo"]["sub"], out["id_token"]["sub"]);
    assert_eq!(out.as_object().unwrap().len(), 2);
}

#[test]
fn auth_url_and_callback_with_private_key_jwt() {
    whole_login("pkjwt");
}

#[test]
fn auth_url_and_callback_with_client_secret_post() {
    whole_login("secret");
}

#[test]
fn callback_without_userinfo_prints_the_id_token_only() {
    if !with_aws_lc() {
        return;
    }
    let s = setup("pkjwt");
    let (url, session) = s.auth_url();
    let out = json(s.callback(&session, &browse(&url), false));
    assert_eq!(out.as_object().unwrap().len(), 1);
    assert_eq!(out["id_token"]["family_name"], "Peeters");
}

#[test]
fn an_error_callback_names_the_itsme_code() {
    if !with_aws_lc() {
        return;
    }
    let s = setup("pkjwt");
    s.provider.deny_next();
    let (url, session) = s.auth_url();
    let back = browse(&url);
    assert!(back.contains("error=access_denied"), "{back}");
    s.callback(&session, &back, false)
        .fails_with(1, "access_denied");
    assert_eq!(s.provider.counters().token, 0);
}

#[test]
fn a_replayed_code_is_refused() {
    if !with_aws_lc() {
        return;
    }
    let s = setup("pkjwt");
    let (url, session) = s.auth_url();
    let back = browse(&url);
    s.callback(&session, &back, false).ok();
    s.callback(&session, &back, false)
        .fails_with(1, "invalid_grant");
}

#[test]
fn a_mismatched_state_is_refused_before_any_request() {
    if !with_aws_lc() {
        return;
    }
    let s = setup("pkjwt");
    let (url, session) = s.auth_url();
    let back = browse(&url);
    let before = s.provider.counters();
    let swapped = url::Url::parse(&back).unwrap();
    let pairs: Vec<(String, String)> = swapped
        .query_pairs()
        .into_owned()
        .map(|(n, v)| {
            if n == "state" {
                (n, "another".into())
            } else {
                (n, v)
            }
        })
        .collect();
    let mut swapped = swapped;
    swapped.query_pairs_mut().clear().extend_pairs(pairs);
    s.callback(&session, swapped.as_str(), false)
        .fails_with(1, "state");
    assert_eq!(s.provider.counters(), before);
    // Not even the configuration is read: the state check comes first.
    zegel_env(&[
        "itsme",
        "callback",
        "--config",
        "/nonexistent/itsme.toml",
        "--session",
        &session,
        "--url",
        swapped.as_str(),
    ])
    .fails_with(1, "state");
    // A session file that is not one: exit 2.
    let bogus = s.scratch.write("bogus.json", "{\"state\": 1}");
    s.callback(&bogus, &back, false)
        .fails_with(2, "not a session file");
    // The right one still completes.
    s.callback(&session, &back, false).ok();
}

/// The callback is refused with a message containing `needle` when the provider has `faults`.
fn refused(client_id: &str, faults: Faults, needle: &str) {
    let s = setup(client_id);
    let (url, session) = s.auth_url();
    let back = browse(&url);
    s.provider.set_faults(faults);
    let line = s.callback(&session, &back, false).fails(1);
    assert_eq!(line, format!("error: the ID token is refused: {needle}"));
}

#[test]
fn bad_id_tokens_are_refused() {
    if !with_aws_lc() {
        return;
    }
    let cases: [(Faults, &str); 7] = [
        (
            Faults {
                unencrypted: true,
                ..Faults::default()
            },
            "the token is not encrypted, as registered",
        ),
        (
            Faults {
                expired_id_token: true,
                ..Faults::default()
            },
            "the token has expired",
        ),
        (
            Faults {
                wrong_signing_key: true,
                ..Faults::default()
            },
            "invalid signature",
        ),
        (
            Faults {
                audience: Some("someone-else".into()),
                ..Faults::default()
            },
            "the audience contains none of the expected ones",
        ),
        (
            Faults {
                issuer: Some("https://idp.prd.itsme.services/v2".into()),
                ..Faults::default()
            },
            "the issuer is not the expected one",
        ),
        (
            Faults {
                nonce: Some("another-nonce".into()),
                ..Faults::default()
            },
            "the token's \"nonce\" is not the pending one",
        ),
        (
            Faults {
                alg_none: true,
                ..Faults::default()
            },
            "unknown algorithm",
        ),
    ];
    for (faults, needle) in cases {
        refused("pkjwt", faults, needle);
    }
}

#[test]
fn demo_runs_the_whole_flow() {
    if !with_aws_lc() {
        return;
    }
    let text = zegel(&["itsme", "demo"], "").ok_text();
    for heading in [
        "1. Keys",
        "2. Discovery",
        "3. Authorization request",
        "4. Login",
        "5. Token response",
        "6. ID token",
        "7. Verified claims",
        "8. UserInfo",
        "Done: a verified itsme® login.",
    ] {
        assert!(text.contains(heading), "{heading}: {text}");
    }
    assert!(text.contains("\"alg\": \"RSA-OAEP-256\""));
    assert!(text.contains("be_national_number()   85071415595"));
    // Piped: no colour.
    assert!(!text.contains('\x1b'));
}
