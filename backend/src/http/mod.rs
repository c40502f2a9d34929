//! Everything that speaks HTTP: the router and its layers, the extractors and the one error type,
//! sessions and cookies, the server, the OpenAPI document, the probes and the routes.
use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceExt;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

pub mod access;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod headers;
pub mod health;
pub mod openapi;
pub mod routes;
pub mod serve;
pub mod session;
pub mod state;

use error::ApiError;
pub use state::AppState;

const JSON_BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState, static_dir: Option<PathBuf>) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let api = routes::sections()
        .into_iter()
        .fold(health::router(), |api, section| {
            api.merge(section.guarded(&state))
        })
        .route_layer(middleware::from_fn_with_state(
            state.ops.clone(),
            crate::telemetry::track,
        ))
        .with_state(state.clone());
    let request_timeout = Duration::from_secs(state.security.settings.request_timeout_secs.max(1));
    let mut app = Router::new().merge(api);
    if let Some(stand_in) = state.cards.as_ref().and_then(|c| c.stand_in.clone()) {
        app = app.nest(
            "/test-gateway",
            crate::payments::stripe::stand_in::router(stand_in),
        );
    }
    if let Some(storefront) = static_dir
        .as_deref()
        .and_then(|dir| crate::seo::router(state.clone(), dir))
    {
        app = app.merge(storefront);
    }
    if state.security.settings.api_docs {
        app = app.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi::document()));
    }
    app.fallback(move |uri: Uri, req: Request| fallback(uri, req, static_dir.clone()))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(middleware::from_fn(csrf::refuse_cross_site))
        .layer(middleware::from_fn_with_state(
            request_timeout,
            serve::request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.security.clone(),
            session::identify,
        ))
        // br or gzip, as the client asks: API JSON and the storefront's assets alike (gzip'd
        // sitemaps are compressed already).
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new(crate::seo::sitemap::GZIP)),
        ))
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
            headers::spa(&mut res);
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
