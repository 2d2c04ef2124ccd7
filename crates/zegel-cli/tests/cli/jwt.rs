//! `zegel jwt sign|encrypt|verify`, one test per claim rule, each with its accept path.

use serde_json::{Value, json};

use crate::{b64, data, data_text, tamper, zegel};

const T0: u64 = 1_700_000_000;

fn key() -> String {
    data("p256.jwk.json")
}

fn public() -> String {
    data("p256.pub.jwk.json")
}

/// Signs `claims` with ES256 at T0 plus the extra flags.
fn sign(claims: &str, flags: &[&str]) -> String {
    let key = key();
    let now = T0.to_string();
    let mut args = vec![
        "jwt",
        "sign",
        "--key",
        key.as_str(),
        "--alg",
        "ES256",
        "--now",
        now.as_str(),
    ];
    args.extend_from_slice(flags);
    zegel(&args, claims).ok_line()
}

fn verify(token: &str, flags: &[&str]) -> crate::Out {
    let key = public();
    let mut args = vec!["jwt", "verify", "--key", key.as_str()];
    args.extend_from_slice(flags);
    zegel(&args, format!("{token}\n"))
}

fn at(secs: u64) -> String {
    (T0 + secs).to_string()
}

#[test]
fn sign_builds_the_claim_set() {
    let token = sign(
        r#"{"name":"Ada","iss":"overridden"}"#,
        &[
            "--iss",
            "https://issuer",
            "--sub",
            "u1",
            "--aud",
            "app",
            "--exp-in",
            "600",
        ],
    );
    let inspected = zegel(&["inspect"], &token).ok_json();
    assert_eq!(inspected["header"]["typ"], "JWT");
    assert_eq!(inspected["header"]["alg"], "ES256");
    let expected = json!({"name": "Ada", "iss": "https://issuer", "sub": "u1", "aud": "app", "iat": T0, "exp": T0 + 600});
    assert_eq!(inspected["payload"], expected);
    // verify prints the validated claims.
    let claims = verify(
        &token,
        &["--now", &at(10), "--aud", "app", "--iss", "https://issuer"],
    )
    .ok_json();
    assert_eq!(claims, expected);
    // Several audiences make an array.
    let token = sign("{}", &["--aud", "a", "--aud", "b", "--exp-in", "60"]);
    assert_eq!(
        zegel(&["inspect"], &token).ok_json()["payload"]["aud"],
        json!(["a", "b"])
    );
}

#[test]
fn sign_rejects_claims_that_are_not_an_object() {
    let key = key();
    for bad in ["", "[]", "\"x\"", "{", "{\"a\":1,\"a\":2}"] {
        zegel(&["jwt", "sign", "--key", &key, "--alg", "ES256"], bad).fails(1);
    }
    zegel(&["jwt", "sign", "--key", &key, "--alg", "ES256"], " {}\n").ok();
    zegel(&["jwt", "sign", "--key", &key, "--alg", "RS256"], "{}").fails(2);
}

