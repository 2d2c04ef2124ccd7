//! Provider metadata: OpenID Connect Discovery 1.0 and RFC 8414, typed and checked.
//!
//! [`request`] builds the GET of `/.well-known/openid-configuration`; [`from_response`] checks
//! the answer: status 200, strict JSON (a duplicate member is refused), then [`ProviderMetadata`]
//! with every member of both specifications (unknown members kept in
//! [`other`](ProviderMetadata::other)), then the rules of Discovery §4.3 and this crate:
//!
//! - `issuer` equals the discovery URL minus `/.well-known/openid-configuration`, exactly;
//! - the issuer and every endpoint are `https` URLs, or `http` to `127.0.0.1` / `[::1]` when the
//!   caller opts in ([`Security::AllowInsecureLoopback`], for tests);
//! - `jwks_uri` is present; `response_types_supported` contains `code`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::error::{Document, Error, parse_document};

/// The path a provider publishes its metadata at (Discovery §4).
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-configuration";

/// Which URL schemes are accepted for the provider.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Security {
    /// `https` only (the default).
    #[default]
    HttpsOnly,
    /// Also `http` to `127.0.0.1` and `[::1]`, for tests against a local provider.
    AllowInsecureLoopback,
}

/// Parses `url` and checks its scheme under `security`; `what` names it in errors.
///
/// # Errors
/// [`Error::InvalidUrl`] for a malformed URL (or one with a fragment or user info);
/// [`Error::InsecureUrl`] for a scheme other than `https`, or `http` to a host other than a
/// loopback address when allowed.
pub fn check_url(url: &str, what: &str, security: Security) -> Result<Url, Error> {
    let parsed = Url::parse(url).map_err(|_| Error::InvalidUrl { what: what.into() })?;
    if parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
        || parsed.host().is_none()
    {
        return Err(Error::InvalidUrl { what: what.into() });
    }
    let loopback = match parsed.host() {
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        _ => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback && security == Security::AllowInsecureLoopback => Ok(parsed),
        _ => Err(Error::InsecureUrl { what: what.into() }),
    }
}

/// The issuer a discovery URL promises: the URL minus `/.well-known/openid-configuration`.
///
/// # Errors
/// [`Error::InvalidUrl`] when `discovery_url` does not end with the well-known path, or has a
/// query or fragment.
pub fn expected_issuer(discovery_url: &str) -> Result<&str, Error> {
    match discovery_url.strip_suffix(WELL_KNOWN_PATH) {
        Some(issuer) if !issuer.is_empty() && !issuer.contains(['?', '#']) => Ok(issuer),
        _ => Err(Error::InvalidUrl {
            what: "discovery url".into(),
        }),
    }
}

/// The metadata of an OpenID provider (Discovery 1.0 §3) or OAuth 2.0 authorization server
/// (RFC 8414 §2). Plain data; [`from_response`] or [`ProviderMetadata::from_json`] check it.
#[allow(clippy::struct_excessive_bools)]
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// `issuer`.
    pub issuer: String,
    /// `authorization_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// `userinfo_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// `jwks_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `registration_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// `scopes_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `response_types_supported`.
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    /// `response_modes_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_modes_supported: Option<Vec<String>>,
    /// `grant_types_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// `acr_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_values_supported: Option<Vec<String>>,
    /// `subject_types_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_types_supported: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// `id_token_encryption_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encryption_alg_values_supported: Option<Vec<String>>,
    /// `id_token_encryption_enc_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encryption_enc_values_supported: Option<Vec<String>>,
    /// `userinfo_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_signing_alg_values_supported: Option<Vec<String>>,
    /// `userinfo_encryption_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encryption_alg_values_supported: Option<Vec<String>>,
    /// `userinfo_encryption_enc_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encryption_enc_values_supported: Option<Vec<String>>,
    /// `request_object_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg_values_supported: Option<Vec<String>>,
    /// `request_object_encryption_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_alg_values_supported: Option<Vec<String>>,
    /// `request_object_encryption_enc_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_enc_values_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `display_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_values_supported: Option<Vec<String>>,
    /// `claim_types_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_types_supported: Option<Vec<String>>,
    /// `claims_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_supported: Option<Vec<String>>,
    /// `service_documentation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_documentation: Option<String>,
    /// `claims_locales_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_locales_supported: Option<Vec<String>>,
    /// `ui_locales_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales_supported: Option<Vec<String>>,
    /// `claims_parameter_supported` (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_parameter_supported: Option<bool>,
    /// `request_parameter_supported` (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameter_supported: Option<bool>,
    /// `request_uri_parameter_supported` (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_uri_parameter_supported: Option<bool>,
    /// `require_request_uri_registration` (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_request_uri_registration: Option<bool>,
    /// `op_policy_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_policy_uri: Option<String>,
    /// `op_tos_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_tos_uri: Option<String>,
    /// `revocation_endpoint` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// `revocation_endpoint_auth_methods_supported` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `revocation_endpoint_auth_signing_alg_values_supported` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `introspection_endpoint` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// `introspection_endpoint_auth_methods_supported` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `introspection_endpoint_auth_signing_alg_values_supported` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported` (RFC 8414).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `signed_metadata` (RFC 8414 §2.1; kept, not verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_metadata: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// Every other member, kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The endpoint members checked for `https`.
