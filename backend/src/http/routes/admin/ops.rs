//! The ops dashboard's summary of this replica's last minute.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::http::AppState;
use crate::telemetry::OpsSummary;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/admin/ops/summary", get(ops_summary))
}

#[utoipa::path(get, path = "/api/admin/ops/summary", tag = "admin", responses((status = 200, body = OpsSummary)))]
pub async fn ops_summary(State(state): State<AppState>) -> Json<OpsSummary> {
    Json(state.ops.summary())
}