#[test]
fn jti_is_random() {
    let a = sign("{}", &["--jti", "--exp-in", "60"]);
    let b = sign("{}", &["--jti", "--exp-in", "60"]);
    let jti = |t: &str| {
        zegel(&["inspect"], t).ok_json()["payload"]["jti"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(jti(&a).len(), 22, "128 bits, base64url");
    assert_ne!(jti(&a), jti(&b));
}

#[test]
fn iat_defaults_to_the_clock() {
    let key = key();
    let token = zegel(
        &[
            "jwt", "sign", "--key", &key, "--alg", "ES256", "--exp-in", "300",
        ],
        "{}",
    )
    .ok_line();
    let claims = verify(&token, &[]).ok_json();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let iat = claims["iat"].as_u64().unwrap();
    assert!(iat <= now && now - iat < 60, "iat {iat} now {now}");
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 300);
}

#[test]
fn exp_and_leeway() {
    let token = sign("{}", &["--exp-in", "600"]);
    verify(&token, &["--now", &at(599)]).ok();
    // Default leeway: 30 s.
    verify(&token, &["--now", &at(629)]).ok();
    verify(&token, &["--now", &at(631)]).fails_with(1, "expired");
    verify(&token, &["--now", &at(601), "--leeway", "0"]).fails_with(1, "expired");
    verify(&token, &["--now", &at(1000), "--leeway", "500"]).ok();
}

#[test]
fn exp_is_required_unless_no_exp() {
    let token = sign("{}", &[]);
    verify(&token, &["--now", &at(1)]).fails_with(1, "exp");
    let claims = verify(&token, &["--now", &at(1), "--no-exp"]).ok_json();
    assert_eq!(claims, json!({"iat": T0}));
    // --no-exp does not skip the check of an exp that is present.
    let token = sign("{}", &["--exp-in", "10"]);
    verify(&token, &["--now", &at(100), "--no-exp"]).fails_with(1, "expired");
}

#[test]
fn nbf() {
    let token = sign(&format!(r#"{{"nbf":{}}}"#, T0 + 100), &["--exp-in", "600"]);
    verify(&token, &["--now", &at(100)]).ok();
    verify(&token, &["--now", &at(80)]).ok();
    assert_eq!(
        verify(&token, &["--now", &at(60)]).fails(1),
        "error: the token was refused: the token is not valid yet"
    );
    verify(&token, &["--now", &at(99), "--leeway", "0"]).fails(1);
}

#[test]
fn iss() {
    let token = sign("{}", &["--iss", "https://good", "--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--iss", "https://good"]).ok();
    verify(&token, &["--now", &at(1), "--iss", "https://evil"]).fails_with(1, "issuer");
    // No expectation: any issuer.
    verify(&token, &["--now", &at(1)]).ok();
    // An expectation makes the claim required.
    let token = sign("{}", &["--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--iss", "https://good"]).fails_with(1, "iss");
}

#[test]
fn aud_follows_rfc_7519_section_4_1_3() {
    let token = sign("{}", &["--aud", "app", "--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--aud", "app"]).ok();
    verify(&token, &["--now", &at(1), "--aud", "other", "--aud", "app"]).ok();
    verify(&token, &["--now", &at(1), "--aud", "other"]).fails_with(1, "audience");
    // The token names an audience, and the verifier names none: rejected.
    let line = verify(&token, &["--now", &at(1)]).fails(1);
    assert_eq!(
        line,
        "error: the token was refused: the token carries an audience, and no audience is \
         expected (name the audience you accept with --aud)"
    );
    let token = sign("{}", &["--aud", "a", "--aud", "b", "--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--aud", "b"]).ok();
    verify(&token, &["--now", &at(1), "--aud", "c"]).fails(1);
    // An expected audience makes aud required.
    let token = sign("{}", &["--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--aud", "app"]).fails_with(1, "aud");
}

#[test]
fn require() {
    let token = sign("{}", &["--jti", "--sub", "s", "--exp-in", "60"]);
    verify(
        &token,
        &["--now", &at(1), "--require", "jti", "--require", "sub"],
    )
    .ok();
    verify(&token, &["--now", &at(1), "--require", "nbf"]).fails_with(1, "nbf");
    let token = sign(r#"{"custom":true}"#, &["--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--require", "custom"]).ok();
    verify(&token, &["--now", &at(1), "--require", "jti"]).fails_with(1, "jti");
    // Issue 7 §1.7: a claim that is null is not there.
    let token = sign(r#"{"nonce":null}"#, &["--exp-in", "60"]);
    assert_eq!(
        verify(&token, &["--now", &at(1), "--require", "nonce"]).fails(1),
        "error: the token was refused: the required claim \"nonce\" is missing"
    );
    let token = sign(r#"{"nonce":"n-0S6_WzA2Mj"}"#, &["--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--require", "nonce"]).ok();
}

#[test]
fn max_age() {
    let token = sign("{}", &["--exp-in", "3600"]);
    verify(&token, &["--now", &at(50), "--max-age", "60"]).ok();
    verify(&token, &["--now", &at(200), "--max-age", "60"]).fails(1);
    verify(&token, &["--now", &at(200), "--max-age", "300"]).ok();
    // --max-age needs iat.
    let key = key();
    let no_iat = zegel(
        &["jws", "sign", "--key", &key, "--alg", "ES256"],
        format!(r#"{{"exp":{}}}"#, T0 + 100),
    )
    .ok_line();
    verify(&no_iat, &["--now", &at(1)]).ok();
    verify(&no_iat, &["--now", &at(1), "--max-age", "60"]).fails_with(1, "iat");
}

#[test]
fn now_in_the_future_and_past() {
    let token = sign("{}", &["--exp-in", "60"]);
    // Issued in the future, beyond the leeway.
    verify(&token, &["--now", &(T0 - 3600).to_string()]).fails(1);
    verify(&token, &["--now", "nonsense"]).fails(2);
}

#[test]
fn signature_and_algorithm_checks_come_first() {
    let token = sign("{}", &["--exp-in", "60"]);
    verify(&tamper(&token, 2), &["--now", &at(1)]).fails_with(1, "invalid signature");
    verify(&tamper(&token, 1), &["--now", &at(1)]).fails(1);
    let line = verify(
        &token,
        &["--now", &at(1), "--alg", "ES384", "--alg", "EdDSA"],
    )
    .fails(1);
    assert_eq!(
        line,
        "error: the token was refused: algorithm \"ES256\" is not allowed (allowed: ES384, EdDSA; --alg changes this)"
    );
    verify(&token, &["--now", &at(1), "--alg", "ES256"]).ok();
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none"}"#),
        b64(format!(r#"{{"exp":{}}}"#, T0 + 60).as_bytes())
    );
    verify(&none, &["--now", &at(1)]).fails(1);
    // A payload that is not a claim set.
    let token = zegel(
        &["jws", "sign", "--key", &key(), "--alg", "ES256"],
        "not json",
    )
    .ok_line();
    verify(&token, &["--now", &at(1)]).fails(1);
}

#[test]
fn nested_jwt() {
    if !crate::with_aws_lc() {
        return;
    }
    let (sign_key, enc_key) = (key(), data("rsa.pub.jwk.json"));
    let now = T0.to_string();
    let token = zegel(
        &[
            "jwt",
            "encrypt",
            "--sign-key",
            &sign_key,
            "--sign-alg",
            "ES256",
            "--key",
            &enc_key,
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--now",
            &now,
            "--exp-in",
            "60",
            "--iss",
            "me",
        ],
        "{\"n\":1}",
    )
    .ok_line();
    let inspected = zegel(&["inspect"], &token).ok_json();
    assert_eq!(inspected["kind"], "jwe");
    assert_eq!(inspected["header"]["cty"], "JWT");
    assert_eq!(inspected["header"]["alg"], "RSA-OAEP-256");
    assert!(inspected.get("payload").is_none(), "{inspected}");
    let decrypt = data("rsa.jwk.json");
    let claims = verify(
        &token,
        &["--decrypt-key", &decrypt, "--now", &at(1), "--iss", "me"],
    )
    .ok_json();
    assert_eq!(
        claims,
        json!({"n": 1, "iss": "me", "iat": T0, "exp": T0 + 60})
    );
    // Rejects: no --decrypt-key, the wrong one, expiry still checked inside.
    verify(&token, &["--now", &at(1)]).fails_with(1, "give the decryption key with --decrypt-key");
    verify(&format!("{token}\r\n"), &["--now", &at(1)]).fails_with(1, "--decrypt-key");
    verify(
        &token,
        &["--decrypt-key", &data("rsa.jwk.json"), "--now", &at(100)],
    )
    .fails_with(1, "expired");
    let scratch = crate::Scratch::new("jwt-nested");
    let wrong = scratch.write(
        "wrong.json",
        zegel(&["jwk", "generate", "--kty", "RSA"], "").ok_text(),
    );
    verify(&token, &["--decrypt-key", &wrong, "--now", &at(1)]).fails_with(1, "decryption failed");
    verify(
        &token,
        &[
            "--decrypt-key",
            &decrypt,
            "--decrypt-alg",
            "RSA-OAEP",
            "--now",
            &at(1),
        ],
    )
    .fails(1);
    // The inner signature is still checked with --key.
    let other = data("p384.pub.jwk.json");
    zegel(
        &[
            "jwt",
            "verify",
            "--key",
            &other,
            "--decrypt-key",
            &decrypt,
            "--now",
            &at(1),
        ],
        &token,
    )
    .fails(1);
    // A signed JWT given to --decrypt-key is not a JWE.
    let plain = sign("{}", &["--exp-in", "60"]);
    verify(&plain, &["--decrypt-key", &decrypt, "--now", &at(1)]).fails(1);
}

#[test]
fn output_is_the_claims_only() {
    let token = sign(r#"{"nested":{"a":[1,2,{"b":null}]}}"#, &["--exp-in", "60"]);
    let out = verify(&token, &["--now", &at(1)]).ok();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with('\n') && text.matches('\n').count() == 1);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v,
        json!({"nested": {"a": [1, 2, {"b": null}]}, "iat": T0, "exp": T0 + 60})
    );
}

#[test]
fn sub_and_typ_extensions() {
    let token = sign("{}", &["--sub", "u1", "--exp-in", "60"]);
    verify(&token, &["--now", &at(1), "--sub", "u1", "--typ", "JWT"]).ok();
    verify(&token, &["--now", &at(1), "--typ", "application/jwt"]).ok();
    verify(&token, &["--now", &at(1), "--sub", "u2"]).fails_with(1, "subject");
    verify(&token, &["--now", &at(1), "--typ", "at+jwt"]).fails(1);
    let key = key();
    let now = T0.to_string();
    let at_jwt = zegel(
        &[
            "jwt", "sign", "--key", &key, "--alg", "ES256", "--now", &now, "--exp-in", "60",
            "--typ", "at+jwt",
        ],
        "{}",
    )
    .ok_line();
    assert_eq!(
        zegel(&["inspect"], &at_jwt).ok_json()["header"]["typ"],
        "at+jwt"
    );
    verify(&at_jwt, &["--now", &at(1), "--typ", "at+jwt"]).ok();
    verify(&at_jwt, &["--now", &at(1), "--typ", "JWT"]).fails(1);
}

#[test]
fn tokens_from_jwcrypto() {
    if !crate::with_aws_lc() {
        return;
    }
    let expected = json!({"iss": "py", "aud": "app", "sub": "s", "iat": T0, "exp": T0 + 600});
    let claims = verify(
        &data_text("jwt_es256.txt"),
        &["--now", &at(1), "--aud", "app", "--iss", "py"],
    )
    .ok_json();
    assert_eq!(claims, expected);
    verify(
        &data_text("jwt_es256.txt"),
        &["--now", &at(700), "--aud", "app"],
    )
    .fails_with(1, "expired");
    let decrypt = data("rsa.jwk.json");
    let claims = verify(
        &data_text("jwt_nested.txt"),
        &["--decrypt-key", &decrypt, "--now", &at(1), "--aud", "app"],
    )
    .ok_json();
    assert_eq!(claims, expected);
    verify(
        &data_text("jwt_nested.txt"),
        &["--decrypt-key", &decrypt, "--now", &at(1)],
    )
    .fails(1);
}

#[test]
fn nested_claim_values_stay_out_of_errors() {
    // RSA-OAEP needs the aws-lc backend; jwe::rsa_needs_the_aws_lc_backend covers ring alone.
    if !crate::with_aws_lc() {
        return;
    }
    // Claims inside a JWE are plaintext: a failed check says which, not what the token held.
    let enc_key = data("rsa.pub.jwk.json");
    let now = T0.to_string();
    let encrypt = |claims: &str| {
        zegel(
            &[
                "jwt",
                "encrypt",
                "--sign-key",
                &key(),
                "--sign-alg",
                "ES256",
                "--key",
                &enc_key,
                "--alg",
                "RSA-OAEP-256",
                "--enc",
                "A256GCM",
                "--now",
                &now,
                "--exp-in",
                "60",
            ],
            claims,
        )
        .ok_line()
    };
    let token = encrypt(r#"{"iss":"SECRET-ISS","aud":"SECRET-AUD","sub":"SECRET-SUB"}"#);
    let decrypt = data("rsa.jwk.json");
    for (flags, expected) in [
        (
            vec!["--aud", "other"],
            "error: the token was refused: the audience contains none of the expected ones",
        ),
        (
            vec![],
            "error: the token was refused: the token carries an audience, and no audience is \
             expected (name the audience you accept with --aud)",
        ),
        (
            vec!["--aud", "SECRET-AUD", "--iss", "other"],
            "error: the token was refused: the issuer is not the expected one",
        ),
    ] {
        let mut args = vec!["--decrypt-key", decrypt.as_str(), "--now", now.as_str()];
        args.extend(flags);
        assert_eq!(verify(&token, &args).fails(1), expected);
    }
    // The accept path, for contrast: the claims are the output.
    let claims = verify(
        &token,
        &[
            "--decrypt-key",
            &decrypt,
            "--now",
            &now,
            "--aud",
            "SECRET-AUD",
            "--iss",
            "SECRET-ISS",
        ],
    )
    .ok_json();
    assert_eq!(claims["sub"], "SECRET-SUB");
    // A signed (not encrypted) JWT is treated alike: the library's errors never echo a token's
    // values, whichever layer prints them.
    let plain = sign(r#"{"iss":"SECRET-ISS","exp":9999999999}"#, &[]);
    assert_eq!(
        verify(&plain, &["--now", &now, "--iss", "other"]).fails(1),
        "error: the token was refused: the issuer is not the expected one"
    );
}

#[test]
fn json_serializations_are_accepted_when_they_have_a_compact_form() {
    // RSA-OAEP needs the aws-lc backend; jwe::rsa_needs_the_aws_lc_backend covers ring alone.
    if !crate::with_aws_lc() {
        return;
    }
    // The contract accepts the JSON serializations everywhere; a JWT that has a compact form
    // (one signature or recipient, every header member protected, no aad) is verified as it.
    let jws = sign(r#"{"n":1}"#, &["--exp-in", "60"]);
    let [h, p, s]: [&str; 3] = jws.split('.').collect::<Vec<_>>().try_into().unwrap();
    let flattened = json!({"protected": h, "payload": p, "signature": s}).to_string();
    let general = json!({"payload": p, "signatures": [{"protected": h, "signature": s}]});
    for token in [flattened.clone(), general.to_string()] {
        let claims = verify(&token, &["--now", &at(1)]).ok_json();
        assert_eq!(claims["n"], 1, "{token}");
    }
    // The signature is still checked, and so are the claims.
    let bad = json!({"protected": h, "payload": p, "signature": tamper(s, 0)}).to_string();
    verify(&bad, &["--now", &at(1)]).fails(1);
    verify(&flattened, &["--now", &at(100)]).fails_with(1, "expired");
    // No compact form: an unprotected header, two signatures.
    let unprotected = json!({"payload": p, "signatures": [{"protected": h, "signature": s, "header": {"kid": "x"}}]});
    verify(&unprotected.to_string(), &["--now", &at(1)]).fails_with(1, "no compact form");
    let two = json!({"payload": p, "signatures": [{"protected": h, "signature": s}, {"protected": h, "signature": s}]});
    verify(&two.to_string(), &["--now", &at(1)]).fails_with(1, "no compact form");
    // A nested JWT in the flattened JWE serialization.
    let nested = zegel(
        &[
            "jwt",
            "encrypt",
            "--sign-key",
            &key(),
            "--sign-alg",
            "ES256",
            "--key",
            &data("rsa.pub.jwk.json"),
            "--alg",
            "RSA-OAEP-256",
            "--enc",
            "A256GCM",
            "--now",
            &T0.to_string(),
            "--exp-in",
            "60",
        ],
        r#"{"n":2}"#,
    )
    .ok_line();
    let [h, k, iv, c, t]: [&str; 5] = nested.split('.').collect::<Vec<_>>().try_into().unwrap();
    let flattened =
        json!({"protected": h, "encrypted_key": k, "iv": iv, "ciphertext": c, "tag": t})
            .to_string();
    let decrypt = data("rsa.jwk.json");
    let claims = verify(&flattened, &["--decrypt-key", &decrypt, "--now", &at(1)]).ok_json();
    assert_eq!(claims["n"], 2);
    verify(&flattened, &["--now", &at(1)]).fails_with(1, "--decrypt-key");
}

#[test]
fn decrypted_dates_and_inner_header_names_stay_out_of_errors() {
    // Issue 7 §1.5: a nested token's exp/nbf/iat and its inner header are plaintext.
    let oct = data("oct.jwk.json");
    let encrypt = |claims: &str, now: &str| {
        zegel(
            &[
                "jwt",
                "encrypt",
                "--sign-key",
                &key(),
                "--sign-alg",
                "ES256",
                "--key",
                &oct,
                "--alg",
                "dir",
                "--enc",
                "A256CBC-HS512",
                "--now",
                now,
            ],
            claims,
        )
        .ok_line()
    };
    let nested = |token: &str, now: &str| {
        verify(
            token,
            &["--decrypt-key", &oct, "--now", now, "--leeway", "0"],
        )
    };
    // exp 1010, checked at 5000: "expired", without either number.
    let token = encrypt(r#"{"exp":1010}"#, "1000");
    let line = nested(&token, "5000").fails(1);
    assert_eq!(line, "error: the token was refused: the token has expired");
    // The accept twin.
    assert_eq!(
        nested(&token, "1005").ok_json(),
        json!({"exp": 1010, "iat": 1000})
    );
    // nbf and iat in the future.
    let token = encrypt(r#"{"nbf":7777,"exp":9999}"#, "1000");
    let line = nested(&token, "1000").fails(1);
    assert_eq!(
        line,
        "error: the token was refused: the token is not valid yet"
    );
    let token = encrypt(r#"{"exp":9999}"#, "8888");
    let line = nested(&token, "1000").fails(1);
    assert_eq!(
        line,
        "error: the token was refused: the token was issued in the future"
    );
    // An inner header naming an algorithm nobody knows: the name is not echoed.
    let inner = format!(
        "{}.{}.{}",
        b64(br#"{"alg":"EVILALG","kid":"SECRET-KID"}"#),
        b64(br#"{"exp":9999}"#),
        b64(b"sig")
    );
    let token = zegel(
        &[
            "jwe",
            "encrypt",
            "--key",
            &oct,
            "--alg",
            "dir",
            "--enc",
            "A256CBC-HS512",
            "--cty",
            "JWT",
        ],
        inner,
    )
    .ok_line();
    let line = nested(&token, "1000").fails(1);
    assert_eq!(line, "error: the token was refused: unknown algorithm");
}
