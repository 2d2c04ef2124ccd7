//! The pending login sealed for a cookie: opened only under its key, before it expires.

use core::time::Duration;

use zegel_itsme::config::Acr;
use zegel_itsme::error::PendingError;
use zegel_itsme::pending::{PendingLogin, SealingKey};
use zegel_jwt::UnixTime;

const T0: u64 = 1_800_000_000;
const TTL: Duration = Duration::from_secs(600);

fn login() -> PendingLogin {
    PendingLogin::new(
        "s".repeat(43),
        "n".repeat(43),
        Some("v".repeat(43)),
        "https://app.example.com/itsme/callback".into(),
        Acr::Advanced,
        UnixTime::from_secs(T0),
    )
}

#[test]
fn a_sealed_login_opens_under_its_key_before_it_expires() {
    let key = SealingKey::generate().unwrap();
    let sealed = login().seal(&key, TTL).unwrap();
    let opened = PendingLogin::open(&sealed, &key, UnixTime::from_secs(T0 + 599)).unwrap();
    assert_eq!(opened, login());
    assert_eq!(opened.state(), "s".repeat(43));
    assert!(opened.state_matches(&"s".repeat(43)));
    assert!(!opened.state_matches(&"s".repeat(42)));
    assert!(!opened.state_matches(&format!("{}t", "s".repeat(42))));
    assert_eq!(opened.nonce(), "n".repeat(43));
    assert_eq!(opened.code_verifier(), Some("v".repeat(43).as_str()));
    assert_eq!(
        opened.redirect_uri(),
        "https://app.example.com/itsme/callback"
    );
    assert_eq!(opened.acr(), Acr::Advanced);
    assert_eq!(opened.created_at(), UnixTime::from_secs(T0));
    // Trailing whitespace (a cookie value read with its newline) is ignored.
    assert!(PendingLogin::open(&format!("{sealed}\n"), &key, UnixTime::from_secs(T0)).is_ok());
}

#[test]
fn the_common_case_fits_a_cookie() {
    let key = SealingKey::generate().unwrap();
    let sealed = login().seal(&key, TTL).unwrap();
    // 43-character state, nonce and verifier, a 38-character redirect URI.
    assert_eq!(sealed.len(), 443);
    let mut long = PendingLogin::new(
        "s".repeat(43),
        "n".repeat(43),
        Some("v".repeat(128)),
        format!("https://app.example.com/{}", "p".repeat(100)),
        Acr::Basic,
        UnixTime::from_secs(T0),
    )
    .seal(&key, TTL)
    .unwrap();
    // The longest verifier PKCE allows and a 124-character redirect URI.
    assert_eq!(long.len(), 671);
    long.clear();
}

#[test]
fn without_pkce_there_is_no_verifier() {
    let key = SealingKey::from_bytes(&[7; 32]).unwrap();
    let plain = PendingLogin::new(
        "st".into(),
        "no".into(),
        None,
        "https://a.example/cb".into(),
        Acr::Basic,
        UnixTime::from_secs(T0),
    );
    let opened = PendingLogin::open(
        &plain.seal(&key, TTL).unwrap(),
        &key,
        UnixTime::from_secs(T0),
    )
    .unwrap();
    assert_eq!(opened.code_verifier(), None);
    assert_eq!(opened.acr(), Acr::Basic);
}

#[test]
fn an_expired_login_is_refused() {
    let key = SealingKey::generate().unwrap();
    let sealed = login().seal(&key, TTL).unwrap();
    let err = PendingLogin::open(&sealed, &key, UnixTime::from_secs(T0 + 600)).unwrap_err();
    assert_eq!(
        err,
        PendingError::Expired {
            exp: T0 + 600,
            now: T0 + 600
        }
    );
    assert_eq!(err.code(), "itsme.pending.expired");
}

#[test]
fn a_login_sealed_under_another_key_is_refused() {
    let key = SealingKey::from_bytes(&[1; 32]).unwrap();
    let other = SealingKey::from_bytes(&[2; 32]).unwrap();
    let sealed = login().seal(&key, TTL).unwrap();
    assert_eq!(
        PendingLogin::open(&sealed, &other, UnixTime::from_secs(T0)),
        Err(PendingError::Invalid)
    );
}

