pub mod port;
pub mod readiness;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::ApiPath;
use crate::http::AppState;
use crate::store::media::content_type;

pub fn router() -> Router<AppState> {
    probes()
        .route("/metrics", get(metrics))
        .route("/media/{*key}", get(media))
}

/// The probes' routes: on the main port, and on the health port when it is set.
pub fn probes() -> Router<AppState> {
    Router::new()
        .route("/health", get(live))
        .route("/health/ready", get(ready))
}

/// Liveness: the process answers. Nothing external, so a database outage does not restart pods.
pub async fn live() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the catalog index is built, database and object storage answer, and we are not draining.
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "draining"})),
        )
            .into_response();
    }
    // Checked off the request path (crate::http::health::readiness): under load a check queues for a pool
    // connection behind the requests, and a 1 s probe would pull a replica that is serving.
    let (store, media) = (state.store.clone(), state.media.clone());
    let verdict = state
        .readiness
        .verdict(async move {
            let (db, storage) = tokio::join!(store.ping(), media.ping());
            if let Err(e) = &db {
                tracing::warn!(error = %e, "readiness: database down");
            }
            if let Err(e) = &storage {
                tracing::warn!(error = %e, "readiness: storage down");
            }
            (db.is_ok(), storage.is_ok())
        })
        .await;
    let (db, storage) = verdict.map_or((false, false), |v| (v.database, v.storage));
    let catalog = state.catalog.is_ready();
    let up = db && storage && catalog;
    let word = |ok| if ok { "ok" } else { "down" };
    let body = json!({
        "status": if up { "ready" } else { "unavailable" },
        "database": word(db),
        "storage": word(storage),
        "catalog": if catalog { "ok" } else { "building" },
    });
    let status = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let pool = state.store.pool_stats();
    metrics::gauge!("ecomm_db_pool_connections", "state" => "open").set(f64::from(pool.size));
    metrics::gauge!("ecomm_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::prometheus().render(),
    )
        .into_response()
}

/// Product images: bytes in file mode, a presigned redirect in S3 mode.
pub async fn media(
    State(state): State<AppState>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Response> {
    if key
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        || !key.starts_with("products/")
    {
        return Err(ApiError::NotFound("image"));
    }
    if let Some(url) = state.media.presigned(&key).await? {
        return Ok(Redirect::temporary(&url).into_response());
    }
    let bytes = state
        .media
        .get(&key)
        .await?
        .ok_or(ApiError::NotFound("image"))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type(&key)),
            // Content-addressed keys never change content.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
        ],
        bytes,
    )
        .into_response())
}
