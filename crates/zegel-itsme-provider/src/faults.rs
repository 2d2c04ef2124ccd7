//! Fault injection: switches that make the provider misbehave in one precise way, so that a
//! client's tests can check each of its reject paths against a real server.

use std::time::Duration;

/// An endpoint of the provider, for [`Faults::server_error`] and the [`Counters`](crate::Counters).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `/.well-known/openid-configuration`.
    Discovery,
    /// The JWK Set (`jwks_uri`).
    Jwks,
    /// The authorization endpoint.
    Authorization,
    /// The token endpoint.
    Token,
    /// The UserInfo endpoint.
    UserInfo,
}

/// What to get wrong. [`Faults::default`] gets nothing wrong; set the fields wanted:
/// `Faults { alg_none: true, ..Faults::default() }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Sign ID tokens and UserInfo responses with another RSA key, under the provider's `kid`.
    pub wrong_signing_key: bool,
    /// Send the signed ID token and UserInfo response without encrypting them.
    pub unencrypted: bool,
    /// Put an unsigned (`alg: none`) token inside the encryption.
    pub alg_none: bool,
    /// Use this `aud` in ID tokens and UserInfo responses.
    pub audience: Option<String>,
    /// Use this `iss` in ID tokens and UserInfo responses.
    pub issuer: Option<String>,
    /// Use this `nonce` in ID tokens.
    pub nonce: Option<String>,
    /// Issue ID tokens that expired an hour ago.
    pub expired_id_token: bool,
    /// Answer `500 Internal Server Error` on these endpoints.
    pub server_error: Vec<Endpoint>,
    /// Wait this long before answering any request.
    pub delay: Option<Duration>,
}
