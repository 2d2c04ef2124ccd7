//! The configuration file: the contract's example accepted, every kind of mistake refused with
//! the key named.

use std::ffi::OsString;
use std::io;
use std::path::Path;

use zegel_itsme::claims::{self, Location};
use zegel_itsme::config::{
    Acr, AuthMethod, ClientAuth, Config, PartnerKeys, RequestObjectMode, Scope, UiLocale,
};
use zegel_itsme::error::{ConfigError, KeysProblem, SecretProblem, ValueProblem};
use zegel_itsme::{Environment, UrlProblem};
use zegel_jose::JwkSet;

use crate::support::{ScratchDir, ec_key, key, partner_set, set_json};

/// The example of the CLI contract, with the JWK Set beside it.
const EXAMPLE: &str = r#"
environment = "e2e"
client_id = "my-client-id"
service_code = "MY_SERVICE"
redirect_uri = "https://app.example.com/itsme/callback"
auth_method = "private_key_jwt"
jwks_private = "jwks_private.json"
scopes = ["profile", "email"]
id_token_claims = ["http://itsme.services/v2/claim/BENationalNumber"]
userinfo_claims = []
acr = "basic"
ui_locales = ["fr"]
request_object = "request"
pkce = true
allow_insecure_loopback = false
"#;

/// The smallest client-secret configuration.
const SECRET: &str = r#"
environment = "prd"
client_id = "c"
service_code = "S"
redirect_uri = "https://app.example.com/cb"
auth_method = "client_secret_post"
client_secret_env = "ITSME_SECRET"
"#;

fn no_env(_: &str) -> Option<OsString> {
    None
}

fn secret_env(name: &str) -> Option<OsString> {
    (name == "ITSME_SECRET").then(|| OsString::from("s3cr3t-value"))
}

/// A scratch folder holding a valid `jwks_private.json`.
fn dir_with_keys() -> ScratchDir {
    let dir = ScratchDir::new();
    dir.write("jwks_private.json", &partner_set().to_private_json());
    dir
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    let dir = dir_with_keys();
    Config::from_toml(text, dir.path(), secret_env)
}

/// `EXAMPLE` with `key = value` replaced (or added), or removed when `value` is `None`.
fn example_with(key: &str, value: Option<&str>) -> String {
    let mut lines: Vec<String> = EXAMPLE
        .lines()
        .filter(|l| !l.starts_with(&format!("{key} =")))
        .map(str::to_owned)
        .collect();
    if let Some(value) = value {
        lines.push(format!("{key} = {value}"));
    }
    lines.join("\n")
}

fn secret_with(key: &str, value: Option<&str>) -> String {
    let mut lines: Vec<String> = SECRET
        .lines()
        .filter(|l| !l.starts_with(&format!("{key} =")))
        .map(str::to_owned)
        .collect();
    if let Some(value) = value {
        lines.push(format!("{key} = {value}"));
    }
    lines.join("\n")
}

fn invalid(key: &'static str, problem: ValueProblem) -> ConfigError {
    ConfigError::Invalid { key, problem }
}

#[test]
fn the_contract_example_is_accepted() {
    let dir = dir_with_keys();
    let path = dir.write("itsme.toml", EXAMPLE);
    let config = Config::load(&path).unwrap();
    assert_eq!(config.environment(), &Environment::E2e);
    assert_eq!(config.client_id(), "my-client-id");
    assert_eq!(config.service_code(), "MY_SERVICE");
    assert_eq!(
        config.redirect_uri(),
        "https://app.example.com/itsme/callback"
    );
    assert_eq!(config.scopes(), [Scope::Profile, Scope::Email]);
    assert_eq!(config.scope(), "openid service:MY_SERVICE profile email");
    assert_eq!(config.id_token_claims(), [claims::BE_NATIONAL_NUMBER]);
    assert!(config.userinfo_claims().is_empty());
    assert_eq!(config.acr(), Acr::Basic);
    assert_eq!(config.ui_locales(), [UiLocale::Fr]);
    assert_eq!(config.ui_locales_param().as_deref(), Some("fr"));
    assert_eq!(config.request_object(), RequestObjectMode::Request);
    assert!(config.pkce());
    assert!(!config.allow_insecure_loopback());
    assert_eq!(config.auth().method(), AuthMethod::PrivateKeyJwt);
    let ClientAuth::PrivateKeyJwt(keys) = config.auth() else {
        panic!("private_key_jwt")
    };
    assert_eq!(keys.signing_key().kid(), Some("sig-1"));
    assert_eq!(
        keys.encryption_keys().map(|k| k.kid()).collect::<Vec<_>>(),
        [Some("enc-1")]
    );
    assert!(keys.encryption_key("enc-1").is_some());
    assert!(keys.encryption_key("sig-1").is_none());
    assert!(keys.public_set().keys().iter().all(|k| !k.is_private()));
    assert_eq!(
        config.claims_request().to_json().to_string(),
        r#"{"id_token":{"http://itsme.services/v2/claim/BENationalNumber":null}}"#
    );
}

