//! Settles what a crash leaves undecided, by asking the gateway (one reconciler per cluster: a
//! Postgres advisory lock elects it; on SQLite the single process is it).
//!   * an order committed as paid/authorized but never captured → capture it (or, if the gateway
//!     no longer holds the money, cancel the order and put its stock back — unless it was shipped
//!     meanwhile: then only the missing money is recorded, for a person to collect);
//!   * a cancelled order whose money is still held or was taken → void or refund it;
//!   * an authorization with no committed order → close its key with a final answer (so a retry
//!     is told, and a late commit of that key cannot happen) and void it.
//!
//! Only payments older than `--reconcile-after` are touched: younger ones may still be in flight.
//! `jobs::reconcile` runs the passes.
use std::time::Duration;

use super::{Checkout, CheckoutError, ABANDONED};
use crate::domain::{OrderStatus, PaymentState};
use crate::payments::{GatewayError, GatewayPayment, GatewayState};
use crate::store::{InDoubtOrder, StoreError, VoidedOrder};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub captured: u32,
    pub voided: u32,
    /// Paid orders whose money the gateway no longer holds: cancelled and restocked.
    pub cancelled: u32,
    /// Cancelled orders whose captured money was given back.
    pub refunded: u32,
    /// Shipped or delivered orders whose authorization is gone: recorded as voided, left shipped.
    pub shipped_unpaid: u32,
    /// Still undecided (the gateway was unreachable): the next pass tries again.
    pub unresolved: u32,
}

/// One pass over everything older than `after`.
pub async fn pass(c: &Checkout, after: Duration) -> Result<PassReport, StoreError> {
    let cutoff = crate::sys::clock::now_ms() - after.as_millis() as i64;
    let mut r = PassReport::default();
    for order in c.store.in_doubt_orders(cutoff, 500).await? {
        if order.cancelled {
            settle_cancelled(c, &order, &mut r).await?;
        } else {
            settle_committed(c, &order, &mut r).await?;
        }
    }
    match c.gateway.open_authorizations(cutoff).await {
        Ok(open) => {
            for p in open {
                settle_open(c, &p, &mut r).await?;
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "reconciler: cannot list open authorizations");
            r.unresolved += 1;
        }
    }
    metrics::gauge!("ecomm_payments_in_doubt").set(f64::from(r.unresolved));
    for (action, n) in [
        ("captured", r.captured),
        ("voided", r.voided),
        ("cancelled", r.cancelled),
        ("shipped_unpaid", r.shipped_unpaid),
    ] {
        if n > 0 {
            metrics::counter!("ecomm_payments_reconciled_total", "action" => action)
                .increment(u64::from(n));
        }
    }
    Ok(r)
}

/// An order committed with its money only authorized.
async fn settle_committed(
    c: &Checkout,
    o: &InDoubtOrder,
    r: &mut PassReport,
) -> Result<(), StoreError> {
    let now = crate::sys::clock::now_ms();
    let outcome = match c.gateway.capture(&o.payment_reference).await {
        Ok(()) => Ok(GatewayState::Captured),
        Err(GatewayError::Unavailable(e)) => Err(e),
        // Refused: ask what the gateway knows of this key.
        Err(_) => match c.gateway.lookup(&o.idempotency_key).await {
            Ok(Some(p)) if p.reference == o.payment_reference => Ok(p.state),
            Ok(_) => Ok(GatewayState::Voided),
            Err(e) => Err(e.to_string()),
        },
    };
    match outcome {
        Ok(GatewayState::Captured) => {
            c.store
                .set_payment_state(
                    &o.order_id,
                    PaymentState::Authorized,
                    PaymentState::Captured,
                    now,
                )
                .await?;
            r.captured += 1;
        }
        Ok(GatewayState::Refunded) => {
            c.store
                .set_payment_state(
                    &o.order_id,
                    PaymentState::Authorized,
                    PaymentState::Refunded,
                    now,
                )
                .await?;
        }
        Ok(GatewayState::Voided | GatewayState::Declined) => {
            match c.store.void_order(&o.order_id, now).await? {
                VoidedOrder::Cancelled => {
                    tracing::error!(order_id = %o.order_id, "paid order whose authorization is gone: cancelled it");
                    r.cancelled += 1;
                }
                VoidedOrder::PaymentOnly(
                    status @ (OrderStatus::Shipped | OrderStatus::Delivered),
                ) => {
                    tracing::error!(order_id = %o.order_id, %status, "an order that left the warehouse has no money behind it: collect it by hand");
                    r.shipped_unpaid += 1;
                }
                // Cancelled by someone else meanwhile, who restocked it; or already settled.
                VoidedOrder::PaymentOnly(_) | VoidedOrder::Unchanged => {}
            }
        }
        Ok(GatewayState::Authorized) | Err(_) => r.unresolved += 1,
    }
    Ok(())
}

