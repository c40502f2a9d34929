//! The card flow's rows: one checkout attempt per payment intent (written before the intent is
//! asked for), the provider events already acted on, and what refunds and disputes made at the
//! provider change on an order.
use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::checkout::TakeLine;
use super::sql::{Dialect, SqlStore};
use super::StoreResult;

/// A checkout attempt as it is first written.
#[derive(Debug)]
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub request_key: &'a str,
    pub fingerprint: &'a str,
    pub cart_key: &'a str,
    pub user_id: Option<i64>,
    pub email: &'a str,
    pub shipping_address: &'a str,
    pub lines: &'a [TakeLine],
    pub amount_cents: i64,
    pub currency: &'a str,
    pub now: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptState {
    Open,
    Ordered,
    Closed,
}

impl AttemptState {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Open => "open",
            AttemptState::Ordered => "ordered",
            AttemptState::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: String,
    pub request_key: String,
    pub fingerprint: String,
    pub intent_id: Option<String>,
    pub cart_key: String,
    pub user_id: Option<i64>,
    pub email: String,
    pub shipping_address: String,
    pub lines: Vec<TakeLine>,
    pub amount_cents: i64,
    pub currency: String,
    pub state: AttemptState,
    pub order_id: Option<String>,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: String,
    request_key: String,
    fingerprint: String,
    intent_id: Option<String>,
    cart_key: String,
    user_id: Option<i64>,
    email: String,
    shipping_address: String,
    lines: String,
    amount_cents: i64,
    currency: String,
    state: String,
    order_id: Option<String>,
    updated_at: i64,
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = sqlx::Error;
    fn try_from(r: AttemptRow) -> Result<Self, sqlx::Error> {
        let lines: Vec<[i64; 3]> =
            serde_json::from_str(&r.lines).map_err(|e| sqlx::Error::Decode(e.into()))?;
        let state = match r.state.as_str() {
            "open" => AttemptState::Open,
            "ordered" => AttemptState::Ordered,
            "closed" => AttemptState::Closed,
            other => return Err(sqlx::Error::Decode(format!("attempt state {other}").into())),
        };
        Ok(Attempt {
            id: r.id,
            request_key: r.request_key,
            fingerprint: r.fingerprint,
            intent_id: r.intent_id,
            cart_key: r.cart_key,
            user_id: r.user_id,
            email: r.email,
            shipping_address: r.shipping_address,
            lines: lines
                .into_iter()
                .map(|[product_id, quantity, unit_price_cents]| TakeLine {
                    product_id,
                    quantity,
                    unit_price_cents,
                })
                .collect(),
            amount_cents: r.amount_cents,
            currency: r.currency,
            state,
            order_id: r.order_id,
            updated_at: r.updated_at,
        })
    }
}

const COLUMNS: &str = "id, request_key, fingerprint, intent_id, cart_key, user_id, email, \
    shipping_address, lines, amount_cents, currency, state, order_id, updated_at";

