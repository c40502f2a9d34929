//! The test gateway with knobs a test can turn: authorizations counted and held for a moment (so
//! parallel checkouts overlap at the gateway), another actor's step run at the moment the
//! reconciler asks for a capture, and voids refused as Stripe refuses a revoked API key (401).
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ecomm::payments::{
    Authorization, AuthorizeRequest, GatewayError, GatewayPayment, PaymentGateway, TestGateway,
};
use futures::future::BoxFuture;

#[derive(Default)]
pub struct Knobs {
    pub inner: Arc<TestGateway>,
    authorizations: AtomicUsize,
    authorize_delay: Duration,
    void_unauthorized: AtomicBool,
    on_capture: Mutex<Option<BoxFuture<'static, ()>>>,
}

impl Knobs {
    pub fn new() -> Arc<Knobs> {
        Arc::new(Knobs::default())
    }

    /// Every authorization takes `delay` before the gateway answers.
    pub fn slow(delay: Duration) -> Arc<Knobs> {
        Arc::new(Knobs {
            authorize_delay: delay,
            ..Knobs::default()
        })
    }

    /// How many authorizations reached the gateway.
    pub fn authorizations(&self) -> usize {
        self.authorizations.load(Ordering::SeqCst)
    }

    /// While set, every void is answered as Stripe answers a request with a revoked key.
    pub fn refuse_voids_as_unauthorized(&self, on: bool) {
        self.void_unauthorized.store(on, Ordering::SeqCst);
    }

    /// Runs `step` (once) when a capture is next asked for, before the gateway answers it.
    pub fn on_next_capture(&self, step: BoxFuture<'static, ()>) {
        *self.on_capture.lock().unwrap() = Some(step);
    }
}

#[async_trait]
impl PaymentGateway for Knobs {
    async fn authorize(&self, req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError> {
        self.authorizations.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.authorize_delay).await;
        self.inner.authorize(req).await
    }
    async fn capture(&self, reference: &str) -> Result<(), GatewayError> {
        let step = self.on_capture.lock().unwrap().take();
        if let Some(step) = step {
            step.await;
        }
        self.inner.capture(reference).await
    }
    async fn void(&self, reference: &str) -> Result<(), GatewayError> {
        if self.void_unauthorized.load(Ordering::SeqCst) {
            // What the Stripe adapter makes of a 401 with Stripe's error body.
            return Err(GatewayError::Rejected(
                "invalid_request_error: Invalid API Key provided: sk_live_****".into(),
            ));
        }
        self.inner.void(reference).await
    }
    async fn refund(&self, reference: &str, cents: i64) -> Result<(), GatewayError> {
        self.inner.refund(reference, cents).await
    }
    async fn lookup(&self, key: &str) -> Result<Option<GatewayPayment>, GatewayError> {
        self.inner.lookup(key).await
    }
    async fn open_authorizations(&self, before: i64) -> Result<Vec<GatewayPayment>, GatewayError> {
        self.inner.open_authorizations(before).await
    }
}
