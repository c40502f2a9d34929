//! Wiring: the application from its settings, served with its background jobs until shutdown.
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;

use crate::config::ServeSettings;
use crate::http::health::port::HealthPort;
use crate::http::serve::{default_max_connections, serve, ServeLimits};
use crate::http::{router, AppState};
use crate::jobs::{JobInputs, Jobs};
use crate::payments::PaymentsMode;
use crate::store::media::Media;

pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    port: u16,
    health: Option<HealthPort>,
    drain_delay: Duration,
}

impl Application {
    pub async fn build(settings: &ServeSettings) -> anyhow::Result<Self> {
        if let Some(p) = settings.health_port {
            anyhow::ensure!(
                p == 0 || p != settings.addr.port(),
                "--health-port {p} must differ from the --addr port"
            );
        }
        let p = &settings.payments;
        let Some(mode) = p.mode else {
            anyhow::bail!(
                "refusing to start without a payment gateway: pass --payments stripe (production; \
                 needs ECOMM_STRIPE_SECRET_KEY) or --payments test (development: test cards, nothing \
                 is charged), or set ECOMM_PAYMENTS"
            );
        };
        if p.fault.is_some() && mode != PaymentsMode::Test {
            anyhow::bail!("ECOMM_FAULT is a test-only setting and needs --payments test");
        }
        settings.refuse_test_payments_in_production()?;
        if mode == PaymentsMode::Test {
            tracing::warn!("payments: TEST gateway — test cards only, nothing is charged");
        }
        if p.legacy_card_checkout && mode != PaymentsMode::Test {
            anyhow::bail!("--legacy-card-checkout needs --payments test");
        }
        let cards = crate::payments::cards::setup(mode, &p.deployment)?;
        let gateway: std::sync::Arc<dyn crate::payments::PaymentGateway> = match mode {
            PaymentsMode::Stripe => cards.stripe.clone(),
            PaymentsMode::Test => std::sync::Arc::new(crate::payments::cards::Routed {
                cards: cards.stripe.clone(),
                legacy: crate::payments::from_mode(mode, p.test_gateway_ledger.as_deref())?,
            }),
        };
        let store = settings.store.connect().await?;
        if settings.migrate {
            store.migrate().await?;
        }
        let media = Media::from_url(&settings.store.storage_url, settings.media_base_url.clone())?;
        let mut state = AppState::new(store.clone(), media, gateway, settings.cookie_secure)
            .with_recovery(Duration::from_secs(p.reconcile_after), p.fault)
            .with_security(settings.security.clone())
            .with_cards(cards, p.legacy_card_checkout)
            .with_site(crate::seo::Site::new(
                settings
                    .public_url
                    .as_deref()
                    .unwrap_or(&format!("http://{}", settings.addr)),
                &settings.shop_name,
            ));
        if let Some(dir) = &settings.index_dir {
            state.catalog = crate::catalog::Catalog::new(store, Some(dir));
        }
        let app = Self::with_state(
            state,
            &settings.addr.to_string(),
            settings.static_dir.clone(),
            Duration::from_secs(settings.drain_seconds),
        )
        .await?;
        match settings.health_port {
            Some(p) => app.serve_health_on(SocketAddr::new(settings.addr.ip(), p)),
            None => Ok(app),
        }
    }

    /// Also serves the probes on `addr`, from a thread of its own (crate::http::health::port).
    pub fn serve_health_on(mut self, addr: SocketAddr) -> anyhow::Result<Self> {
        self.health = Some(HealthPort::bind(addr)?);
        Ok(self)
    }

    pub async fn with_state(
        state: AppState,
        addr: &str,
        static_dir: Option<PathBuf>,
        drain_delay: Duration,
    ) -> anyhow::Result<Self> {
        // Metrics recorded before the recorder exists are lost: install it before serving.
        crate::telemetry::prometheus();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let port = listener.local_addr()?.port();
        if let Some(cards) = &state.cards {
            cards.bind_local(port)?;
        }
        Ok(Application {
            router: router(state.clone(), static_dir),
            listener,
            state,
            port,
            health: None,
            drain_delay,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The health port, when one is served.
    pub fn health_port(&self) -> Option<u16> {
        self.health.as_ref().map(HealthPort::port)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves: then readiness turns 503 (on both ports), we wait for
    /// load balancers to notice, drain in-flight requests, stop the health port, close the pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let health = self.health.map(|h| h.run(state.clone())).transpose()?;
        let jobs = Jobs::start(JobInputs {
            store: state.store.clone(),
            catalog: state.catalog.clone(),
            checkout: state.checkout.clone(),
            security: state.security.clone(),
            reconcile_after: state.reconcile_after,
            cards: state.cards.clone(),
        });
        let drain_delay = self.drain_delay;
        let draining = state.draining.clone();
        let signal = async move {
            shutdown.await;
            draining.store(true, Ordering::Relaxed);
            tracing::info!(
                delay_secs = drain_delay.as_secs(),
                "shutting down: readiness is now 503, draining"
            );
            tokio::time::sleep(drain_delay).await;
        };
        let sec = &state.security.settings;
        let limits = ServeLimits {
            header_timeout: Duration::from_secs(sec.header_timeout_secs.max(1)),
            max_connections: sec.max_connections.unwrap_or_else(default_max_connections),
        };
        let served = serve(self.listener, self.router, limits, signal).await;
        // Probes keep their answer (503) until the main port has drained.
        if let Some(health) = health {
            health.stop().await;
        }
        served?;
        jobs.stop();
        state.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// SIGTERM (Kubernetes) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async { tokio::signal::ctrl_c().await.ok() };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
