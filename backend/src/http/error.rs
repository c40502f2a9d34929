//! One error type for the whole API, rendered as RFC 9457 problem details.
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::checkout::CheckoutError;
pub use crate::domain::FieldError;
use crate::domain::Invalid;
use crate::security::hashing::HashError;
use crate::store::{ShortLine, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("insufficient stock")]
    InsufficientStock(Vec<ShortLine>),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    PaymentDeclined(String),
    /// The card flow's payment does not hold the money (yet, or any more).
    #[error("{0}")]
    PaymentNotAuthorized(String),
    /// Refused as a bank would (402, like Stripe's `expired_card`), before asking one.
    #[error("the card has expired")]
    CardExpired,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    TooManyRequests(u64),
    #[error("service unavailable")]
    Unavailable,
    #[error("{0}")]
    CartTooLarge(String),
    /// A valid quantity the cart's line cannot take (it would pass the per-line maximum).
    #[error("{0}")]
    LineLimit(String),
    /// A cart line would promise more than the shelf holds.
    #[error("{0}")]
    LineOverStock(String),
    #[error("{0}")]
    PriceChanged(String),
    /// The same Idempotency-Key is being worked on: retry after a second.
    #[error("a request with this Idempotency-Key is still in progress")]
    InProgress,
    #[error("{0}")]
    CheckoutInterrupted(String),
    /// The payment for this Idempotency-Key already belongs to an order.
    #[error("{0}")]
    PaymentAlreadyUsed(String),
    /// Shed load (hashing slots, request timeout): retry after this many seconds.
    #[error("the server is busy")]
    Overloaded(u64),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Validation(_) | BadRequest(_) => StatusCode::BAD_REQUEST,
            Unauthorized | InvalidCredentials => StatusCode::UNAUTHORIZED,
            Forbidden => StatusCode::FORBIDDEN,
            NotFound(_) => StatusCode::NOT_FOUND,
            Conflict(_)
            | InsufficientStock(_)
            | PriceChanged(_)
            | InProgress
            | LineLimit(_)
            | LineOverStock(_)
            | CheckoutInterrupted(_)
            | PaymentAlreadyUsed(_) => StatusCode::CONFLICT,
            Unprocessable(_) | CartTooLarge(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PaymentDeclined(_) | CardExpired | PaymentNotAuthorized(_) => {
                StatusCode::PAYMENT_REQUIRED
            }
            PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Unavailable | Overloaded(_) => StatusCode::SERVICE_UNAVAILABLE,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        use ApiError::*;
        match self {
            Validation(_) => ("validation", "Your request has invalid fields"),
            BadRequest(_) => ("bad-request", "Bad request"),
            Unauthorized => ("unauthorized", "Authentication required"),
            InvalidCredentials => ("invalid-credentials", "Invalid email or password"),
            Forbidden => ("forbidden", "You are not allowed to do this"),
            NotFound(_) => ("not-found", "Not found"),
            // A cart line over the shelf keeps the problem type clients already handle.
            Conflict(_) | LineOverStock(_) => ("conflict", "Conflict"),
            InsufficientStock(_) => ("insufficient-stock", "Insufficient stock"),
            Unprocessable(_) => ("unprocessable", "Request cannot be processed"),
            PaymentDeclined(_) => ("payment-declined", "Payment declined"),
            CardExpired => ("card-expired", "Card expired"),
            PaymentNotAuthorized(_) => ("payment-not-authorized", "Payment not authorized"),
            PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            TooManyRequests(_) => ("rate-limited", "Too many requests"),
            Unavailable => ("unavailable", "Service unavailable"),
            CartTooLarge(_) => (
                "cart-too-large",
                "Your cart has too many different products",
            ),
            PriceChanged(_) => ("price-changed", "Prices changed"),
            LineLimit(_) => ("line-limit", "Too many of one product"),
            InProgress => ("in-progress", "Request in progress"),
            CheckoutInterrupted(_) => ("checkout-interrupted", "Checkout interrupted"),
            PaymentAlreadyUsed(_) => ("payment-already-used", "Payment already used"),
            Overloaded(_) => ("overloaded", "The server is busy"),
            Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            ApiError::Validation(errs) => errs
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::InsufficientStock(lines) => format!(
                "not enough stock for {}",
                lines
                    .iter()
                    .map(|l| l.sku.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ApiError::TooManyRequests(secs) | ApiError::Overloaded(secs) => {
                format!("try again in {secs} seconds")
            }
            // Never leak internals to the client; the cause is logged instead.
            ApiError::Internal(_) => "an unexpected error occurred".to_owned(),
            other => other.to_string(),
        };
        Problem {
            r#type: format!("https://ecomm.dev/problems/{slug}"),
            title: title.to_owned(),
            status: self.status().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errs) => Some(errs.clone()),
                ApiError::LineLimit(m) => Some(vec![FieldError::new("quantity", m.clone())]),
                ApiError::CardExpired => Some(vec![FieldError::new(
                    "payment.exp_month",
                    "card has expired",
                )]),
                _ => None,
            },
            lines: match self {
                ApiError::InsufficientStock(lines) => Some(lines.clone()),
                _ => None,
            },
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<ShortLine>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error");
        }
        let status = self.status();
        let retry_after = match &self {
            ApiError::TooManyRequests(secs) | ApiError::Overloaded(secs) => Some(secs.to_string()),
            ApiError::InProgress | ApiError::Unavailable => Some("1".to_owned()),
            _ => None,
        };
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(v) = retry_after.and_then(|v| v.parse().ok()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

impl From<HashError> for ApiError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy { retry_after_secs } => ApiError::Overloaded(retry_after_secs),
            HashError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::Validation(e.0)
    }
}

