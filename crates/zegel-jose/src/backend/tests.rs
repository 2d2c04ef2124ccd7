//! Both backends against each other: what one signs, the other verifies, for every algorithm
//! both implement (the suite runs once per backend pair).

use serde_json::Value;

use super::aws_lc::jws as aws_lc;
use super::ring::jws as ring;
use super::{PreparedSigner, PreparedVerifier, SignImpl, VerifyImpl};
use crate::jwk::Jwk;

fn key(json: &str) -> Jwk {
    Jwk::parse(json.as_bytes()).unwrap()
}

type Case<'a> = (
    &'a dyn SignImpl,
    &'a dyn VerifyImpl,
    &'a dyn SignImpl,
    &'a dyn VerifyImpl,
    &'a Jwk,
);

fn pair(
    a: &dyn SignImpl,
    b: &dyn VerifyImpl,
    k: &Jwk,
) -> (Box<dyn PreparedSigner>, Box<dyn PreparedVerifier>) {
    (
        a.prepare(k.material()).unwrap(),
        b.prepare(k.material()).unwrap(),
    )
}

#[test]
fn ring_and_aws_lc_agree() {
    let oct = key(
        r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#,
    );
    let ec = key(
        r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#,
    );
    let ed = key(
        r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#,
    );
    let all: Value =
        serde_json::from_str(include_str!("../../tests/vectors/jws-test-keys.json")).unwrap();
    let rsa = key(&all["rsa2048"].to_string());
    let p384 = key(&all["p384"].to_string());
    let cases: [Case<'_>; 11] = [
        (
            &ring::HMAC_SHA256,
            &ring::HMAC_SHA256,
            &aws_lc::HMAC_SHA256,
            &aws_lc::HMAC_SHA256,
            &oct,
        ),
        (
            &ring::HMAC_SHA384,
            &ring::HMAC_SHA384,
            &aws_lc::HMAC_SHA384,
            &aws_lc::HMAC_SHA384,
            &oct,
        ),
        (
            &ring::HMAC_SHA512,
            &ring::HMAC_SHA512,
            &aws_lc::HMAC_SHA512,
            &aws_lc::HMAC_SHA512,
            &oct,
        ),
        (
            &ring::RSA_PKCS1_SHA256,
            &ring::RSA_PKCS1_SHA256,
            &aws_lc::RSA_PKCS1_SHA256,
            &aws_lc::RSA_PKCS1_SHA256,
            &rsa,
        ),
        (
            &ring::RSA_PKCS1_SHA384,
            &ring::RSA_PKCS1_SHA384,
            &aws_lc::RSA_PKCS1_SHA384,
            &aws_lc::RSA_PKCS1_SHA384,
            &rsa,
        ),
        (
            &ring::RSA_PKCS1_SHA512,
            &ring::RSA_PKCS1_SHA512,
            &aws_lc::RSA_PKCS1_SHA512,
            &aws_lc::RSA_PKCS1_SHA512,
            &rsa,
        ),
        (
            &ring::RSA_PSS_SHA256,
            &ring::RSA_PSS_SHA256,
            &aws_lc::RSA_PSS_SHA256,
            &aws_lc::RSA_PSS_SHA256,
            &rsa,
        ),
        (
            &ring::RSA_PSS_SHA384,
            &ring::RSA_PSS_SHA384,
            &aws_lc::RSA_PSS_SHA384,
            &aws_lc::RSA_PSS_SHA384,
            &rsa,
        ),
        (
            &ring::RSA_PSS_SHA512,
            &ring::RSA_PSS_SHA512,
            &aws_lc::RSA_PSS_SHA512,
            &aws_lc::RSA_PSS_SHA512,
            &rsa,
        ),
        (
            &ring::ECDSA_P256_SHA256,
            &ring::ECDSA_P256_SHA256,
            &aws_lc::ECDSA_P256_SHA256,
            &aws_lc::ECDSA_P256_SHA256,
            &ec,
        ),
        (
            &ring::ECDSA_P384_SHA384,
            &ring::ECDSA_P384_SHA384,
            &aws_lc::ECDSA_P384_SHA384,
            &aws_lc::ECDSA_P384_SHA384,
            &p384,
        ),
    ];
    let ed_case: Case<'_> = (
        &ring::ED25519,
        &ring::ED25519,
        &aws_lc::ED25519,
        &aws_lc::ED25519,
        &ed,
    );
    for (i, (rs, rv, as_, av, k)) in cases.into_iter().chain([ed_case]).enumerate() {
        let msg = b"eyJhbGciOiJIUzI1NiJ9.cGF5bG9hZA";
        let (ring_s, aws_v) = pair(rs, av, k);
        let (aws_s, ring_v) = pair(as_, rv, k);
        let s1 = ring_s.sign(msg).unwrap();
        let s2 = aws_s.sign(msg).unwrap();
        aws_v
            .verify(msg, &s1)
            .unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        ring_v
            .verify(msg, &s2)
            .unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        assert!(
            aws_v.verify(b"other", &s1).is_err() && ring_v.verify(b"other", &s2).is_err(),
            "case {i}"
        );
    }
}
