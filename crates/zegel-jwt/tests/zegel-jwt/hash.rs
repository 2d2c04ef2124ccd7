//! The OpenID Connect hashes: the examples of OpenID Connect Core Appendix A, every algorithm.

use zegel_jose::jws;
use zegel_jwt::Error;
use zegel_jwt::hash::{at_hash, c_hash, check_oidc_hash, s_hash};

#[test]
fn openid_connect_core_examples() {
    // Core A.3 (at_hash) and A.4 (c_hash), RS256.
    assert_eq!(
        at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", &jws::RS256),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(
        c_hash(
            "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk",
            &jws::RS256
        ),
        "LDktKdoQak3Pk0cnXxCltA"
    );
}

#[test]
fn every_algorithm_has_its_hash() {
    let token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
    // Left halves of SHA-256, SHA-384, SHA-512 of the token (computed with Python hashlib).
    let by_size = [
        "77QmUPtjPfzWtF2AnpK9RQ",
        "jtAeDp945y1dDqU3nkIVGNZP1HjH_MFs",
        "q7nS86GgvvFaZkzALLWqJYaJIKw2wCDAVfCAsm5CrBM",
    ];
    for alg in jws::ALL {
        let want = match alg.name() {
            "HS256" | "RS256" | "PS256" | "ES256" | "ES256K" => by_size[0],
            "HS384" | "RS384" | "PS384" | "ES384" => by_size[1],
            // EdDSA and Ed25519: SHA-512 (OpenID Connect Core errata).
            "HS512" | "RS512" | "PS512" | "ES512" | "EdDSA" | "Ed25519" => by_size[2],
            other => panic!("no expectation for {other}"),
        };
        assert_eq!(at_hash(token, alg), want, "{}", alg.name());
        assert_eq!(s_hash(token, alg), want);
        assert_eq!(check_oidc_hash("at_hash", want, token, alg), Ok(()));
        assert_eq!(
            check_oidc_hash("at_hash", "x", token, alg),
            Err(Error::HashMismatch { claim: "at_hash" })
        );
    }
}
