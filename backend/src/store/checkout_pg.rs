//! The order transaction on Postgres: ONE statement (one round trip, its own transaction) built
//! from data-modifying CTEs over the lines as arrays (`UNNEST`), kept in the database as the
//! function `place_order` (migration 0025) so that it is planned once per connection:
//!   lines   the lines as charged (product, quantity, unit price)
//!   locked  their product rows, locked in id order (concurrent checkouts cannot deadlock)
//!   fits    every line is on the shelf at the price charged (all or nothing)
//!   claim   the key, with its answer (201) — only if everything fits; a key claimed by a
//!           concurrent request makes this wait for it, then insert nothing
//!   took    one set-based UPDATE taking every line's stock (a plain UPDATE on products, so
//!           triggers and change feeds on the table see it)
//!   ord, items, cart   the order (paid, payment authorized), its lines, the bought cart lines
//! It returns each line with what the shelf had, and the counts, so a refusal can name the short
//! lines without another query.
use futures::future::BoxFuture;
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Postgres, Row};

use super::checkout::{payment_taken, CheckoutDialect, Lease, PlaceOrder, Placement};
use super::sql::SqlStore;
use super::{ShortLine, StoreError, StoreResult};

const PLACE_ORDER: &str = "SELECT product_id, sku, available, price_cents, quantity, claimed, \
     took, items, carted, key_seen \
     FROM place_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

impl CheckoutDialect for Postgres {
    const RELAXED_COMMIT: Option<&'static str> = Some("SET LOCAL synchronous_commit = off");

    fn place_order<'a>(
        store: &'a SqlStore<Self>,
        o: &'a PlaceOrder<'a>,
    ) -> BoxFuture<'a, StoreResult<Placement>> {
        Box::pin(async move {
            let ids: Vec<i64> = o.lines.iter().map(|l| l.product_id).collect();
            let qtys: Vec<i64> = o.lines.iter().map(|l| l.quantity).collect();
            let prices: Vec<i64> = o.lines.iter().map(|l| l.unit_price_cents).collect();
            let mut attempt = 0;
            let rows = loop {
                attempt += 1;
                match place_order_once(store, o, &ids, &qtys, &prices).await {
                    // The statement is its own transaction, so a deadlock victim committed
                    // nothing: run it again.
                    Err(sqlx::Error::Database(e))
                        if e.code().as_deref() == Some("40P01") && attempt < 3 =>
                    {
                        tracing::info!(order_id = %o.id, attempt, "order statement was a deadlock victim; retrying");
                    }
                    Err(e) if payment_taken(&e) => return Err(StoreError::PaymentAlreadyUsed),
                    other => break other?,
                }
            };
            let first = rows.first().ok_or(StoreError::EmptyCart)?;
            if first.try_get::<i64, _>("claimed")? == 1 {
                let took: i64 = first.try_get("took")?;
                let items: i64 = first.try_get("items")?;
                if took != ids.len() as i64 || items != ids.len() as i64 {
                    // `fits` held the rows locked, so this cannot happen; say so loudly if it does.
                    tracing::error!(order_id = %o.id, took, items, lines = ids.len(), "order transaction took a partial set");
                }
                return Ok(Placement::Placed);
            }
            if first.try_get::<bool, _>("key_seen")? {
                return Ok(Placement::KeyTaken);
            }
            let mut short = Vec::new();
            let mut repriced = false;
            for r in &rows {
                let product_id: i64 = r.try_get("product_id")?;
                let requested: i64 = r.try_get("quantity")?;
                let available: Option<i64> = r.try_get("available")?;
                let price: Option<i64> = r.try_get("price_cents")?;
                let charged = o
                    .lines
                    .iter()
                    .find(|l| l.product_id == product_id)
                    .map(|l| l.unit_price_cents);
                match available {
                    Some(a) if a >= requested => repriced |= price != charged,
                    _ => short.push(ShortLine {
                        product_id,
                        sku: r.try_get::<Option<String>, _>("sku")?.unwrap_or_default(),
                        requested,
                        available: available.unwrap_or(0),
                    }),
                }
            }
            if !short.is_empty() {
                Err(StoreError::InsufficientStock { lines: short })
            } else if repriced {
                Err(StoreError::PriceChanged)
            } else {
                // Everything fitted but the key was taken: a concurrent request with this key.
                Ok(Placement::KeyTaken)
            }
        })
    }

    fn lease(store: &SqlStore<Self>) -> BoxFuture<'_, StoreResult<Option<Box<dyn Lease>>>> {
        Box::pin(async move {
            // A connection of its own, outside the pool: the lock lives as long as it does.
            let mut conn = store.writer.acquire().await?.detach();
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(RECONCILER_LOCK)
                .fetch_one(&mut conn)
                .await?;
            if got {
                Ok(Some(Box::new(PgLease(conn)) as Box<dyn Lease>))
            } else {
                let _ = conn.close().await;
                Ok(None)
            }
        })
    }
}

async fn place_order_once(
    store: &SqlStore<Postgres>,
    o: &PlaceOrder<'_>,
    ids: &[i64],
    qtys: &[i64],
    prices: &[i64],
) -> Result<Vec<sqlx::postgres::PgRow>, sqlx::Error> {
    sqlx::query(PLACE_ORDER)
        .bind(ids)
        .bind(qtys)
        .bind(prices)
        .bind(o.key)
        .bind(o.fingerprint)
        .bind(&o.id)
        .bind(o.now)
        .bind(o.user_id)
        .bind(o.cart_key)
        .bind(o.email)
        .bind(o.total_cents)
        .bind(o.shipping_address)
        .bind(o.payment_brand)
        .bind(o.payment_last4)
        .bind(o.payment_reference)
        .fetch_all(&store.writer)
        .await
}

/// The advisory lock key of the reconciler ("ecomm-rc" as bytes).
const RECONCILER_LOCK: i64 = 0x6563_6f6d_6d2d_7263;

struct PgLease(PgConnection);

#[async_trait::async_trait]
impl Lease for PgLease {
    async fn alive(&mut self) -> bool {
        self.0.ping().await.is_ok()
    }
}
