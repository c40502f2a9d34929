//! The order transaction on SQLite: one transaction on the single writer connection (so nothing
//! interleaves), the lines passed once as JSON and read with `json_each`. Stock is taken by one
//! set-based conditional UPDATE; fewer rows than lines means a short or repriced line, and the
//! whole transaction is rolled back.
use futures::future::BoxFuture;
use sqlx::Sqlite;

use super::checkout::{payment_taken, CheckoutDialect, Lease, PlaceOrder, Placement};
use super::sql::SqlStore;
use super::{ShortLine, StoreError, StoreResult};

/// The lines as a table: `[[product_id, quantity, unit_price_cents], …]`.
const LINES: &str = "WITH l (product_id, quantity, unit_price_cents) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
    FROM json_each($1)
)";

impl CheckoutDialect for Sqlite {
    const RELAXED_COMMIT: Option<&'static str> = None;

    fn place_order<'a>(
        store: &'a SqlStore<Self>,
        o: &'a PlaceOrder<'a>,
    ) -> BoxFuture<'a, StoreResult<Placement>> {
        Box::pin(async move {
            let lines: Vec<[i64; 3]> = o
                .lines
                .iter()
                .map(|l| [l.product_id, l.quantity, l.unit_price_cents])
                .collect();
            // Numbers always serialize; an error here would be a serde_json bug, reported as such.
            let json = serde_json::to_string(&lines).map_err(|e| sqlx::Error::Encode(e.into()))?;
            let mut tx = super::sql::begin(&store.writer).await?;
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys \
                 (key, fingerprint, response_status, response_body, created_at) \
                 VALUES ($1, $2, 201, '', $3) ON CONFLICT (key) DO NOTHING",
            )
            .bind(o.key)
            .bind(o.fingerprint)
            .bind(o.now)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() != 1 {
                return Ok(Placement::KeyTaken);
            }
            let took = sqlx::query(&format!(
                "{LINES} UPDATE products SET available = products.available - l.quantity, updated_at = $2 \
                 FROM l WHERE products.id = l.product_id AND products.deleted_at IS NULL \
                 AND products.available >= l.quantity AND products.price_cents = l.unit_price_cents"
            ))
            .bind(&json)
            .bind(o.now)
            .execute(&mut *tx)
            .await?;
            if took.rows_affected() != lines.len() as u64 {
                tx.rollback().await?;
                return Err(refusal(store, &json).await?);
            }
            sqlx::query(
                "INSERT INTO orders (id, user_id, cart_key, email, status, subtotal_cents, \
                 total_cents, currency, shipping_address, payment_brand, payment_last4, \
                 payment_state, payment_reference, idempotency_key, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'paid', $5, $5, 'USD', $6, $7, $8, 'authorized', $9, $10, \
                 $11, $11)",
            )
            .bind(&o.id)
            .bind(o.user_id)
            .bind(o.cart_key)
            .bind(o.email)
            .bind(o.total_cents)
            .bind(o.shipping_address)
            .bind(o.payment_brand)
            .bind(o.payment_last4)
            .bind(o.payment_reference)
            .bind(o.key)
            .bind(o.now)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if payment_taken(&e) {
                    StoreError::PaymentAlreadyUsed
                } else {
                    e.into()
                }
            })?;
            sqlx::query(&format!(
                "{LINES} INSERT INTO order_items \
                 (order_id, product_id, sku, name, unit_price_cents, quantity) \
                 SELECT $2, p.id, p.sku, p.name, l.unit_price_cents, l.quantity \
                 FROM l JOIN products p ON p.id = l.product_id"
            ))
            .bind(&json)
            .bind(&o.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE idempotency_keys SET order_id = $1 WHERE key = $2")
                .bind(&o.id)
                .bind(o.key)
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!(
                "{LINES} DELETE FROM cart_items \
                 WHERE cart_key = $2 AND product_id IN (SELECT product_id FROM l)"
            ))
            .bind(&json)
            .bind(o.cart_key)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Placement::Placed)
        })
    }

    fn lease(_store: &SqlStore<Self>) -> BoxFuture<'_, StoreResult<Option<Box<dyn Lease>>>> {
        // One process owns a SQLite file: it is the reconciler.
        Box::pin(async { Ok(Some(Box::new(SoleProcess) as Box<dyn Lease>)) })
    }
}

/// Why the conditional UPDATE took fewer rows than lines: short lines, else a changed price.
async fn refusal(store: &SqlStore<Sqlite>, json: &str) -> StoreResult<StoreError> {
    let rows: Vec<LineState> = sqlx::query_as(&format!(
        "{LINES} SELECT l.product_id, p.sku, p.available, l.quantity \
         FROM l LEFT JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL \
         ORDER BY l.product_id"
    ))
    .bind(json)
    .fetch_all(&store.writer)
    .await?;
    let short: Vec<ShortLine> = rows
        .into_iter()
        .filter(|l| l.available.unwrap_or(0) < l.quantity)
        .map(|l| ShortLine {
            product_id: l.product_id,
            sku: l.sku.unwrap_or_default(),
            requested: l.quantity,
            available: l.available.unwrap_or(0),
        })
        .collect();
    Ok(if short.is_empty() {
        StoreError::PriceChanged
    } else {
        StoreError::InsufficientStock { lines: short }
    })
}

#[derive(sqlx::FromRow)]
struct LineState {
    product_id: i64,
    sku: Option<String>,
    available: Option<i64>,
    quantity: i64,
}

struct SoleProcess;

#[async_trait::async_trait]
impl Lease for SoleProcess {
    async fn alive(&mut self) -> bool {
        true
    }
}
