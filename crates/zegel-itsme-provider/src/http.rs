//! The provider's view of HTTP: a request reduced to what the endpoints read, a response they
//! build, and the hyper plumbing that serves them on a socket.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::state::Shared;

/// The largest request body read (a form with a request object fits many times over).
const MAX_BODY: usize = 64 * 1024;

/// A request, as the endpoints read it.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: hyper::Method,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) authorization: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}

/// A response, as the endpoints build it.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type", content_type.to_owned()),
                ("cache-control", "no-store".to_owned()),
            ],
            body: body.into(),
        }
    }

    pub(crate) fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status, "application/json", value.to_string())
    }

    /// An OAuth 2.0 error body (RFC 6749 §5.2).
    pub(crate) fn oauth_error(status: u16, code: &str, description: &str) -> Self {
        Self::json(
            status,
            &serde_json::json!({"error": code, "error_description": description}),
        )
    }

    /// A `302 Found` to `location`.
    pub(crate) fn redirect(location: String) -> Self {
        let mut r = Self::new(302, "text/plain; charset=utf-8", "");
        r.headers.push(("location", location));
        r
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Serves `shared` on `listener` until `shutdown` changes.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                    // A client that hangs up mid-request is its own business.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let header = |name: hyper::header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let resp = match Limited::new(body, MAX_BODY).collect().await {
        Ok(body) => {
            let req = Req {
                method: parts.method.clone(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or_default().to_owned(),
                authorization: header(hyper::header::AUTHORIZATION),
                content_type: header(hyper::header::CONTENT_TYPE),
                body: body.to_bytes(),
            };
            crate::routes::route(&shared, req).await
        }
        Err(_) => Resp::oauth_error(413, "invalid_request", "the request body is too large"),
    };
    let mut builder = hyper::Response::builder().status(resp.status);
    for (name, value) in &resp.headers {
        builder = builder.header(*name, value);
    }
    Ok(builder
        .body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| {
            let mut r = hyper::Response::new(Full::new(Bytes::new()));
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        }))
}

/// Fetches a client's JWK Set from an `http://host:port/path` URI (HTTP/1.1, no redirects, at
/// most [`MAX_BODY`] bytes, 5 seconds).
pub(crate) async fn fetch_jwks(uri: &str) -> Option<zegel_jose::JwkSet> {
    let rest = uri.strip_prefix("http://")?;
    let (authority, _) = rest.split_once('/').unwrap_or((rest, ""));
    let fetch = async {
        let stream = tokio::net::TcpStream::connect(authority).await.ok()?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .ok()?;
        tokio::spawn(conn);
        let req = hyper::Request::get(uri)
            .header(hyper::header::HOST, authority)
            .header(hyper::header::ACCEPT, "application/json")
            .body(Full::new(Bytes::new()))
            .ok()?;
        let resp = sender.send_request(req).await.ok()?;
        if resp.status() != hyper::StatusCode::OK {
            return None;
        }
        let body = Limited::new(resp.into_body(), MAX_BODY)
            .collect()
            .await
            .ok()?
            .to_bytes();
        zegel_jose::JwkSet::parse(&body).ok()
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), fetch)
        .await
        .ok()
        .flatten()
}
