//! [`JwksEndpoint`]: the partner's JWK Set URI (`jwks_public.json`), answered the way the
//! itsme® key rotation procedure asks (`_OIDC/authentication.md`, "Key rotation procedure"):
//! the public keys only, cached for at least [`JWKS_MIN_MAX_AGE`](crate::config::JWKS_MIN_MAX_AGE).
//!
//! The endpoint is sans-IO: it maps a request method to an `http::Response<Vec<u8>>`, so it
//! plugs into hyper, axum or any server built on the `http` types; routing (which path) stays
//! with the application.

use core::time::Duration;

use http::header::{ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, Response, StatusCode};
use zegel_jose::JwkSet;

use crate::config::{PartnerKeys, jwks_cache_control};

/// The `Content-Type` the set is served with.
pub const JWKS_CONTENT_TYPE: &str = "application/json";

/// The methods the endpoint answers, as its `405` response lists them in `Allow`.
pub const JWKS_ALLOW: &str = "GET, HEAD";

/// The public JWK Set, ready to serve: `GET` and `HEAD` answer `200` with
/// `Content-Type: application/json` and `Cache-Control: public, max-age=N` (`N` at least
/// [`JWKS_MIN_MAX_AGE`](crate::config::JWKS_MIN_MAX_AGE), 30 minutes); any other method answers `405` with `Allow: GET, HEAD`.
///
/// Only the public part of a set is ever served: a private set given in is converted (see
/// [`JwkSet::to_public_json`]; `oct` keys are left out), so no private member (`d`, `p`,
/// `q`, `dp`, `dq`, `qi`, `oth`, `k`) can reach the response.
///
/// With hyper (`service_fn`), the endpoint shared by every connection:
///
/// ```no_run
/// # use std::{convert::Infallible, sync::Arc};
/// # use http_body_util::Full;
/// # use hyper::{Request, body::{Bytes, Incoming}};
/// # use zegel_itsme::{config::{JWKS_MIN_MAX_AGE, PartnerKeys}, jwks::JwksEndpoint};
/// # fn serve(keys: &PartnerKeys, io: hyper_util::rt::TokioIo<tokio::net::TcpStream>) {
/// let jwks = Arc::new(JwksEndpoint::new(&keys.public_set(), JWKS_MIN_MAX_AGE));
/// let service = hyper::service::service_fn(move |req: Request<Incoming>| {
///     let response = jwks.respond(req.method()).map(Full::<Bytes>::from);
///     async move { Ok::<_, Infallible>(response) }
/// });
/// let _connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct JwksEndpoint {
    body: Vec<u8>,
    cache_control: HeaderValue,
}

impl JwksEndpoint {
    /// The endpoint for `set` (public or private: only its public part is kept), cached for
    /// `max_age`, raised to [`JWKS_MIN_MAX_AGE`](crate::config::JWKS_MIN_MAX_AGE) if shorter.
    #[must_use]
    pub fn new(set: &JwkSet, max_age: Duration) -> Self {
        // `public, max-age=<digits>` is always a valid header value; the fallback is the floor.
        let cache_control = HeaderValue::try_from(jwks_cache_control(max_age))
            .unwrap_or_else(|_| HeaderValue::from_static("public, max-age=1800"));
        Self {
            body: set.to_public_json().into_bytes(),
            cache_control,
        }
    }

    /// The endpoint for the partner's current public keys ([`PartnerKeys::public_set`]).
    #[must_use]
    pub fn for_partner_keys(keys: &PartnerKeys, max_age: Duration) -> Self {
        Self::new(&keys.public_set(), max_age)
    }

    /// The body a `GET` answers: the public JWK Set as JSON.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The `Cache-Control` value served (`public, max-age=N`).
    #[must_use]
    pub fn cache_control(&self) -> &HeaderValue {
        &self.cache_control
    }

