//! Taking cards the way the provider's own fields do (Stripe's Payment Element):
//!   `create`    prices the cart, writes the checkout attempt, then asks for a PaymentIntent
//!               (manual capture, the server's amount) with a key derived from the attempt, so a
//!               retry or a crash in between finds the same intent; the browser gets its
//!               client secret and confirms with the provider (3-D Secure included);
//!   `complete`  once the intent holds the money (`requires_capture`) for this attempt's amount,
//!               ONE transaction takes the stock and writes the order under the key
//!               `pi:<intent id>`, then the capture follows. The browser's return, the webhook
//!               and the reconciler all come here; the key and the unique payment reference make
//!               every interleaving end in one order.
//! Card numbers never reach this server.
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::inflight::Entry;
use super::lines::checked_lines;
use super::{fault, Answer, Checkout, CheckoutError, FaultPoint};
use crate::payments::stripe::client::{order_key, StripeClient};
use crate::payments::stripe::intent::{
    CreateIntent, Intent, IntentStatus, CHECKOUT_KEY, DEPLOYMENT_KEY,
};
use crate::payments::stripe::stand_in::StandIn;
use crate::payments::GatewayError;
use crate::store::{
    Attempt, AttemptState, CartSource, NewAttempt, PlaceOrder, Placement, StoreError,
};

/// The one currency the shop sells in.
pub const CURRENCY: &str = "USD";
/// A duplicate completion waits this long for the first before 409 + Retry-After.
const DUPLICATE_WAIT: Duration = Duration::from_secs(20);

/// A checkout to start, parsed.
pub struct NewCheckout {
    pub key: String,
    pub fingerprint: String,
    pub cart_key: String,
    /// A guest's lines as its cookie carries them (`None`: the cart stored under `cart_key`).
    pub guest_lines: Option<Vec<crate::domain::CartItem>>,
    pub user_id: Option<i64>,
    pub email: String,
    pub shipping_address: String,
    pub expected_total_cents: Option<i64>,
}

/// What the browser needs to confirm the payment.
#[derive(Debug, Clone)]
pub struct Started {
    pub checkout_id: String,
    pub amount_cents: i64,
    pub currency: String,
    pub intent_id: String,
    pub client_secret: String,
    pub publishable_key: String,
}

/// The card flow; one per process.
pub struct CardFlow {
    pub checkout: Arc<Checkout>,
    pub stripe: Arc<StripeClient>,
    /// Endpoint secrets the webhook's signature may be made with (more than one while rotating).
    pub webhook_secrets: Vec<SecretString>,
    /// Test mode's stand-in of the provider, served under `/test-gateway`.
    pub stand_in: Option<Arc<StandIn>>,
}

impl CardFlow {
    /// Test mode: the adapter and the stand-in's webhooks go to this process's own port.
    pub fn bind_local(&self, port: u16) -> anyhow::Result<()> {
        let Some(stand_in) = &self.stand_in else {
            return Ok(());
        };
        if std::env::var("ECOMM_STRIPE_API_BASE").is_ok_and(|v| !v.trim().is_empty()) {
            // Another process's stand-in serves this one (see `payments::cards::setup`).
        } else {
            self.stripe
                .set_base(&format!("http://127.0.0.1:{port}/test-gateway"))?;
        }
        if let Some(secret) = self.webhook_secrets.first() {
            let url = format!("http://127.0.0.1:{port}/api/payments/stripe/webhook");
            stand_in.hooks.set_target(&url, secret.clone());
        }
        Ok(())
    }

    fn store(&self) -> &dyn crate::store::Store {
        self.checkout.store.as_ref()
    }

    /// Starts (or, with the same key, resumes) a checkout.
    pub async fn create(&self, req: &NewCheckout) -> Result<Started, CheckoutError> {
        loop {
            if let Some(a) = self.store().attempt_by_key(&req.key).await? {
                if a.fingerprint != req.fingerprint {
                    return Err(CheckoutError::KeyReused);
                }
                return self.resume(&a).await;
            }
            let source = match &req.guest_lines {
                Some(lines) => CartSource::Lines(lines),
                None => CartSource::Stored(&req.cart_key),
            };
            let (_, cart) = self.store().checkout_inputs(source, &req.key).await?;
            let lines = checked_lines(&cart, req.expected_total_cents)?;
            let amount: i64 = lines.iter().map(|l| l.unit_price_cents * l.quantity).sum();
            let id = uuid::Uuid::new_v4().to_string();
            let fresh = NewAttempt {
                id: &id,
                request_key: &req.key,
                fingerprint: &req.fingerprint,
                cart_key: &req.cart_key,
                user_id: req.user_id,
                email: &req.email,
                shipping_address: &req.shipping_address,
                lines: &lines,
                amount_cents: amount,
                currency: CURRENCY,
                now: crate::sys::clock::now_ms(),
            };
            // A concurrent request with this key may have written first: then resume theirs.
            if self.store().insert_attempt(&fresh).await? {
                let a = self
                    .store()
                    .attempt_by_key(&req.key)
                    .await?
                    .ok_or(StoreError::NotFound("checkout attempt"))?;
                return self.resume(&a).await;
            }
        }
    }

