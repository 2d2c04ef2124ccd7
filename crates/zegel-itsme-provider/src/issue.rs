//! Issuing ID tokens and UserInfo responses: signed (RS256, the provider's `sig` key, `kid` set),
//! then encrypted to the client (`cty: JWT`): to its RSA `enc` key (RSA-OAEP-256 unless the key
//! names RSA-OAEP, A128CBC-HS256), or for a client-secret client with `dir` + A256GCM under the
//! left-most 256 bits of SHA-256 of the secret (OpenID Connect Core §10.2). The faults of
//! [`Faults`] change exactly one of these steps.

use serde_json::{Map, Value};
use zegel_jose::hash::HashAlg;
use zegel_jose::jwe::{self, Encryptor, KeyManagement, Recipient};
use zegel_jose::{Jwk, JwkSet, base64url};
use zegel_jwt::Claims;

use crate::client::ClientAuth;
use crate::faults::Faults;
use crate::state::Shared;

/// Why a token could not be issued (the client's keys: no RSA `enc` key).
#[derive(Debug)]
pub(crate) struct IssueError;

/// Signs `claims` as the provider (or as the faults say), then encrypts it for the client.
pub(crate) fn seal(
    shared: &Shared,
    auth: &ClientAuth,
    client_keys: Option<&JwkSet>,
    claims: Map<String, Value>,
    faults: &Faults,
) -> Result<String, IssueError> {
    let signed = if faults.alg_none {
        let header = base64url::encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = base64url::encode(Value::Object(claims).to_string().as_bytes());
        format!("{header}.{payload}.")
    } else {
        let key = if faults.wrong_signing_key {
            shared.keys.wrong_signing().ok_or(IssueError)?
        } else {
            &shared.keys.signing
        };
        let claims = Claims::<Map<String, Value>>::from_map(claims).map_err(|_| IssueError)?;
        zegel_jwt::sign(&claims, key).map_err(|_| IssueError)?
    };
    if faults.unencrypted {
        return Ok(signed);
    }
    let encryptor = |enc| Encryptor::new(enc).with_cty("JWT");
    match auth {
        ClientAuth::PrivateKeyJwt(_) => {
            let (key, alg) = client_keys.and_then(encryption_key).ok_or(IssueError)?;
            encryptor(&jwe::A128CBC_HS256)
                .encrypt_compact(signed.as_bytes(), &Recipient::new(key, alg))
                .map_err(|_| IssueError)
        }
        ClientAuth::ClientSecretPost(secret) => {
            let key = secret_key(secret)?;
            encryptor(&jwe::A256GCM)
                .encrypt_compact(signed.as_bytes(), &Recipient::new(&key, &jwe::DIR))
                .map_err(|_| IssueError)
        }
    }
}

/// The client's first RSA encryption key (`use` `enc`, or no `use`), and the algorithm to wrap
/// with: the key's own `alg` when it is RSA-OAEP or RSA-OAEP-256, else RSA-OAEP-256.
fn encryption_key(set: &JwkSet) -> Option<(&Jwk, &'static KeyManagement)> {
    let key = set.keys().iter().find(|k| {
        k.key_type() == zegel_jose::jwk::KeyType::Rsa
            && k.params().use_.as_deref().is_none_or(|u| u == "enc")
            && k.alg().is_none_or(|a| a.starts_with("RSA-OAEP"))
    })?;
    let alg = match key.alg() {
        Some("RSA-OAEP") => &jwe::RSA_OAEP,
        _ => &jwe::RSA_OAEP_256,
    };
    Some((key, alg))
}

/// The `dir` key of a client secret: the left-most 256 bits of SHA-256 of its UTF-8 octets
/// (OpenID Connect Core §10.2), for A256GCM.
pub(crate) fn secret_key(secret: &str) -> Result<Jwk, IssueError> {
    let digest = zeroize::Zeroizing::new(HashAlg::Sha256.digest(secret.as_bytes()));
    Jwk::from_secret_bytes(&digest).map_err(|_| IssueError)
}

/// The `sub` for a client: stable and different for each client, as itsme®'s pairwise
/// identifiers (36 lowercase hexadecimal characters).
pub(crate) fn pairwise_sub(client_id: &str, identity: &Map<String, Value>) -> String {
    let user = identity
        .get(zegel_itsme::claims::BE_NATIONAL_NUMBER.name().as_ref())
        .or_else(|| identity.get("name"))
        .map(Value::to_string)
        .unwrap_or_default();
    let digest = HashAlg::Sha256.digest(format!("{client_id}\u{0}{user}").as_bytes());
    digest.iter().take(18).map(|b| format!("{b:02x}")).collect()
}

/// The claims named in a `claims` request member (`id_token` or `userinfo`).
pub(crate) fn requested(claims: &Map<String, Value>, member: &str) -> Vec<String> {
    claims
        .get(member)
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The standard claims each scope asks for (OpenID Connect Core §5.4), and itsme®'s `eid`.
pub(crate) fn scope_claims(scope: &str) -> &'static [&'static str] {
    match scope {
        "profile" => &[
            "name",
            "given_name",
            "family_name",
            "birthdate",
            "gender",
            "locale",
            "picture",
        ],
        "email" => &["email", "email_verified"],
        "address" => &["address"],
        "phone" => &["phone_number", "phone_number_verified"],
        "eid" => &[
            "http://itsme.services/v2/claim/BENationalNumber",
            "http://itsme.services/v2/claim/BEeidSn",
        ],
        _ => &[],
    }
}

/// Copies the named claims the identity has into `out`.
pub(crate) fn release(
    out: &mut Map<String, Value>,
    identity: &Map<String, Value>,
    names: impl IntoIterator<Item = String>,
) {
    for name in names {
        if let Some(v) = identity.get(&name) {
            out.insert(name, v.clone());
        }
    }
}
