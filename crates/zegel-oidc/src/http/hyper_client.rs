//! The default [`HttpClient`]: hyper 1, hyper-util's pooled client, rustls with the ring
//! provider and the webpki roots (plus any configured), tokio timers.

use core::time::Duration;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;

use super::{BoxFuture, DEFAULT_MAX_BODY, HttpClient, USER_AGENT};
use crate::error::Error;

/// The settings of [`HyperClient`].
#[derive(Clone, Debug)]
pub struct HttpConfig {
    connect_timeout: Duration,
    timeout: Duration,
    max_body: usize,
    extra_roots: Vec<CertificateDer<'static>>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body: DEFAULT_MAX_BODY,
            extra_roots: Vec::new(),
        }
    }
}

impl HttpConfig {
    /// Connect in 5 s, answer in 10 s in total, bodies up to 1 MiB, webpki roots.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The limit on establishing the connection (TCP and TLS).
    #[must_use]
    pub fn with_connect_timeout(mut self, limit: Duration) -> Self {
        self.connect_timeout = limit;
        self
    }

    /// The limit on the whole exchange, body included.
    #[must_use]
    pub fn with_timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit;
        self
    }

    /// The largest body read; a larger one is refused as soon as it is seen.
    #[must_use]
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Trusts this root certificate (DER) besides the webpki roots.
    #[must_use]
    pub fn with_root_certificate_der(mut self, der: Vec<u8>) -> Self {
        self.extra_roots.push(CertificateDer::from(der));
        self
    }
}

/// hyper 1 + rustls (ring). Redirects are never followed.
#[derive(Clone)]
pub struct HyperClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    config: Arc<HttpConfig>,
}

impl core::fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HyperClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HyperClient {
    /// A client with `config`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when an extra root certificate cannot be read or TLS cannot be
    /// set up.
    pub fn new(config: HttpConfig) -> Result<Self, Error> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for der in &config.extra_roots {
            roots.add(der.clone()).map_err(|_| Error::Unsupported {
                what: "an extra root certificate that cannot be read",
            })?;
        }
        // ring, as the crate's design chose (one C-free-of-cmake backend for TLS); rustls
        // 0.23.48 deprecates it only for its lack of post-quantum key exchange.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|_| Error::Unsupported {
                what: "tls with the ring provider",
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.connect_timeout));
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        // HTTP/2 by ALPN when the `http2` feature is on; HTTP/1.1 always.
        #[cfg(feature = "http2")]
        let https = builder.enable_all_versions().wrap_connector(http);
        #[cfg(not(feature = "http2"))]
        let https = builder.enable_http1().wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(Self {
            client,
            config: Arc::new(config),
        })
    }

    async fn exchange(
        &self,
        request: http::Request<Vec<u8>>,
        url: &str,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let (mut parts, body) = request.into_parts();
        parts.headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        );
        let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| self.connect_error(url, e))?;
        let (parts, mut body) = response.into_parts();
        let max = self.config.max_body;
        let too_large = || Error::TooLarge {
            url: url.to_owned(),
            limit: max,
        };
        let announced = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|len| len > max as u64) {
            return Err(too_large());
        }
        let mut buf = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Error::Connect {
                url: url.to_owned(),
                source: Some(Arc::new(e)),
            })?;
            if let Ok(data) = frame.into_data() {
                if buf.len().saturating_add(data.len()) > max {
                    return Err(too_large());
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(http::Response::from_parts(parts, buf))
    }

    fn connect_error(&self, url: &str, e: hyper_util::client::legacy::Error) -> Error {
        // hyper-util reports its connect timeout as an io::Error of kind TimedOut.
        let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
        while let Some(s) = source {
            if s.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            {
                return Error::Timeout {
                    url: url.to_owned(),
                    limit: self.config.connect_timeout,
                };
            }
            source = s.source();
        }
        Error::Connect {
            url: url.to_owned(),
            source: Some(Arc::new(e)),
        }
    }
}

impl HttpClient for HyperClient {
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> BoxFuture<'_, Result<http::Response<Vec<u8>>, Error>> {
        Box::pin(async move {
            let url = request.uri().to_string();
            let limit = self.config.timeout;
            match tokio::time::timeout(limit, self.exchange(request, &url)).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout { url, limit }),
            }
        })
    }
}