#[test]
fn relative_paths_are_resolved_against_the_config_folder() {
    let dir = ScratchDir::new();
    dir.write("keys/partner.json", &partner_set().to_private_json());
    let path = dir.write(
        "conf/itsme.toml",
        &example_with("jwks_private", Some("\"../keys/partner.json\"")),
    );
    assert!(Config::load(&path).is_ok());
    // Not against the working directory: the same file elsewhere is not found.
    let moved = dir.write(
        "itsme.toml",
        &example_with("jwks_private", Some("\"../keys/partner.json\"")),
    );
    assert_eq!(
        Config::load(&moved).unwrap_err(),
        ConfigError::PartnerKeys {
            path: dir.path().join("../keys/partner.json"),
            problem: KeysProblem::Read(io::ErrorKind::NotFound),
        }
    );
}

#[test]
fn an_absolute_key_path_is_kept() {
    let keys = dir_with_keys();
    let abs = keys.path().join("jwks_private.json");
    let text = example_with(
        "jwks_private",
        Some(&format!("{:?}", abs.display().to_string())),
    );
    let elsewhere = ScratchDir::new();
    assert!(Config::from_toml(&text, elsewhere.path(), no_env).is_ok());
}

#[test]
fn defaults_are_secure() {
    let config = Config::from_toml(SECRET, Path::new("."), secret_env).unwrap();
    assert_eq!(config.environment(), &Environment::Production);
    assert!(config.pkce());
    assert_eq!(config.acr(), Acr::Basic);
    assert_eq!(config.request_object(), RequestObjectMode::Request);
    assert!(config.scopes().is_empty());
    assert_eq!(config.scope(), "openid service:S");
    assert_eq!(config.ui_locales_param(), None);
    assert!(config.claims_request().is_empty());
    assert!(!config.allow_insecure_loopback());
}

#[test]
fn the_client_secret_comes_from_the_environment_and_is_never_printed() {
    let config = Config::from_toml(SECRET, Path::new("."), secret_env).unwrap();
    let ClientAuth::ClientSecretPost(secret) = config.auth() else {
        panic!("client_secret_post")
    };
    assert_eq!(secret.expose_secret(), "s3cr3t-value");
    assert!(!format!("{config:?}").contains("s3cr3t"));
}

#[test]
fn a_missing_or_empty_secret_variable_is_named() {
    let err = Config::from_toml(SECRET, Path::new("."), no_env).unwrap_err();
    assert_eq!(
        err,
        ConfigError::SecretVariable {
            variable: "ITSME_SECRET".into(),
            problem: SecretProblem::Unset
        }
    );
    assert_eq!(
        err.to_string(),
        "client_secret_env: the environment variable ITSME_SECRET is not set"
    );
    assert_eq!(err.key(), Some("client_secret_env"));
    let empty = |_: &str| Some(OsString::new());
    assert_eq!(
        Config::from_toml(SECRET, Path::new("."), empty).unwrap_err(),
        ConfigError::SecretVariable {
            variable: "ITSME_SECRET".into(),
            problem: SecretProblem::Empty
        }
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let bad = |_: &str| Some(OsString::from_vec(vec![0xff, 0xfe]));
        assert_eq!(
            Config::from_toml(SECRET, Path::new("."), bad).unwrap_err(),
            ConfigError::SecretVariable {
                variable: "ITSME_SECRET".into(),
                problem: SecretProblem::NotUnicode
            }
        );
    }
    assert_eq!(
        Config::from_toml(
            &secret_with("client_secret_env", Some("\"MY VAR\"")),
            Path::new("."),
            secret_env
        )
        .unwrap_err(),
        invalid("client_secret_env", ValueProblem::ForbiddenCharacter)
    );
    assert_eq!(
        Config::from_toml(
            &secret_with("client_secret_env", None),
            Path::new("."),
            secret_env
        )
        .unwrap_err(),
        ConfigError::Missing {
            key: "client_secret_env"
        }
    );
}

