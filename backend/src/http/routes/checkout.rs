//! POST /api/checkout: parse, hand the checkout to its own task (it survives a client that goes
//! away), map the answer. The flow itself lives in `crate::checkout`.
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::cart::cookie::GuestCart;
use crate::checkout::{Answer, OrderRequest};
use crate::domain::{schema, whole, Address, Card, Checks, Email, Invalid, Money, OrderStatus};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::ApiJson;
use crate::http::routes::cart::{cart_cookie, guest_cart, identity_cookie};
use crate::http::routes::orders::OrderDto;
use crate::http::session::{set_cookie, CartOwner, ClientInfo, CART_MAX_AGE, GUEST_ORDERS_COOKIE};
use crate::http::AppState;
use crate::security::guest::{self, GuestOrders};
use crate::store::Order;
use crate::sys::clock::now_ms;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(super::pay::start))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/checkout", post(super::pay::start))
}

/// The card must not have expired (`exp_year`/`exp_month` this month or later, else 402
/// `card-expired`): a rule that moves with the date, so it is described here, not stated.
#[derive(Deserialize, ToSchema)]
pub struct PaymentRequest {
    #[schema(schema_with = schema::card_number)]
    pub card_number: String,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(minimum = 1, maximum = 12)]
    pub exp_month: i64,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(minimum = 2000, maximum = 2099)]
    pub exp_year: i64,
    #[schema(schema_with = schema::cvc)]
    pub cvc: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CheckoutRequest {
    #[schema(schema_with = schema::email)]
    pub email: String,
    #[schema(schema_with = schema::address_input)]
    pub shipping_address: Address,
    pub payment: PaymentRequest,
    /// The total the shopper was shown; if prices changed since, the checkout is refused with
    /// 409 `price-changed` instead of charging a different amount.
    #[serde(default, deserialize_with = "whole::opt_i64")]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub expected_total_cents: Option<i64>,
}

/// A checkout request that passed every check.
pub struct ValidCheckout {
    pub email: Email,
    pub address: Address,
    pub card: Card,
    pub expected_total: Option<Money>,
}

impl CheckoutRequest {
    pub fn parse(self) -> Result<ValidCheckout, Invalid> {
        let mut c = Checks::default();
        let email = c.check("email", Email::parse(&self.email));
        let address = Address::parse(&self.shipping_address, "shipping_address", &mut c);
        let p = &self.payment;
        let card = Card::parse(&p.card_number, p.exp_month, p.exp_year, &p.cvc, &mut c);
        let expected_total = match self.expected_total_cents {
            Some(t) => c.check("expected_total_cents", Money::parse(t)).map(Some),
            None => Some(None),
        };
        c.finish_with(|| {
            Some(ValidCheckout {
                email: email?,
                address: address?,
                card: card?,
                expected_total: expected_total?,
            })
        })
    }
}

pub(crate) fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| ApiError::field("Idempotency-Key", "header is required"))?
        .to_str()
        .map_err(|_| ApiError::field("Idempotency-Key", "must be printable ASCII"))?;
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            "Idempotency-Key",
            "must be 1 to 255 printable characters",
        ));
    }
    Ok(key.to_owned())
}

/// What makes two requests "the same": who pays for which cart, where it goes, and the card's
/// public parts (never the number).
fn fingerprint(cart_key: &str, email: &Email, address: &Address, card: &Card) -> String {
    let doc = serde_json::json!([
        cart_key,
        email.as_str(),
        address,
        card.brand(),
        card.last4(),
        card.exp_month,
        card.exp_year
    ]);
    hex::encode(Sha256::digest(doc.to_string().as_bytes()))
}

