//! Tokens made by other implementations opened by zegel: Python jwcrypto 1.5
//! (`tests/vectors/interop_jwcrypto.json`) and panva/jose 5 on Node 20
//! (`tests/vectors/interop_panva_jose.json`), with the keys of `tests/vectors/keys.json`. The
//! other direction (zegel's tokens opened by both) is checked outside the repository with the
//! tokens printed by `zegel_tokens_for_other_implementations`.

use serde::Deserialize;
use serde_json::{Map, Value};
use zegel_jose::jwe;
use zegel_jose::jws;
use zegel_jwt::{Decryption, Error, UnixTime, Validation, Verified};

use crate::common::{available, issuer_set, partner_set};

/// The itsme®-shaped ID token's claims, typed as a relying party would.
#[derive(Debug, Deserialize)]
struct ItsmeIdToken {
    nonce: String,
    acr: String,
    auth_time: i64,
    at_hash: String,
    name: String,
    email: String,
    email_verified: bool,
    address: Address,
    #[serde(rename = "http://itsme.services/v2/claim/BENationalNumber")]
    national_number: String,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Address {
    street_address: String,
    postal_code: String,
    locality: String,
    country: String,
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("../vectors/interop_jwcrypto.json")).unwrap()
}

fn validation() -> Validation {
    Validation::new(&[&jws::RS256, &jws::ES256, &jws::EDDSA])
        .issuer("https://idp.prd.itsme.services/v2")
        .audience("zegel-test-client")
        .typ("JWT")
}

fn decryption() -> Decryption {
    Decryption::new(
        &[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP],
        &[&jwe::A128CBC_HS256, &jwe::A256CBC_HS512, &jwe::A256GCM],
    )
}

const NOW: UnixTime = UnixTime::from_secs(1_700_000_100);

#[test]
fn jwcrypto_nested_tokens_open() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let f = fixture();
    for name in [
        "itsme_rs256_rsa_oaep_256_a128cbc_hs256",
        "es256_rsa_oaep_a256gcm_old_key",
        "eddsa_rsa_oaep_256_a256cbc_hs512",
    ] {
        let token = f["tokens"][name].as_str().unwrap();
        let v: Verified<ItsmeIdToken> = zegel_jwt::open_as::<ItsmeIdToken>(
            token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set(),
            },
            NOW,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let c = v.claims();
        assert_eq!(c.sub.as_deref(), Some("ptdkcgu2hb5ztx4tlqxvsxq6dtbfa83n"));
        assert_eq!(c.extra.nonce, "n-0S6_WzA2Mj-3k8yQ1fNq7Rr");
        let a = &c.extra.address;
        assert_eq!(
            (
                a.street_address.as_str(),
                a.postal_code.as_str(),
                a.locality.as_str(),
                a.country.as_str()
            ),
            ("Wetstraat 16", "1000", "Brussel", "BE")
        );
        assert_eq!(
            (c.extra.auth_time, c.extra.at_hash.as_str()),
            (1_699_999_990, "77QmUPtjPfzWtF2AnpK9RQ")
        );
        assert_eq!(
            (c.extra.name.as_str(), c.extra.email.as_str()),
            ("Jan Frans Peeters", "jan.peeters@example.be")
        );
        assert!(c.extra.email_verified);
        assert_eq!(c.extra.national_number, "85041212345");
        assert!(
            c.extra
                .other
                .contains_key("http://itsme.services/v2/claim/claim_device")
        );
        // Everything the fixture says, nothing more or less.
        let mut all = c.extra.other.clone();
        for k in [
            "nonce",
            "acr",
            "auth_time",
            "at_hash",
            "name",
            "email",
            "email_verified",
            "address",
            "http://itsme.services/v2/claim/BENationalNumber",
        ] {
            all.insert(k.into(), f["claims"][k].clone());
        }
        assert_eq!(
            all.len() + 5,
            f["claims"].as_object().unwrap().len(),
            "{name}"
        );
    }
}

