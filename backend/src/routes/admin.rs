use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{slugify, text, Checks, Invalid, Money, OrderStatus, Sku, Word};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::media::sniff_image;
use crate::routes::catalog::ProductDto;
use crate::routes::orders::OrderDto;
use crate::session::RequireAdmin;
use crate::state::{now_ms, rfc3339, AppState};
use crate::store::{NewProduct, ProductPatch, StockLevel};
use crate::telemetry::OpsSummary;

pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
// The route reads up to twice the cap so a slightly-too-large upload gets a clean 413 rather
// than a connection cut mid-body.
const MAX_STOCK: i64 = 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/products", post(create_product))
        .route(
            "/api/admin/products/{id}",
            patch(update_product).delete(delete_product),
        )
        .route(
            "/api/admin/products/{id}/image",
            post(upload_image).layer(DefaultBodyLimit::max(MAX_IMAGE_BYTES * 2)),
        )
        .route("/api/admin/inventory/{sku}", put(set_stock))
        .route("/api/admin/inventory/{sku}/audit", get(stock_audit))
        .route("/api/admin/orders", get(list_orders))
        .route("/api/admin/orders/{id}/status", post(set_order_status))
        .route("/api/admin/ops/summary", get(ops_summary))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateProduct {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price_cents: i64,
    pub available: i64,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateProduct {
    pub name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub price_cents: Option<i64>,
}

fn stock(n: i64) -> Result<i64, String> {
    if (0..=MAX_STOCK).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be between 0 and {MAX_STOCK}"))
    }
}

impl CreateProduct {
    pub fn parse(self) -> Result<NewProduct, Invalid> {
        let mut c = Checks::default();
        let sku = c.check("sku", Sku::parse(&self.sku));
        let name = c.check("name", text(&self.name, 200));
        let description = c.check("description", text(&self.description, 5000));
        let category = c.check("category", text(&self.category, 100));
        let price = c.check("price_cents", Money::parse(self.price_cents));
        let available = c.check("available", stock(self.available));
        c.finish_with(|| {
            let name = name?;
            Some(NewProduct {
                sku: sku?.as_str().to_owned(),
                slug: slugify(&name),
                name,
                description: description?,
                category: category?,
                price_cents: price?.cents(),
                available: available?,
                image_key: None,
            })
        })
    }
}

impl UpdateProduct {
    pub fn parse(self) -> Result<ProductPatch, Invalid> {
        let mut c = Checks::default();
        let mut patch = ProductPatch::default();
        if let Some(n) = &self.name {
            patch.name = c.check("name", text(n, 200));
            patch.slug = patch.name.as_deref().map(slugify);
        }
        if let Some(d) = &self.description {
            patch.description = c.check("description", text(d, 5000));
        }
        if let Some(cat) = &self.category {
            patch.category = c.check("category", text(cat, 100));
        }
        if let Some(p) = self.price_cents {
            patch.price_cents = c.check("price_cents", Money::parse(p)).map(Money::cents);
        }
        c.finish()?;
        Ok(patch)
    }
}

