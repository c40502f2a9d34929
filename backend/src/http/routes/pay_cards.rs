//! The server never accepts card data: a checkout body is searched for it before anything else
//! reads it. Card data is a `payment` object (the old checkout's), a field named as card fields
//! are, or any string that is a card number (13 to 19 digits, spaces or dashes allowed, passing
//! the Luhn check). The refusal names where it was found, never the value.
use serde_json::Value;

const CARD_FIELDS: &[&str] = &[
    "payment",
    "card",
    "card_number",
    "cardnumber",
    "number",
    "pan",
    "cvc",
    "cvv",
    "cvv2",
    "exp_month",
    "exp_year",
    "expiry",
];

fn looks_like_card_number(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (13..=19).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && crate::domain::luhn(&digits)
}

/// The path of the first card data in `body`, if there is any.
pub fn card_data_at(body: &Value) -> Option<String> {
    fn walk(v: &Value, path: &str) -> Option<String> {
        match v {
            Value::Object(map) => map.iter().find_map(|(k, v)| {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if CARD_FIELDS.contains(&k.to_ascii_lowercase().as_str()) {
                    return Some(here);
                }
                walk(v, &here)
            }),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            Value::String(s) if looks_like_card_number(s) => Some(if path.is_empty() {
                "body".to_owned()
            } else {
                path.to_owned()
            }),
            _ => None,
        }
    }
    walk(body, "")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::card_data_at;

    #[test]
    fn the_old_payment_object_is_card_data() {
        let body = json!({"email": "a@b.c", "payment": {"card_number": "4242424242424242"}});
        assert_eq!(card_data_at(&body).as_deref(), Some("payment"));
    }

    #[test]
    fn a_card_number_in_any_field_is_card_data_and_named_by_its_path() {
        let body = json!({"shipping_address": {"line2": "4242 4242 4242 4242"}});
        assert_eq!(
            card_data_at(&body).as_deref(),
            Some("shipping_address.line2")
        );
    }

    #[test]
    fn an_ordinary_checkout_body_has_no_card_data() {
        let body = json!({"email": "a@b.c", "expected_total_cents": 4200,
            "shipping_address": {"line1": "1 Main St", "postal_code": "12345", "phone": "+44 20 7946 0958"}});
        assert_eq!(card_data_at(&body), None);
    }
}