const ENDPOINTS: &[&str] = &[
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "registration_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
];

impl ProviderMetadata {
    /// Parses a discovery document strictly and checks it against `expected_issuer`.
    ///
    /// # Errors
    /// [`Error::Json`] (syntax, duplicate member), [`Error::InvalidMember`] (a member of the
    /// wrong type, no `jwks_uri`, no `code` in `response_types_supported`),
    /// [`Error::WrongIssuer`], [`Error::InvalidUrl`] / [`Error::InsecureUrl`] for an endpoint.
    pub fn from_json(
        body: &[u8],
        expected_issuer: &str,
        security: Security,
    ) -> Result<Self, Error> {
        let map = parse_document(body, Document::Discovery)?;
        let metadata = Self::from_map(map)?;
        metadata.check(expected_issuer, security)?;
        Ok(metadata)
    }

    fn from_map(mut map: Map<String, Value>) -> Result<Self, Error> {
        // serde's messages quote values: the error names the member instead.
        let mut typed = Map::new();
        for name in KNOWN {
            if let Some(v) = map.remove(*name) {
                typed.insert((*name).to_owned(), v);
            }
        }
        let other = map;
        let mut metadata: Self =
            serde_json::from_value(Value::Object(typed.clone())).map_err(|_| {
                Error::InvalidMember {
                    document: Document::Discovery,
                    name: first_bad_member(&typed),
                }
            })?;
        metadata.other = other;
        Ok(metadata)
    }

    /// Checks the metadata: issuer, endpoints' schemes, `jwks_uri`, `code`.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json), after parsing.
    pub fn check(&self, expected_issuer: &str, security: Security) -> Result<(), Error> {
        if self.issuer != expected_issuer {
            return Err(Error::WrongIssuer {
                expected: expected_issuer.to_owned(),
                found: self.issuer.clone(),
            });
        }
        check_url(&self.issuer, "issuer", security)?;
        for (name, value) in self.endpoints() {
            if let Some(url) = value {
                check_url(url, name, security)?;
            }
        }
        if self.jwks_uri.is_none() {
            return Err(Error::InvalidMember {
                document: Document::Discovery,
                name: "jwks_uri",
            });
        }
        if !self.response_types_supported.iter().any(|t| t == "code") {
            return Err(Error::InvalidMember {
                document: Document::Discovery,
                name: "response_types_supported",
            });
        }
        Ok(())
    }

    fn endpoints(&self) -> [(&'static str, Option<&String>); 7] {
        let values = [
            self.authorization_endpoint.as_ref(),
            self.token_endpoint.as_ref(),
            self.userinfo_endpoint.as_ref(),
            self.jwks_uri.as_ref(),
            self.registration_endpoint.as_ref(),
            self.revocation_endpoint.as_ref(),
            self.introspection_endpoint.as_ref(),
        ];
        let mut out = [("", None); 7];
        for (slot, (name, value)) in out.iter_mut().zip(ENDPOINTS.iter().zip(values)) {
            *slot = (name, value);
        }
        out
    }

    /// The endpoint named `name` (`"token_endpoint"`, ...), required.
    ///
    /// # Errors
    /// [`Error::InvalidMember`] when the provider did not publish it.
    pub(crate) fn endpoint(&self, name: &'static str) -> Result<&str, Error> {
        self.endpoints()
            .into_iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.map(String::as_str))
            .ok_or(Error::InvalidMember {
                document: Document::Discovery,
                name,
            })
    }