#[test]
fn unknown_keys_are_all_named() {
    let text = format!("{EXAMPLE}\nclient_secret = \"oops\"\nzz_top = 1\n");
    let err = parse(&text).unwrap_err();
    assert_eq!(
        err,
        ConfigError::UnknownKeys {
            keys: vec!["client_secret".into(), "zz_top".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown configuration keys: client_secret, zz_top"
    );
    assert!(!err.to_string().contains("oops"));
    assert_eq!(err.code(), "itsme.config.unknown_keys");
    assert_eq!(
        parse(&format!("{EXAMPLE}\n[extra]\na = 1\n")).unwrap_err(),
        ConfigError::UnknownKeys {
            keys: vec!["extra".into()]
        }
    );
}

#[test]
fn a_toml_syntax_error_gives_its_line_not_its_text() {
    let err = parse("client_id = \"a\"\nservice_code = = \"hunter2\"\n").unwrap_err();
    let ConfigError::Syntax { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(2));
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert_eq!(err.code(), "itsme.config.syntax");
}

#[test]
fn required_keys_are_named_when_missing() {
    for key in [
        "client_id",
        "service_code",
        "redirect_uri",
        "auth_method",
        "jwks_private",
    ] {
        assert_eq!(
            parse(&example_with(key, None)).unwrap_err(),
            ConfigError::Missing { key },
            "{key}"
        );
    }
    let err = parse(&example_with("environment", None)).unwrap_err();
    assert_eq!(err, ConfigError::Missing { key: "environment" });
    assert_eq!(
        err.to_string(),
        "the configuration key environment is missing"
    );
}

#[test]
fn wrong_types_are_named() {
    let cases = [
        ("client_id", "1", "a string"),
        ("pkce", "\"yes\"", "a boolean"),
        ("allow_insecure_loopback", "1", "a boolean"),
        ("scopes", "\"profile\"", "an array of strings"),
        ("ui_locales", "[1]", "an array of strings"),
        ("id_token_claims", "[[\"name\"]]", "an array of strings"),
        ("environment", "[\"e2e\"]", "a string"),
    ];
    for (key, value, expected) in cases {
        assert_eq!(
            parse(&example_with(key, Some(value))).unwrap_err(),
            ConfigError::WrongType { key, expected },
            "{key} = {value}"
        );
    }
}

#[test]
fn the_environment_is_e2e_prd_or_a_discovery_url() {
    assert_eq!(
        parse(&example_with("environment", Some("\"production\""))).unwrap_err(),
        invalid(
            "environment",
            ValueProblem::NotAllowed {
                value: "production".into(),
                allowed: &["e2e", "prd"]
            }
        )
    );
    let both = format!(
        "{EXAMPLE}\ndiscovery_url = \"https://idp.example/.well-known/openid-configuration\""
    );
    assert_eq!(
        parse(&both).unwrap_err(),
        ConfigError::Conflict {
            key: "discovery_url",
            with: "environment"
        }
    );
    let local = example_with("environment", None)
        + "\ndiscovery_url = \"http://127.0.0.1:4000/.well-known/openid-configuration\"";
    assert_eq!(
        parse(&local).unwrap_err(),
        invalid("discovery_url", ValueProblem::Url(UrlProblem::NotHttps))
    );
    let local = local.replace(
        "allow_insecure_loopback = false",
        "allow_insecure_loopback = true",
    ) + "\nredirect_uri = \"http://127.0.0.1:4001/cb\"";
    let local = local.replacen(
        "redirect_uri = \"https://app.example.com/itsme/callback\"\n",
        "",
        1,
    );
    let config = parse(&local).unwrap();
    assert_eq!(config.environment().issuer(), "http://127.0.0.1:4000");
    assert_eq!(config.redirect_uri(), "http://127.0.0.1:4001/cb");
    assert!(config.allow_insecure_loopback());
    let not_well_known =
        example_with("environment", None) + "\ndiscovery_url = \"https://idp.example/v2\"";
    assert_eq!(
        parse(&not_well_known).unwrap_err(),
        invalid(
            "discovery_url",
            ValueProblem::Url(UrlProblem::NotDiscoveryUrl)
        )
    );
}

#[test]
fn redirect_uris_follow_the_itsme_rules() {
    let cases = [
        ("\"\"", UrlProblem::Empty),
        ("\"http://app.example.com/cb\"", UrlProblem::NotHttps),
        ("\"https://app.example.com/cb#x\"", UrlProblem::Fragment),
        ("\"myapp://callback\"", UrlProblem::NotHttps),
        ("\"https:///cb\"", UrlProblem::Malformed),
        ("\"http://127.0.0.1/cb\"", UrlProblem::NotHttps),
    ];
    for (value, problem) in cases {
        let err = parse(&example_with("redirect_uri", Some(value))).unwrap_err();
        assert_eq!(
            err,
            invalid("redirect_uri", ValueProblem::Url(problem)),
            "{value}"
        );
        assert!(err.to_string().starts_with("redirect_uri: "), "{err}");
    }
    // The loopback exception needs the flag, and covers loopback addresses only.
    let loopback = example_with("allow_insecure_loopback", Some("true"));
    let ok = loopback.replace(
        "https://app.example.com/itsme/callback",
        "http://[::1]:8080/cb",
    );
    assert_eq!(parse(&ok).unwrap().redirect_uri(), "http://[::1]:8080/cb");
    let not_loopback = loopback.replace(
        "https://app.example.com/itsme/callback",
        "http://localhost/cb",
    );
    assert_eq!(
        parse(&not_loopback).unwrap_err(),
        invalid("redirect_uri", ValueProblem::Url(UrlProblem::NotLoopback))
    );
    // Kept exactly as written: itsme® compares it character for character.
    let exact = example_with(
        "redirect_uri",
        Some("\"https://App.example.com/ABC/cb?x=1\""),
    );
    assert_eq!(
        parse(&exact).unwrap().redirect_uri(),
        "https://App.example.com/ABC/cb?x=1"
    );
}

#[test]
fn client_id_and_service_code_are_tokens() {
    assert_eq!(
        parse(&example_with("client_id", Some("\"\""))).unwrap_err(),
        invalid("client_id", ValueProblem::Empty)
    );
    assert_eq!(
        parse(&example_with("client_id", Some("\"my client\""))).unwrap_err(),
        invalid("client_id", ValueProblem::ForbiddenCharacter)
    );
    assert_eq!(
        parse(&example_with("service_code", Some("\"A B\""))).unwrap_err(),
        invalid("service_code", ValueProblem::ForbiddenCharacter)
    );
    assert_eq!(
        parse(&example_with("service_code", Some("\"A\\\"B\""))).unwrap_err(),
        invalid("service_code", ValueProblem::ForbiddenCharacter)
    );
    assert_eq!(
        parse(&example_with("service_code", Some("\"\""))).unwrap_err(),
        invalid("service_code", ValueProblem::Empty)
    );
}

#[test]
fn auth_methods_and_their_keys() {
    assert_eq!(
        parse(&example_with(
            "auth_method",
            Some("\"client_secret_basic\"")
        ))
        .unwrap_err(),
        invalid(
            "auth_method",
            ValueProblem::NotAllowed {
                value: "client_secret_basic".into(),
                allowed: &["private_key_jwt", "client_secret_post"]
            }
        )
    );
    assert_eq!(
        parse(&format!("{EXAMPLE}\nclient_secret_env = \"X\"")).unwrap_err(),
        ConfigError::Conflict {
            key: "client_secret_env",
            with: "auth_method = \"private_key_jwt\""
        }
    );
    assert_eq!(
        parse(&format!("{SECRET}\njwks_private = \"jwks_private.json\"")).unwrap_err(),
        ConfigError::Conflict {
            key: "jwks_private",
            with: "auth_method = \"client_secret_post\""
        }
    );
}

#[test]
fn partner_key_sets_are_checked_when_loaded() {
    let cases: Vec<(Vec<zegel_jose::Jwk>, KeysProblem)> = vec![
        (vec![key(0, "sig-1", "sig")], KeysProblem::NoEncryptionKey),
        (vec![key(1, "enc-1", "enc")], KeysProblem::NoSigningKey),
        (
            vec![key(0, "s1", "sig"), key(1, "s2", "sig"), key(2, "e", "enc")],
            KeysProblem::SeveralSigningKeys,
        ),
        (
            vec![key(0, "s", "sig"), ec_key("e", "enc")],
            KeysProblem::NotRsa { index: 1 },
        ),
        (
            vec![key(0, "s", "sig"), key(1, "e", "enc").to_public().unwrap()],
            KeysProblem::NotPrivate { index: 1 },
        ),
        (
            vec![key(0, "s", "sig"), key(1, "s", "enc")],
            KeysProblem::DuplicateKid { index: 1 },
        ),
        (
            vec![key(0, "s", "sig"), key(1, "e", "wrap")],
            KeysProblem::NoUse { index: 1 },
        ),
        (
            vec![rsa_without_kid(), key(1, "e", "enc")],
            KeysProblem::NoKid { index: 0 },
        ),
    ];
    for (keys, problem) in cases {
        let dir = ScratchDir::new();
        let path = dir.write("jwks_private.json", &set_json(keys));
        let err = Config::from_toml(EXAMPLE, dir.path(), no_env).unwrap_err();
        assert_eq!(
            err,
            ConfigError::PartnerKeys {
                path: path.clone(),
                problem: problem.clone()
            }
        );
        assert_eq!(err.key(), Some("jwks_private"));
        assert_eq!(err.code(), "itsme.config.partner_keys");
    }
    // Rotation: two encryption keys are accepted, each reachable by kid.
    let keys = PartnerKeys::from_set(JwkSet::new(vec![
        key(0, "s", "sig"),
        key(1, "enc-old", "enc"),
        key(2, "enc-new", "enc"),
    ]))
    .unwrap();
    assert_eq!(keys.encryption_keys().count(), 2);
    assert!(keys.encryption_key("enc-old").is_some());
    // Not JSON at all.
    let dir = ScratchDir::new();
    dir.write("jwks_private.json", "{not json");
    let err = Config::from_toml(EXAMPLE, dir.path(), no_env).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::PartnerKeys {
            problem: KeysProblem::Invalid(_),
            ..
        }
    ));
}

