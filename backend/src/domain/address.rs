use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{optional_text, text, Checks};

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
        let line2 = checks.check(&f("line2"), optional_text(raw.line2.as_deref(), 200));
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