#[test]
fn panva_jose_nested_tokens_open() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let f: Value =
        serde_json::from_str(include_str!("../vectors/interop_panva_jose.json")).unwrap();
    let tokens = f["tokens"].as_object().unwrap();
    assert_eq!(tokens.len(), 3);
    for (name, token) in tokens {
        let v: Verified<ItsmeIdToken> = zegel_jwt::open_as::<ItsmeIdToken>(
            token.as_str().unwrap(),
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set(),
            },
            NOW,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.claims().extra.national_number, "85041212345", "{name}");
        assert_eq!(v.encryption_header().unwrap().cty.as_deref(), Some("JWT"));
    }
}

#[test]
fn jwcrypto_signed_token_verifies() {
    let token = fixture()["tokens"]["signed_rs256"]
        .as_str()
        .unwrap()
        .to_owned();
    let v: Verified<ItsmeIdToken> =
        zegel_jwt::verify_as::<ItsmeIdToken>(&token, &issuer_set(), &validation(), NOW).unwrap();
    assert_eq!(
        v.claims().extra.acr,
        "http://itsme.services/v2/claim/acr_advanced"
    );
    assert!(matches!(
        zegel_jwt::verify_as::<ItsmeIdToken>(
            &token,
            &issuer_set(),
            &validation(),
            UnixTime::from_secs(1_700_000_630)
        ),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn jwcrypto_unsigned_token_is_refused() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    let token = fixture()["tokens"]["unsigned_rsa_oaep_256_a128cbc_hs256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        zegel_jwt::open_as::<ItsmeIdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set()
            },
            NOW
        )
        .unwrap_err(),
        Error::UnsignedNestedToken
    );
}

/// Nested tokens made by zegel for another implementation to open: run with `--nocapture` and
/// feed the `zegel-interop` line to jwcrypto or panva/jose (the keys are `keys.json`). The test
/// itself checks that zegel opens them.
#[test]
fn zegel_tokens_for_other_implementations() {
    if !available(&[&jwe::RSA_OAEP_256, &jwe::RSA_OAEP]) {
        return;
    }
    use zegel_jose::jws::SigningKey;
    use zegel_jwt::Claims;

    use crate::common::{key, public};

    let f = fixture();
    let claims: Claims = Claims::from_json(f["claims"].to_string().as_bytes()).unwrap();
    let mut out = Map::new();
    for (name, signer, alg, recipient, km, enc) in [
        (
            "rs256_rsa_oaep_256_a128cbc_hs256",
            "issuer_rsa",
            &jws::RS256,
            "partner_enc_new",
            &jwe::RSA_OAEP_256,
            &jwe::A128CBC_HS256,
        ),
        (
            "es256_rsa_oaep_a256gcm",
            "issuer_ec",
            &jws::ES256,
            "partner_enc_old",
            &jwe::RSA_OAEP,
            &jwe::A256GCM,
        ),
        (
            "eddsa_rsa_oaep_256_a256cbc_hs512",
            "issuer_ed",
            &jws::EDDSA,
            "partner_enc_new",
            &jwe::RSA_OAEP_256,
            &jwe::A256CBC_HS512,
        ),
    ] {
        let signing = SigningKey::new(&key(signer), alg).unwrap();
        let token =
            zegel_jwt::sign_and_encrypt(&claims, &signing, &public(recipient), km, enc).unwrap();
        let v: Verified<ItsmeIdToken> = zegel_jwt::open_as::<ItsmeIdToken>(
            &token,
            &decryption(),
            &validation(),
            zegel_jwt::OpenKeys {
                recipient: &partner_set(),
                issuer: &issuer_set(),
            },
            NOW,
        )
        .unwrap();
        assert_eq!(v.claims().extra.nonce, "n-0S6_WzA2Mj-3k8yQ1fNq7Rr");
        out.insert(name.into(), Value::String(token));
    }
    println!("zegel-interop {}", Value::Object(out));
}
