//! Stock levels by SKU, and the audit trail of who set them.
use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::domain::{whole, Invalid, Sku};
use crate::http::error::{ApiResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::routes::inventory::SkuPath;
use crate::http::session::CurrentUser;
use crate::http::AppState;
use crate::store::StockLevel;
use crate::sys::clock::{now_ms, rfc3339};

const MAX_STOCK: i64 = 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/inventory/{sku}", put(set_stock))
        .route("/api/admin/inventory/{sku}/audit", get(stock_audit))
}

pub(super) fn stock_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(MAX_STOCK))
        .build()
}
pub(super) fn stock(n: i64) -> Result<i64, String> {
    if (0..=MAX_STOCK).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be between 0 and {MAX_STOCK}"))
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SetStock {
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = stock_schema)]
    pub available: i64,
}

#[utoipa::path(put, path = "/api/admin/inventory/{sku}", tag = "admin", request_body = SetStock, params(SkuPath),
    responses((status = 200, body = StockLevel), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(sku = %sku, actor = %admin.email))]
pub async fn set_stock(
    State(state): State<AppState>,
    CurrentUser(admin): CurrentUser,
    ApiPath(SkuPath { sku }): ApiPath<SkuPath>,
    ApiJson(req): ApiJson<SetStock>,
) -> ApiResult<Json<StockLevel>> {
    let sku = Sku::parse(&sku).map_err(|m| Invalid::field("sku", m))?;
    let available = stock(req.available).map_err(|m| Invalid::field("available", m))?;
    let level = state
        .store
        .set_stock(&sku, available, &admin.email, now_ms())
        .await?;
    state.ops.record_inventory_updates(1);
    state.catalog.refresh().await;
    Ok(Json(level))
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub at: String,
    pub actor_email: String,
    pub old_available: i64,
    pub new_available: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntryDto>,
}

#[utoipa::path(get, path = "/api/admin/inventory/{sku}/audit", tag = "admin", params(SkuPath),
    responses((status = 200, body = AuditList), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn stock_audit(
    State(state): State<AppState>,
    ApiPath(SkuPath { sku }): ApiPath<SkuPath>,
) -> ApiResult<Json<AuditList>> {
    let sku = Sku::parse(&sku).map_err(|m| Invalid::field("sku", m))?;
    let items = state.store.stock_audit(&sku).await?;
    Ok(Json(AuditList {
        items: items
            .into_iter()
            .map(|e| AuditEntryDto {
                at: rfc3339(e.at_ms),
                actor_email: e.actor_email,
                old_available: e.old_available,
                new_available: e.new_available,
            })
            .collect(),
    }))
}