    /// The metadata as pretty JSON (unknown members included).
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Every member typed in [`ProviderMetadata`].
const KNOWN: &[&str] = &[
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "registration_endpoint",
    "scopes_supported",
    "response_types_supported",
    "response_modes_supported",
    "grant_types_supported",
    "acr_values_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "id_token_encryption_alg_values_supported",
    "id_token_encryption_enc_values_supported",
    "userinfo_signing_alg_values_supported",
    "userinfo_encryption_alg_values_supported",
    "userinfo_encryption_enc_values_supported",
    "request_object_signing_alg_values_supported",
    "request_object_encryption_alg_values_supported",
    "request_object_encryption_enc_values_supported",
    "token_endpoint_auth_methods_supported",
    "token_endpoint_auth_signing_alg_values_supported",
    "display_values_supported",
    "claim_types_supported",
    "claims_supported",
    "service_documentation",
    "claims_locales_supported",
    "ui_locales_supported",
    "claims_parameter_supported",
    "request_parameter_supported",
    "request_uri_parameter_supported",
    "require_request_uri_registration",
    "op_policy_uri",
    "op_tos_uri",
    "revocation_endpoint",
    "revocation_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
    "introspection_endpoint",
    "introspection_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_signing_alg_values_supported",
    "code_challenge_methods_supported",
    "signed_metadata",
    "authorization_response_iss_parameter_supported",
];

/// The first typed member whose value does not fit its type (for the error), or `issuer`.
fn first_bad_member(typed: &Map<String, Value>) -> &'static str {
    if !typed.contains_key("issuer") {
        return "issuer";
    }
    for name in KNOWN {
        let Some(v) = typed.get(*name) else { continue };
        let mut one = Map::new();
        one.insert("issuer".into(), Value::String(String::new()));
        one.insert((*name).to_owned(), v.clone());
        if serde_json::from_value::<ProviderMetadata>(Value::Object(one)).is_err() {
            return name;
        }
    }
    "issuer"
}

/// The GET request for the discovery document at `discovery_url`.
///
/// # Errors
/// [`Error::InvalidUrl`] / [`Error::InsecureUrl`] for the URL.
pub fn request(discovery_url: &str, security: Security) -> Result<http::Request<Vec<u8>>, Error> {
    expected_issuer(discovery_url)?;
    let url = check_url(discovery_url, "discovery url", security)?;
    get_json(&url)
}

/// A GET asking for JSON.
pub(crate) fn get_json(url: &Url) -> Result<http::Request<Vec<u8>>, Error> {
    http::Request::get(url.as_str())
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|_| Error::InvalidUrl {
            what: "request url".into(),
        })
}

