//! Placing an order, safe across crashes and duplicates:
//!   read the key and the cart → take a place in the card-testing budget → authorize the total at
//!   the gateway (with the Idempotency-Key) → ONE database statement/transaction (claim the key,
//!   take every line's stock, write the order as paid/authorized with its stored answer) →
//!   answer the shopper → capture.
//! One payment pays for one order: the gateway must answer a fresh hold of this amount for this
//! key, and the store refuses a second order with the same payment reference.
//! The work runs in its own task, so a client that disconnects does not stop it halfway; what a
//! crash leaves undecided is settled by the [`reconciler`].
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::domain::{Card, CartItem};
use crate::payments::{Authorization, AuthorizeRequest, PaymentGateway};
use crate::security::declines::Attempt;
use crate::store::{
    CartSource, IdempotencyRecord, Order, PlaceOrder, Placement, ShortLine, Store, StoreError,
};

pub mod attempts;
mod captures;
pub mod card_events;
pub mod card_reconcile;
pub mod fault;
pub mod inflight;
mod lines;
pub mod reconciler;

use captures::Captures;
pub use fault::FaultPoint;
use inflight::{Entry, InFlight};
use lines::{checked_lines, order_reference, placed};

/// How long a duplicate waits for the first request with its key before 409 + Retry-After.
const DUPLICATE_WAIT: Duration = Duration::from_secs(20);
/// A key claimed by another process without an answer yet is re-read this often, this many times.
const REMOTE_POLLS: u32 = 8;
const REMOTE_POLL_EVERY: Duration = Duration::from_millis(250);
/// Fingerprint of a key the reconciler closed (the checkout never committed): any retry with that
/// key gets the stored answer, whatever its body.
pub const ABANDONED: &str = "abandoned-by-reconciler";

/// A checkout, parsed and ready.
pub struct OrderRequest {
    pub key: String,
    pub fingerprint: String,
    pub cart_key: String,
    /// A guest's lines as its cookie carries them (`None`: the cart stored under `cart_key`).
    pub guest_lines: Option<Vec<CartItem>>,
    pub user_id: Option<i64>,
    pub email: String,
    /// The shipping address as stored (JSON).
    pub shipping_address: String,
    pub card: Card,
    pub expected_total_cents: Option<i64>,
    /// The card-testing budgets this checkout draws on (`None`: no limit).
    pub attempt: Option<Attempt>,
}

/// What the shopper is told.
pub enum Answer {
    /// A new order (201).
    Created(Order),
    /// The answer first given for this key: a status and body, and the order if there is one.
    Stored {
        status: u16,
        body: String,
        order: Option<Order>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("your cart is empty")]
    EmptyCart,
    #[error("a cart may hold at most {max} different products; this one has {lines}")]
    CartTooLarge { lines: usize, max: usize },
    #[error("insufficient stock")]
    InsufficientStock(Vec<ShortLine>),
    #[error("prices changed since you saw your cart: the total is now {actual} cents")]
    PriceChanged { expected: Option<i64>, actual: i64 },
    #[error("{0}")]
    Declined(String),
    /// Too many declines from this client or for this email: retry after this many seconds.
    #[error("too many declined payments")]
    TooManyDeclines(u64),
    /// The gateway's payment for this key already paid (or was to pay) for something else.
    #[error("the payment made with this Idempotency-Key already belongs to an order, so it cannot pay for another; nothing more was charged. To buy again, check out with a new Idempotency-Key")]
    PaymentAlreadyUsed,
    #[error("this Idempotency-Key was used with a different request")]
    KeyReused,
    #[error("a request with this Idempotency-Key is still in progress")]
    InFlight,
    #[error("the payment service is unavailable")]
    GatewayUnavailable,
    /// The answer the reconciler stores for a checkout that never committed.
    #[error("this checkout was interrupted before it completed; nothing was charged (the card authorization was released); please check out again")]
    Interrupted,
    /// The intent is not (or no longer) holding the money: 3-D Secure pending, declined, cancelled.
    #[error("{0}")]
    PaymentNotAuthorized(String),
    /// No checkout of this shop made that payment.
    #[error("no checkout of this shop made this payment")]
    UnknownPayment,
    /// The payment is not the one the checkout asked for (amount, currency, checkout, deployment).
    #[error("the payment does not match its checkout")]
    PaymentMismatch,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Renders an error as the (status, body) stored for its key; supplied by the HTTP layer.
pub type Render = fn(&CheckoutError) -> (u16, String);

/// Everything a checkout needs; one per process.
pub struct Checkout {
    pub store: Arc<dyn Store>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub inflight: Arc<InFlight>,
    pub fault: Option<FaultPoint>,
    pub render: Render,
    captures: Captures,
}

impl Checkout {
    /// Needs a Tokio runtime: it starts the task that records captures.
    pub fn new(
        store: Arc<dyn Store>,
        gateway: Arc<dyn PaymentGateway>,
        fault: Option<FaultPoint>,
        render: Render,
    ) -> Self {
        Checkout {
            captures: Captures::start(store.clone()),
            store,
            gateway,
            inflight: Default::default(),
            fault,
            render,
        }
    }