/// A cancelled order whose money is still held (void it) or was taken (refund it).
pub async fn settle_cancelled(
    c: &Checkout,
    o: &InDoubtOrder,
    r: &mut PassReport,
) -> Result<(), StoreError> {
    let now = crate::sys::clock::now_ms();
    let mut state = o.payment_state;
    if state == PaymentState::Authorized {
        match c.gateway.void(&o.payment_reference).await {
            Ok(()) => {
                c.store
                    .set_payment_state(&o.order_id, state, PaymentState::Voided, now)
                    .await?;
                r.voided += 1;
                return Ok(());
            }
            // Captured meanwhile, as the gateway itself says: give it back instead. Any other
            // refusal (a revoked key, bad parameters) says nothing of the money: retry later.
            Err(GatewayError::WrongState(GatewayState::Captured)) => {
                c.store
                    .set_payment_state(&o.order_id, state, PaymentState::Captured, now)
                    .await?;
                state = PaymentState::Captured;
            }
            Err(e) => {
                tracing::warn!(order_id = %o.order_id, error = %e, "reconciler: void failed");
                r.unresolved += 1;
                return Ok(());
            }
        }
    }
    if state == PaymentState::Captured {
        match c.gateway.refund(&o.payment_reference, o.total_cents).await {
            Ok(()) => {
                c.store
                    .set_payment_state(&o.order_id, state, PaymentState::Refunded, now)
                    .await?;
                r.refunded += 1;
            }
            Err(e) => {
                tracing::warn!(order_id = %o.order_id, error = %e, "reconciler: refund failed");
                r.unresolved += 1;
            }
        }
    }
    Ok(())
}

/// An authorization at the gateway that nobody captured or voided.
async fn settle_open(
    c: &Checkout,
    p: &GatewayPayment,
    r: &mut PassReport,
) -> Result<(), StoreError> {
    let (status, body) = (c.render)(&CheckoutError::Interrupted);
    let now = crate::sys::clock::now_ms();
    // Closing the key first means the checkout that made this authorization can no longer commit.
    let closed = c
        .store
        .settle_key(&p.idempotency_key, ABANDONED, i64::from(status), &body, now)
        .await?;
    if !closed {
        let rec = c.store.idempotency_record(&p.idempotency_key).await?;
        if let Some(order_id) = rec.and_then(|rec| rec.order_id) {
            let order = c.store.order(&order_id).await?;
            if order.row.payment_reference.as_deref() == Some(p.reference.as_str()) {
                match order.row.payment_state {
                    PaymentState::Authorized => {
                        let o = InDoubtOrder {
                            order_id,
                            idempotency_key: p.idempotency_key.clone(),
                            payment_reference: p.reference.clone(),
                            payment_state: PaymentState::Authorized,
                            cancelled: order.row.status == OrderStatus::Cancelled,
                            total_cents: order.row.total_cents,
                        };
                        if o.cancelled {
                            return settle_cancelled(c, &o, r).await;
                        }
                        return settle_committed(c, &o, r).await;
                    }
                    // Cancelled order: release the money below.
                    PaymentState::Voided => {}
                    // Already settled; the gateway's list lags behind (Stripe search can).
                    _ => return Ok(()),
                }
            }
            // Otherwise: a second authorization for a key whose order used another one.
        }
    }
    match c.gateway.void(&p.reference).await {
        Ok(()) => r.voided += 1,
        Err(e) => {
            tracing::warn!(reference = %p.reference, error = %e, "reconciler: void failed");
            r.unresolved += 1;
        }
    }
    Ok(())
}
