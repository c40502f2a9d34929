//! A signed-in user's own things: who they are, their orders.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::http::error::{ApiResult, Problem};
use crate::http::routes::auth::UserDto;
use crate::http::routes::orders::{OrderDto, OrderList};
use crate::http::session::CurrentUser;
use crate::http::AppState;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(me, list_orders))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/orders", get(list_orders))
}

#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = UserDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<UserDto> {
    Json(user.into())
}

#[utoipa::path(get, path = "/api/orders", tag = "orders",
    responses((status = 200, body = OrderList), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orders(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<OrderList>> {
    let orders = state.store.orders_for_user(user.id).await?;
    Ok(Json(OrderList {
        items: OrderDto::list(orders)?,
    }))
}