    /// The response to a request with `method`: the set for `GET`, its headers only for
    /// `HEAD` (with the `Content-Length` a `GET` would have), `405` otherwise.
    #[must_use]
    pub fn respond(&self, method: &Method) -> Response<Vec<u8>> {
        let head = method == Method::HEAD;
        if method != Method::GET && !head {
            let mut response = Response::new(Vec::new());
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(JWKS_ALLOW));
            return response;
        }
        let body = if head { Vec::new() } else { self.body.clone() };
        let mut response = Response::new(body);
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(JWKS_CONTENT_TYPE));
        headers.insert(CACHE_CONTROL, self.cache_control.clone());
        headers.insert(CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::JWKS_MIN_MAX_AGE;

    /// RFC 7517 Appendix A.2: a private EC key, and an `oct` key.
    const PRIVATE: &str = r#"{"keys":[
        {"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
         "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
         "d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE","use":"enc","kid":"1"},
        {"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","kid":"hmac"}
    ]}"#;

    const PUBLIC: &str = r#"{"keys":[{"crv":"P-256","kid":"1","kty":"EC","use":"enc","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}"#;

    fn endpoint(max_age: u64) -> JwksEndpoint {
        let set = JwkSet::parse(PRIVATE.as_bytes()).unwrap();
        JwksEndpoint::new(&set, Duration::from_secs(max_age))
    }

    fn header(response: &Response<Vec<u8>>, name: http::HeaderName) -> Option<&str> {
        response.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn get_serves_the_public_set_with_exact_headers() {
        let response = endpoint(3600).respond(&Method::GET);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers().len(), 3);
        assert_eq!(header(&response, CONTENT_TYPE), Some("application/json"));
        assert_eq!(
            header(&response, CACHE_CONTROL),
            Some("public, max-age=3600")
        );
        let length = PUBLIC.len().to_string();
        assert_eq!(header(&response, CONTENT_LENGTH), Some(length.as_str()));
        assert_eq!(header(&response, ALLOW), None);
        assert_eq!(std::str::from_utf8(response.body()).unwrap(), PUBLIC);
    }

    #[test]
    fn head_has_the_headers_of_get_and_no_body() {
        let endpoint = endpoint(3600);
        let get = endpoint.respond(&Method::GET);
        let head = endpoint.respond(&Method::HEAD);
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(head.headers(), get.headers());
        assert!(head.body().is_empty());
        assert!(!get.body().is_empty());
    }

    #[test]
    fn other_methods_are_405_with_allow() {
        let endpoint = endpoint(3600);
        for method in [
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
            Method::OPTIONS,
            Method::TRACE,
            Method::CONNECT,
            Method::from_bytes(b"PROPFIND").unwrap(),
        ] {
            let response = endpoint.respond(&method);
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method}"
            );
            assert_eq!(response.headers().len(), 1, "{method}");
            assert_eq!(header(&response, ALLOW), Some("GET, HEAD"));
            assert_eq!(header(&response, CACHE_CONTROL), None);
            assert!(response.body().is_empty(), "{method}");
        }
    }

    #[test]
    fn a_private_set_comes_out_public() {
        let endpoint = endpoint(1800);
        let body: serde_json::Value = serde_json::from_slice(endpoint.body()).unwrap();
        let keys = body["keys"].as_array().unwrap();
        // The `oct` key is left out, the EC key keeps its public members only.
        assert_eq!(keys.len(), 1);
        let key = keys[0].as_object().unwrap();
        let mut members: Vec<&str> = key.keys().map(String::as_str).collect();
        members.sort_unstable();
        assert_eq!(members, ["crv", "kid", "kty", "use", "x", "y"]);
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            assert!(!key.contains_key(private), "{private}");
        }
        assert!(!PUBLIC.contains("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"));
        let get = endpoint.respond(&Method::GET);
        let text = std::str::from_utf8(get.body()).unwrap();
        assert!(!text.contains("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"));
        assert!(!text.contains("\"k\""));
        // A public set given in is served unchanged.
        let public = JwkSet::parse(PUBLIC.as_bytes()).unwrap();
        let again = JwksEndpoint::new(&public, JWKS_MIN_MAX_AGE);
        assert_eq!(again.body(), PUBLIC.as_bytes());
    }

    #[test]
    fn max_age_below_1800_is_raised_to_1800() {
        for (asked, served) in [
            (0, "public, max-age=1800"),
            (1, "public, max-age=1800"),
            (1799, "public, max-age=1800"),
            (1800, "public, max-age=1800"),
            (1801, "public, max-age=1801"),
            (86_400, "public, max-age=86400"),
        ] {
            let endpoint = endpoint(asked);
            assert_eq!(endpoint.cache_control(), served, "{asked}");
            let response = endpoint.respond(&Method::GET);
            assert_eq!(header(&response, CACHE_CONTROL), Some(served), "{asked}");
        }
        // Sub-second durations count by whole seconds, also raised.
        let set = JwkSet::parse(PUBLIC.as_bytes()).unwrap();
        let endpoint = JwksEndpoint::new(&set, Duration::from_millis(1_799_999));
        assert_eq!(endpoint.cache_control(), "public, max-age=1800");
    }
}
