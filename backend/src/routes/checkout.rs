use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::domain::{Address, Card, Checks, Email, Invalid, OrderStatus};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiJson;
use crate::payments::{Authorization, AuthorizeRequest};
use crate::routes::orders::OrderDto;
use crate::session::CartOwner;
use crate::state::{now_ms, AppState};
use crate::store::{CheckoutStart, IdempotencyRecord, NewOrder, Order};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/checkout", post(checkout))
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentRequest {
    pub card_number: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub cvc: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CheckoutRequest {
    pub email: String,
    pub shipping_address: Address,
    pub payment: PaymentRequest,
}

/// A checkout request that passed every check.
pub struct ValidCheckout {
    pub email: Email,
    pub address: Address,
    pub card: Card,
}

impl CheckoutRequest {
    /// `today` decides whether the card has expired.
    pub fn parse(self, today: time::OffsetDateTime) -> Result<ValidCheckout, Invalid> {
        let mut c = Checks::default();
        let email = c.check("email", Email::parse(&self.email));
        let address = Address::parse(&self.shipping_address, "shipping_address", &mut c);
        let p = &self.payment;
        let card = Card::parse(
            &p.card_number,
            p.exp_month,
            p.exp_year,
            &p.cvc,
            (today.year(), today.month() as u32),
            &mut c,
        );
        c.finish_with(|| {
            Some(ValidCheckout {
                email: email?,
                address: address?,
                card: card?,
            })
        })
    }
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
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

#[utoipa::path(post, path = "/api/checkout", tag = "checkout", request_body = CheckoutRequest,
    params(("Idempotency-Key" = String, Header, description = "One key per checkout attempt; retries reuse it")),
    responses(
        (status = 201, body = OrderDto),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 402, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(user_id = ?owner.user.as_ref().map(|u| u.id), order_id = tracing::field::Empty))]
pub async fn checkout(
    State(state): State<AppState>,
    owner: CartOwner,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CheckoutRequest>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let ValidCheckout {
        email,
        address,
        card,
    } = req.parse(time::OffsetDateTime::now_utc())?;

    let new = NewOrder {
        id: uuid::Uuid::new_v4().to_string(),
        fingerprint: fingerprint(&owner.key, &email, &address, &card),
        idempotency_key: key.clone(),
        cart_key: owner.key.clone(),
        user_id: owner.user.as_ref().map(|u| u.id),
        email: email.as_str().to_owned(),
        shipping_address: serde_json::to_string(&address).map_err(anyhow::Error::from)?,
        payment_brand: card.brand().to_owned(),
        payment_last4: card.last4().to_owned(),
    };
    let order = match state.store.begin_checkout(&new, now_ms()).await {
        Ok(CheckoutStart::Started(order)) => order,
        Ok(CheckoutStart::Replay(rec)) => return replay(&state, &key, &new.fingerprint, rec).await,
        Err(e) => return Err(e.into()),
    };

    let req = AuthorizeRequest {
        card: &card,
        amount_cents: order.row.total_cents,
        currency: &order.row.currency,
        idempotency_key: &key,
    };
    let outcome = match state.payments.authorize(&req).await {
        Ok(Authorization::Approved { reference }) => {
            state.payments.capture(&reference).await.map(|_| None)
        }
        Ok(Authorization::Declined { reason }) => Ok(Some(reason)),
        Err(e) => Err(e),
    };
    let (paid, status, body) = match outcome {
        Ok(None) => (true, StatusCode::CREATED, String::new()),
        Ok(Some(reason)) => (
            false,
            StatusCode::PAYMENT_REQUIRED,
            problem_body(&ApiError::PaymentDeclined(reason)),
        ),
        Err(err) => {
            tracing::error!(error = ?err, "payment gateway failed");
            (
                false,
                StatusCode::SERVICE_UNAVAILABLE,
                problem_body(&ApiError::Unavailable),
            )
        }
    };
    let lines = order.items.len();
    let order = state
        .store
        .finish_checkout(
            &order.row.id,
            &key,
            paid,
            i64::from(status.as_u16()),
            &body,
            now_ms(),
        )
        .await?;
    if paid {
        state.ops.record_order(OrderStatus::Paid);
        state.ops.record_inventory_updates(lines as u64);
    } else {
        state.ops.record_order(OrderStatus::Cancelled);
    }
    respond(status, &body, order)
}

fn problem_body(err: &ApiError) -> String {
    serde_json::to_string(&err.problem()).unwrap_or_default()
}

fn respond(status: StatusCode, body: &str, order: Order) -> ApiResult<Response> {
    Ok(if status == StatusCode::CREATED {
        (status, Json(OrderDto::try_from(order)?)).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_owned(),
        )
            .into_response()
    })
}

/// A retry: the same answer as the first time, once the first attempt has one.
async fn replay(
    state: &AppState,
    key: &str,
    fingerprint: &str,
    mut rec: IdempotencyRecord,
) -> ApiResult<Response> {
    if rec.fingerprint != fingerprint {
        return Err(ApiError::Unprocessable(
            "this Idempotency-Key was used with a different request".into(),
        ));
    }
    for _ in 0..400 {
        if rec.response_status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        rec = state
            .store
            .idempotency_record(key)
            .await?
            .ok_or(ApiError::NotFound("idempotency key"))?;
    }
    let (Some(status), Some(order_id)) = (rec.response_status, rec.order_id) else {
        return Err(ApiError::Conflict(
            "a request with this Idempotency-Key is still in progress".into(),
        ));
    };
    let status = StatusCode::from_u16(status as u16).map_err(anyhow::Error::from)?;
    let order = state.store.order(&order_id).await?;
    respond(status, rec.response_body.as_deref().unwrap_or(""), order)
}