    /// Starts the checkout in its own task; the receiver gets the answer once it is known (the
    /// task goes on to capture after that, and finishes even if the receiver is dropped).
    pub fn start(
        self: &Arc<Self>,
        req: OrderRequest,
    ) -> oneshot::Receiver<Result<Answer, CheckoutError>> {
        let (tx, rx) = oneshot::channel();
        let this = self.clone();
        tokio::spawn(async move { this.run(req, tx).await });
        rx
    }

    async fn run(&self, req: OrderRequest, tx: oneshot::Sender<Result<Answer, CheckoutError>>) {
        let _guard = match self.inflight.enter(&req.key) {
            Entry::Leader(guard) => guard,
            Entry::Busy => {
                let _ = tx.send(Err(CheckoutError::InFlight));
                return;
            }
            Entry::Follower(f) => {
                let answer = if f.wait(DUPLICATE_WAIT).await {
                    self.replay(&req.key, &req.fingerprint).await
                } else {
                    Err(CheckoutError::InFlight)
                };
                let _ = tx.send(answer);
                return;
            }
        };
        match self.authorize_and_commit(&req).await {
            Ok(Committed::Answer(answer)) => {
                let _ = tx.send(Ok(answer));
            }
            Ok(Committed::Order(order)) => {
                let reference = order_reference(&order);
                let _ = tx.send(Ok(Answer::Created(order.clone())));
                fault::hit(self.fault, FaultPoint::BeforeCapture);
                self.capture(&order.row.id, &reference).await;
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        }
    }

    async fn authorize_and_commit(&self, req: &OrderRequest) -> Result<Committed, CheckoutError> {
        let source = match &req.guest_lines {
            Some(lines) => CartSource::Lines(lines),
            None => CartSource::Stored(&req.cart_key),
        };
        let (rec, cart) = self.store.checkout_inputs(source, &req.key).await?;
        if let Some(rec) = rec {
            return self
                .answer_for(rec, &req.key, &req.fingerprint)
                .await
                .map(Committed::Answer);
        }
        let lines = checked_lines(&cart, req.expected_total_cents)?;
        let total: i64 = lines.iter().map(|l| l.unit_price_cents * l.quantity).sum();
        let slot = match &req.attempt {
            Some(a) => Some(a.reserve().await.map_err(CheckoutError::TooManyDeclines)?),
            None => None,
        };
        let answer = self
            .gateway
            .authorize(&AuthorizeRequest {
                card: &req.card,
                amount_cents: total,
                currency: "USD",
                idempotency_key: &req.key,
            })
            .await;
        // The place is given back now, unless the card was declined: then it counts for the hour.
        match (slot, &answer) {
            (Some(s), Ok(Authorization::Declined { .. })) => s.declined(),
            (s, _) => drop(s),
        }
        let reference = match answer {
            Ok(Authorization::Approved { reference }) => reference,
            Ok(Authorization::Declined { reason }) => {
                return self
                    .refuse(req, CheckoutError::Declined(reason), None)
                    .await;
            }
            Ok(Authorization::AlreadyUsed { detail }) => {
                tracing::warn!(%detail, "the gateway's payment for this key is not a fresh authorization");
                return self.already_used(req).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "payment authorization failed");
                return Err(CheckoutError::GatewayUnavailable);
            }
        };
        fault::hit(self.fault, FaultPoint::AfterAuthorize);

        let now = crate::sys::clock::now_ms();
        let order = PlaceOrder {
            id: uuid::Uuid::new_v4().to_string(),
            key: &req.key,
            fingerprint: &req.fingerprint,
            cart_key: &req.cart_key,
            user_id: req.user_id,
            email: &req.email,
            shipping_address: &req.shipping_address,
            payment_brand: req.card.brand(),
            payment_last4: req.card.last4(),
            total_cents: total,
            payment_reference: &reference,
            lines: &lines,
            now,
        };
        match self.store.place_order(&order).await {
            Ok(Placement::Placed) => {
                fault::hit(self.fault, FaultPoint::AfterCommit);
                Ok(Committed::Order(placed(&order, &cart)))
            }
            // Another request committed this key first. A real gateway gave us both the same
            // authorization; if ours is a second one (the in-memory test gateway in another
            // process), it is released.
            Ok(Placement::KeyTaken) => {
                let answer = self.replay(&req.key, &req.fingerprint).await?;
                let theirs = match &answer {
                    Answer::Stored { order: Some(o), .. } => o.row.payment_reference.as_deref(),
                    _ => None,
                };
                if theirs != Some(reference.as_str()) {
                    self.release(&reference).await;
                }
                Ok(Committed::Answer(answer))
            }
            Err(StoreError::InsufficientStock { lines }) => {
                self.refuse(
                    req,
                    CheckoutError::InsufficientStock(lines),
                    Some(&reference),
                )
                .await
            }
            Err(StoreError::PriceChanged) => {
                let err = CheckoutError::PriceChanged {
                    expected: req.expected_total_cents,
                    actual: total,
                };
                self.refuse(req, err, Some(&reference)).await
            }
            // The gateway approved a payment that already pays for an order: it is that order's
            // money, so it is not released here.
            Err(StoreError::PaymentAlreadyUsed) => {
                tracing::error!(%reference, "the gateway approved a payment another order has");
                self.already_used(req).await
            }
            // The commit may or may not have happened: the reconciler decides by the key.
            Err(e) => Err(e.into()),
        }
    }

