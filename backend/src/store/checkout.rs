//! Checkout's writes: the order transaction (one statement on Postgres), the keys' stored
//! answers, the payment state, and what the reconciler reads. The transaction itself is
//! per-database (`checkout_pg.rs`, `checkout_sqlite.rs`); the rest is shared SQL.
use async_trait::async_trait;
use futures::future::BoxFuture;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::carts::CART_LINES;
use super::sql::{Dialect, SqlStore};
use super::{CartLine, IdempotencyRecord, SqlBuf, StoreResult};
use crate::domain::{CartItem, OrderStatus, PaymentState, Word};

/// One line as the shopper is charged for it: the transaction takes exactly this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TakeLine {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

/// Where a checkout's lines come from: a cart stored under its key (a signed-in user's), or the
/// lines a guest's cookie carries.
#[derive(Debug, Clone, Copy)]
pub enum CartSource<'a> {
    Stored(&'a str),
    Lines(&'a [CartItem]),
}

/// Everything the order transaction writes.
#[derive(Debug)]
pub struct PlaceOrder<'a> {
    pub id: String,
    pub key: &'a str,
    pub fingerprint: &'a str,
    pub cart_key: &'a str,
    pub user_id: Option<i64>,
    pub email: &'a str,
    pub shipping_address: &'a str,
    pub payment_brand: &'a str,
    pub payment_last4: &'a str,
    pub total_cents: i64,
    pub payment_reference: &'a str,
    /// Sorted by product id.
    pub lines: &'a [TakeLine],
    pub now: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Committed: stock taken, order paid/authorized, key answered 201.
    Placed,
    /// The key was already claimed: nothing was written.
    KeyTaken,
}

/// What [`CheckoutStore::void_order`] did with an order whose authorization is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoidedOrder {
    /// The paid order is cancelled and its stock is back on the shelf.
    Cancelled,
    /// The order had moved on (shipped, delivered, or cancelled by someone who restocked it):
    /// only its payment is recorded as voided; its status and the stock are left alone.
    PaymentOnly(OrderStatus),
    /// Its payment was no longer `authorized`: nothing changed.
    Unchanged,
}

/// Whether the index that keeps one payment to one order refused a write (Postgres names the
/// index, SQLite the column).
pub(super) fn payment_taken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation()
        && (db.constraint() == Some("orders_payment_reference_key")
            || db.message().contains("orders.payment_reference")))
}

/// An order whose money is not where its status says: committed but only authorized, or
/// cancelled with the money still held or taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InDoubtOrder {
    pub order_id: String,
    pub idempotency_key: String,
    pub payment_reference: String,
    pub payment_state: PaymentState,
    pub cancelled: bool,
    pub total_cents: i64,
}

#[derive(sqlx::FromRow)]
struct InDoubtRow {
    id: String,
    idempotency_key: Option<String>,
    payment_reference: Option<String>,
    #[sqlx(try_from = "String")]
    payment_state: PaymentState,
    #[sqlx(try_from = "String")]
    status: OrderStatus,
    total_cents: i64,
}

/// Held by the one reconciler of the cluster; leadership ends when it is dropped or dies.
#[async_trait]
pub trait Lease: Send {
    async fn alive(&mut self) -> bool;
}

/// One row of [`CheckoutStore::checkout_inputs`]: the key's record (if any) beside one cart line
/// (if any).
#[derive(sqlx::FromRow)]
struct InputRow {
    fingerprint: Option<String>,
    order_id: Option<String>,
    response_status: Option<i64>,
    response_body: Option<String>,
    product_id: Option<i64>,
    sku: Option<String>,
    slug: Option<String>,
    name: Option<String>,
    image_key: Option<String>,
    unit_price_cents: Option<i64>,
    quantity: Option<i64>,
    available: Option<i64>,
}

