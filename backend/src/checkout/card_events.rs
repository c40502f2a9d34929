//! What the provider's events do. Each drives the same code as the browser and the reconciler:
//!   payment_intent.amount_capturable_updated / .succeeded  complete the order (the browser may
//!                                                          never have come back)
//!   payment_intent.payment_failed                          noted on the attempt (the shopper
//!                                                          may still try another card)
//!   payment_intent.canceled                                closes the checkout for good
//!   charge.refunded                                        records the refund on the order
//!   charge.dispute.created                                 marks the order disputed
//! Other types are acknowledged and ignored; so are intents of other deployments.
use serde_json::Value;

use super::attempts::CardFlow;
use super::CheckoutError;
use crate::payments::stripe::client::order_key;
use crate::payments::stripe::intent::DEPLOYMENT_KEY;
use crate::payments::stripe::webhook::Event;
use crate::store::AttemptState;

/// Whether an event was acted on, or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Done,
    Ignored,
}

impl CardFlow {
    /// Acts on one verified event. An error means "try again later" (the provider redelivers).
    pub async fn on_event(&self, event: &Event) -> Result<Handled, CheckoutError> {
        let object = &event.data.object;
        let now = crate::sys::clock::now_ms();
        match event.kind.as_str() {
            "payment_intent.amount_capturable_updated" | "payment_intent.succeeded" => {
                let Some(id) = self.our_intent(object) else {
                    return Ok(Handled::Ignored);
                };
                match self.complete(id).await {
                    Ok(_) => Ok(Handled::Done),
                    // Unknown here, or settled otherwise (refused, cancelled): nothing to retry.
                    Err(
                        CheckoutError::UnknownPayment
                        | CheckoutError::PaymentNotAuthorized(_)
                        | CheckoutError::PaymentMismatch
                        | CheckoutError::InsufficientStock(_)
                        | CheckoutError::PriceChanged { .. }
                        | CheckoutError::PaymentAlreadyUsed,
                    ) => Ok(Handled::Done),
                    Err(e) => Err(e),
                }
            }
            "payment_intent.payment_failed" => {
                let Some(id) = self.our_intent(object) else {
                    return Ok(Handled::Ignored);
                };
                let Some(a) = self.checkout.store.attempt_by_intent(id).await? else {
                    return Ok(Handled::Ignored);
                };
                let why = object["last_payment_error"]["message"]
                    .as_str()
                    .unwrap_or("the payment failed");
                self.checkout
                    .store
                    .close_attempt(&a.id, AttemptState::Open, None, Some(why), now)
                    .await?;
                Ok(Handled::Done)
            }
            "payment_intent.canceled" => {
                let Some(id) = self.our_intent(object) else {
                    return Ok(Handled::Ignored);
                };
                let Some(a) = self.checkout.store.attempt_by_intent(id).await? else {
                    return Ok(Handled::Ignored);
                };
                self.close(&a, &order_key(id), "the payment was cancelled")
                    .await?;
                Ok(Handled::Done)
            }
            "charge.refunded" => {
                let (Some(intent), Some(refunded)) = (
                    object["payment_intent"].as_str(),
                    object["amount_refunded"].as_i64(),
                ) else {
                    return Ok(Handled::Ignored);
                };
                let full = object["refunded"].as_bool().unwrap_or(false);
                self.checkout
                    .store
                    .record_refund(intent, refunded, full, now)
                    .await?;
                Ok(Handled::Done)
            }
            "charge.dispute.created" => {
                let Some(intent) = object["payment_intent"].as_str() else {
                    return Ok(Handled::Ignored);
                };
                if self.checkout.store.record_dispute(intent, now).await? {
                    tracing::warn!(intent_id = intent, reason = %object["reason"], "payment disputed: the order is marked for the back office");
                }
                Ok(Handled::Done)
            }
            _ => Ok(Handled::Ignored),
        }
    }

    /// The intent's id when this deployment made it.
    fn our_intent<'a>(&self, object: &'a Value) -> Option<&'a str> {
        let mine = object["metadata"][DEPLOYMENT_KEY].as_str() == Some(self.stripe.deployment());
        mine.then(|| object["id"].as_str()).flatten()
    }
}
