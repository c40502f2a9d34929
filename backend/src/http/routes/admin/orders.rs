//! Every order, by status, and moving an order along its lifecycle.
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{Checks, OrderStatus, Word};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::routes::orders::OrderDto;
use crate::http::AppState;
use crate::sys::clock::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/orders", get(list_orders))
        .route("/api/admin/orders/{id}/status", post(set_order_status))
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
