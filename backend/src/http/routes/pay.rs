//! The card flow's HTTP face (the flow itself is `crate::checkout::attempts`):
//!   POST /api/checkout                  start: the payment intent's client secret for the browser
//!   POST /api/checkout/complete         the browser is back: the order, once
//!   POST /api/payments/stripe/webhook   Stripe's signed events
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::checkout::{guest_cookies, idempotency_key, CheckoutRequest};
use crate::checkout::attempts::NewCheckout;
use crate::checkout::Answer;
use crate::domain::{schema, whole, Address, Checks, Email, Money, OrderStatus};
use crate::http::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::extract::ApiJson;
use crate::http::routes::cart::guest_cart;
use crate::http::routes::orders::OrderDto;
use crate::http::session::{CartOwner, ClientInfo, GUEST_ORDERS_COOKIE};
use crate::http::AppState;
use crate::payments::stripe::webhook::{self, Event};
use crate::security::guest::{self, GuestOrders};

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(complete))]
pub struct Api;

/// The OpenAPI description of [`webhook_router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(stripe_webhook))]
pub struct WebhookApi;

/// The browser's return (POST /api/checkout itself is `checkout::router`'s).
pub fn router() -> Router<AppState> {
    Router::new().route("/api/checkout/complete", post(complete))
}

/// Stripe's events: no session, the signature is the authentication.
pub fn webhook_router() -> Router<AppState> {
    Router::new().route("/api/payments/stripe/webhook", post(stripe_webhook))
}

/// A checkout to start. It carries no card data: a body that does is refused (400 naming where).
#[derive(Deserialize, ToSchema)]
pub struct StartCheckout {
    #[schema(schema_with = schema::email)]
    pub email: String,
    #[schema(schema_with = schema::address_input)]
    pub shipping_address: Address,
    /// The total the shopper was shown; if prices changed since, 409 `price-changed`.
    #[serde(default, deserialize_with = "whole::opt_i64")]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub expected_total_cents: Option<i64>,
}

/// What the browser confirms the payment with, at the provider.
#[derive(Serialize, ToSchema)]
pub struct PaymentDto {
    /// `stripe` (in test mode the stand-in under `/test-gateway` answers as Stripe).
    pub provider: &'static str,
    pub intent_id: String,
    pub client_secret: String,
    pub publishable_key: String,
}

#[derive(Serialize, ToSchema)]
pub struct StartedDto {
    pub checkout_id: String,
    pub amount_cents: i64,
    pub currency: String,
    pub payment: PaymentDto,
}

