//! What the parsers accept, said in the OpenAPI document: each input type's JSON Schema, built
//! from the same limits the parsers use. The patterns are ECMA-262 (what JSON Schema means) and
//! written without `\s`, `\w` or `.`, whose meaning differs between regex dialects; the tests below
//! hold every pattern to its parser. Rules a schema cannot state are named in the description.
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};

use super::{Email, Money, Quantity};

/// Unicode White_Space: what `str::trim` removes around every text input.
macro_rules! ws {
    () => {
        r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    };
}
/// What `unicode::is_invisible` refuses (bidi controls, zero-width characters, BOM, soft hyphen).
macro_rules! invisible {
    () => {
        r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    };
}
/// A character free text may contain inside: no control character but tab and newline.
macro_rules! inner {
    () => {
        concat!(r"[^\x00-\x08\x0b-\x1f\x7f-\x9f", invisible!(), "]")
    };
}
/// A visible character: not a space, control or invisible character (text starts and ends with one).
macro_rules! visible {
    ($also:literal) => {
        concat!(
            r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
            invisible!(),
            $also,
            "]"
        )
    };
}
macro_rules! trimmed {
    ($($core:tt)*) => {
        concat!("^[", ws!(), "]*", $($core)*, "[", ws!(), "]*$")
    };
}

/// Free text ([`super::text`]): something visible once trimmed.
pub const TEXT: &str = trimmed!(concat!(
    visible!(""),
    "(?:",
    inner!(),
    "*",
    visible!(""),
    ")?"
));
/// Optional free text ([`super::optional_text`]): blank is allowed and means none.
pub const OPTIONAL_TEXT: &str = trimmed!(concat!(
    "(?:",
    visible!(""),
    "(?:",
    inner!(),
    "*",
    visible!(""),
    ")?)?"
));
/// [`Email`]: a local part, `@`, a domain with an inner dot; no spaces, controls, `<` or `>`.
pub const EMAIL: &str = trimmed!(concat!(
    visible!("<>@"),
    "+@",
    visible!("<>@."),
    visible!("<>@"),
    r"*\.",
    visible!("<>@"),
    "*",
    visible!("<>@.")
));
/// [`Sku`]: 1 to 64 letters, digits, `-`, `_` or `.`.
pub const SKU: &str = trimmed!("[A-Za-z0-9._-]{1,64}");
pub const POSTAL_CODE: &str = trimmed!("[A-Za-z0-9-](?:[A-Za-z0-9 -]*[A-Za-z0-9-])?");
/// Two letters, either case (stored upper case).
pub const COUNTRY: &str = trimmed!("[A-Za-z]{2}");
/// 12 to 19 digits, spaces and dashes between them ignored.
pub const CARD_NUMBER: &str = trimmed!("[ -]*(?:[0-9][ -]*){12,19}");
pub const CVC: &str = trimmed!("[0-9]{3,4}");
/// The format name of a card number whose last digit is its Luhn check digit (a rule a pattern
/// cannot state; fuzzers are told how to make one in scripts/fuzz-hooks.py).
pub const CARD_NUMBER_FORMAT: &str = "card-number";

fn string(pattern: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
}

fn integer(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
}

/// Free text of at most `max` characters as sent (surrounding whitespace is trimmed).
pub fn text(max: usize) -> Object {
    string(TEXT).max_length(Some(max)).build()
}

pub fn name() -> Object {
    text(100)
}

pub fn optional_text(max: usize) -> Object {
    string(OPTIONAL_TEXT)
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .max_length(Some(max))
        .build()
}

pub fn email() -> Object {
    string(EMAIL)
        .max_length(Some(Email::MAX_CHARS))
        .description(Some(
            "Any address with a local part and a dotted domain (plus-addressing and Unicode \
             welcome); compared in lower case.",
        ))
        .build()
}

pub fn password() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(8))
        .max_length(Some(128))
        .build()
}

pub fn sku() -> Object {
    string(SKU).build()
}

pub fn quantity() -> Object {
    integer(1, Quantity::MAX).build()
}

pub fn cents() -> Object {
    integer(0, Money::MAX_CENTS).build()
}

pub fn optional_cents() -> Object {
    integer(0, Money::MAX_CENTS)
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Integer,
            Type::Null,
        ]))
        .build()
}

/// A database id: the store hands out positive ids only.
pub fn id() -> Object {
    integer(1, i64::MAX).build()
}

/// A shipping address as a checkout sends it (orders show it back trimmed and NFC).
pub fn address_input() -> Object {
    let prop = |b: ObjectBuilder, name: &str, schema: Object| b.property(name, schema);
    let mut b = ObjectBuilder::new().schema_type(Type::Object);
    for (field, schema) in [
        ("name", text(100)),
        ("line1", text(200)),
        ("line2", optional_text(200)),
        ("city", text(100)),
        (
            "postal_code",
            string(POSTAL_CODE).max_length(Some(16)).build(),
        ),
        (
            "country",
            string(COUNTRY)
                .description(Some("ISO 3166-1 alpha-2, e.g. US"))
                .build(),
        ),
    ] {
        b = prop(b, field, schema);
        if field != "line2" {
            b = b.required(field);
        }
    }
    b.build()
}

pub fn card_number() -> Object {
    string(CARD_NUMBER)
        .format(Some(SchemaFormat::Custom(CARD_NUMBER_FORMAT.into())))
        .description(Some(
            "12 to 19 digits (spaces and dashes ignored) whose last digit is the Luhn check \
             digit; a number failing the check is a 400 naming payment.card_number.",
        ))
        .build()
}

pub fn cvc() -> Object {
    string(CVC).build()
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
