//! Wiring: the router with its layers, and the server with graceful shutdown.
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::ServeSettings;
use crate::error::ApiError;
use crate::health_port::HealthPort;
use crate::media::Media;
use crate::payments::PaymentsMode;
use crate::routes;
use crate::security;
use crate::state::AppState;

const JSON_BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState, static_dir: Option<PathBuf>) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let api = Router::new()
        .merge(routes::catalog::router())
        .merge(routes::inventory::router())
        .merge(routes::auth::router())
        .merge(routes::cart::router())
        .merge(routes::checkout::router())
        .merge(routes::orders::router())
        .merge(routes::admin::router())
        .merge(routes::health::router())
        .route_layer(middleware::from_fn_with_state(
            state.ops.clone(),
            crate::telemetry::track,
        ))
        .with_state(state.clone());
    let request_timeout = Duration::from_secs(state.security.settings.request_timeout_secs.max(1));
    let mut app = Router::new().merge(api);
    if state.security.settings.api_docs {
        app = app.merge(
            SwaggerUi::new("/api/docs").url("/api/openapi.json", crate::openapi::document()),
        );
    }
    app.fallback(move |uri: Uri, req: Request| fallback(uri, req, static_dir.clone()))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(middleware::from_fn(security::csrf::refuse_cross_site))
        .layer(middleware::from_fn_with_state(
            request_timeout,
            security::serve::request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.security.clone(),
            crate::session::identify,
        ))
        // br or gzip, as the client asks: API JSON and the storefront's assets alike.
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(crate::telemetry::make_span))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Unknown API paths are JSON 404s; anything else is the SPA (with history fallback to index.html).
async fn fallback(uri: Uri, req: Request, static_dir: Option<PathBuf>) -> Response {
    let path = uri.path();
    let api_like = ["/api", "/media", "/health", "/metrics"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    match static_dir {
        Some(dir) if !api_like => {
            let spa = ServeDir::new(&dir).fallback(ServeFile::new(dir.join("index.html")));
            let mut res = match spa.oneshot(req).await {
                Ok(res) => res.into_response(),
                Err(never) => match never {},
            };
            security::headers::spa(&mut res);
            // Vite names files under /assets by content hash: they never change. Anything else
            // (index.html, the history fallback) must be revalidated to pick up a new release.
            let policy = if path.starts_with("/assets/") && res.status().is_success() {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            res.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static(policy),
            );
            res
        }
        _ => ApiError::NotFound("resource").into_response(),
    }
}

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
        let gateway = crate::payments::from_mode(mode, p.test_gateway_ledger.as_deref())?;
        let store = settings.store.connect().await?;
        if settings.migrate {
            store.migrate().await?;
        }
        let media = Media::from_url(&settings.store.storage_url, settings.media_base_url.clone())?;
        let mut state = AppState::new(store.clone(), media, gateway, settings.cookie_secure)
            .with_recovery(Duration::from_secs(p.reconcile_after), p.fault)
            .with_security(settings.security.clone());
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

    /// Also serves the probes on `addr`, from a thread of its own (crate::health_port).
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
        let reconciler = tokio::spawn(crate::checkout::reconciler::run(
            state.checkout.clone(),
            state.reconcile_after,
        ));
        let purge = tokio::spawn(security::purge::run(
            state.store.clone(),
            state.security.clone(),
        ));
        let feed = tokio::spawn(crate::catalog::feed::run(state.catalog.clone()));
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
        let limits = security::serve::ServeLimits {
            header_timeout: Duration::from_secs(sec.header_timeout_secs.max(1)),
            max_connections: sec.max_connections(),
        };
        let served = security::serve::serve(self.listener, self.router, limits, signal).await;
        // Probes keep their answer (503) until the main port has drained.
        if let Some(health) = health {
            health.stop().await;
        }
        served?;
        reconciler.abort();
        purge.abort();
        feed.abort();
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