#[utoipa::path(post, path = "/api/admin/products", tag = "admin", request_body = CreateProduct,
    responses((status = 201, body = ProductDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn create_product(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiJson(req): ApiJson<CreateProduct>,
) -> ApiResult<(StatusCode, Json<ProductDto>)> {
    let p = req.parse()?;
    let created = state.store.create_product(&p, now_ms()).await?;
    state.catalog.refresh().await;
    Ok((StatusCode::CREATED, Json(ProductDto::from(created, &state))))
}

#[utoipa::path(patch, path = "/api/admin/products/{id}", tag = "admin", request_body = UpdateProduct, params(("id" = i64, Path)),
    responses((status = 200, body = ProductDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_product(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateProduct>,
) -> ApiResult<Json<ProductDto>> {
    let patch = req.parse()?;
    let updated = state.store.update_product(id, &patch, now_ms()).await?;
    state.catalog.refresh().await;
    Ok(Json(ProductDto::from(updated, &state)))
}

#[utoipa::path(delete, path = "/api/admin/products/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_product(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.store.delete_product(id, now_ms()).await?;
    state.catalog.refresh().await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/admin/products/{id}/image", tag = "admin", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `image`: PNG, JPEG, WebP or GIF, at most 5 MiB"),
    responses((status = 200, body = ProductDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(product_id = id))]
pub async fn upload_image(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<ProductDto>> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::UnsupportedMediaType("expected multipart/form-data with an `image` field".into())
    })?;
    state.store.product(id).await?;
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "images are limited to {} MiB",
            MAX_IMAGE_BYTES / 1024 / 1024
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })? {
        if field.name() != Some("image") {
            continue;
        }
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(too_large());
        }
        let ext = sniff_image(&bytes).ok_or_else(|| {
            ApiError::UnsupportedMediaType("the image must be PNG, JPEG, WebP or GIF".into())
        })?;
        let key = state.media.put(bytes, ext).await?;
        let product = state.store.set_product_image(id, &key, now_ms()).await?;
        state.catalog.refresh().await;
        return Ok(Json(ProductDto::from(product, &state)));
    }
    Err(ApiError::field(
        "image",
        "a file field named `image` is required",
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SetStock {
    pub available: i64,
}

#[utoipa::path(put, path = "/api/admin/inventory/{sku}", tag = "admin", request_body = SetStock, params(("sku" = String, Path)),
    responses((status = 200, body = StockLevel), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(sku = %sku, actor = %admin.email))]
pub async fn set_stock(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    ApiPath(sku): ApiPath<String>,
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

#[utoipa::path(get, path = "/api/admin/inventory/{sku}/audit", tag = "admin", params(("sku" = String, Path)),
    responses((status = 200, body = AuditList), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn stock_audit(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiPath(sku): ApiPath<String>,
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrderQuery {
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminOrderPage {
    pub items: Vec<OrderDto>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[utoipa::path(get, path = "/api/admin/orders", tag = "admin", operation_id = "admin_list_orders", params(AdminOrderQuery),
    responses((status = 200, body = AdminOrderPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orders(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiQuery(q): ApiQuery<AdminOrderQuery>,
) -> ApiResult<Json<AdminOrderPage>> {
    let mut c = Checks::default();
    let status = c.check(
        "status",
        match q.status.as_deref() {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<OrderStatus>()
                .map(Some)
                .map_err(|_| format!("must be one of {}", OrderStatus::choices())),
        },
    );
    let (page, per_page) = c.paging(q.page, q.per_page, 25);
    c.finish()?;
    let (orders, total) = state
        .store
        .orders(status.flatten(), per_page, (page - 1) * per_page)
        .await?;
    Ok(Json(AdminOrderPage {
        items: OrderDto::list(orders)?,
        total,
        page,
        per_page,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SetOrderStatus {
    pub status: OrderStatus,
}

#[utoipa::path(post, path = "/api/admin/orders/{id}/status", tag = "admin", request_body = SetOrderStatus, params(("id" = String, Path)),
    responses((status = 200, body = OrderDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn set_order_status(
    State(state): State<AppState>,
    _: RequireAdmin,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<SetOrderStatus>,
) -> ApiResult<Json<OrderDto>> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::NotFound("order"));
    }
    let current = state.store.order(&id).await?;
    let (from, to) = (current.row.status, req.status);
    if !from.can_become(to) {
        return Err(ApiError::Conflict(format!(
            "an order cannot go from {from} to {to}"
        )));
    }
    let order = state
        .store
        .transition_order(&id, from, to, now_ms())
        .await?;
    if to == OrderStatus::Cancelled {
        state.ops.record_order(OrderStatus::Cancelled);
        state.ops.record_inventory_updates(order.items.len() as u64);
        // Release or refund the money now; if the gateway is down the reconciler does it later.
        state.checkout.release_cancelled(&order).await;
    }
    let order = state.store.order(&id).await?;
    Ok(Json(order.try_into()?))
}

#[utoipa::path(get, path = "/api/admin/ops/summary", tag = "admin", responses((status = 200, body = OpsSummary)))]
pub async fn ops_summary(State(state): State<AppState>, _: RequireAdmin) -> Json<OpsSummary> {
    Json(state.ops.summary())
}
