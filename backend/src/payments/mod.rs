//! Money: the card gateway behind one trait. Checkout authorizes first, commits the order, then
//! captures; every call carries the checkout's Idempotency-Key so a retry, a duplicate or the
//! reconciler after a crash finds the same payment instead of making a second one.
//! This module knows nothing of HTTP or of the shop's database.
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::Card;

pub mod cards;
pub mod stripe;
#[cfg(test)]
mod stripe_tests;
pub mod test_gateway;
#[cfg(test)]
mod test_gateway_tests;

pub use stripe::StripeGateway;
pub use test_gateway::TestGateway;

/// Which gateway `serve` talks to. There is deliberately no default: a deployment must say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentsMode {
    /// The built-in test gateway (test cards; nothing is charged). Never in production.
    Test,
    /// Stripe PaymentIntents with manual capture; needs ECOMM_STRIPE_SECRET_KEY.
    Stripe,
}

/// What to authorize: the card, the amount, and the key that makes the call idempotent.
#[derive(Debug)]
pub struct AuthorizeRequest<'a> {
    pub card: &'a Card,
    pub amount_cents: i64,
    /// ISO 4217, lower or upper case.
    pub currency: &'a str,
    pub idempotency_key: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// Funds are held; `reference` names the payment at the gateway.
    Approved { reference: String },
    /// The card was refused; nothing is held. `reason` is safe to show the shopper.
    Declined { reason: String },
    /// The key already names a payment that is not a hold of this amount and currency: captured,
    /// released, refunded, or made with other parameters. It paid (or was to pay) for something
    /// else, so it must not pay for this; it is left as it is. `detail` is for the log.
    AlreadyUsed { detail: String },
}

/// A payment's state as the gateway sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayState {
    Authorized,
    Captured,
    Voided,
    Refunded,
    Declined,
}

/// A payment found at the gateway (by key, or in the list of open authorizations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayPayment {
    pub reference: String,
    pub idempotency_key: String,
    pub amount_cents: i64,
    pub state: GatewayState,
    /// Milliseconds since the epoch.
    pub created_at_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Network trouble, timeouts, 5xx, rate limits: the outcome is unknown, try again later.
    #[error("payment gateway unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused the request itself (bad parameters, wrong key, wrong state).
    #[error("payment gateway rejected the request: {0}")]
    Rejected(String),
    #[error("payment {0} not found at the gateway")]
    NotFound(String),
    /// The payment is in a state the operation cannot start from (releasing a captured payment,
    /// capturing a released one): what the gateway says of the payment, not of our request.
    #[error("the payment is {0:?} at the gateway")]
    WrongState(GatewayState),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// Holds the amount on the card. Called again with the same key, it answers the same hold
    /// only while the payment is still one, of the same amount and currency; otherwise
    /// [`Authorization::AlreadyUsed`].
    async fn authorize(&self, req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError>;
    /// Takes the held funds. Capturing a captured payment succeeds (idempotent).
    async fn capture(&self, reference: &str) -> Result<(), GatewayError>;
    /// Releases the hold. Voiding a voided payment succeeds (idempotent).
    async fn void(&self, reference: &str) -> Result<(), GatewayError>;
    /// Gives captured money back.
    async fn refund(&self, reference: &str, amount_cents: i64) -> Result<(), GatewayError>;
    /// The payment made with this checkout key, if any.
    async fn lookup(&self, idempotency_key: &str) -> Result<Option<GatewayPayment>, GatewayError>;
    /// Authorizations neither captured nor voided, created before `created_before_ms`: what a
    /// crash between "authorized" and "committed" leaves behind.
    async fn open_authorizations(
        &self,
        created_before_ms: i64,
    ) -> Result<Vec<GatewayPayment>, GatewayError>;
}

/// Builds the gateway named by the mode. Stripe reads its secret key from the environment.
pub fn from_mode(
    mode: PaymentsMode,
    test_ledger: Option<&std::path::Path>,
) -> anyhow::Result<Arc<dyn PaymentGateway>> {
    Ok(match mode {
        PaymentsMode::Test => match test_ledger {
            Some(path) => Arc::new(TestGateway::with_ledger(path)?),
            None => Arc::new(TestGateway::new()),
        },
        PaymentsMode::Stripe => Arc::new(StripeGateway::from_env()?),
    })
}
