//! The reconciler's share of the card flow: every open checkout attempt older than `after` is
//! settled from its intent, looked up by id (Stripe's Search is eventually consistent and would
//! also find other deployments' intents; the attempts table holds only ours):
//!   no intent recorded      a crash around the create call: create again with the same derived
//!                           key (the provider answers the same intent), then cancel it;
//!   requires_capture        the money is held and nobody completed: complete it (the order);
//!   canceled                close the attempt;
//!   anything else           the shopper is still at it; after `abandon_after`, cancel it.
use std::time::Duration;

use super::attempts::CardFlow;
use super::CheckoutError;
use crate::payments::stripe::client::order_key;
use crate::payments::stripe::intent::IntentStatus;
use crate::payments::GatewayError;
use crate::store::StoreError;

/// How long a shopper may take between creating a checkout and paying (3-D Secure included).
pub const ABANDON_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CardPass {
    /// Orders made for intents nobody completed.
    pub completed: u32,
    /// Attempts closed (their intents cancelled).
    pub closed: u32,
    /// Left for a later pass (the provider was unreachable, or the shopper is still paying).
    pub pending: u32,
}

impl CardFlow {
    pub async fn reconcile(
        &self,
        after: Duration,
        abandon_after: Duration,
    ) -> Result<CardPass, StoreError> {
        let now = crate::sys::clock::now_ms();
        let cutoff = now - after.as_millis() as i64;
        let abandoned = now - abandon_after.as_millis() as i64;
        let mut r = CardPass::default();
        for a in self.checkout.store.open_attempts(cutoff, 200).await? {
            let intent = match &a.intent_id {
                None => self.create_intent(&a).await.map(|i| (i, true)),
                Some(id) => self.stripe.retrieve_intent(id).await.map(|i| (i, false)),
            };
            let (intent, unseen) = match intent {
                Ok(found) => found,
                Err(GatewayError::NotFound(id)) => {
                    tracing::error!(checkout_id = %a.id, intent_id = %id, "the provider does not know this attempt's intent");
                    r.pending += 1;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(checkout_id = %a.id, error = %e, "reconciler: provider unavailable");
                    r.pending += 1;
                    continue;
                }
            };
            let key = order_key(&intent.id);
            let mut a = a;
            a.intent_id = Some(intent.id.clone());
            let outcome = match intent.status {
                IntentStatus::RequiresCapture | IntentStatus::Succeeded if !unseen => {
                    self.complete(&intent.id).await.map(|_| &mut r.completed)
                }
                IntentStatus::Canceled => self
                    .close(&a, &key, "the payment was cancelled")
                    .await
                    .map(|_| &mut r.closed),
                // The shopper never had this intent's secret: nobody can be paying it.
                _ if unseen || a.updated_at < abandoned => self
                    .close(&a, &key, "the checkout was abandoned")
                    .await
                    .map(|_| &mut r.closed),
                _ => Ok(&mut r.pending),
            };
            match outcome {
                Ok(n) => *n += 1,
                Err(CheckoutError::Store(e)) => return Err(e),
                Err(e) => {
                    tracing::warn!(checkout_id = %a.id, error = %e, "reconciler: attempt not settled");
                    r.pending += 1;
                }
            }
        }
        Ok(r)
    }
}