    /// Records a refusal as the key's answer; voids the authorization if this request owned it.
    async fn refuse(
        &self,
        req: &OrderRequest,
        err: CheckoutError,
        authorization: Option<&str>,
    ) -> Result<Committed, CheckoutError> {
        let (status, body) = (self.render)(&err);
        let now = crate::sys::clock::now_ms();
        if !self
            .store
            .settle_key(&req.key, &req.fingerprint, i64::from(status), &body, now)
            .await?
        {
            // Someone else answered this key first: theirs is the answer, and the money is theirs.
            return self
                .replay(&req.key, &req.fingerprint)
                .await
                .map(Committed::Answer);
        }
        if let Some(reference) = authorization {
            self.release(reference).await;
        }
        Err(err)
    }

    /// The key's payment is spent. A concurrent request with this key may have committed it
    /// meanwhile (its answer is the answer); otherwise the refusal is this key's answer.
    async fn already_used(&self, req: &OrderRequest) -> Result<Committed, CheckoutError> {
        if let Some(rec) = self.store.idempotency_record(&req.key).await? {
            return self
                .answer_for(rec, &req.key, &req.fingerprint)
                .await
                .map(Committed::Answer);
        }
        self.refuse(req, CheckoutError::PaymentAlreadyUsed, None)
            .await
    }

    async fn release(&self, reference: &str) {
        if let Err(e) = self.gateway.void(reference).await {
            tracing::warn!(error = %e, "void failed; the reconciler will retry");
        }
    }

    /// Takes the money for a committed order and records it; on failure the order stays
    /// `authorized` and the reconciler retries.
    pub async fn capture(&self, order_id: &str, reference: &str) {
        if let Err(e) = self.gateway.capture(reference).await {
            tracing::warn!(order_id, error = %e, "capture failed; the reconciler will retry");
            return;
        }
        self.captures.record(order_id.to_owned()).await;
    }

    /// After a cancellation: voids the authorization or refunds the capture (best effort; a
    /// failure is left to the reconciler, which finds cancelled orders still holding money).
    pub async fn release_cancelled(&self, order: &Order) {
        let o = crate::store::InDoubtOrder {
            order_id: order.row.id.clone(),
            idempotency_key: String::new(),
            payment_reference: order.row.payment_reference.clone().unwrap_or_default(),
            payment_state: order.row.payment_state,
            cancelled: true,
            total_cents: order.row.total_cents,
        };
        if o.payment_reference.is_empty() {
            return;
        }
        let mut report = reconciler::PassReport::default();
        if let Err(e) = reconciler::settle_cancelled(self, &o, &mut report).await {
            tracing::warn!(order_id = %o.order_id, error = %e, "cancel: payment not released yet");
        }
    }

    /// The stored answer for `key`; waits (bounded, no connection held) while another process
    /// has claimed it without answering.
    async fn replay(&self, key: &str, fingerprint: &str) -> Result<Answer, CheckoutError> {
        for attempt in 0..=REMOTE_POLLS {
            if attempt > 0 {
                tokio::time::sleep(REMOTE_POLL_EVERY).await;
            }
            if let Some(rec) = self.store.idempotency_record(key).await? {
                return self.answer_for(rec, key, fingerprint).await;
            }
        }
        Err(CheckoutError::InFlight)
    }

    async fn answer_for(
        &self,
        rec: IdempotencyRecord,
        _key: &str,
        fingerprint: &str,
    ) -> Result<Answer, CheckoutError> {
        if rec.fingerprint != fingerprint && rec.fingerprint != ABANDONED {
            return Err(CheckoutError::KeyReused);
        }
        let Some(status) = rec.response_status else {
            return Err(CheckoutError::InFlight);
        };
        let order = match rec.order_id {
            Some(id) => Some(self.store.order(&id).await?),
            None => None,
        };
        Ok(Answer::Stored {
            status: status as u16,
            body: rec.response_body.unwrap_or_default(),
            order,
        })
    }
}

enum Committed {
    Order(Order),
    Answer(Answer),
}
