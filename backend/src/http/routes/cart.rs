use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cart::cookie::GuestCart;
use crate::cart::{Cart, Held};
use crate::domain::{schema, whole, CartItem, CartLimits, Invalid, Quantity};
use crate::http::error::{ApiResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::session::{set_cookie, CartOwner, CART_COOKIE, CART_LINES_COOKIE, CART_MAX_AGE};
use crate::http::AppState;
use crate::store::CartLine;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_cart, add_item, update_item, remove_item))]
pub struct Api;

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

/// A guest's cart, as its cookie carries it; `None` for a signed-in user, whose cart is stored.
pub(crate) fn guest_cart(owner: &CartOwner) -> Option<GuestCart> {
    match (&owner.user, &owner.guest_cart_cookie) {
        (Some(_), _) => None,
        (None, Some(raw)) => Some(GuestCart::parse(raw, CartLimits::SHOP)),
        (None, None) => Some(GuestCart::default()),
    }
}

/// The caller's cart: a guest's from its cookie, a signed-in user's stored one.
fn open<'a>(state: &'a AppState, owner: &CartOwner) -> Cart<'a> {
    let held = match guest_cart(owner) {
        Some(lines) => Held::Cookie(lines),
        None => Held::Stored(owner.key.clone()),
    };
    Cart::new(held, CartLimits::SHOP, state.store.as_ref(), &state.catalog)
}

/// The cookie that carries a new guest identity, when this request was given one.
pub(crate) fn identity_cookie(owner: &CartOwner) -> Option<HeaderValue> {
    match (owner.fresh, &owner.guest_token) {
        (true, Some(token)) => Some(set_cookie(CART_COOKIE, token, CART_MAX_AGE, owner.secure)),
        _ => None,
    }
}

/// The cookie that carries a guest's cart, when the cart is not what the request sent.
pub(crate) fn cart_cookie(owner: &CartOwner, cart: &GuestCart) -> Option<HeaderValue> {
    let value = cart.encode();
    (owner.guest_cart_cookie.as_deref() != Some(value.as_str()))
        .then(|| set_cookie(CART_LINES_COOKIE, &value, CART_MAX_AGE, owner.secure))
}

/// The cart as it now stands, setting the guest cookies it needs.
async fn respond(state: &AppState, owner: &CartOwner, cart: &Cart<'_>) -> ApiResult<Response> {
    let mut res = Json(cart_dto(cart.lines().await?, state)).into_response();
    if let Some(cookie) = identity_cookie(owner) {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    if let Some(cookie) = cart.cookie().and_then(|c| cart_cookie(owner, c)) {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(res)
}

#[utoipa::path(get, path = "/api/cart", tag = "cart", responses((status = 200, body = CartDto)))]
pub async fn get_cart(State(state): State<AppState>, owner: CartOwner) -> ApiResult<Response> {
    respond(&state, &owner, &open(&state, &owner)).await
}

#[utoipa::path(post, path = "/api/cart/items", tag = "cart", request_body = AddItem,
    responses((status = 200, body = CartDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not enough stock", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "cart-too-large: more than 50 different products", body = Problem, content_type = "application/problem+json")))]
pub async fn add_item(
    State(state): State<AppState>,
    owner: CartOwner,
    ApiJson(req): ApiJson<AddItem>,
) -> ApiResult<Response> {
    let item = CartItem::new(req.product_id, quantity(req.quantity)?);
    let mut cart = open(&state, &owner);
    cart.add(item).await?;
    respond(&state, &owner, &cart).await
}

#[utoipa::path(patch, path = "/api/cart/items/{product_id}", tag = "cart", request_body = SetQuantity, params(("product_id" = i64, Path, minimum = 1)),
    responses((status = 200, body = CartDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not enough stock", body = Problem, content_type = "application/problem+json")))]
pub async fn update_item(
    State(state): State<AppState>,
    owner: CartOwner,
    ApiPath(product_id): ApiPath<i64>,
    ApiJson(req): ApiJson<SetQuantity>,
) -> ApiResult<Response> {
    let item = CartItem::new(product_id, quantity(req.quantity)?);
    let mut cart = open(&state, &owner);
    cart.set(item).await?;
    respond(&state, &owner, &cart).await
}

#[utoipa::path(delete, path = "/api/cart/items/{product_id}", tag = "cart", params(("product_id" = i64, Path, minimum = 1)),
    responses((status = 200, body = CartDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_item(
    State(state): State<AppState>,
    owner: CartOwner,
    ApiPath(product_id): ApiPath<i64>,
) -> ApiResult<Response> {
    let mut cart = open(&state, &owner);
    cart.remove(product_id).await?;
    respond(&state, &owner, &cart).await
}

fn quantity(n: i64) -> Result<i64, Invalid> {
    Quantity::parse(n)
        .map(Quantity::get)
        .map_err(|m| Invalid::field("quantity", m))
}