#[async_trait]
pub trait CheckoutStore: Send + Sync {
    /// What a checkout starts from, in one round trip: the key's stored record, if any, and the
    /// cart's lines.
    async fn checkout_inputs(
        &self,
        cart: CartSource<'_>,
        key: &str,
    ) -> StoreResult<(Option<IdempotencyRecord>, Vec<CartLine>)>;
    /// In one transaction: claims the key, takes every line's stock with one conditional
    /// statement (all or nothing: [`super::StoreError::InsufficientStock`] names the short lines,
    /// [`super::StoreError::PriceChanged`] a changed price), writes the order as paid with its
    /// payment authorized, stores the key's answer and empties those cart lines.
    async fn place_order(&self, o: &PlaceOrder<'_>) -> StoreResult<Placement>;
    /// Stores a final answer for a key nobody has claimed; false if it was already claimed.
    async fn settle_key(
        &self,
        key: &str,
        fingerprint: &str,
        status: i64,
        body: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// Moves the order's payment from `from` to `to`; false if it was not `from`.
    async fn set_payment_state(
        &self,
        order_id: &str,
        from: PaymentState,
        to: PaymentState,
        now: i64,
    ) -> StoreResult<bool>;
    /// Records captures: `authorized` → `captured` for these orders (others are left alone).
    async fn mark_captured(&self, order_ids: &[String], now: i64) -> StoreResult<u64>;
    /// Orders still `authorized`, and cancelled orders still `captured`, last touched before
    /// `before`, oldest first.
    async fn in_doubt_orders(&self, before: i64, limit: i64) -> StoreResult<Vec<InDoubtOrder>>;
    /// Records that an order's authorization is gone: a paid order is cancelled with its stock
    /// back on the shelf; one that moved on keeps its status and stock (see [`VoidedOrder`]).
    async fn void_order(&self, order_id: &str, now: i64) -> StoreResult<VoidedOrder>;
    /// Leadership of the reconciler, if this process can have it now.
    async fn reconciler_lease(&self) -> StoreResult<Option<Box<dyn Lease>>>;
}

/// The SQL both databases share.
impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut D::Connection: Executor<'c, Database = D>,
    for<'q> D::Arguments<'q>: IntoArguments<'q, D>,
    i64: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    String: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    for<'q> &'q str: Type<D> + Encode<'q, D>,
    for<'a> &'a str: ColumnIndex<D::Row>,
    usize: ColumnIndex<D::Row>,
{
    pub(super) async fn checkout_inputs_sql(
        &self,
        cart: CartSource<'_>,
        key: &str,
    ) -> StoreResult<(Option<IdempotencyRecord>, Vec<CartLine>)> {
        // One row per cart line (or one row of NULLs), each carrying the key's record.
        let rows: Vec<InputRow> = match cart {
            CartSource::Stored(cart_key) => {
                sqlx::query_as(&format!(
                    "SELECT k.fingerprint, k.order_id, k.response_status, k.response_body, \
                       c.product_id, c.sku, c.slug, c.name, c.image_key, c.unit_price_cents, \
                       c.quantity, c.available \
                     FROM (SELECT 1 AS one) o \
                     LEFT JOIN idempotency_keys k ON k.key = $2 \
                     LEFT JOIN ({CART_LINES}) c ON 1 = 1 \
                     ORDER BY c.added_at, c.product_id"
                ))
                .bind(cart_key)
                .bind(key)
                .fetch_all(&self.reader)
                .await?
            }
            CartSource::Lines(lines) => {
                // The products as they are now; the quantities are the cookie's (below).
                let mut qb = SqlBuf::<D>::new(
                    "SELECT k.fingerprint, k.order_id, k.response_status, k.response_body, \
                       p.id AS product_id, p.sku, p.slug, p.name, p.image_key, \
                       p.price_cents AS unit_price_cents, CAST(NULL AS BIGINT) AS quantity, \
                       p.available \
                     FROM (SELECT 1 AS one) o \
                     LEFT JOIN idempotency_keys k ON k.key = ",
                );
                qb.bind(key.to_owned())
                    .push(" LEFT JOIN products p ON p.deleted_at IS NULL AND p.id IN (")
                    .bind_list(
                        lines
                            .iter()
                            .map(|l| l.product_id)
                            .chain(lines.is_empty().then_some(0)),
                    )
                    .push(")");
                let (sql, args) = qb.finish()?;
                let mut rows: Vec<InputRow> = sqlx::query_as_with(&sql, args)
                    .fetch_all(&self.reader)
                    .await?;
                let at = |id: Option<i64>| lines.iter().position(|l| Some(l.product_id) == id);
                rows.sort_by_key(|r| at(r.product_id));
                for r in &mut rows {
                    r.quantity = at(r.product_id).map(|i| lines[i].quantity);
                }
                rows
            }
        };
        let record = rows.first().and_then(|r| {
            Some(IdempotencyRecord {
                fingerprint: r.fingerprint.clone()?,
                order_id: r.order_id.clone(),
                response_status: r.response_status,
                response_body: r.response_body.clone(),
            })
        });
        let lines = rows
            .into_iter()
            .filter_map(|r| {
                Some(CartLine {
                    product_id: r.product_id?,
                    sku: r.sku?,
                    slug: r.slug?,
                    name: r.name?,
                    image_key: r.image_key,
                    unit_price_cents: r.unit_price_cents?,
                    quantity: r.quantity?,
                    available: r.available?,
                })
            })
            .collect();
        Ok((record, lines))
    }

    pub(super) async fn settle_key_sql(
        &self,
        key: &str,
        fingerprint: &str,
        status: i64,
        body: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO idempotency_keys \
             (key, fingerprint, response_status, response_body, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(fingerprint)
        .bind(status)
        .bind(body)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }

    pub(super) async fn set_payment_state_sql(
        &self,
        order_id: &str,
        from: PaymentState,
        to: PaymentState,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE orders SET payment_state = $1, updated_at = $2 \
             WHERE id = $3 AND payment_state = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(order_id)
        .bind(from.as_str())
        .execute(&self.writer)
        .await?;
        Ok(D::rows_affected(&done) == 1)
    }

    pub(super) async fn in_doubt_orders_sql(
        &self,
        before: i64,
        limit: i64,
    ) -> StoreResult<Vec<InDoubtOrder>> {
        // Two arms, each on its partial index.
        let rows: Vec<InDoubtRow> = sqlx::query_as(
            "SELECT * FROM (\
               SELECT id, idempotency_key, payment_reference, payment_state, status, total_cents, \
                 updated_at FROM orders WHERE payment_state = 'authorized' AND updated_at < $1 \
               UNION ALL \
               SELECT id, idempotency_key, payment_reference, payment_state, status, total_cents, \
                 updated_at FROM orders \
                 WHERE status = 'cancelled' AND payment_state = 'captured' AND updated_at < $1 \
                   AND payment_reference IS NOT NULL\
             ) d ORDER BY updated_at LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(&self.writer)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| InDoubtOrder {
                cancelled: r.status == OrderStatus::Cancelled,
                order_id: r.id,
                idempotency_key: r.idempotency_key.unwrap_or_default(),
                payment_reference: r.payment_reference.unwrap_or_default(),
                payment_state: r.payment_state,
                total_cents: r.total_cents,
            })
            .collect())
    }

    pub(super) async fn void_order_sql(
        &self,
        order_id: &str,
        now: i64,
    ) -> StoreResult<VoidedOrder> {
        let mut tx = super::sql::begin(&self.writer).await?;
        // Only a paid order is cancelled: whoever moves it out of `paid` first (this, or an
        // admin's cancel, or shipping) is the one transition that happened, and only a
        // cancellation that happened restocks.
        let cancelled = D::rows_affected(&sqlx::query(
            "UPDATE orders SET status = 'cancelled', payment_state = 'voided', updated_at = $1 \
             WHERE id = $2 AND payment_state = 'authorized' AND status IN ('pending', 'paid')",
        )
        .bind(now)
        .bind(order_id)
        .execute(&mut *tx)
        .await?);
        let outcome = if cancelled == 1 {
            // A plain UPDATE of products, so change feeds on the table see the restock.
            sqlx::query(
                "UPDATE products SET available = products.available + i.quantity, updated_at = $1 \
                 FROM order_items i WHERE i.order_id = $2 AND products.id = i.product_id",
            )
            .bind(now)
            .bind(order_id)
            .execute(&mut *tx)
            .await?;
            VoidedOrder::Cancelled
        } else {
            let status: Option<String> = sqlx::query_scalar(
                "UPDATE orders SET payment_state = 'voided', updated_at = $1 \
                 WHERE id = $2 AND payment_state = 'authorized' RETURNING status",
            )
            .bind(now)
            .bind(order_id)
            .fetch_optional(&mut *tx)
            .await?;
            match status {
                Some(s) => VoidedOrder::PaymentOnly(
                    OrderStatus::try_from(s).map_err(|e| sqlx::Error::Decode(e.into()))?,
                ),
                None => VoidedOrder::Unchanged,
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

/// What each database does its own way for checkout.
pub trait CheckoutDialect: Dialect {
    /// Run first in transactions whose loss in a crash the reconciler repairs (Postgres: commit
    /// without waiting for the WAL flush).
    const RELAXED_COMMIT: Option<&'static str>;
    fn place_order<'a>(
        store: &'a SqlStore<Self>,
        o: &'a PlaceOrder<'a>,
    ) -> BoxFuture<'a, StoreResult<Placement>>;
    fn lease(store: &SqlStore<Self>) -> BoxFuture<'_, StoreResult<Option<Box<dyn Lease>>>>;
}

#[async_trait]
impl<D: CheckoutDialect> CheckoutStore for SqlStore<D>
where
    for<'c> &'c mut D::Connection: Executor<'c, Database = D>,
    for<'q> D::Arguments<'q>: IntoArguments<'q, D>,
    i64: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    String: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    for<'q> &'q str: Type<D> + Encode<'q, D>,
    for<'a> &'a str: ColumnIndex<D::Row>,
    usize: ColumnIndex<D::Row>,
{
    async fn checkout_inputs(
        &self,
        cart: CartSource<'_>,
        key: &str,
    ) -> StoreResult<(Option<IdempotencyRecord>, Vec<CartLine>)> {
        self.checkout_inputs_sql(cart, key).await
    }
    async fn place_order(&self, o: &PlaceOrder<'_>) -> StoreResult<Placement> {
        D::place_order(self, o).await
    }
    async fn settle_key(
        &self,
        key: &str,
        fingerprint: &str,
        status: i64,
        body: &str,
        now: i64,
    ) -> StoreResult<bool> {
        self.settle_key_sql(key, fingerprint, status, body, now)
            .await
    }
    async fn set_payment_state(
        &self,
        order_id: &str,
        from: PaymentState,
        to: PaymentState,
        now: i64,
    ) -> StoreResult<bool> {
        self.set_payment_state_sql(order_id, from, to, now).await
    }
    async fn mark_captured(&self, order_ids: &[String], now: i64) -> StoreResult<u64> {
        if order_ids.is_empty() {
            return Ok(0);
        }
        let mut tx = super::sql::begin(&self.writer).await?;
        if let Some(relax) = D::RELAXED_COMMIT {
            sqlx::query(relax).execute(&mut *tx).await?;
        }
        let mut qb =
            SqlBuf::<D>::new("UPDATE orders SET payment_state = 'captured', updated_at = ");
        qb.bind(now)
            .push(" WHERE payment_state = 'authorized' AND id IN (")
            .bind_list(order_ids.iter().cloned())
            .push(")");
        let (sql, args) = qb.finish()?;
        let done = sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(D::rows_affected(&done))
    }
    async fn in_doubt_orders(&self, before: i64, limit: i64) -> StoreResult<Vec<InDoubtOrder>> {
        self.in_doubt_orders_sql(before, limit).await
    }
    async fn void_order(&self, order_id: &str, now: i64) -> StoreResult<VoidedOrder> {
        self.void_order_sql(order_id, now).await
    }
    async fn reconciler_lease(&self) -> StoreResult<Option<Box<dyn Lease>>> {
        D::lease(self).await
    }
}
