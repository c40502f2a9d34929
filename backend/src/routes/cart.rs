use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{schema, whole, Invalid, Quantity};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::session::{set_cookie, CartOwner, CART_COOKIE};
use crate::state::{now_ms, AppState};
use crate::store::CartLine;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/cart", get(get_cart))
        .route("/api/cart/items", post(add_item))
        .route(
            "/api/cart/items/{product_id}",
            patch(update_item).delete(remove_item),
        )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartLineDto {
    pub product_id: i64,
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub image_url: Option<String>,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub line_total_cents: i64,
    pub available: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartDto {
    pub items: Vec<CartLineDto>,
    pub item_count: i64,
    pub subtotal_cents: i64,
    pub currency: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddItem {
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = schema::id)]
    pub product_id: i64,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = schema::quantity)]
    pub quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetQuantity {
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = schema::quantity)]
    pub quantity: i64,
}

fn cart_dto(lines: Vec<CartLine>, state: &AppState) -> CartDto {
    let items: Vec<CartLineDto> = lines
        .into_iter()
        .map(|l| CartLineDto {
            line_total_cents: l.unit_price_cents * l.quantity,
            image_url: l.image_key.as_deref().map(|k| state.media.image_url(k)),
            product_id: l.product_id,
            sku: l.sku,
            slug: l.slug,
            name: l.name,
            unit_price_cents: l.unit_price_cents,
            quantity: l.quantity,
            available: l.available,
        })
        .collect();
    CartDto {
        item_count: items.iter().map(|i| i.quantity).sum(),
        subtotal_cents: items.iter().map(|i| i.line_total_cents).sum(),
        items,
        currency: "USD".into(),
    }
}

/// The cart as it now stands, setting the guest cart cookie on first use.
async fn respond(state: &AppState, owner: &CartOwner, _headers: &HeaderMap) -> ApiResult<Response> {
    let cart = cart_dto(state.store.cart(&owner.key).await?, state);
    let mut res = Json(cart).into_response();
    if let (true, Some(token)) = (owner.fresh, &owner.guest_token) {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CART_COOKIE, token, 90 * 24 * 3600, owner.secure),
        );
    }
    Ok(res)
}

#[utoipa::path(get, path = "/api/cart", tag = "cart", responses((status = 200, body = CartDto)))]
pub async fn get_cart(
    State(state): State<AppState>,
    owner: CartOwner,
    headers: HeaderMap,
) -> ApiResult<Response> {
    respond(&state, &owner, &headers).await
}

#[utoipa::path(post, path = "/api/cart/items", tag = "cart", request_body = AddItem,
    responses((status = 200, body = CartDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not enough stock", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "cart-too-large: more than 50 different products", body = Problem, content_type = "application/problem+json")))]
pub async fn add_item(
    State(state): State<AppState>,
    owner: CartOwner,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AddItem>,
) -> ApiResult<Response> {
    let qty = Quantity::parse(req.quantity).map_err(|m| Invalid::field("quantity", m))?;
    state
        .store
        .add_to_cart(
            &owner.key,
            req.product_id,
            qty.get(),
            Quantity::MAX,
            crate::checkout::MAX_LINES as i64,
            now_ms(),
        )
        .await?;
    respond(&state, &owner, &headers).await
}

#[utoipa::path(patch, path = "/api/cart/items/{product_id}", tag = "cart", request_body = SetQuantity, params(("product_id" = i64, Path, minimum = 1)),
    responses((status = 200, body = CartDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not enough stock", body = Problem, content_type = "application/problem+json")))]
pub async fn update_item(
    State(state): State<AppState>,
    owner: CartOwner,
    headers: HeaderMap,
    ApiPath(product_id): ApiPath<i64>,
    ApiJson(req): ApiJson<SetQuantity>,
) -> ApiResult<Response> {
    let qty = Quantity::parse(req.quantity).map_err(|m| Invalid::field("quantity", m))?;
    state
        .store
        .set_cart_quantity(&owner.key, product_id, qty.get())
        .await?;
    respond(&state, &owner, &headers).await
}

#[utoipa::path(delete, path = "/api/cart/items/{product_id}", tag = "cart", params(("product_id" = i64, Path, minimum = 1)),
    responses((status = 200, body = CartDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_item(
    State(state): State<AppState>,
    owner: CartOwner,
    headers: HeaderMap,
    ApiPath(product_id): ApiPath<i64>,
) -> ApiResult<Response> {
    state.store.remove_from_cart(&owner.key, product_id).await?;
    respond(&state, &owner, &headers).await
}