    /// The attempt's intent, created if the attempt has none yet (its key makes that once).
    async fn resume(&self, a: &Attempt) -> Result<Started, CheckoutError> {
        if a.state == AttemptState::Closed {
            return Err(CheckoutError::Interrupted);
        }
        let intent = match &a.intent_id {
            Some(id) => self.stripe.retrieve_intent(id).await,
            None => self.create_intent(a).await,
        }
        .map_err(unavailable)?;
        Ok(Started {
            checkout_id: a.id.clone(),
            amount_cents: a.amount_cents,
            currency: a.currency.clone(),
            client_secret: intent.client_secret.clone().unwrap_or_default(),
            intent_id: intent.id,
            publishable_key: self.stripe.publishable_key().to_owned(),
        })
    }

    pub(super) async fn create_intent(&self, a: &Attempt) -> Result<Intent, GatewayError> {
        let intent = self
            .stripe
            .create_intent(&CreateIntent {
                amount_cents: a.amount_cents,
                currency: &a.currency,
                deployment: self.stripe.deployment(),
                checkout_id: &a.id,
                receipt_email: &a.email,
            })
            .await?;
        fault::hit(self.checkout.fault, FaultPoint::AfterIntent);
        let now = crate::sys::clock::now_ms();
        self.store()
            .set_attempt_intent(&a.id, &intent.id, now)
            .await
            .map_err(|e| GatewayError::Unavailable(format!("recording the intent: {e}")))?;
        Ok(intent)
    }

    /// Turns an authorized intent into its order, once. `Answer::Created` the first time;
    /// `Answer::Stored` (the order, or the refusal first given) after that.
    pub async fn complete(&self, intent_id: &str) -> Result<Answer, CheckoutError> {
        let a = self
            .store()
            .attempt_by_intent(intent_id)
            .await?
            .ok_or(CheckoutError::UnknownPayment)?;
        let key = order_key(intent_id);
        let _guard = match self.checkout.inflight.enter(&key) {
            Entry::Leader(g) => g,
            Entry::Busy => return Err(CheckoutError::InFlight),
            Entry::Follower(f) => {
                if !f.wait(DUPLICATE_WAIT).await {
                    return Err(CheckoutError::InFlight);
                }
                return self.replay(&a, &key).await?.ok_or(CheckoutError::InFlight);
            }
        };
        if let Some(answer) = self.replay(&a, &key).await? {
            return Ok(answer);
        }
        let intent = self
            .stripe
            .retrieve_intent(intent_id)
            .await
            .map_err(unavailable)?;
        let ours = intent.meta(DEPLOYMENT_KEY) == Some(self.stripe.deployment())
            && intent.meta(CHECKOUT_KEY) == Some(a.id.as_str())
            && intent.amount == a.amount_cents
            && intent.currency.eq_ignore_ascii_case(&a.currency);
        if !ours {
            tracing::error!(intent_id, checkout_id = %a.id, "intent does not match its checkout attempt");
            return Err(CheckoutError::PaymentMismatch);
        }
        match intent.status {
            IntentStatus::RequiresCapture => self.place(&a, &key, &intent).await,
            IntentStatus::Canceled => {
                self.close(&a, &key, "the payment was cancelled").await?;
                Err(not_authorized(
                    "the payment was cancelled; please check out again",
                ))
            }
            // Money taken without an order: never done here (capture follows the order).
            IntentStatus::Succeeded => {
                tracing::error!(intent_id, "intent captured but no order has its key");
                Err(CheckoutError::PaymentMismatch)
            }
            other => Err(not_authorized(&format!(
                "the payment is not authorized yet ({})",
                other.as_str()
            ))),
        }
    }