#[async_trait]
pub trait AttemptStore: Send + Sync {
    /// Writes a new attempt; false if its request key is already taken (nothing written).
    async fn insert_attempt(&self, a: &NewAttempt<'_>) -> StoreResult<bool>;
    async fn attempt_by_key(&self, request_key: &str) -> StoreResult<Option<Attempt>>;
    async fn attempt_by_intent(&self, intent_id: &str) -> StoreResult<Option<Attempt>>;
    /// Records the intent made for the attempt (the first one written stays).
    async fn set_attempt_intent(&self, id: &str, intent_id: &str, now: i64) -> StoreResult<()>;
    /// Moves an open attempt on; an attempt already ordered or closed stays as it is.
    async fn close_attempt(
        &self,
        id: &str,
        state: AttemptState,
        order_id: Option<&str>,
        last_error: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;
    /// Open attempts last touched at or before `before`, oldest first.
    async fn open_attempts(&self, before: i64, limit: i64) -> StoreResult<Vec<Attempt>>;
    async fn event_seen(&self, id: &str) -> StoreResult<bool>;
    /// Records an event as acted on; false if it already was.
    async fn record_event(&self, id: &str, kind: &str, now: i64) -> StoreResult<bool>;
    /// The provider says this much of the order's payment was given back in all.
    async fn record_refund(
        &self,
        intent_id: &str,
        refunded_cents: i64,
        full: bool,
        now: i64,
    ) -> StoreResult<bool>;
    /// The shopper's bank disputes the order's payment.
    async fn record_dispute(&self, intent_id: &str, now: i64) -> StoreResult<bool>;
}

#[async_trait]
impl<D: Dialect> AttemptStore for SqlStore<D>
where
    for<'c> &'c mut D::Connection: Executor<'c, Database = D>,
    for<'q> D::Arguments<'q>: IntoArguments<'q, D>,
    i64: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    String: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    for<'q> &'q str: Type<D> + Encode<'q, D>,
    for<'q> Option<i64>: Encode<'q, D>,
    for<'q> Option<String>: Encode<'q, D>,
    for<'a> &'a str: ColumnIndex<D::Row>,
    usize: ColumnIndex<D::Row>,
{
    async fn insert_attempt(&self, a: &NewAttempt<'_>) -> StoreResult<bool> {
        let lines: Vec<[i64; 3]> = a
            .lines
            .iter()
            .map(|l| [l.product_id, l.quantity, l.unit_price_cents])
            .collect();
        let lines = serde_json::to_string(&lines).map_err(|e| sqlx::Error::Encode(e.into()))?;
        let done = sqlx::query(
            "INSERT INTO checkout_attempts (id, request_key, fingerprint, cart_key, user_id, \
             email, shipping_address, lines, amount_cents, currency, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             ON CONFLICT (request_key) DO NOTHING",
        )
        .bind(a.id)
        .bind(a.request_key)
        .bind(a.fingerprint)
        .bind(a.cart_key)
        .bind(a.user_id)
        .bind(a.email)
        .bind(a.shipping_address)
        .bind(lines)
        .bind(a.amount_cents)
        .bind(a.currency)
        .bind(a.now)
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn attempt_by_key(&self, request_key: &str) -> StoreResult<Option<Attempt>> {
        let sql = format!("SELECT {COLUMNS} FROM checkout_attempts WHERE request_key = $1");
        let row: Option<AttemptRow> = sqlx::query_as(&sql)
            .bind(request_key)
            .fetch_optional(&self.writer)
            .await?;
        Ok(row.map(Attempt::try_from).transpose()?)
    }

    async fn attempt_by_intent(&self, intent_id: &str) -> StoreResult<Option<Attempt>> {
        let sql = format!("SELECT {COLUMNS} FROM checkout_attempts WHERE intent_id = $1");
        let row: Option<AttemptRow> = sqlx::query_as(&sql)
            .bind(intent_id)
            .fetch_optional(&self.writer)
            .await?;
        Ok(row.map(Attempt::try_from).transpose()?)
    }

    async fn set_attempt_intent(&self, id: &str, intent_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE checkout_attempts SET intent_id = $1, updated_at = $2 \
             WHERE id = $3 AND intent_id IS NULL",
        )
        .bind(intent_id)
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn close_attempt(
        &self,
        id: &str,
        state: AttemptState,
        order_id: Option<&str>,
        last_error: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE checkout_attempts SET state = $1, order_id = COALESCE($2, order_id), \
             last_error = COALESCE($3, last_error), updated_at = $4 \
             WHERE id = $5 AND state = 'open'",
        )
        .bind(state.as_str())
        .bind(order_id.map(str::to_owned))
        .bind(last_error.map(str::to_owned))
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn open_attempts(&self, before: i64, limit: i64) -> StoreResult<Vec<Attempt>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checkout_attempts WHERE state = 'open' AND updated_at <= $1 \
             ORDER BY updated_at LIMIT $2"
        );
        let rows: Vec<AttemptRow> = sqlx::query_as(&sql)
            .bind(before)
            .bind(limit)
            .fetch_all(&self.writer)
            .await?;
        Ok(rows
            .into_iter()
            .map(Attempt::try_from)
            .collect::<Result<_, _>>()?)
    }

    async fn event_seen(&self, id: &str) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_events WHERE id = $1")
            .bind(id)
            .fetch_one(&self.writer)
            .await?;
        Ok(n > 0)
    }

    async fn record_event(&self, id: &str, kind: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO payment_events (id, type, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(kind)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn record_refund(
        &self,
        intent_id: &str,
        refunded_cents: i64,
        full: bool,
        now: i64,
    ) -> StoreResult<bool> {
        // Refunds only grow: an older event delivered late does not shrink what is recorded.
        let done = sqlx::query(
            "UPDATE orders SET refunded_cents = $1, updated_at = $2, payment_state = CASE \
               WHEN $3 = 1 AND payment_state = 'captured' THEN 'refunded' ELSE payment_state END \
             WHERE payment_reference = $4 AND refunded_cents < $1",
        )
        .bind(refunded_cents)
        .bind(now)
        .bind(i64::from(full))
        .bind(intent_id)
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn record_dispute(&self, intent_id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE orders SET disputed_at = $1, updated_at = $1 \
             WHERE payment_reference = $2 AND disputed_at IS NULL",
        )
        .bind(now)
        .bind(intent_id)
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }
}
