//! Building the card flow's parts for a mode: the Stripe adapter (to Stripe, or to the stand-in
//! served by this process in test mode), the webhook secrets, and in test mode the stand-in.
//! Test mode also keeps the built-in card gateway for clients of the old card-number checkout
//! (`--legacy-card-checkout`); [`Routed`] sends each payment to the gateway that made it.
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;

use super::stripe::client::StripeClient;
use super::stripe::stand_in::{StandIn, PUBLISHABLE_KEY};
use super::stripe::stand_in_hooks::{Delivery, Hooks};
use super::stripe::webhook::secrets_from;
use super::{
    Authorization, AuthorizeRequest, GatewayError, GatewayPayment, PaymentGateway, PaymentsMode,
};

pub struct CardSetup {
    pub stripe: Arc<StripeClient>,
    pub stand_in: Option<Arc<StandIn>>,
    pub webhook_secrets: Vec<SecretString>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Stripe mode needs `ECOMM_STRIPE_SECRET_KEY`, `ECOMM_STRIPE_PUBLISHABLE_KEY` and
/// `ECOMM_STRIPE_WEBHOOK_SECRET`; test mode needs nothing (`ECOMM_TEST_GATEWAY_WEBHOOKS` sets the
/// stand-in's delivery, default `on`; `ECOMM_STRIPE_API_BASE` may point at another replica's
/// stand-in so that several replicas share one, all given the same `ECOMM_STRIPE_SECRET_KEY`).
pub fn setup(mode: PaymentsMode, deployment: &str) -> anyhow::Result<CardSetup> {
    match mode {
        PaymentsMode::Stripe => {
            let need = |name: &str| {
                env(name).ok_or_else(|| anyhow::anyhow!("--payments stripe needs {name}"))
            };
            let secret = SecretString::from(need("ECOMM_STRIPE_SECRET_KEY")?);
            let publishable = need("ECOMM_STRIPE_PUBLISHABLE_KEY")?;
            let hooks = secrets_from(&SecretString::from(need("ECOMM_STRIPE_WEBHOOK_SECRET")?));
            let base = env("ECOMM_STRIPE_API_BASE")
                .unwrap_or_else(|| super::stripe::DEFAULT_BASE_URL.to_owned());
            Ok(CardSetup {
                stripe: Arc::new(StripeClient::new(&base, secret, &publishable, deployment)?),
                stand_in: None,
                webhook_secrets: hooks,
            })
        }
        PaymentsMode::Test => {
            let delivery: Delivery = env("ECOMM_TEST_GATEWAY_WEBHOOKS")
                .as_deref()
                .unwrap_or("on")
                .parse()
                .map_err(|e| anyhow::anyhow!("ECOMM_TEST_GATEWAY_WEBHOOKS: {e}"))?;
            let mut setup = test_setup(delivery, deployment)?;
            if let Some(secret) = env("ECOMM_STRIPE_WEBHOOK_SECRET") {
                setup.webhook_secrets = secrets_from(&SecretString::from(secret));
            }
            // Another replica's stand-in, so that replicas share one.
            if let Some(base) = env("ECOMM_STRIPE_API_BASE") {
                setup.stripe.set_base(&base)?;
            }
            Ok(setup)
        }
    }
}

/// Test mode's parts: the stand-in, a fresh webhook secret, and the adapter pointed at the
/// stand-in (at this process's own port once it is bound: `CardFlow::bind_local`).
pub fn test_setup(delivery: Delivery, deployment: &str) -> anyhow::Result<CardSetup> {
    // Replicas that share one stand-in (`ECOMM_STRIPE_API_BASE`) share its secret key too.
    let stand_in = match env("ECOMM_STRIPE_SECRET_KEY") {
        Some(key) => StandIn::with_secret_key(Hooks::new(delivery)?, key),
        None => StandIn::new(Hooks::new(delivery)?),
    };
    let webhook = format!("whsec_standin_{}", uuid::Uuid::new_v4().simple());
    let secret = SecretString::from(stand_in.secret_key().to_owned());
    let base = "http://127.0.0.1:9/test-gateway";
    Ok(CardSetup {
        stripe: Arc::new(StripeClient::new(
            base,
            secret,
            PUBLISHABLE_KEY,
            deployment,
        )?),
        webhook_secrets: secrets_from(&SecretString::from(webhook)),
        stand_in: Some(stand_in),
    })
}

/// Payments of the card flow (`pi_…`) go to the Stripe adapter; the rest to the gateway of the
/// old card-number checkout.
pub struct Routed {
    pub cards: Arc<StripeClient>,
    pub legacy: Arc<dyn PaymentGateway>,
}

impl Routed {
    fn by_reference(&self, reference: &str) -> &dyn PaymentGateway {
        if reference.starts_with("pi_") {
            self.cards.as_ref()
        } else {
            self.legacy.as_ref()
        }
    }
}

#[async_trait]
impl PaymentGateway for Routed {
    async fn authorize(&self, req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError> {
        self.legacy.authorize(req).await
    }
    async fn capture(&self, reference: &str) -> Result<(), GatewayError> {
        self.by_reference(reference).capture(reference).await
    }
    async fn void(&self, reference: &str) -> Result<(), GatewayError> {
        self.by_reference(reference).void(reference).await
    }
    async fn refund(&self, reference: &str, amount_cents: i64) -> Result<(), GatewayError> {
        self.by_reference(reference)
            .refund(reference, amount_cents)
            .await
    }
    async fn lookup(&self, key: &str) -> Result<Option<GatewayPayment>, GatewayError> {
        if key.starts_with("pi:") {
            self.cards.lookup(key).await
        } else {
            self.legacy.lookup(key).await
        }
    }
    async fn open_authorizations(
        &self,
        created_before_ms: i64,
    ) -> Result<Vec<GatewayPayment>, GatewayError> {
        self.legacy.open_authorizations(created_before_ms).await
    }
}
