use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{Address, OrderStatus, PaymentState};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::ApiPath;
use crate::http::session::{ClientInfo, MaybeUser, GUEST_ORDERS_COOKIE};
use crate::http::AppState;
use crate::security::guest::{self, GuestOrders};
use crate::store::Order;
use crate::sys::clock::rfc3339;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_order))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/orders/{id}", get(get_order))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderItemDto {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub line_total_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentSummary {
    pub brand: String,
    pub last4: String,
    /// Where the money is: `authorized` (held on the card, not taken yet), `captured`, `voided`
    /// (released; nothing was taken) or `refunded`. A `paid` order is only paid once `captured`.
    pub state: PaymentState,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: String,
    pub status: OrderStatus,
    pub email: String,
    pub items: Vec<OrderItemDto>,
    pub subtotal_cents: i64,
    pub total_cents: i64,
    pub currency: String,
    pub shipping_address: Address,
    pub payment: PaymentSummary,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<OrderDto>,
}

impl OrderDto {
    /// Several orders; one that cannot be shown fails the list (and is logged as a 500).
    pub fn list(orders: Vec<Order>) -> Result<Vec<OrderDto>, ApiError> {
        orders.into_iter().map(OrderDto::try_from).collect()
    }
}

/// Fails, rather than showing an empty address, when the stored address cannot be read.
impl TryFrom<Order> for OrderDto {
    type Error = ApiError;
    fn try_from(o: Order) -> Result<Self, ApiError> {
        let r = o.row;
        let shipping_address = serde_json::from_str(&r.shipping_address).map_err(|e| {
            anyhow::anyhow!("order {}: unreadable stored shipping address: {e}", r.id)
        })?;
        Ok(OrderDto {
            shipping_address,
            items: o
                .items
                .into_iter()
                .map(|i| OrderItemDto {
                    line_total_cents: i.unit_price_cents * i.quantity,
                    product_id: i.product_id,
                    sku: i.sku,
                    name: i.name,
                    unit_price_cents: i.unit_price_cents,
                    quantity: i.quantity,
                })
                .collect(),
            id: r.id,
            status: r.status,
            email: r.email,
            subtotal_cents: r.subtotal_cents,
            total_cents: r.total_cents,
            currency: r.currency,
            payment: PaymentSummary {
                brand: r.payment_brand,
                last4: r.payment_last4,
                state: r.payment_state,
            },
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        })
    }
}

/// The owner sees it; a guest order opens with its own access token (the `ecomm_orders` cookie
/// its checkout answer set). Anyone else gets 404, not 403, so order ids cannot be probed.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders", params(("id" = String, Path, format = "uuid")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_order(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    client: ClientInfo,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<OrderDto>> {
    let not_found = ApiError::NotFound("order");
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(not_found);
    }
    let order = state.store.order(&id).await?;
    let by_user =
        matches!((&user, order.row.user_id), (Some(u), Some(owner_id)) if u.id == owner_id);
    let sent = client.cookie_up_to(&headers, GUEST_ORDERS_COOKIE, guest::ORDERS_MAX_LEN);
    let by_guest = order.row.user_id.is_none()
        && GuestOrders::parse(sent).token(&id).map(guest::order_owner) == order.row.cart_key;
    if by_user || by_guest {
        Ok(Json(order.try_into()?))
    } else {
        Err(not_found)
    }
}
