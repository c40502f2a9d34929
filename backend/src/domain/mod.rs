//! Domain newtypes, parsed at the edge so the rest of the code only sees valid values.
//! Nothing here knows about HTTP or SQL: validation returns [`Invalid`] (fields and reasons).
use serde::{Deserialize, Serialize};

mod address;
mod card;
mod cart;
mod checks;
pub mod schema;
mod status;
mod unicode;
pub mod whole;

pub use address::Address;
pub use card::{luhn, Card};
pub use cart::{CartItem, CartLimits};
pub use checks::{Checks, FieldError, Invalid, MAX_PER_PAGE};
pub use status::{OrderStatus, PaymentState, Role, UnknownVariant, Word};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 64;
    pub fn parse(s: &str) -> Result<Sku, String> {
        let s = s.trim();
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err("must be 1 to 64 characters".into());
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err("may contain only letters, digits, '-', '_' and '.'".into());
        }
        Ok(Sku(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;
    /// Checked as sent (after trimming), then stored NFC and lowercase: the characters are judged
    /// before normalization, so `<` + U+0338 cannot become an accepted `≮` (the schema's pattern
    /// sees the same characters). Anything a mail system allows in a local part, `+` included.
    pub fn parse(s: &str) -> Result<Email, String> {
        let bad = || "is not a valid email address".to_owned();
        if s.chars().count() > Self::MAX_CHARS {
            return Err(bad());
        }
        let t = s.trim();
        let valid = t.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }) && !t
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if !valid {
            return Err(bad());
        }
        Ok(Email(unicode::visible_nfc(t)?.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(i64);

impl Quantity {
    pub const MAX: i64 = 99;
    pub fn parse(n: i64) -> Result<Quantity, String> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Quantity(n))
        } else {
            Err(format!("must be between 1 and {}", Self::MAX))
        }
    }
    pub fn get(self) -> i64 {
        self.0
    }
}

/// Money in cents; never floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(i64);

impl Money {
    pub const MAX_CENTS: i64 = 100_000_000;
    pub fn parse(cents: i64) -> Result<Money, String> {
        if (0..=Self::MAX_CENTS).contains(&cents) {
            Ok(Money(cents))
        } else {
            Err(format!("must be between 0 and {} cents", Self::MAX_CENTS))
        }
    }
    pub fn cents(self) -> i64 {
        self.0
    }
}

/// Free text: at most `max` characters as sent, trimmed, non-empty, no control characters but
/// newline and tab, no invisible ones; stored NFC. Stored verbatim (HTML included): escaping is the
/// renderer's job. The length is judged as sent, before trimming and normalization, so it is the
/// schema's `maxLength` exactly.
pub fn text(s: &str, max: usize) -> Result<String, String> {
    if s.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    let t = s.trim();
    if t.is_empty() {
        return Err("must not be empty".into());
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("must not contain control characters".into());
    }
    unicode::visible_nfc(t)
}

/// Like [`text`], but absent, blank or only whitespace is `None`.
pub fn optional_text(s: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match s {
        Some(s) if s.chars().count() > max || !s.trim().is_empty() => text(s, max).map(Some),
        _ => Ok(None),
    }
}

pub fn password(s: &str) -> Result<String, String> {
    match s.chars().count() {
        0..=7 => Err("must be at least 8 characters".into()),
        129.. => Err("must be at most 128 characters".into()),
        _ => Ok(s.to_owned()),
    }
}

pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_rejects_zero_negative_and_huge() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(-1).is_err());
        assert!(Quantity::parse(100).is_err());
        assert_eq!(Quantity::parse(3).unwrap().get(), 3);
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in ["", "ann", "ann@", "@x.com", "a@b", "a b@c.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Café <b>Mug</b> 2!"), "caf-b-mug-b-2");
    }
}
