//! The example web application (`examples/web`) driven end to end in headless Chromium through
//! WebDriver (`chromedriver`, `fantoccini`): the login approved on the local provider's page and
//! the claims shown on `/me`, then every reject path in the same browser (Cancel, the callback
//! replayed, a tampered `state`, an expired pending login).
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says it was skipped
//! and passes, unless `CI` is set: then a missing browser is a failure.

// A test harness: it waits in real time for a real browser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]
#![allow(unreachable_pub, dead_code)]

#[path = "../examples/web/app.rs"]
mod app;
#[path = "../examples/web/local.rs"]
mod local;

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use zegel_itsme_provider::{Endpoint, Faults, Provider};
use zegel_jwt::UnixTime;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(10);

/// Kills chromedriver however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> (Driver, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (driver, url)
}

async fn browser(webdriver: &str, profile: &Path) -> Client {
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=800,720",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a Chromium session")
}

/// The `<h1>` of the page, once it has one.
async fn heading(c: &Client) -> String {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the browser is on a page whose path is `path`.
async fn wait_path(c: &Client, path: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if c.current_url().await.unwrap().path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "never reached {path}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts the login and waits for the provider's page.
async fn start_login(c: &Client, app: &str) {
    c.goto(&format!("{app}/")).await.unwrap();
    click(c, "#itsme-login").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#approve"))
        .await
        .unwrap();
}

async fn screenshot(c: &Client, dir: &Path, name: &str) {
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

/// The whole browser session; its errors panic after the browser is closed.
async fn scenario(
    provider: &Provider,
    c: &Client,
    app: &str,
    clock: &AtomicU64,
    seen: &Mutex<Vec<String>>,
    shots: &Path,
) {
    // 1. Log in: the button, the provider's page, "Approve", `/me`.
    c.goto(&format!("{app}/")).await.unwrap();
    assert_eq!(heading(c).await, "Welcome");
    screenshot(c, shots, "index.png").await;
    start_login(c, app).await;
    click(c, "#approve").await;
    wait_path(c, "/me").await;
    assert_eq!(heading(c).await, "Welcome, Jan");
    let mut shown = Vec::new();
    for row in c.find_all(Locator::Css("#claims tr")).await.unwrap() {
        let th = row
            .find(Locator::Css("th"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let td = row
            .find(Locator::Css("td"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        shown.push((th, td));
    }
    let expected = [
        ("Name", "Jan Peeters"),
        ("Birth date", "1985-07-14"),
        ("National number", "•••••••5595"),
        ("Address", "Grote Markt 1, 2000 Antwerpen"),
        ("Email", "jan.peeters@example.be"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(shown, expected);
    screenshot(c, shots, "me.png").await;
    let callback = seen
        .lock()
        .unwrap()
        .iter()
        .find(|u| u.starts_with("/itsme/callback?"))
        .cloned()
        .expect("the callback was seen");

    // 2. Log out: back to the start, and `/me` is gone.
    click(c, "#logout").await;
    wait_path(c, "/").await;
    c.goto(&format!("{app}/me")).await.unwrap();
    wait_path(c, "/").await;
    assert_eq!(heading(c).await, "Welcome");

    // 3. The callback replayed after success: refused (the pending login was single use).
    c.goto(&format!("{app}{callback}")).await.unwrap();
    assert_eq!(heading(c).await, "This login link can no longer be used");

    // 4. "Cancel" on the provider's page.
    start_login(c, app).await;
    click(c, "#cancel").await;
    wait_path(c, "/itsme/callback").await;
    assert_eq!(heading(c).await, "You cancelled the login");
    screenshot(c, shots, "cancelled.png").await;

    // 5. A callback with a tampered `state` (the pending login cookie is there).
    start_login(c, app).await;
    let (path, query) = callback.split_once('?').unwrap();
    let tampered: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some(("state", _)) => "state=tampered-state".to_owned(),
            _ => p.to_owned(),
        })
        .collect();
    c.goto(&format!("{app}{path}?{}", tampered.join("&")))
        .await
        .unwrap();
    assert_eq!(heading(c).await, "This login could not be verified");

    // 6. The pending login expired: the application's clock moves past its 10 minutes while
    //    the person is at itsme®.
    start_login(c, app).await;
    clock.fetch_add(app::LOGIN_TTL.as_secs() + 1, Ordering::SeqCst);
    click(c, "#approve").await;
    wait_path(c, "/itsme/callback").await;
    assert_eq!(heading(c).await, "Your login expired");
    screenshot(c, shots, "expired.png").await;

    // 7. itsme® is down when the code is exchanged (its token endpoint answers 500).
    clock.store(0, Ordering::SeqCst);
    start_login(c, app).await;
    // `Faults` is `#[non_exhaustive]`: no struct literal outside its crate.
    #[allow(clippy::field_reassign_with_default)]
    {
        let mut faults = Faults::default();
        faults.server_error = vec![Endpoint::Token];
        provider.set_faults(faults);
    }
    click(c, "#approve").await;
    wait_path(c, "/itsme/callback").await;
    assert_eq!(heading(c).await, "itsme® cannot be reached");
    provider.set_faults(Faults::default());
}

fn browser_missing() -> Option<String> {
    [CHROMIUM, CHROMEDRIVER]
        .iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| format!("{p} is not installed (apt-get install chromium chromium-driver)"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_in_a_real_browser() {
    if let Some(why) = browser_missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs the browser: {why}"
        );
        eprintln!("browser test skipped: {why}");
        return;
    }
    let started = Instant::now();

    // The application and the provider, with a clock the test moves.
    let offset = Arc::new(AtomicU64::new(0));
    let clock: app::Clock = {
        let offset = Arc::clone(&offset);
        Arc::new(move || {
            let now = UnixTime::now().unwrap().as_secs();
            UnixTime::from_secs(now + offset.load(Ordering::SeqCst))
        })
    };
    let local = local::start(clock).await.unwrap();
    let app_url = local.url.clone();
    let provider = Arc::new(local.provider);
    // Served as the example serves it, noting the paths asked (to replay the callback).
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let server = {
        let (listener, app, seen) = (local.listener, local.app, Arc::clone(&seen));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (app, seen) = (Arc::clone(&app), Arc::clone(&seen));
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        seen.lock().unwrap().push(req.uri().to_string());
                        app::handle(Arc::clone(&app), req)
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        })
    };

    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = std::env::temp_dir().join(format!("zegel-browser-{}", std::process::id()));
    let (driver, webdriver) = start_driver().await;
    let c = browser(&webdriver, &profile).await;
    // The scenario runs in its own task so that a failed assertion still closes the browser.
    let outcome = {
        let c = c.clone();
        let app_url = app_url.clone();
        let shots = shots.clone();
        let offset = Arc::clone(&offset);
        let seen = Arc::clone(&seen);
        let provider = Arc::clone(&provider);
        tokio::spawn(async move { scenario(&provider, &c, &app_url, &offset, &seen, &shots).await })
            .await
    };
    let _ = c.close().await;
    drop(driver);
    server.abort();
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
    eprintln!(
        "browser test: {:.1} s, screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

/// What a browser is told, over plain HTTP (no browser needed): the pending login cookie's
/// attributes, and the partner's public keys with their cache lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_and_keys_as_served() {
    use zegel_oidc::http::{HttpClient, HttpConfig, HyperClient};

    let clock: app::Clock = Arc::new(|| UnixTime::now().unwrap());
    let local = local::start(clock).await.unwrap();
    let url = local.url.clone();
    let server = tokio::spawn(app::serve(local.listener, local.app));
    let http = HyperClient::new(HttpConfig::new()).unwrap();

    let login = http
        .send(
            http::Request::post(format!("{url}/login"))
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let location = login.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&local.provider.authorization_endpoint()));
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    let (value, attributes) = cookie.split_once("; ").unwrap();
    assert!(value.starts_with("itsme_pending=eyJ"));
    // Loopback http: no `Secure` (an https redirect URI gets it).
    assert_eq!(
        attributes,
        "Path=/itsme/callback; Max-Age=600; HttpOnly; SameSite=Lax"
    );

    let jwks = http
        .send(
            http::Request::get(format!("{url}{}", app::JWKS_PATH))
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(jwks.status(), 200);
    assert_eq!(jwks.headers()["cache-control"], "public, max-age=1800");
    let set = zegel_jose::JwkSet::parse(jwks.body()).unwrap();
    assert_eq!(set.keys().len(), 2);
    assert!(set.keys().iter().all(|k| k.to_public_json().is_some()));
    assert!(!String::from_utf8_lossy(jwks.body()).contains("\"d\""));
    // `HEAD`: the headers of `GET` (its length too), no body; any other method is 405.
    let head = http
        .send(
            http::Request::head(format!("{url}{}", app::JWKS_PATH))
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["cache-control"], "public, max-age=1800");
    assert_eq!(head.headers()["content-type"], "application/json");
    let length = jwks.body().len().to_string();
    assert_eq!(head.headers()["content-length"], length.as_str());
    assert!(head.body().is_empty());
    let post = http
        .send(
            http::Request::post(format!("{url}{}", app::JWKS_PATH))
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.headers()["allow"], "GET, HEAD");
    assert!(post.body().is_empty());

    // `/me` without a session goes back to the start.
    let me = http
        .send(
            http::Request::get(format!("{url}/me"))
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(me.status(), 303);
    assert_eq!(me.headers()["location"], "/");
    server.abort();
}
