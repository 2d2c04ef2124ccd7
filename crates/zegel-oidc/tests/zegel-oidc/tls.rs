//! The default client over TLS: a provider on 127.0.0.1 with a self-signed certificate for
//! `localhost`, trusted only as an extra root; the client sends SNI.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use zegel_oidc::http::{HttpConfig, HyperClient};
use zegel_oidc::{Error, Security, discover};

#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[tokio::test]
async fn https_with_an_extra_root_certificate_and_sni() {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_der = ck.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let issuer = format!("https://localhost:{port}");
    let sni: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&sni);
    let doc = serde_json::json!({
        "issuer": issuer, "jwks_uri": format!("{issuer}/jwks"), "response_types_supported": ["code"],
    })
    .to_string();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let Ok(tls) = acceptor.accept(stream).await else {
                continue;
            };
            if let Some(name) = tls.get_ref().1.server_name() {
                seen.lock().unwrap().push(name.to_owned());
            }
            let body = doc.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req: Request<Incoming>| {
                    let body = body.clone();
                    async move { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body)))) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    let url = format!("{issuer}/.well-known/openid-configuration");

    let trusting = HyperClient::new(HttpConfig::new().with_root_certificate_der(cert_der)).unwrap();
    let metadata = discover(&trusting, &url, Security::HttpsOnly)
        .await
        .unwrap();
    assert_eq!(metadata.issuer, issuer);
    assert_eq!(sni.lock().unwrap().as_slice(), ["localhost"]);

    // The webpki roots alone do not trust it.
    let default = HyperClient::new(HttpConfig::new()).unwrap();
    let e = discover(&default, &url, Security::HttpsOnly)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Connect { url: u, .. } if *u == url),
        "{e:?}"
    );
    // A certificate that cannot be read is a configuration error.
    assert!(matches!(
        HyperClient::new(HttpConfig::new().with_root_certificate_der(b"not der".to_vec())),
        Err(Error::Unsupported { .. })
    ));
    server.abort();
}