    async fn place(
        &self,
        a: &Attempt,
        key: &str,
        intent: &Intent,
    ) -> Result<Answer, CheckoutError> {
        let card = intent.card();
        let order = PlaceOrder {
            id: uuid::Uuid::new_v4().to_string(),
            key,
            fingerprint: &a.id,
            cart_key: &a.cart_key,
            user_id: a.user_id,
            email: &a.email,
            shipping_address: &a.shipping_address,
            payment_brand: if card.brand.is_empty() {
                "card"
            } else {
                &card.brand
            },
            payment_last4: &card.last4,
            total_cents: a.amount_cents,
            payment_reference: &intent.id,
            lines: &a.lines,
            now: crate::sys::clock::now_ms(),
        };
        match self.store().place_order(&order).await {
            Ok(Placement::Placed) => {
                fault::hit(self.checkout.fault, FaultPoint::AfterCommit);
                let now = crate::sys::clock::now_ms();
                self.store()
                    .close_attempt(&a.id, AttemptState::Ordered, Some(&order.id), None, now)
                    .await?;
                let placed = self.store().order(&order.id).await?;
                let (checkout, id, reference) =
                    (self.checkout.clone(), order.id.clone(), intent.id.clone());
                tokio::spawn(async move {
                    fault::hit(checkout.fault, FaultPoint::BeforeCapture);
                    checkout.capture(&id, &reference).await;
                });
                Ok(Answer::Created(placed))
            }
            Ok(Placement::KeyTaken) => self.replay(a, key).await?.ok_or(CheckoutError::InFlight),
            Err(StoreError::InsufficientStock { lines }) => {
                self.refuse(a, key, CheckoutError::InsufficientStock(lines))
                    .await
            }
            Err(StoreError::PriceChanged) => {
                let err = CheckoutError::PriceChanged {
                    expected: Some(a.amount_cents),
                    actual: a.amount_cents,
                };
                self.refuse(a, key, err).await
            }
            Err(StoreError::PaymentAlreadyUsed) => Err(CheckoutError::PaymentAlreadyUsed),
            Err(e) => Err(e.into()),
        }
    }

    /// The order could not be made: the refusal becomes the key's answer, then the hold is
    /// released (the shopper is not charged).
    async fn refuse(
        &self,
        a: &Attempt,
        key: &str,
        err: CheckoutError,
    ) -> Result<Answer, CheckoutError> {
        let (status, body) = (self.checkout.render)(&err);
        let now = crate::sys::clock::now_ms();
        if !self
            .store()
            .settle_key(key, &a.id, i64::from(status), &body, now)
            .await?
        {
            return self.replay(a, key).await?.ok_or(CheckoutError::InFlight);
        }
        self.release(a, &err.to_string()).await?;
        Err(err)
    }

    /// Closes the attempt for good: its key answers `payment-not-authorized` from now on (so no
    /// late completion can make an order), the intent is cancelled, the attempt is closed.
    pub(super) async fn close(
        &self,
        a: &Attempt,
        key: &str,
        why: &str,
    ) -> Result<(), CheckoutError> {
        let (status, body) = (self.checkout.render)(&not_authorized(why));
        let now = crate::sys::clock::now_ms();
        if self
            .store()
            .settle_key(key, &a.id, i64::from(status), &body, now)
            .await?
        {
            self.release(a, why).await?;
        } else if let Some(Answer::Stored { order: Some(o), .. }) = self.replay(a, key).await? {
            tracing::info!(order_id = %o.row.id, "attempt already has its order");
        }
        Ok(())
    }

    async fn release(&self, a: &Attempt, why: &str) -> Result<(), CheckoutError> {
        if let Some(id) = &a.intent_id {
            if let Err(e) = self.stripe.cancel_intent(id).await {
                // Left open: the reconciler finds the attempt and tries again.
                tracing::warn!(intent_id = %id, error = %e, "cancelling the intent failed");
                return Ok(());
            }
        }
        let now = crate::sys::clock::now_ms();
        self.store()
            .close_attempt(&a.id, AttemptState::Closed, None, Some(why), now)
            .await?;
        Ok(())
    }

    /// The answer already given for this intent, if any (its order, or its refusal).
    async fn replay(&self, a: &Attempt, key: &str) -> Result<Option<Answer>, CheckoutError> {
        let Some(rec) = self.store().idempotency_record(key).await? else {
            return Ok(None);
        };
        let Some(status) = rec.response_status else {
            return Err(CheckoutError::InFlight);
        };
        let order = match rec.order_id {
            Some(id) => {
                let now = crate::sys::clock::now_ms();
                self.store()
                    .close_attempt(&a.id, AttemptState::Ordered, Some(&id), None, now)
                    .await?;
                Some(self.store().order(&id).await?)
            }
            None => None,
        };
        Ok(Some(Answer::Stored {
            status: status as u16,
            body: rec.response_body.unwrap_or_default(),
            order,
        }))
    }
}

fn not_authorized(why: &str) -> CheckoutError {
    CheckoutError::PaymentNotAuthorized(why.to_owned())
}

fn unavailable(e: GatewayError) -> CheckoutError {
    match e {
        GatewayError::NotFound(_) => CheckoutError::UnknownPayment,
        e => {
            tracing::warn!(error = %e, "payment provider call failed");
            CheckoutError::GatewayUnavailable
        }
    }
}
