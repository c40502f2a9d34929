//! Every pattern in the document accepts exactly what its parser accepts: on hand-picked edge
//! cases and on random strings drawn from the characters where the rules live.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use proptest::prelude::*;
use regex::Regex;

use super::*;
use crate::domain::{text as parse_text, Card, Checks, Email, Sku};

fn matches(pattern: &'static str, s: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, Regex>>> = OnceLock::new();
    let mut cache = COMPILED.get_or_init(Default::default).lock().unwrap();
    cache
        .entry(pattern)
        .or_insert_with(|| Regex::new(pattern).unwrap())
        .is_match(s)
}

fn card_shape(s: &str) -> bool {
    let mut c = Checks::default();
    // Expiry and CVC valid: only the number's shape (not its check digit) decides.
    Card::parse(s, 12, 2030, "123", &mut c);
    c.finish().err().is_none_or(|e| {
        e.0.iter()
            .all(|f| f.message == "is not a valid card number")
    })
}

fn cvc_ok(s: &str) -> bool {
    let mut c = Checks::default();
    Card::parse("4242424242424242", 12, 2030, s, &mut c);
    c.finish().is_ok()
}

fn postal_ok(s: &str) -> bool {
    let mut c = Checks::default();
    let raw = crate::domain::Address {
        name: "A".into(),
        line1: "1 Road".into(),
        line2: None,
        city: "C".into(),
        postal_code: s.into(),
        country: "US".into(),
    };
    crate::domain::Address::parse(&raw, "a", &mut c);
    c.finish().is_ok()
}

/// (name, pattern, max length as sent, parser)
type Rule = (&'static str, &'static str, Option<usize>, fn(&str) -> bool);

fn rules() -> Vec<Rule> {
    vec![
        ("text", TEXT, Some(100), |s| parse_text(s, 100).is_ok()),
        ("optional text", OPTIONAL_TEXT, Some(200), |s| {
            crate::domain::optional_text(Some(s), 200).is_ok()
        }),
        ("email", EMAIL, Some(Email::MAX_CHARS), |s| {
            Email::parse(s).is_ok()
        }),
        ("sku", SKU, None, |s| Sku::parse(s).is_ok()),
        ("postal code", POSTAL_CODE, Some(16), postal_ok),
        ("card number", CARD_NUMBER, None, card_shape),
        ("cvc", CVC, None, cvc_ok),
    ]
}

fn agree(s: &str) {
    for (name, pattern, max, parse) in rules() {
        let schema = matches(pattern, s) && max.is_none_or(|m| s.chars().count() <= m);
        assert_eq!(
            schema,
            parse(s),
            "{name}: schema and parser disagree on {s:?}"
        );
    }
}

#[test]
fn patterns_and_parsers_agree_on_the_edge_cases() {
    for s in [
        "",
        " ",
        "Ada",
        "  Ada Lovelace \n",
        "Zoë Ōkubo 李",
        "a\tb",
        "a\rb",
        "\u{0085}a\u{0085}",
        "a\u{0085}b",
        "\u{00a0}x",
        "x\u{202e}y",
        "\u{feff}x",
        "x\u{200b}",
        "ann+shop@example.com",
        " Ann@Example.COM ",
        "a@b",
        "a@.b",
        "a@b.",
        "a@b..c",
        "a b@c.de",
        "a<b@c.de",
        "<\u{0338}@x.yz",
        "@x.yz",
        "a@b@c.de",
        "ü@bücher.de",
        "SKU-1.a_b",
        "  SKU-1  ",
        "SKU 1",
        "x".repeat(64).as_str(),
        "x".repeat(65).as_str(),
        "SW1A 1AA",
        "-",
        "12345-",
        " 12345 ",
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        " 4242424242424242\n",
        "-4242424242424242-",
        "4242\t4242424242424",
        "42424242424",
        "42424242424242424242",
        "123",
        "1234",
        " 123 ",
        "12",
        "12345",
        "１２３",
    ] {
        agree(s);
    }
    agree(&format!("{}@b.co", "a".repeat(249)));
    agree(&format!("{}@b.co", "a".repeat(250)));
}

fn interesting() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        'a', 'Z', '0', '9', 'é', '李', '-', '_', '.', '@', '<', '>', '+', ' ', '\t', '\n', '\r',
        '\u{0b}', '\u{00}', '\u{1f}', '\u{7f}', '\u{85}', '\u{a0}', '\u{ad}', '\u{2003}',
        '\u{200b}', '\u{202e}', '\u{2028}', '\u{3000}', '\u{feff}', '\u{0338}', '\u{0301}',
    ]);
    prop::collection::vec(chars, 0..24).prop_map(|v| v.into_iter().collect())
}

fn digits_and_gaps() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec!['4', '2', '0', ' ', '-', '\t', 'x', '\u{a0}']);
    prop::collection::vec(chars, 8..26).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn patterns_and_parsers_agree_on_random_text(s in interesting()) {
        agree(&s);
    }

    #[test]
    fn patterns_and_parsers_agree_on_random_emails(local in interesting(), domain in interesting()) {
        agree(&format!("{local}@{domain}"));
        agree(&format!("{local}@{domain}.de"));
    }

    #[test]
    fn card_patterns_and_parsers_agree(s in digits_and_gaps()) {
        agree(&s);
    }
}
