//! JWE parsing and decryption with fixed keys: never panics, hangs or allocates without bound
//! (PBES2 iterations and decompressed size are capped by the decryptor's limits).

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use zegel_jose::Jwk;
use zegel_jose::jwe::{self, Decryptor};

/// Keys of RFC 7520 §5 (the seeds in `fuzz/seeds/jwe` are its examples): `dir` + A128GCM
/// (§5.6), A128KW (§5.8-5.12), A256GCMKW (§5.7), the PBES2 password of §5.3 as an `oct` key,
/// and the P-256 ECDH-ES key of §5.5. RSA keys are left out: one RSA decryption costs as much as
/// a thousand parses.
const KEYS_JSON: &[&[u8]] = &[
    br#"{"kty":"oct","kid":"77c7e2b8-6e13-45cf-8672-617b5b45243a","use":"enc","alg":"A128GCM","k":"XctOhJAkA-pD9Lh7ZgW_2A"}"#,
    br#"{"kty":"oct","kid":"81b20965-8332-43d9-a468-82160ad91ac8","use":"enc","alg":"A128KW","k":"GZy6sIZ6wl9NJOKB-jnmVQ"}"#,
    br#"{"kty":"oct","kid":"18ec08e1-bfa9-4d95-b205-2b4dd1d4321d","use":"enc","alg":"A256GCMKW","k":"qC57l_uxcm7Nm3K-ct4GFjx8tM1U8CZ0NLBvdQstiS8"}"#,
    br#"{"kty":"oct","k":"ZW50cmFwX2_igJNwZXRlcl9sb25n4oCTY3JlZGl0X3R1bg"}"#,
    br#"{"kty":"EC","kid":"meriadoc.brandybuck@buckland.example","use":"enc","crv":"P-256","x":"Ze2loSV3wrroKUN_4zhwGhCqo3Xhu1td4QjeQ5wIVR0","y":"HlLtdXARY_f55A3fnzQbPcm6hgr34Mp8p-nuzQCE0Zw","d":"r_kHyZ-a06rmxM3yESK84r1otSg-aQcVStkRhA-iCM8"}"#,
];

static KEYS: LazyLock<Vec<Jwk>> = LazyLock::new(|| {
    KEYS_JSON
        .iter()
        .filter_map(|k| Jwk::parse(k).ok())
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let _ = jwe::dangerous::decode_unverified(data);
    // Every algorithm at once, so the keys without `alg` (the PBES2 password) are opted in.
    let decryptor = Decryptor::new(jwe::ALL, jwe::ALL_ENC)
        .with_unbound_oct_keys()
        .with_oct_keys_as_passwords()
        .with_max_p2c(1_000)
        .with_max_plaintext(65_536);
    for key in KEYS.iter() {
        if let Ok(decrypted) = decryptor.decrypt(data, key) {
            assert!(decrypted.plaintext().len() <= 65_536);
        }
    }
});
