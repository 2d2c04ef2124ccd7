//! Property tests: sign-then-verify round trips for every algorithm, any one-byte change
//! breaks verification, and arbitrary input never panics.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use zegel_jose::Jwk;
use zegel_jose::jws::{self, JwsAlgorithm, JwsHeader, SigningKey, Verifier};

use super::jws::{key_for, public};

fn available() -> Vec<&'static JwsAlgorithm> {
    jws::ALL
        .iter()
        .copied()
        .filter(|a| a.is_available())
        .collect()
}

/// One signing key and public key per available algorithm, prepared once.
fn keys() -> &'static Vec<(&'static JwsAlgorithm, SigningKey, Jwk)> {
    static KEYS: OnceLock<Vec<(&'static JwsAlgorithm, SigningKey, Jwk)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        available()
            .into_iter()
            .map(|a| {
                let k = key_for(a);
                (a, SigningKey::new(&k, a).unwrap(), public(&k))
            })
            .collect()
    })
}

/// A token per available algorithm and serialization (compact, unencoded compact, flattened
/// JSON), signed once.
fn tokens() -> &'static Vec<(usize, String)> {
    static TOKENS: OnceLock<Vec<(usize, String)>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let h = JwsHeader::new().with_kid("k");
        let mut out = Vec::new();
        for (i, (_, sk, _)) in keys().iter().enumerate() {
            out.push((
                i,
                jws::sign_compact(br#"{"sub":"alice","n":1}"#, sk, &h).unwrap(),
            ));
            let u = h.clone().with_unencoded_payload();
            out.push((i, jws::sign_compact(b"unencoded-payload", sk, &u).unwrap()));
            out.push((i, jws::sign_flattened(b"json", sk, &h, None).unwrap()));
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips(
        which in any::<prop::sample::Index>(),
        payload in prop::collection::vec(any::<u8>(), 0..600),
        kid in "[a-zA-Z0-9._-]{0,12}",
        json in any::<bool>(),
    ) {
        let (alg, sk, pk) = which.get(keys());
        let h = JwsHeader::new().with_kid(kid.clone());
        let token = if json {
            jws::sign_general(&payload, &[(sk, &h, None)]).unwrap()
        } else {
            jws::sign_compact(&payload, sk, &h).unwrap()
        };
        let v = Verifier::new(&[*alg]).verify(token.as_bytes(), pk).unwrap();
        prop_assert_eq!(v.payload(), &payload[..]);
        prop_assert_eq!(v.header().kid.as_deref(), Some(kid.as_str()));
        prop_assert_eq!(v.alg(), *alg);
    }

    #[test]
    fn any_one_byte_change_fails_verification(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (i, token) = which.get(tokens());
        let (alg, _, pk) = &keys()[*i];
        let mut bad = token.clone().into_bytes();
        let at = at.index(bad.len());
        prop_assume!(bad[at] != byte);
        bad[at] = byte;
        prop_assert!(Verifier::new(&[*alg]).verify(&bad, pk).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..400)) {
        let (_, _, pk) = &keys()[0];
        let _ = Verifier::new(jws::ALL).verify(&input, pk);
        let _ = jws::dangerous::decode_unverified(&input);
    }

    #[test]
    fn arbitrary_token_shapes_never_panic(
        header in "[ -~]{0,80}",
        payload in "[A-Za-z0-9_.-]{0,40}",
        sig in "[A-Za-z0-9_-]{0,90}",
        json in any::<bool>(),
    ) {
        let h = zegel_jose::base64url::encode(header.as_bytes());
        let token = if json {
            format!(r#"{{"payload":"{payload}","protected":"{h}","header":{header},"signature":"{sig}"}}"#)
        } else {
            format!("{h}.{payload}.{sig}")
        };
        for (_, _, pk) in keys() {
            let r = Verifier::new(jws::ALL).with_critical(&["b64", "x"]).verify(token.as_bytes(), pk);
            prop_assert!(r.is_err());
        }
        let _ = jws::dangerous::decode_unverified(token.as_bytes());
    }
}