fn rsa_without_kid() -> zegel_jose::Jwk {
    let k = key(0, "x", "sig");
    let mut params = k.params().clone();
    params.kid = None;
    k.with_params(params).unwrap()
}

#[test]
fn scopes_are_itsme_scopes_only() {
    let cases = [
        (
            "[\"openid\"]",
            ValueProblem::AddedAutomatically {
                value: "openid".into(),
            },
        ),
        (
            "[\"service:OTHER\"]",
            ValueProblem::AddedAutomatically {
                value: "service:OTHER".into(),
            },
        ),
        (
            "[\"offline_access\"]",
            ValueProblem::NotAllowed {
                value: "offline_access".into(),
                allowed: &["profile", "email", "address", "phone", "eid"],
            },
        ),
        (
            "[\"eid\", \"eid\"]",
            ValueProblem::Duplicate {
                value: "eid".into(),
            },
        ),
    ];
    for (value, problem) in cases {
        assert_eq!(
            parse(&example_with("scopes", Some(value))).unwrap_err(),
            invalid("scopes", problem),
            "{value}"
        );
    }
    let all = parse(&example_with(
        "scopes",
        Some("[\"profile\", \"email\", \"address\", \"phone\", \"eid\"]"),
    ))
    .unwrap();
    assert_eq!(
        all.scope(),
        "openid service:MY_SERVICE profile email address phone eid"
    );
}

