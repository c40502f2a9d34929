use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::checkout::attempts::CardFlow;
use crate::checkout::{Checkout, FaultPoint};
use crate::payments::cards::CardSetup;
use crate::payments::PaymentGateway;
use crate::security::{Security, SecuritySettings};
use crate::store::media::Media;
use crate::store::Store;
use crate::telemetry::OpsWindow;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The read model: catalog reads come from this replica's index, not the database.
    pub catalog: Arc<Catalog>,
    pub media: Media,
    pub payments: Arc<dyn PaymentGateway>,
    pub ops: Arc<OpsWindow>,
    pub draining: Arc<AtomicBool>,
    pub cookie_secure: bool,
    pub checkout: Arc<Checkout>,
    /// Payments undecided for this long are settled by the reconciler.
    pub reconcile_after: Duration,
    pub security: Arc<Security>,
    /// The dependencies' last readiness verdict (checked off the request path).
    pub readiness: Arc<crate::http::health::readiness::Readiness>,
    /// The card flow (card data goes from the browser to the provider); `None` only in tests of
    /// the old card-number checkout.
    pub cards: Option<Arc<CardFlow>>,
    /// Whether the old card-number checkout is still accepted (test mode, opt-in).
    pub legacy_card_checkout: bool,
    /// The shop's public address and name, for absolute links in pages and sitemaps.
    pub site: Arc<crate::seo::Site>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        media: Media,
        payments: Arc<dyn PaymentGateway>,
        cookie_secure: bool,
    ) -> Self {
        let checkout = Arc::new(Checkout::new(
            store.clone(),
            payments.clone(),
            None,
            crate::http::error::render_checkout_error,
        ));
        let catalog = Catalog::new(store.clone(), None);
        AppState {
            catalog,
            store,
            media,
            payments,
            ops: Arc::new(OpsWindow::default()),
            draining: Arc::new(AtomicBool::new(false)),
            cookie_secure,
            checkout,
            reconcile_after: Duration::from_secs(60),
            security: Security::new(SecuritySettings::default(), cookie_secure),
            readiness: Arc::default(),
            cards: None,
            legacy_card_checkout: false,
            site: Arc::default(),
        }
    }

    /// The public base URL and shop name (`--public-url`, `--shop-name`).
    pub fn with_site(mut self, site: crate::seo::Site) -> Self {
        self.site = Arc::new(site);
        self
    }

    /// Adds the card flow on this state's checkout (call after `with_recovery`, which replaces
    /// the checkout).
    pub fn with_cards(mut self, setup: CardSetup, legacy_card_checkout: bool) -> Self {
        self.cards = Some(Arc::new(CardFlow {
            checkout: self.checkout.clone(),
            stripe: setup.stripe,
            webhook_secrets: setup.webhook_secrets,
            stand_in: setup.stand_in,
        }));
        self.legacy_card_checkout = legacy_card_checkout;
        self
    }

    /// Replaces the default security settings (trusted proxies, limits, timeouts).
    pub fn with_security(mut self, settings: SecuritySettings) -> Self {
        self.security = Security::new(settings, self.cookie_secure);
        self
    }

    /// Crash recovery settings: the reconciler's delay, and (tests only) a fault to die at.
    pub fn with_recovery(mut self, reconcile_after: Duration, fault: Option<FaultPoint>) -> Self {
        self.reconcile_after = reconcile_after;
        self.checkout = Arc::new(Checkout::new(
            self.store.clone(),
            self.payments.clone(),
            fault,
            crate::http::error::render_checkout_error,
        ));
        self
    }
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

// What the session extractors take from the state (see `session`).
impl axum::extract::FromRef<AppState> for Arc<dyn Store> {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl axum::extract::FromRef<AppState> for Arc<Security> {
    fn from_ref(state: &AppState) -> Self {
        state.security.clone()
    }
}
