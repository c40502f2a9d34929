use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{schema, slugify, text, whole, Checks, Invalid, Money, OrderStatus, Sku, Word};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::media::sniff_image;
use crate::routes::catalog::ProductDto;
use crate::routes::inventory::SkuPath;
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
    #[schema(schema_with = schema::sku)]
    pub sku: String,
    #[schema(schema_with = product_name)]
    pub name: String,
    #[schema(schema_with = description)]
    pub description: String,
    #[schema(schema_with = category)]
    pub category: String,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = schema::cents)]
    pub price_cents: i64,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = stock_schema)]
    pub available: i64,
}

/// Absent or `null` leaves a field as it is.
#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateProduct {
    #[schema(schema_with = new_name)]
    pub name: Option<String>,
    #[schema(schema_with = new_description)]
    pub description: Option<String>,
    #[schema(schema_with = new_category)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "whole::opt_i64")]
    #[schema(schema_with = schema::optional_cents)]
    pub price_cents: Option<i64>,
}

const NAME_CHARS: usize = 200;
const DESCRIPTION_CHARS: usize = 5000;
const CATEGORY_CHARS: usize = 100;

fn product_name() -> Object {
    schema::text(NAME_CHARS)
}
fn description() -> Object {
    schema::text(DESCRIPTION_CHARS)
}
fn category() -> Object {
    schema::text(CATEGORY_CHARS)
}
fn stock_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(MAX_STOCK))
        .build()
}
fn nullable(mut o: Object) -> Object {
    o.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    o
}
fn new_name() -> Object {
    nullable(product_name())
}
fn new_description() -> Object {
    nullable(description())
}
fn new_category() -> Object {
    nullable(category())
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
        let name = c.check("name", text(&self.name, NAME_CHARS));
        let description = c.check("description", text(&self.description, DESCRIPTION_CHARS));
        let category = c.check("category", text(&self.category, CATEGORY_CHARS));
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
            patch.name = c.check("name", text(n, NAME_CHARS));
            patch.slug = patch.name.as_deref().map(slugify);
        }
        if let Some(d) = &self.description {
            patch.description = c.check("description", text(d, DESCRIPTION_CHARS));
        }
        if let Some(cat) = &self.category {
            patch.category = c.check("category", text(cat, CATEGORY_CHARS));
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

#[utoipa::path(patch, path = "/api/admin/products/{id}", tag = "admin", request_body = UpdateProduct, params(("id" = i64, Path, minimum = 1)),
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

#[utoipa::path(delete, path = "/api/admin/products/{id}", tag = "admin", params(("id" = i64, Path, minimum = 1)),
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

// `crate::openapi` adds the part's accepted types (utoipa has no attribute for encodings).
/// The upload form: one file part named `image`. The server judges the bytes, not the part's
/// Content-Type: anything but PNG, JPEG, WebP or GIF is a 415.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageUpload {
    /// PNG, JPEG, WebP or GIF, at most 5 MiB.
    #[schema(value_type = String, format = Binary)]
    pub image: Vec<u8>,
}

pub const IMAGE_TYPES: &str = "image/png, image/jpeg, image/webp, image/gif";

#[utoipa::path(post, path = "/api/admin/products/{id}/image", tag = "admin", params(("id" = i64, Path, minimum = 1)),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
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
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = stock_schema)]
    pub available: i64,
}

#[utoipa::path(put, path = "/api/admin/inventory/{sku}", tag = "admin", request_body = SetStock, params(SkuPath),
    responses((status = 200, body = StockLevel), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(sku = %sku, actor = %admin.email))]
pub async fn set_stock(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
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
    _: RequireAdmin,
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

const MAX_ORDER_PAGE: i64 = 10_000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrderQuery {
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<i64>,
    /// 1 to 100, default 25.
    #[param(minimum = 1, maximum = 100)]
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
            None => Ok(None),
            Some(s) => s
                .parse::<OrderStatus>()
                .map(Some)
                .map_err(|_| format!("must be one of {}", OrderStatus::choices())),
        },
    );
    let (page, per_page) = c.paging(q.page, q.per_page, 25, MAX_ORDER_PAGE);
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

#[utoipa::path(post, path = "/api/admin/orders/{id}/status", tag = "admin", request_body = SetOrderStatus, params(("id" = String, Path, format = "uuid")),
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