#[test]
fn requested_claims_are_itsme_claims() {
    let err = parse(&example_with(
        "id_token_claims",
        Some("[\"http://itsme.services/v2/claim/BENationalNumbr\"]"),
    ))
    .unwrap_err();
    assert_eq!(
        err,
        invalid(
            "id_token_claims",
            ValueProblem::UnknownClaim {
                value: "http://itsme.services/v2/claim/BENationalNumbr".into()
            }
        )
    );
    assert_eq!(
        err.to_string(),
        "id_token_claims: \"http://itsme.services/v2/claim/BENationalNumbr\" is not an itsme® claim"
    );
    assert_eq!(
        parse(&example_with(
            "userinfo_claims",
            Some("[\"email\", \"email\"]")
        ))
        .unwrap_err(),
        invalid(
            "userinfo_claims",
            ValueProblem::Duplicate {
                value: "email".into()
            }
        )
    );
    let config = parse(&example_with(
        "userinfo_claims",
        Some("[\"address\", \"http://itsme.services/v2/claim/age_gte_18\"]"),
    ))
    .unwrap();
    assert_eq!(
        config.userinfo_claims(),
        [claims::ADDRESS, claims::Claim::age_gte(18)]
    );
    let request = config.claims_request();
    assert_eq!(
        request.names(Location::UserInfo).collect::<Vec<_>>(),
        ["address", "http://itsme.services/v2/claim/age_gte_18"]
    );
}