/// The cookies a guest's order answer sets: the cart without the lines it bought (as a stored
/// cart's are emptied in the order's transaction; whatever else was added meanwhile stays), the
/// order's access token beside the browser's other guest orders, and a new identity if it got one.
pub(crate) fn guest_cookies(
    owner: &CartOwner,
    sent: &GuestOrders,
    guest: Option<&GuestCart>,
    token: Option<&str>,
    order: &Order,
) -> AppendHeaders<Vec<(HeaderName, HeaderValue)>> {
    let bought: Vec<i64> = order.items.iter().map(|i| i.product_id).collect();
    let lines = guest.and_then(|c| cart_cookie(owner, &c.without(&bought)));
    let orders = token.map(|t| {
        let value = sent.clone().with(&order.row.id, t).encode();
        set_cookie(GUEST_ORDERS_COOKIE, &value, CART_MAX_AGE, owner.secure)
    });
    let cookies = [lines, orders, identity_cookie(owner)];
    AppendHeaders(
        cookies
            .into_iter()
            .flatten()
            .map(|c| (header::SET_COOKIE, c))
            .collect(),
    )
}

#[utoipa::path(post, path = "/api/checkout", tag = "checkout", request_body = CheckoutRequest,
    params(("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$", description = "One key per checkout attempt (1 to 255 printable ASCII characters); retries reuse it")),
    responses(
        (status = 201, body = OrderDto),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "payment-declined, or card-expired (naming payment.exp_month)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "insufficient-stock, price-changed, checkout-interrupted, payment-already-used (the gateway's payment for this key already belongs to an order), or the key is in progress (Retry-After)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "empty cart, cart-too-large, or the key was used with another request", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many declined payments from this client or for this email", body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(user_id = ?owner.user.as_ref().map(|u| u.id), order_id = tracing::field::Empty))]
pub async fn checkout(
    State(state): State<AppState>,
    owner: CartOwner,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CheckoutRequest>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let ValidCheckout {
        email,
        address,
        card,
        expected_total,
    } = req.parse()?;
    let today = time::OffsetDateTime::now_utc();
    if card.expired((today.year(), today.month() as u32)) {
        return Err(ApiError::CardExpired);
    }
    let declines = &state.security.declines;
    declines
        .check(client.ip, email.as_str(), now_ms())
        .map_err(ApiError::TooManyRequests)?;
    let guest = guest_cart(&owner);
    // A guest order keeps the hash of its own access token where a user's keeps the user's key.
    let token = owner
        .guest_token
        .as_deref()
        .map(|identity| guest::order_token(identity, &key));
    let sent = GuestOrders::parse(client.cookie_up_to(
        &headers,
        GUEST_ORDERS_COOKIE,
        guest::ORDERS_MAX_LEN,
    ));
    let request = OrderRequest {
        guest_lines: guest.as_ref().map(|c| c.items().to_vec()),
        fingerprint: fingerprint(&owner.key, &email, &address, &card),
        key,
        cart_key: token
            .as_deref()
            .map_or_else(|| owner.key.clone(), guest::order_owner),
        user_id: owner.user.as_ref().map(|u| u.id),
        email: email.as_str().to_owned(),
        shipping_address: serde_json::to_string(&address).map_err(anyhow::Error::from)?,
        card,
        expected_total_cents: expected_total.map(Money::cents),
        attempt: declines.attempt(client.ip, email.as_str()),
    };
    let answer = state
        .checkout
        .start(request)
        .await
        .map_err(|_| anyhow::anyhow!("the checkout task ended without an answer"))?;
    match answer? {
        Answer::Created(order) => {
            tracing::Span::current().record("order_id", order.row.id.as_str());
            state.ops.record_order(OrderStatus::Paid);
            state.ops.record_inventory_updates(order.items.len() as u64);
            let cookies = guest_cookies(&owner, &sent, guest.as_ref(), token.as_deref(), &order);
            Ok((
                StatusCode::CREATED,
                cookies,
                Json(OrderDto::try_from(order)?),
            )
                .into_response())
        }
        Answer::Stored {
            status,
            body,
            order,
        } => {
            let status = StatusCode::from_u16(status).map_err(anyhow::Error::from)?;
            Ok(match order {
                Some(order) if status.is_success() => {
                    let cookies =
                        guest_cookies(&owner, &sent, guest.as_ref(), token.as_deref(), &order);
                    (status, cookies, Json(OrderDto::try_from(order)?)).into_response()
                }
                _ => (
                    status,
                    [(header::CONTENT_TYPE, "application/problem+json")],
                    body,
                )
                    .into_response(),
            })
        }
    }
}