/// The one place store outcomes become HTTP statuses.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::EmptyCart => ApiError::Unprocessable("your cart is empty".into()),
            // A request for more than the maximum is a 400 (the parser); a valid quantity that
            // the line already holding some cannot take conflicts with the cart: 409 naming
            // `quantity`, as a line the shelf cannot fill does.
            e @ StoreError::LineLimit { .. } => ApiError::LineLimit(e.to_string()),
            e @ StoreError::CartTooLarge { .. } => ApiError::CartTooLarge(e.to_string()),
            e @ StoreError::LineOverStock { .. } => ApiError::LineOverStock(e.to_string()),
            e @ (StoreError::DuplicateSku(_)
            | StoreError::EmailTaken
            | StoreError::StaleTransition { .. }) => ApiError::Conflict(e.to_string()),
            StoreError::InsufficientStock { lines } => ApiError::InsufficientStock(lines),
            StoreError::PriceChanged => {
                ApiError::PriceChanged("prices changed since you saw your cart".into())
            }
            e @ StoreError::PaymentAlreadyUsed => ApiError::PaymentAlreadyUsed(e.to_string()),
            e if e.is_transient() => {
                tracing::warn!(error = %e, "database unavailable for now: 503");
                ApiError::Unavailable
            }
            StoreError::Db(err) => ApiError::Internal(err.into()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The one place checkout outcomes become HTTP statuses (by reference: refusals are also
    /// rendered into the stored answer of their Idempotency-Key).
    pub fn from_checkout(e: &CheckoutError) -> Self {
        match e {
            CheckoutError::EmptyCart => ApiError::Unprocessable("your cart is empty".into()),
            CheckoutError::CartTooLarge { .. } => ApiError::CartTooLarge(e.to_string()),
            CheckoutError::InsufficientStock(lines) => ApiError::InsufficientStock(lines.clone()),
            CheckoutError::PriceChanged { .. } => ApiError::PriceChanged(e.to_string()),
            // Never why (no oracle for card testers); the reason is in the checkout's log.
            CheckoutError::Declined(_) => ApiError::PaymentDeclined("the card was declined".into()),
            CheckoutError::KeyReused => ApiError::Unprocessable(e.to_string()),
            CheckoutError::InFlight => ApiError::InProgress,
            CheckoutError::GatewayUnavailable => ApiError::Unavailable,
            CheckoutError::Interrupted => ApiError::CheckoutInterrupted(e.to_string()),
            CheckoutError::PaymentAlreadyUsed => ApiError::PaymentAlreadyUsed(e.to_string()),
            CheckoutError::TooManyDeclines(secs) => ApiError::TooManyRequests(*secs),
            CheckoutError::PaymentNotAuthorized(why) => ApiError::PaymentNotAuthorized(why.clone()),
            CheckoutError::UnknownPayment => ApiError::NotFound("checkout for this payment"),
            CheckoutError::PaymentMismatch => ApiError::Conflict(e.to_string()),
            CheckoutError::Store(StoreError::PriceChanged) => {
                ApiError::PriceChanged("prices changed since you saw your cart".into())
            }
            CheckoutError::Store(StoreError::InsufficientStock { lines }) => {
                ApiError::InsufficientStock(lines.clone())
            }
            CheckoutError::Store(StoreError::Db(err)) => {
                // Timeouts and lost connections: the reconciler settles the payment; retry.
                tracing::warn!(error = %err, "checkout: database error");
                ApiError::Unavailable
            }
            CheckoutError::Store(other) => ApiError::Internal(anyhow::anyhow!(other.to_string())),
        }
    }
}

impl From<CheckoutError> for ApiError {
    fn from(e: CheckoutError) -> Self {
        ApiError::from_checkout(&e)
    }
}

/// The (status, body) stored for a key whose checkout was refused, so a retry gets it verbatim.
pub fn render_checkout_error(e: &CheckoutError) -> (u16, String) {
    let err = ApiError::from_checkout(e);
    (
        err.status().as_u16(),
        serde_json::to_string(&err.problem()).unwrap_or_default(),
    )
}