#[test]
fn acr_locales_and_request_object_values() {
    let advanced = parse(&example_with("acr", Some("\"advanced\""))).unwrap();
    assert_eq!(advanced.acr(), Acr::Advanced);
    assert_eq!(
        advanced.acr().uri(),
        "http://itsme.services/v2/claim/acr_advanced"
    );
    assert_eq!(
        parse(&example_with(
            "acr",
            Some("\"http://itsme.services/v2/claim/acr_basic\"")
        ))
        .unwrap_err(),
        invalid(
            "acr",
            ValueProblem::NotAllowed {
                value: "http://itsme.services/v2/claim/acr_basic".into(),
                allowed: &["basic", "advanced"]
            }
        )
    );
    let locales = parse(&example_with(
        "ui_locales",
        Some("[\"nl\", \"fr\", \"en\", \"de\"]"),
    ))
    .unwrap();
    assert_eq!(locales.ui_locales_param().as_deref(), Some("nl fr en de"));
    assert_eq!(
        parse(&example_with("ui_locales", Some("[\"es\"]"))).unwrap_err(),
        invalid(
            "ui_locales",
            ValueProblem::NotAllowed {
                value: "es".into(),
                allowed: &["fr", "nl", "de", "en"]
            }
        )
    );
    let none = parse(&example_with("request_object", Some("\"none\""))).unwrap();
    assert_eq!(none.request_object(), RequestObjectMode::None);
    assert_eq!(
        parse(&example_with("request_object", Some("\"request_uri\""))).unwrap_err(),
        invalid(
            "request_object",
            ValueProblem::NotAllowed {
                value: "request_uri".into(),
                allowed: &["request", "none"]
            }
        )
    );
    assert!(!parse(&example_with("pkce", Some("false"))).unwrap().pkce());
}

#[test]
fn an_unreadable_file_is_a_read_error() {
    let dir = ScratchDir::new();
    let path = dir.path().join("missing.toml");
    assert_eq!(
        Config::load(&path).unwrap_err(),
        ConfigError::Read {
            path,
            kind: io::ErrorKind::NotFound
        }
    );
}