/// Checks the response to [`request`] for `discovery_url`.
///
/// # Errors
/// [`Error::Status`] for a status other than 200; the errors of
/// [`ProviderMetadata::from_json`].
pub fn from_response(
    discovery_url: &str,
    response: &http::Response<Vec<u8>>,
    security: Security,
) -> Result<ProviderMetadata, Error> {
    if response.status() != http::StatusCode::OK {
        return Err(Error::Status {
            url: discovery_url.to_owned(),
            status: response.status().as_u16(),
        });
    }
    ProviderMetadata::from_json(response.body(), expected_issuer(discovery_url)?, security)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://op.example/.well-known/openid-configuration";

    fn doc(extra: &str) -> Vec<u8> {
        format!(
            r#"{{"issuer":"https://op.example","authorization_endpoint":"https://op.example/auth",
            "token_endpoint":"https://op.example/token","jwks_uri":"https://op.example/jwks",
            "response_types_supported":["code"],"code_challenge_methods_supported":["S256"]{extra}}}"#
        )
        .into_bytes()
    }

    fn parse(body: &[u8], security: Security) -> Result<ProviderMetadata, Error> {
        ProviderMetadata::from_json(body, expected_issuer(URL).unwrap(), security)
    }

    #[test]
    fn accepts_a_good_document_and_keeps_unknown_members() {
        let m = parse(
            &doc(r#","end_session_endpoint":"https://op.example/logout""#),
            Security::HttpsOnly,
        )
        .unwrap();
        assert_eq!(m.issuer, "https://op.example");
        assert_eq!(
            m.token_endpoint.as_deref(),
            Some("https://op.example/token")
        );
        assert_eq!(
            m.code_challenge_methods_supported,
            Some(vec!["S256".to_owned()])
        );
        assert_eq!(m.other["end_session_endpoint"], "https://op.example/logout");
        assert_eq!(m.endpoint("jwks_uri").unwrap(), "https://op.example/jwks");
        assert!(matches!(
            m.endpoint("userinfo_endpoint"),
            Err(Error::InvalidMember {
                name: "userinfo_endpoint",
                ..
            })
        ));
        let back: Value = serde_json::from_str(&m.to_json_pretty()).unwrap();
        assert_eq!(back["end_session_endpoint"], "https://op.example/logout");
    }

    #[test]
    fn refuses_wrong_issuer() {
        let body = String::from_utf8(doc("")).unwrap().replace(
            r#""issuer":"https://op.example""#,
            r#""issuer":"https://evil.example""#,
        );
        let e = parse(body.as_bytes(), Security::HttpsOnly).unwrap_err();
        assert!(matches!(&e, Error::WrongIssuer { found, .. } if found == "https://evil.example"));
        assert_eq!(e.code(), "oidc.wrong_issuer");
        // A trailing slash is another issuer.
        let slash = String::from_utf8(doc("")).unwrap().replace(
            r#""issuer":"https://op.example""#,
            r#""issuer":"https://op.example/""#,
        );
        assert!(matches!(
            parse(slash.as_bytes(), Security::HttpsOnly),
            Err(Error::WrongIssuer { .. })
        ));
    }

    #[test]
    fn refuses_duplicates_bad_json_and_wrong_types() {
        assert!(matches!(
            parse(
                &doc(r#","issuer":"https://op.example""#),
                Security::HttpsOnly
            ),
            Err(Error::Json {
                reason: zegel_jose::error::JsonError::DuplicateMember { .. },
                ..
            })
        ));
        assert!(matches!(
            parse(b"{", Security::HttpsOnly),
            Err(Error::Json { .. })
        ));
        assert!(matches!(
            parse(
                &doc(r#","claims_parameter_supported":"yes""#),
                Security::HttpsOnly
            ),
            Err(Error::InvalidMember {
                name: "claims_parameter_supported",
                ..
            })
        ));
    }

    #[test]
    fn refuses_missing_jwks_uri_and_code() {
        let no_jwks = String::from_utf8(doc(""))
            .unwrap()
            .replace(r#""jwks_uri":"https://op.example/jwks","#, "");
        assert!(matches!(
            parse(no_jwks.as_bytes(), Security::HttpsOnly),
            Err(Error::InvalidMember {
                name: "jwks_uri",
                ..
            })
        ));
        let no_code = String::from_utf8(doc(""))
            .unwrap()
            .replace(r#"["code"]"#, r#"["id_token"]"#);
        assert!(matches!(
            parse(no_code.as_bytes(), Security::HttpsOnly),
            Err(Error::InvalidMember {
                name: "response_types_supported",
                ..
            })
        ));
    }

    #[test]
    fn https_unless_loopback_opt_in() {
        let http = String::from_utf8(doc(""))
            .unwrap()
            .replace("https://op.example/token", "http://op.example/token");
        assert!(matches!(
            parse(http.as_bytes(), Security::AllowInsecureLoopback),
            Err(Error::InsecureUrl { what }) if what == "token_endpoint"
        ));
        let local = r#"{"issuer":"http://127.0.0.1:8080","jwks_uri":"http://127.0.0.1:8080/jwks","response_types_supported":["code"]}"#;
        let url = "http://127.0.0.1:8080/.well-known/openid-configuration";
        let issuer = expected_issuer(url).unwrap();
        assert!(
            ProviderMetadata::from_json(local.as_bytes(), issuer, Security::AllowInsecureLoopback)
                .is_ok()
        );
        assert!(matches!(
            ProviderMetadata::from_json(local.as_bytes(), issuer, Security::HttpsOnly),
            Err(Error::InsecureUrl { .. })
        ));
        assert!(check_url("http://[::1]:1/x", "u", Security::AllowInsecureLoopback).is_ok());
        assert!(check_url("http://localhost/x", "u", Security::AllowInsecureLoopback).is_err());
        assert!(check_url("https://a/x#f", "u", Security::HttpsOnly).is_err());
        assert!(check_url("https://u:p@a/x", "u", Security::HttpsOnly).is_err());
        assert!(matches!(
            check_url("not a url", "u", Security::HttpsOnly),
            Err(Error::InvalidUrl { .. })
        ));
    }

    #[test]
    fn requests_and_responses() {
        let req = request(URL, Security::HttpsOnly).unwrap();
        assert_eq!(req.uri(), URL);
        assert_eq!(req.method(), http::Method::GET);
        assert!(matches!(
            request("https://op.example/x", Security::HttpsOnly),
            Err(Error::InvalidUrl { .. })
        ));
        let ok = http::Response::builder().status(200).body(doc("")).unwrap();
        assert!(from_response(URL, &ok, Security::HttpsOnly).is_ok());
        let bad = http::Response::builder().status(500).body(doc("")).unwrap();
        assert!(matches!(
            from_response(URL, &bad, Security::HttpsOnly),
            Err(Error::Status { status: 500, .. })
        ));
        let moved = http::Response::builder()
            .status(302)
            .body(Vec::new())
            .unwrap();
        assert!(matches!(
            from_response(URL, &moved, Security::HttpsOnly),
            Err(Error::Status { status: 302, .. })
        ));
    }
}