#[test]
fn a_tampered_login_is_refused() {
    let key = SealingKey::generate().unwrap();
    let sealed = login().seal(&key, TTL).unwrap();
    // Change one character in each of the five parts.
    let parts: Vec<&str> = sealed.split('.').collect();
    assert_eq!(parts.len(), 5);
    for part in [0, 2, 3, 4] {
        let mut changed: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
        let p = &mut changed[part];
        let flipped = if p.starts_with('A') { 'B' } else { 'A' };
        p.replace_range(0..1, &flipped.to_string());
        let token = changed.join(".");
        assert_eq!(
            PendingLogin::open(&token, &key, UnixTime::from_secs(T0)),
            Err(PendingError::Invalid),
            "part {part}"
        );
    }
    for junk in ["", "a.b.c.d.e", "not a token", &"A".repeat(5000)] {
        assert_eq!(
            PendingLogin::open(junk, &key, UnixTime::from_secs(T0)),
            Err(PendingError::Invalid)
        );
    }
}

#[test]
fn another_dir_token_under_the_same_key_is_refused() {
    // A JWE under the same key but without the pending login's `typ`, or with another
    // plaintext, is not a pending login.
    use zegel_jose::jwe;
    use zegel_jose::jwk::{JwkParams, KeyMaterial};
    let bytes = [9u8; 32];
    let key = SealingKey::from_bytes(&bytes).unwrap();
    let jwk = zegel_jose::Jwk::new(
        KeyMaterial::Oct {
            k: zegel_jose::SecretBytes::from_slice(&bytes),
        },
        JwkParams::default(),
    )
    .unwrap();
    let plain = br#"{"st":"s","no":"n","ru":"https://a/cb","acr":"b","iat":1,"exp":99999999999}"#;
    let no_typ = jwe::encrypt_compact(plain, &jwk, &jwe::DIR, &jwe::A256GCM).unwrap();
    assert_eq!(
        PendingLogin::open(&no_typ, &key, UnixTime::from_secs(T0)),
        Err(PendingError::Invalid)
    );
    let with_typ = jwe::Encryptor::new(&jwe::A256GCM)
        .with_typ("itsme-pending+json")
        .encrypt_compact(plain, &jwe::Recipient::new(&jwk, &jwe::DIR))
        .unwrap();
    assert!(PendingLogin::open(&with_typ, &key, UnixTime::from_secs(T0)).is_ok());
    let bad_acr = br#"{"st":"s","no":"n","ru":"https://a/cb","acr":"x","iat":1,"exp":99999999999}"#;
    let bad = jwe::Encryptor::new(&jwe::A256GCM)
        .with_typ("itsme-pending+json")
        .encrypt_compact(bad_acr, &jwe::Recipient::new(&jwk, &jwe::DIR))
        .unwrap();
    assert_eq!(
        PendingLogin::open(&bad, &key, UnixTime::from_secs(T0)),
        Err(PendingError::Invalid)
    );
    let a128 = jwe::Encryptor::new(&jwe::A128GCM)
        .with_typ("itsme-pending+json")
        .encrypt_compact(plain, &jwe::Recipient::new(&jwk, &jwe::DIR));
    if let Ok(a128) = a128 {
        assert_eq!(
            PendingLogin::open(&a128, &key, UnixTime::from_secs(T0)),
            Err(PendingError::Invalid)
        );
    }
}

#[test]
fn secrets_stay_out_of_debug() {
    let debug = format!("{:?}", login());
    assert!(!debug.contains("sss"), "{debug}");
    assert!(!debug.contains("nnn"), "{debug}");
    assert!(!debug.contains("vvv"), "{debug}");
    assert!(debug.contains("https://app.example.com/itsme/callback"));
    let key = SealingKey::from_bytes(&[3; 32]).unwrap();
    assert_eq!(format!("{key:?}"), "SealingKey([redacted])");
}