#[test]
fn every_config_error_has_a_code_and_a_lowercase_message() {
    let errors = [
        ConfigError::Read {
            path: "x".into(),
            kind: io::ErrorKind::NotFound,
        },
        ConfigError::Syntax {
            line: None,
            message: "m".into(),
        },
        ConfigError::UnknownKeys {
            keys: vec!["a".into()],
        },
        ConfigError::Missing { key: "client_id" },
        ConfigError::WrongType {
            key: "pkce",
            expected: "a boolean",
        },
        invalid("acr", ValueProblem::Empty),
        ConfigError::Conflict {
            key: "a",
            with: "b",
        },
        ConfigError::SecretVariable {
            variable: "V".into(),
            problem: SecretProblem::Unset,
        },
        ConfigError::PartnerKeys {
            path: "k".into(),
            problem: KeysProblem::NoSigningKey,
        },
    ];
    let codes: std::collections::BTreeSet<_> = errors.iter().map(ConfigError::code).collect();
    assert_eq!(codes.len(), errors.len());
    for e in &errors {
        let text = e.to_string();
        assert!(text.chars().next().unwrap().is_lowercase(), "{text}");
        let wrapped = zegel_itsme::Error::from(e.clone());
        assert_eq!(wrapped.code(), e.code());
        assert_eq!(wrapped.to_string(), text);
    }
    assert_eq!(
        ConfigError::UnknownKeys {
            keys: vec!["a".into()]
        }
        .to_string(),
        "unknown configuration key: a"
    );
}

#[test]
fn encryption_keys_rotate_as_itsme_asks() {
    let keys = PartnerKeys::from_set(partner_set()).unwrap();
    // Step 1: the new key replaces the old one in the published set; the old one still decrypts.
    let rotated = keys.rotate_encryption_key(key(2, "enc-2", "enc")).unwrap();
    assert_eq!(
        rotated
            .encryption_keys()
            .map(|k| k.kid())
            .collect::<Vec<_>>(),
        [Some("enc-2")]
    );
    assert_eq!(
        rotated
            .public_set()
            .keys()
            .iter()
            .map(|k| k.kid())
            .collect::<Vec<_>>(),
        [Some("sig-1"), Some("enc-2")]
    );
    assert_eq!(rotated.retired_keys().len(), 1);
    assert!(rotated.encryption_key("enc-1").is_some());
    assert!(rotated.encryption_key("enc-2").is_some());
    assert_eq!(
        rotated
            .decryption_keys()
            .map(|k| k.kid())
            .collect::<Vec<_>>(),
        [Some("enc-2"), Some("enc-1")]
    );
    assert_eq!(rotated.signing_key().kid(), Some("sig-1"));
    // Step 3: the old key is decommissioned.
    let done = rotated.clone().decommission("enc-1").unwrap();
    assert!(done.encryption_key("enc-1").is_none());
    assert!(done.retired_keys().is_empty());
    // A published key cannot be decommissioned; a kid cannot be reused; a key must be `enc`.
    assert_eq!(
        rotated.clone().decommission("enc-2").unwrap_err(),
        KeysProblem::NotRetired
    );
    assert_eq!(
        rotated
            .clone()
            .rotate_encryption_key(key(1, "enc-1", "enc"))
            .unwrap_err(),
        KeysProblem::DuplicateKid { index: 1 }
    );
    assert_eq!(
        rotated
            .clone()
            .rotate_encryption_key(key(1, "enc-3", "sig"))
            .unwrap_err(),
        KeysProblem::NoUse { index: 1 }
    );
    assert_eq!(
        rotated
            .rotate_encryption_key(ec_key("enc-3", "enc"))
            .unwrap_err(),
        KeysProblem::NotRsa { index: 1 }
    );
    // Retired keys read back from storage are checked the same way.
    let reloaded = PartnerKeys::from_set(JwkSet::new(vec![
        key(0, "sig-1", "sig"),
        key(2, "enc-2", "enc"),
    ]))
    .unwrap()
    .with_retired([key(1, "enc-1", "enc")])
    .unwrap();
    assert!(reloaded.encryption_key("enc-1").is_some());
    assert_eq!(
        PartnerKeys::from_set(partner_set())
            .unwrap()
            .with_retired([key(2, "enc-1", "enc")])
            .unwrap_err(),
        KeysProblem::DuplicateKid { index: 1 }
    );
}

