//! The WYSIWYS templates of `_OIDC/confirmation.md`: built only when itsme® would accept
//! them, sent as essential claims with values.

use zegel_itsme::claims::{ClaimsRequest, Location};
use zegel_itsme::confirmation::{
    AMOUNT_CLAIM, CURRENCY_CLAIM, Confirmation, FREE_TEXT_MAX_CHARS, IBAN_CLAIM,
    TEMPLATE_NAME_CLAIM, TEXT_CLAIM,
};
use zegel_itsme::error::ConfirmationError;

#[test]
fn a_payment_is_sent_as_the_adv_payment_template() {
    let c = Confirmation::payment(2500, "EUR", "be68 5390 0754 7034").unwrap();
    assert_eq!(c.template_name(), "adv_payment");
    assert_eq!(
        c.claims(),
        [
            (TEMPLATE_NAME_CLAIM, "adv_payment"),
            (AMOUNT_CLAIM, "2500"),
            (CURRENCY_CLAIM, "EUR"),
            (IBAN_CLAIM, "BE68539007547034"),
        ]
    );
    let request = c.add_to(ClaimsRequest::new(), Location::IdToken);
    assert_eq!(
        request.to_json().to_string(),
        concat!(
            r#"{"id_token":{"#,
            r#""http://itsme.services/v2/claim/claim_approval_amount_key":{"essential":true,"value":"2500"},"#,
            r#""http://itsme.services/v2/claim/claim_approval_currency_key":{"essential":true,"value":"EUR"},"#,
            r#""http://itsme.services/v2/claim/claim_approval_iban_key":{"essential":true,"value":"BE68539007547034"},"#,
            r#""http://itsme.services/v2/claim/claim_approval_template_name":{"essential":true,"value":"adv_payment"}"#,
            r#"}}"#
        )
    );
}

#[test]
fn a_bad_payment_is_refused() {
    for currency in ["eur", "EU", "EURO", "", "E1R", "€"] {
        assert_eq!(
            Confirmation::payment(1, currency, "BE68539007547034"),
            Err(ConfirmationError::Currency),
            "{currency:?}"
        );
    }
    assert_eq!(
        Confirmation::payment(1, "EUR", "BE68539007547035"),
        Err(ConfirmationError::IbanCheckDigits)
    );
    assert_eq!(
        Confirmation::payment(1, "EUR", "NL91ABNA0417164301"),
        Err(ConfirmationError::IbanCheckDigits)
    );
    assert!(Confirmation::payment(1, "EUR", "NL91ABNA0417164300").is_ok());
    assert_eq!(
        Confirmation::payment(1, "EUR", "BE68 5390 0754 7034 0000 0000 0000 0000 0"),
        Err(ConfirmationError::IbanShape)
    );
    assert_eq!(
        Confirmation::payment(1, "EUR", "BE68539007547034é"),
        Err(ConfirmationError::IbanShape)
    );
}

#[test]
fn free_text_with_the_allowed_tags_is_sent_as_is() {
    let text = "Sign <b>contract 42</b><br>for <i>Jan</i> <u>Peeters</u><BR/>Total: 12 € — œuvre"
        .replace('—', "-");
    let c = Confirmation::free_text(&text).unwrap();
    assert_eq!(c.template_name(), "free_text");
    assert_eq!(
        c.claims(),
        [
            (TEMPLATE_NAME_CLAIM, "free_text"),
            (TEXT_CLAIM, text.as_str())
        ]
    );
    let request = c.add_to(ClaimsRequest::new(), Location::UserInfo);
    assert_eq!(
        request.to_json()["userinfo"][TEXT_CLAIM]["value"],
        serde_json::Value::String(text)
    );
    assert_eq!(
        request.to_json()["userinfo"][TEXT_CLAIM]["essential"],
        serde_json::Value::Bool(true)
    );
    assert!(!format!("{c:?}").contains("Peeters"));
}

#[test]
fn free_text_length_is_bounded() {
    let longest = "a".repeat(FREE_TEXT_MAX_CHARS);
    assert!(Confirmation::free_text(&longest).is_ok());
    // Characters, not bytes: 7500 two-byte characters are fine.
    assert!(Confirmation::free_text(&"é".repeat(FREE_TEXT_MAX_CHARS)).is_ok());
    assert_eq!(
        Confirmation::free_text(&"a".repeat(FREE_TEXT_MAX_CHARS + 1)),
        Err(ConfirmationError::TextTooLong { max: 7500 })
    );
    assert_eq!(
        Confirmation::free_text(""),
        Err(ConfirmationError::EmptyText)
    );
}

#[test]
fn free_text_outside_latin9_is_refused_with_its_position() {
    for (text, position) in [
        ("price ¤5", 6),
        ("½ price", 0),
        ("Łódź", 0),
        ("ok 😀", 3),
        ("tab\tok, bell\u{7}", 12),
        ("nul\u{0}", 3),
    ] {
        assert_eq!(
            Confirmation::free_text(text),
            Err(ConfirmationError::NotLatin9 { position }),
            "{text:?}"
        );
    }
}

#[test]
fn free_text_with_other_tags_is_refused() {
    for (text, position) in [
        ("<script>x</script>", 0),
        ("a <p>b</p>", 2),
        ("a < b", 2),
        ("<b", 0),
        ("<a href=x>y</a>", 0),
        ("<b>ok</b><img src=x>", 9),
        ("< b>", 0),
    ] {
        assert_eq!(
            Confirmation::free_text(text),
            Err(ConfirmationError::Tag { position }),
            "{text:?}"
        );
    }
    // A `>` alone is text.
    assert!(Confirmation::free_text("a > b").is_ok());
}

#[test]
fn confirmation_errors_have_codes() {
    let all = [
        ConfirmationError::Currency,
        ConfirmationError::IbanShape,
        ConfirmationError::IbanCheckDigits,
        ConfirmationError::EmptyText,
        ConfirmationError::TextTooLong { max: 1 },
        ConfirmationError::NotLatin9 { position: 0 },
        ConfirmationError::Tag { position: 0 },
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), all.len());
    assert_eq!(
        ConfirmationError::Tag { position: 3 }.to_string(),
        "the confirmation text has an HTML tag other than <b>, <i>, <u>, <br> at position 3"
    );
}
