//! Payments go through a gateway trait; the built-in one is a test mode on the usual test cards.
use async_trait::async_trait;

use crate::domain::Card;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Approved { reference: String },
    Declined { reason: String },
}

#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    async fn charge(
        &self,
        card: &Card,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> anyhow::Result<PaymentOutcome>;
}

/// Test mode: 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds,
/// every other valid card number is approved.
pub struct TestGateway;

#[async_trait]
impl PaymentGateway for TestGateway {
    async fn charge(
        &self,
        card: &Card,
        _amount_cents: i64,
        idempotency_key: &str,
    ) -> anyhow::Result<PaymentOutcome> {
        Ok(match card.number() {
            "4000000000000002" => PaymentOutcome::Declined {
                reason: "Your card was declined.".into(),
            },
            "4000000000009995" => PaymentOutcome::Declined {
                reason: "Your card has insufficient funds.".into(),
            },
            _ => PaymentOutcome::Approved {
                reference: format!(
                    "test_{}",
                    &idempotency_key.chars().take(24).collect::<String>()
                ),
            },
        })
    }
}
