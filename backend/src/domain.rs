//! Domain newtypes, parsed at the edge so the rest of the code only sees valid values.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

mod status;
pub use status::{OrderStatus, Role, UnknownVariant, Word};

/// Collects field errors so a client sees every mistake at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn check<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.0.push(FieldError::new(field, m))).ok()
    }
    /// `page` (1–10000, default 1) and `per_page` (1–100, default `default_per_page`).
    pub fn paging(
        &mut self,
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
    ) -> (i64, i64) {
        let page = self.check(
            "page",
            match page.unwrap_or(1) {
                p @ 1..=10_000 => Ok(p),
                _ => Err("must be between 1 and 10000".to_owned()),
            },
        );
        let per_page = self.check(
            "per_page",
            match per_page.unwrap_or(default_per_page) {
                p @ 1..=100 => Ok(p),
                _ => Err("must be between 1 and 100".to_owned()),
            },
        );
        (page.unwrap_or(1), per_page.unwrap_or(default_per_page))
    }
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku(String);

impl Sku {
    pub fn parse(s: &str) -> Result<Sku, String> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
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
    pub fn parse(s: &str) -> Result<Email, String> {
        let s = s.trim().to_lowercase();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if valid {
            Ok(Email(s))
        } else {
            Err("is not a valid email address".into())
        }
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

/// Free text: trimmed, non-empty unless optional, bounded, no control characters. Stored verbatim
/// (HTML included): escaping is the renderer's job.
pub fn text(s: &str, max: usize) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("must not be empty".into());
    }
    if t.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("must not contain control characters".into());
    }
    Ok(t.to_owned())
}

pub fn password(s: &str) -> Result<String, String> {
    match s.chars().count() {
        0..=7 => Err("must be at least 8 characters".into()),
        129.. => Err("must be at most 128 characters".into()),
        _ => Ok(s.to_owned()),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Address {
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2
    pub country: String,
}

impl Address {
    pub fn parse(raw: &Address, prefix: &str, checks: &mut Checks) -> Option<Address> {
        let f = |n: &str| format!("{prefix}.{n}");
        let name = checks.check(&f("name"), text(&raw.name, 100));
        let line1 = checks.check(&f("line1"), text(&raw.line1, 200));
        let line2 = match raw.line2.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(l) => checks.check(&f("line2"), text(l, 200).map(Some)),
        };
        let city = checks.check(&f("city"), text(&raw.city, 100));
        let postal_code = checks.check(
            &f("postal_code"),
            text(&raw.postal_code, 16).and_then(|p| {
                if p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
                {
                    Ok(p)
                } else {
                    Err("may contain only letters, digits, spaces and '-'".into())
                }
            }),
        );
        let country = checks.check(&f("country"), {
            let c = raw.country.trim().to_ascii_uppercase();
            if c.len() == 2 && c.chars().all(|c| c.is_ascii_uppercase()) {
                Ok(c)
            } else {
                Err("must be an ISO 3166-1 alpha-2 code such as US".into())
            }
        });
        Some(Address {
            name: name?,
            line1: line1?,
            line2: line2?,
            city: city?,
            postal_code: postal_code?,
            country: country?,
        })
    }
}

/// A card as it passes through checkout; it is never stored or logged (no Debug of the number).
pub struct Card {
    number: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Card(**** {})", self.last4())
    }
}

impl Card {
    pub fn parse(
        number: &str,
        exp_month: i64,
        exp_year: i64,
        cvc: &str,
        today: (i32, u32),
        checks: &mut Checks,
    ) -> Option<Card> {
        let number = checks.check("payment.card_number", {
            let digits: String = number.chars().filter(|c| *c != ' ' && *c != '-').collect();
            if !(12..=19).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
                Err("must be 12 to 19 digits".to_owned())
            } else if !luhn(&digits) {
                Err("is not a valid card number".to_owned())
            } else {
                Ok(digits)
            }
        });
        let month = checks.check(
            "payment.exp_month",
            if (1..=12).contains(&exp_month) {
                Ok(exp_month as u32)
            } else {
                Err("must be between 1 and 12".into())
            },
        );
        let year = checks.check("payment.exp_year", {
            let (y, _) = today;
            if (i64::from(y)..=i64::from(y) + 20).contains(&exp_year) {
                Ok(exp_year as i32)
            } else {
                Err(format!("must be between {y} and {}", y + 20))
            }
        });
        if let (Some(m), Some(y)) = (month, year) {
            if (y, m) < today {
                checks.check::<()>("payment.exp_month", Err("card has expired".into()));
            }
        }
        checks.check(
            "payment.cvc",
            if (3..=4).contains(&cvc.len()) && cvc.chars().all(|c| c.is_ascii_digit()) {
                Ok(())
            } else {
                Err("must be 3 or 4 digits".into())
            },
        );
        Some(Card {
            number: number?,
            exp_month: month?,
            exp_year: year?,
        })
    }
    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn last4(&self) -> &str {
        &self.number[self.number.len().saturating_sub(4)..]
    }
    pub fn brand(&self) -> &'static str {
        match self.number.as_bytes().first() {
            Some(b'4') => "visa",
            Some(b'5') | Some(b'2') => "mastercard",
            Some(b'3') => "amex",
            _ => "card",
        }
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
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
    fn luhn_accepts_test_cards_and_rejects_typos() {
        assert!(luhn("4242424242424242"));
        assert!(luhn("4000000000000002"));
        assert!(!luhn("4242424242424241"));
    }

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
    fn expired_card_is_rejected_with_its_field() {
        let mut c = Checks::default();
        assert!(Card::parse("4242 4242 4242 4242", 1, 2026, "123", (2026, 11), &mut c).is_some());
        let err = c.finish().unwrap_err();
        assert!(matches!(err, ApiError::Validation(ref v) if v[0].field == "payment.exp_month"));
    }

    #[test]
    fn card_debug_never_shows_the_number() {
        let mut c = Checks::default();
        let card = Card::parse("4242424242424242", 12, 2030, "123", (2026, 1), &mut c).unwrap();
        assert_eq!(format!("{card:?}"), "Card(**** 4242)");
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Café <b>Mug</b> 2!"), "caf-b-mug-b-2");
    }
}