#[test]
fn the_public_set_is_served_with_a_long_enough_max_age() {
    use core::time::Duration;
    use zegel_itsme::config::{JWKS_MIN_MAX_AGE, jwks_cache_control};
    assert_eq!(JWKS_MIN_MAX_AGE, Duration::from_secs(1800));
    assert_eq!(
        jwks_cache_control(Duration::from_secs(60)),
        "public, max-age=1800"
    );
    assert_eq!(
        jwks_cache_control(Duration::from_secs(86_400)),
        "public, max-age=86400"
    );
}

/// The extension naming keys outside the process: `signing_key` and `encryption_keys`, PKCS #11
/// URIs, in place of `jwks_private` (no key file read).
#[test]
fn keys_named_by_pkcs11_uris() {
    const SIG: &str = "pkcs11:token=partner;object=partner-sig?pin-source=env:HSM_PIN";
    const ENC: &str = "pkcs11:token=partner;object=partner-enc";
    const ENC_OLD: &str = "pkcs11:token=partner;object=partner-enc-old";
    let hsm = |keys: &str| {
        EXAMPLE.replace(
            "jwks_private = \"jwks_private.json\"",
            &format!("signing_key = \"{SIG}\"\n{keys}"),
        )
    };
    let toml = hsm(&format!("encryption_keys = [\"{ENC}\", \"{ENC_OLD}\"]"));
    // An empty folder: no file is read.
    let dir = ScratchDir::new();
    let config = Config::from_toml(&toml, dir.path(), no_env).unwrap();
    assert_eq!(config.auth().method(), AuthMethod::PrivateKeyJwt);
    let ClientAuth::ExternalKeys(uris) = config.auth() else {
        panic!("external keys")
    };
    assert_eq!(uris.signing(), SIG);
    assert_eq!(uris.encryption(), [ENC, ENC_OLD]);

    // The reject twins.
    let refused = |toml: &str| Config::from_toml(toml, dir.path(), no_env).unwrap_err();
    let both = format!("{toml}jwks_private = \"jwks_private.json\"\n");
    assert_eq!(
        refused(&both),
        ConfigError::Conflict {
            key: "jwks_private",
            with: "signing_key"
        }
    );
    assert_eq!(
        refused(&hsm("")),
        ConfigError::Missing {
            key: "encryption_keys"
        }
    );
    assert_eq!(
        refused(&hsm("encryption_keys = []")),
        ConfigError::Missing {
            key: "encryption_keys"
        }
    );
    let no_sig = EXAMPLE.replace(
        "jwks_private = \"jwks_private.json\"",
        &format!("encryption_keys = [\"{ENC}\"]"),
    );
    assert_eq!(
        refused(&no_sig),
        ConfigError::Missing { key: "signing_key" }
    );
    let e = refused(&hsm("encryption_keys = [\"enc.pem\"]"));
    assert_eq!(
        e,
        ConfigError::Invalid {
            key: "encryption_keys",
            problem: ValueProblem::NotPkcs11Uri
        }
    );
    assert!(
        e.to_string()
            .ends_with("it is not a PKCS #11 URI (pkcs11:...)"),
        "{e}"
    );
    let pin_in_uri = toml.replace("pin-source=env:HSM_PIN", "pin-value=1234");
    let e = refused(&pin_in_uri);
    assert_eq!(
        e,
        ConfigError::Invalid {
            key: "signing_key",
            problem: ValueProblem::PinInUri
        }
    );
    assert!(!e.to_string().contains("1234"), "{e}");
    let file_sig = toml.replace(SIG, "jwks_private.json");
    assert_eq!(
        refused(&file_sig),
        ConfigError::Invalid {
            key: "signing_key",
            problem: ValueProblem::NotPkcs11Uri
        }
    );
    assert_eq!(
        refused(&hsm(&format!("encryption_keys = [\"{ENC}\", \"{ENC}\"]"))),
        ConfigError::Invalid {
            key: "encryption_keys",
            problem: ValueProblem::Duplicate { value: ENC.into() }
        }
    );
    let secret = format!("{SECRET}signing_key = \"{SIG}\"\n");
    assert_eq!(
        Config::from_toml(&secret, dir.path(), secret_env).unwrap_err(),
        ConfigError::Conflict {
            key: "signing_key",
            with: "auth_method = \"client_secret_post\""
        }
    );
}
