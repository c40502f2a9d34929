use super::Checks;

/// A card as it passes through checkout; it is never stored or logged (no Debug of the number).
pub struct Card {
    number: String,
    /// Passed to the gateway with the authorization, never stored.
    cvc: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Card(**** {})", self.last4())
    }
}

impl Card {
    /// The card's form; whether it has expired is [`Card::expired`]'s question (an answer that
    /// changes with the date, like a bank's, so not a malformed request).
    pub fn parse(
        number: &str,
        exp_month: i64,
        exp_year: i64,
        cvc: &str,
        checks: &mut Checks,
    ) -> Option<Card> {
        let number = checks.check("payment.card_number", {
            let digits: String = number
                .trim()
                .chars()
                .filter(|c| *c != ' ' && *c != '-')
                .collect();
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
        // Any year a card can print as YY; whether it is in the past is judged below (a rule
        // relative to today, which the static API document describes but cannot state).
        let year = checks.check(
            "payment.exp_year",
            if (2000..=2099).contains(&exp_year) {
                Ok(exp_year as i32)
            } else {
                Err("must be between 2000 and 2099".into())
            },
        );
        let cvc = cvc.trim();
        let cvc = checks.check(
            "payment.cvc",
            if (3..=4).contains(&cvc.len()) && cvc.chars().all(|c| c.is_ascii_digit()) {
                Ok(cvc.to_owned())
            } else {
                Err("must be 3 or 4 digits".into())
            },
        );
        Some(Card {
            number: number?,
            cvc: cvc?,
            exp_month: month?,
            exp_year: year?,
        })
    }
    /// Whether the card's last month is before `today` (year, month).
    pub fn expired(&self, today: (i32, u32)) -> bool {
        (self.exp_year, self.exp_month) < today
    }
    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn cvc(&self) -> &str {
        &self.cvc
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

/// The Luhn check of a string of ASCII digits (the caller has checked they are digits).
pub fn luhn(digits: &str) -> bool {
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
    fn a_card_expires_after_its_last_month() {
        let mut c = Checks::default();
        let card = Card::parse("4242 4242 4242 4242", 10, 2026, "123", &mut c).unwrap();
        assert!(!card.expired((2026, 10)));
        assert!(card.expired((2026, 11)));
        assert!(card.expired((2027, 1)));
    }

    #[test]
    fn card_debug_never_shows_the_number() {
        let mut c = Checks::default();
        let card = Card::parse("4242424242424242", 12, 2030, "123", &mut c).unwrap();
        assert_eq!(format!("{card:?}"), "Card(**** 4242)");
    }
}
