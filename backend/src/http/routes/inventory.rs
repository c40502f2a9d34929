use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{schema, Checks, Invalid, Sku};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::ApiPath;
use crate::http::AppState;
use crate::store::StockLevel;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(stock_level, stock_levels))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/inventory", get(stock_levels))
        .route("/api/inventory/{sku}", get(stock_level))
}

/// `{sku}` in a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SkuPath {
    #[param(schema_with = schema::sku)]
    pub sku: String,
}

/// `?sku=A&sku=B`: 1 to 100 SKUs.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read from the query string by hand (repeated keys)
pub struct SkuList {
    #[param(value_type = Vec<SkuText>, inline, min_items = 1, max_items = 100)]
    sku: Vec<String>,
}

/// A SKU as a client sends it.
pub struct SkuText;

impl utoipa::PartialSchema for SkuText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema::sku().into()
    }
}
impl ToSchema for SkuText {}

const MAX_SKUS: usize = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct StockLevels {
    pub items: Vec<StockLevel>,
}

#[utoipa::path(get, path = "/api/inventory/{sku}", tag = "inventory", params(SkuPath),
    responses((status = 200, body = StockLevel), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn stock_level(
    State(state): State<AppState>,
    ApiPath(SkuPath { sku }): ApiPath<SkuPath>,
) -> ApiResult<Json<StockLevel>> {
    let sku = Sku::parse(&sku).map_err(|m| Invalid::field("sku", m))?;
    let mut levels = state.store.stock(&[sku.as_str().to_owned()]).await?;
    levels.pop().map(Json).ok_or(ApiError::NotFound("product"))
}

/// Several SKUs at once: `?sku=A&sku=B` (at most 100). Unknown SKUs are left out of the answer.
#[utoipa::path(get, path = "/api/inventory", tag = "inventory", params(SkuList),
    responses((status = 200, body = StockLevels), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn stock_levels(State(state): State<AppState>, uri: Uri) -> ApiResult<Json<StockLevels>> {
    let mut c = Checks::default();
    let mut skus = Vec::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if k == "sku" {
            if let Some(s) = c.check("sku", Sku::parse(&v)) {
                skus.push(s.as_str().to_owned());
            }
        }
    }
    if skus.is_empty() || skus.len() > MAX_SKUS {
        c.check::<()>("sku", Err("give between 1 and 100 sku parameters".into()));
    }
    c.finish()?;
    Ok(Json(StockLevels {
        items: state.store.stock(&skus).await?,
    }))
}