#[derive(Deserialize, ToSchema)]
pub struct CompleteCheckout {
    #[schema(max_length = 255)]
    pub intent_id: String,
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> ApiResult<T> {
    serde_path_to_error::deserialize(v).map_err(|err| {
        let path = err.path().to_string();
        let field = if path.is_empty() || path == "." {
            "body".to_owned()
        } else {
            path
        };
        ApiError::Validation(vec![FieldError::new(field, err.inner().to_string())])
    })
}

#[utoipa::path(post, path = "/api/checkout", tag = "checkout", request_body = StartCheckout,
    params(("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$", description = "One key per checkout; a retry with it answers the same payment")),
    responses(
        (status = 200, body = StartedDto, description = "The payment to confirm in the browser"),
        (status = 400, description = "invalid fields, or card data in the body (never accepted)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "insufficient-stock, price-changed, or checkout-interrupted (this key's checkout was closed)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "empty cart, cart-too-large, or the key was used with another request", body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn start(
    state: State<AppState>,
    owner: CartOwner,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let card_data = super::pay_cards::card_data_at(&body);
    let Some(cards) = state.cards.clone() else {
        // Tests of the old card-number checkout run without the card flow.
        let req: CheckoutRequest = typed(body)?;
        return super::checkout::checkout(state, owner, client, headers, ApiJson(req)).await;
    };
    if let Some(field) = card_data {
        if state.legacy_card_checkout && field == "payment" {
            let req: CheckoutRequest = typed(body)?;
            return super::checkout::checkout(state, owner, client, headers, ApiJson(req)).await;
        }
        return Err(ApiError::field(
            &field,
            "card data is never accepted here: the browser gives it to the payment provider",
        ));
    }
    let key = idempotency_key(&headers)?;
    let req: StartCheckout = typed(body)?;
    let mut c = Checks::default();
    let email = c.check("email", Email::parse(&req.email));
    let address = Address::parse(&req.shipping_address, "shipping_address", &mut c);
    let expected = match req.expected_total_cents {
        Some(t) => c
            .check("expected_total_cents", Money::parse(t))
            .map(|m| Some(m.cents())),
        None => Some(None),
    };
    let (email, address, expected) = c.finish_with(|| Some((email?, address?, expected?)))?;
    let guest = guest_cart(&owner);
    let token = owner
        .guest_token
        .as_deref()
        .map(|identity| guest::order_token(identity, &key));
    let shipping = serde_json::to_string(&address).map_err(anyhow::Error::from)?;
    let doc = serde_json::json!([owner.key, email.as_str(), address, expected]);
    let started = cards
        .create(&NewCheckout {
            fingerprint: hex::encode(Sha256::digest(doc.to_string().as_bytes())),
            cart_key: token
                .as_deref()
                .map_or_else(|| owner.key.clone(), guest::order_owner),
            guest_lines: guest.as_ref().map(|c| c.items().to_vec()),
            user_id: owner.user.as_ref().map(|u| u.id),
            email: email.as_str().to_owned(),
            shipping_address: shipping,
            expected_total_cents: expected,
            key,
        })
        .await?;
    Ok(Json(StartedDto {
        checkout_id: started.checkout_id,
        amount_cents: started.amount_cents,
        currency: started.currency,
        payment: PaymentDto {
            provider: "stripe",
            intent_id: started.intent_id,
            client_secret: started.client_secret,
            publishable_key: started.publishable_key,
        },
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/checkout/complete", tag = "checkout", request_body = CompleteCheckout,
    responses(
        (status = 201, body = OrderDto, description = "The order, made now"),
        (status = 200, body = OrderDto, description = "The order made earlier for this payment (never a second one)"),
        (status = 402, description = "payment-not-authorized: the payment does not hold the money (yet)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no checkout of this shop made this payment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "insufficient-stock naming the short lines (the payment was cancelled), or the key is in progress", body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn complete(
    State(state): State<AppState>,
    owner: CartOwner,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CompleteCheckout>,
) -> ApiResult<Response> {
    let cards = state.cards.clone().ok_or(ApiError::NotFound("card flow"))?;
    let answer = cards.complete(req.intent_id.trim()).await?;
    let (status, order) = match answer {
        Answer::Created(order) => {
            state.ops.record_order(OrderStatus::Paid);
            state.ops.record_inventory_updates(order.items.len() as u64);
            (StatusCode::CREATED, order)
        }
        Answer::Stored {
            order: Some(order), ..
        } => (StatusCode::OK, order),
        Answer::Stored {
            status,
            body,
            order: None,
        } => {
            let status = StatusCode::from_u16(status).map_err(anyhow::Error::from)?;
            let ct = [(axum::http::header::CONTENT_TYPE, "application/problem+json")];
            return Ok((status, ct, body).into_response());
        }
    };
    // A guest who placed this checkout gets the order's access cookie and a cart without its lines.
    let attempt = state.store.attempt_by_intent(req.intent_id.trim()).await?;
    let token = match (&owner.guest_token, &attempt) {
        (Some(identity), Some(a)) => Some(guest::order_token(identity, &a.request_key))
            .filter(|t| order.row.cart_key.as_deref() == Some(guest::order_owner(t).as_str())),
        _ => None,
    };
    let sent = GuestOrders::parse(client.cookie_up_to(
        &headers,
        GUEST_ORDERS_COOKIE,
        guest::ORDERS_MAX_LEN,
    ));
    let guest = token.as_ref().and_then(|_| guest_cart(&owner));
    let cookies = guest_cookies(&owner, &sent, guest.as_ref(), token.as_deref(), &order);
    Ok((status, cookies, Json(OrderDto::try_from(order)?)).into_response())
}

/// The fields of a Stripe event the shop reads (the document's view of `webhook::Event`); any
/// other field is accepted and ignored, as Stripe adds fields without notice.
#[derive(ToSchema)]
#[allow(dead_code, reason = "documents the request body only")]
struct StripeEvent {
    /// `evt_…`; each id is acted on once.
    id: String,
    /// `payment_intent.amount_capturable_updated`, `charge.refunded`, …; unknown types are ignored.
    #[schema(rename = "type")]
    kind: String,
    data: StripeEventData,
}

#[derive(ToSchema)]
#[allow(dead_code, reason = "documents the request body only")]
struct StripeEventData {
    /// The PaymentIntent, Charge or Dispute the event is about.
    object: serde_json::Value,
}

#[utoipa::path(post, path = "/api/payments/stripe/webhook", tag = "checkout",
    params(("Stripe-Signature" = String, Header,
        description = "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\" with the endpoint's secret>`; \
                       older than 5 minutes is refused")),
    request_body(content = StripeEvent, description = "A Stripe event, signed (Stripe-Signature)", content_type = "application/json"),
    responses(
        (status = 200, description = "Acted on, ignored (unknown type, another deployment's), or a replay of an event already acted on"),
        (status = 400, description = "bad or stale signature, or not an event; nothing is written", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "not settled now; Stripe redelivers", body = Problem, content_type = "application/problem+json")))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let cards = state.cards.clone().ok_or(ApiError::NotFound("card flow"))?;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let now = crate::sys::clock::now_ms() / 1000;
    webhook::verify(signature, &body, &cards.webhook_secrets, now).map_err(|e| {
        metrics::counter!("ecomm_webhooks_refused_total").increment(1);
        ApiError::field("Stripe-Signature", e.to_string())
    })?;
    let event: Event = serde_json::from_slice(&body)
        .map_err(|e| ApiError::field("body", format!("not a Stripe event: {e}")))?;
    if state.store.event_seen(&event.id).await? {
        return Ok(Json(serde_json::json!({"received": true, "replay": true})).into_response());
    }
    let handled = cards.on_event(&event).await?;
    state
        .store
        .record_event(&event.id, &event.kind, crate::sys::clock::now_ms())
        .await?;
    tracing::info!(event_id = %event.id, kind = %event.kind, ?handled, "stripe event");
    Ok(Json(serde_json::json!({"received": true})).into_response())
}
