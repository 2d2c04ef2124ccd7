//! `zegel discovery fetch` and `zegel jwks fetch` against a hyper server on 127.0.0.1.

use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;

use crate::zegel;

/// A server answering `/<path>` with the body named by the path, in a thread of its own.
struct Server {
    addr: SocketAddr,
}

fn route(issuer: &str, path: &str) -> (u16, String) {
    let doc = |iss: &str| {
        json!({
            "issuer": iss, "jwks_uri": format!("{issuer}/jwks"),
            "authorization_endpoint": format!("{issuer}/authorize"),
            "response_types_supported": ["code"], "x-extra": 1,
        })
        .to_string()
    };
    match path {
        "/good/.well-known/openid-configuration" => (200, doc(&format!("{issuer}/good"))),
        "/liar/.well-known/openid-configuration" => (200, doc("https://evil.example")),
        "/dup/.well-known/openid-configuration" => (200, r#"{"issuer":"a","issuer":"b"}"#.into()),
        "/jwks" => (
            200,
            json!({"keys": [
                {"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
                 "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                 "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                 "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"},
                {"kty": "PQC", "kid": "future"},
            ]})
            .to_string(),
        ),
        _ => (500, "down".into()),
    }
}

impl Server {
    fn start() -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                tx.send(addr).unwrap();
                let issuer = format!("http://{addr}");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let issuer = issuer.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req: Request<Incoming>| {
                            let (status, body) = route(&issuer, req.uri().path());
                            async move {
                                Ok::<_, Infallible>(
                                    Response::builder()
                                        .status(status)
                                        .header("content-type", "application/json")
                                        .body(Full::new(Bytes::from(body)))
                                        .unwrap(),
                                )
                            }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        Self {
            addr: rx.recv().unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

const WK: &str = "/.well-known/openid-configuration";

#[test]
fn discovery_fetch_prints_the_validated_document() {
    let s = Server::start();
    let url = s.url(&format!("/good{WK}"));
    let text = zegel(
        &["discovery", "fetch", "--allow-insecure-loopback", &url],
        "",
    )
    .ok_text();
    assert!(text.contains("\n  \"issuer\""), "pretty: {text}");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["issuer"], s.url("/good"));
    assert_eq!(doc["x-extra"], 1);
    assert_eq!(doc["response_types_supported"], json!(["code"]));
}

#[test]
fn discovery_fetch_refuses_a_wrong_provider_with_exit_1() {
    let s = Server::start();
    let line = zegel(
        &[
            "discovery",
            "fetch",
            "--allow-insecure-loopback",
            &s.url(&format!("/liar{WK}")),
        ],
        "",
    )
    .fails(1);
    assert!(line.contains("issuer") && !line.contains("evil"), "{line}");
    zegel(
        &[
            "discovery",
            "fetch",
            "--allow-insecure-loopback",
            &s.url(&format!("/dup{WK}")),
        ],
        "",
    )
    .fails_with(1, "duplicate member");
    zegel(
        &[
            "discovery",
            "fetch",
            "--allow-insecure-loopback",
            &s.url(&format!("/down{WK}")),
        ],
        "",
    )
    .fails_with(1, "http status 500");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    zegel(
        &[
            "discovery",
            "fetch",
            "--allow-insecure-loopback",
            &format!("http://127.0.0.1:{port}{WK}"),
        ],
        "",
    )
    .fails_with(1, "cannot connect");
}

#[test]
fn discovery_fetch_refuses_bad_urls_with_exit_2() {
    let s = Server::start();
    zegel(&["discovery", "fetch", "not a url"], "").fails(2);
    zegel(&["discovery", "fetch", &s.url(&format!("/good{WK}"))], "").fails_with(2, "not https");
    zegel(
        &[
            "discovery",
            "fetch",
            "--allow-insecure-loopback",
            &s.url("/good"),
        ],
        "",
    )
    .fails(2);
    zegel(
        &[
            "discovery",
            "fetch",
            "--allow-insecure-loopback",
            &format!("http://localhost:1{WK}"),
        ],
        "",
    )
    .fails(2);
}

#[test]
fn jwks_fetch_prints_public_keys_only() {
    let s = Server::start();
    let text = zegel(
        &[
            "jwks",
            "fetch",
            "--allow-insecure-loopback",
            &s.url("/jwks"),
        ],
        "",
    )
    .ok_text();
    let set: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "the unknown key type is left out");
    assert_eq!(keys[0]["kid"], "k1");
    assert!(
        keys[0].get("d").is_none(),
        "private members never passed on"
    );
    zegel(
        &[
            "jwks",
            "fetch",
            "--allow-insecure-loopback",
            &s.url("/down"),
        ],
        "",
    )
    .fails_with(1, "500");
    zegel(&["jwks", "fetch", &s.url("/jwks")], "").fails(2);
    zegel(&["jwks", "fetch", "::"], "").fails(2);
}
