//! Checkout and orders: stock is taken and the order written in one transaction, the payment
//! outcome recorded in a second; admins move orders along their lifecycle.
use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Transaction, Type};

use super::sql::{Dialect, SqlStore, ORDER_COLS};
use super::SqlBuf;
use super::{
    CheckoutStart, IdempotencyRecord, NewOrder, Order, OrderItemRow, OrderRow, ShortLine,
    StoreError, StoreResult,
};
use crate::domain::{OrderStatus, Word};

#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Claims the idempotency key, takes stock for every cart line and writes a pending order;
    /// a key seen before gives [`CheckoutStart::Replay`]. Fails with [`StoreError::EmptyCart`]
    /// or [`StoreError::OverStock`].
    async fn begin_checkout(&self, o: &NewOrder, now: i64) -> StoreResult<CheckoutStart>;
    /// Records the payment outcome: paid empties the cart, otherwise the stock goes back.
    async fn finish_checkout(
        &self,
        order_id: &str,
        key: &str,
        paid: bool,
        status: i64,
        body: &str,
        now: i64,
    ) -> StoreResult<Order>;
    async fn idempotency_record(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>>;
    async fn order(&self, id: &str) -> StoreResult<Order>;
    async fn orders_for_user(&self, user_id: i64) -> StoreResult<Vec<Order>>;
    /// A page of orders, newest first, and the total.
    async fn orders(
        &self,
        status: Option<OrderStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Order>, i64)>;
    /// Moves an order that is still `from` to `to` (cancelling restocks it); fails with
    /// [`StoreError::StaleTransition`] when it moved meanwhile.
    async fn transition_order(
        &self,
        id: &str,
        from: OrderStatus,
        to: OrderStatus,
        now: i64,
    ) -> StoreResult<Order>;
    async fn stale_pending_orders(&self, before: i64) -> StoreResult<Vec<String>>;
}

/// A cart line as checkout prices it.
#[derive(sqlx::FromRow)]
struct Line {
    id: i64,
    sku: String,
    name: String,
    price_cents: i64,
    quantity: i64,
}

impl<D: Dialect> SqlStore<D>
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
    async fn with_items(&self, rows: Vec<OrderRow>) -> StoreResult<Vec<Order>> {
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let mut qb = SqlBuf::<D>::new(
            "SELECT order_id, product_id, sku, name, unit_price_cents, quantity \
             FROM order_items WHERE order_id IN (",
        );
        qb.bind_list(rows.iter().map(|r| r.id.clone()))
            .push(") ORDER BY order_id, product_id");
        let (sql, args) = qb.finish()?;
        let items: Vec<OrderItemRow> = sqlx::query_as_with(&sql, args)
            .fetch_all(&self.reader)
            .await?;
        let mut by_order: HashMap<String, Vec<OrderItemRow>> = HashMap::new();
        for item in items {
            by_order
                .entry(item.order_id.clone())
                .or_default()
                .push(item);
        }
        Ok(rows
            .into_iter()
            .map(|row| Order {
                items: by_order.remove(&row.id).unwrap_or_default(),
                row,
            })
            .collect())
    }

    /// Puts order lines back on the shelf, in product id order (the order checkouts lock in).
    async fn restock(tx: &mut Transaction<'_, D>, order_id: &str, now: i64) -> StoreResult<()> {
        let items: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT product_id, quantity FROM order_items WHERE order_id = $1 ORDER BY product_id",
        )
        .bind(order_id)
        .fetch_all(&mut **tx)
        .await?;
        for (product_id, quantity) in items {
            sqlx::query(
                "UPDATE products SET available = available + $1, updated_at = $2 WHERE id = $3",
            )
            .bind(quantity)
            .bind(now)
            .bind(product_id)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Takes each line's quantity off the shelf; returns the lines that could not be filled.
    async fn take_stock(
        tx: &mut Transaction<'_, D>,
        lines: &[Line],
        now: i64,
    ) -> StoreResult<Vec<ShortLine>> {
        // Rows in id order: concurrent checkouts lock in the same order and cannot deadlock.
        let mut short = Vec::new();
        for l in lines {
            let taken = sqlx::query(
                "UPDATE products SET available = available - $1, updated_at = $2 \
                 WHERE id = $3 AND available >= $1",
            )
            .bind(l.quantity)
            .bind(now)
            .bind(l.id)
            .execute(&mut **tx)
            .await?;
            if D::rows_affected(&taken) != 1 {
                let available: i64 =
                    sqlx::query_scalar("SELECT available FROM products WHERE id = $1")
                        .bind(l.id)
                        .fetch_one(&mut **tx)
                        .await?;
                short.push(ShortLine {
                    product_id: l.id,
                    sku: l.sku.clone(),
                    requested: l.quantity,
                    available,
                });
            }
        }
        Ok(short)
    }
}

#[async_trait]
impl<D: Dialect> OrderStore for SqlStore<D>
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
    async fn begin_checkout(&self, o: &NewOrder, now: i64) -> StoreResult<CheckoutStart> {
        let mut tx = self.writer.begin().await?;
        // Claiming the key first serialises concurrent retries: on Postgres a second insert of the
        // same key waits for this transaction and then finds the row.
        let claim = sqlx::query(
            "INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(&o.idempotency_key)
        .bind(&o.fingerprint)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if D::rows_affected(&claim) != 1 {
            drop(tx);
            let rec = self
                .idempotency_record(&o.idempotency_key)
                .await?
                .ok_or(StoreError::NotFound("idempotency key"))?;
            return Ok(CheckoutStart::Replay(rec));
        }
        let lines: Vec<Line> = sqlx::query_as(
            "SELECT p.id, p.sku, p.name, p.price_cents, c.quantity \
             FROM cart_items c JOIN products p ON p.id = c.product_id \
             WHERE c.cart_key = $1 AND p.deleted_at IS NULL ORDER BY p.id",
        )
        .bind(&o.cart_key)
        .fetch_all(&mut *tx)
        .await?;
        if lines.is_empty() {
            return Err(StoreError::EmptyCart);
        }
        let short = Self::take_stock(&mut tx, &lines, now).await?;
        if !short.is_empty() {
            return Err(StoreError::OverStock { lines: short });
        }
        let subtotal: i64 = lines.iter().map(|l| l.price_cents * l.quantity).sum();
        let insert = format!(
            "INSERT INTO orders ({ORDER_COLS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, 'USD', $7, $8, $9, $10, $10)"
        );
        sqlx::query(&insert)
            .bind(&o.id)
            .bind(o.user_id)
            .bind(&o.cart_key)
            .bind(&o.email)
            .bind(OrderStatus::Pending.as_str())
            .bind(subtotal)
            .bind(&o.shipping_address)
            .bind(&o.payment_brand)
            .bind(&o.payment_last4)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let mut qb = SqlBuf::<D>::new(
            "INSERT INTO order_items (order_id, product_id, sku, name, unit_price_cents, quantity)",
        );
        qb.values(&lines, |row, l| {
            row.bind(o.id.clone())
                .bind(l.id)
                .bind(l.sku.clone())
                .bind(l.name.clone())
                .bind(l.price_cents)
                .bind(l.quantity);
        });
        let (sql, args) = qb.finish()?;
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;
        sqlx::query("UPDATE idempotency_keys SET order_id = $1 WHERE key = $2")
            .bind(&o.id)
            .bind(&o.idempotency_key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CheckoutStart::Started(self.order(&o.id).await?))
    }

    async fn finish_checkout(
        &self,
        order_id: &str,
        key: &str,
        paid: bool,
        status: i64,
        body: &str,
        now: i64,
    ) -> StoreResult<Order> {
        let mut tx = self.writer.begin().await?;
        let to = if paid {
            OrderStatus::Paid
        } else {
            OrderStatus::Cancelled
        };
        let moved = sqlx::query(
            "UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(order_id)
        .bind(OrderStatus::Pending.as_str())
        .execute(&mut *tx)
        .await?;
        if D::rows_affected(&moved) == 1 {
            if paid {
                sqlx::query(
                    "DELETE FROM cart_items \
                     WHERE cart_key = (SELECT cart_key FROM orders WHERE id = $1)",
                )
                .bind(order_id)
                .execute(&mut *tx)
                .await?;
            } else {
                Self::restock(&mut tx, order_id, now).await?;
            }
        }
        sqlx::query(
            "UPDATE idempotency_keys SET response_status = $1, response_body = $2 WHERE key = $3",
        )
        .bind(status)
        .bind(body)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.order(order_id).await
    }

    async fn idempotency_record(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
        Ok(sqlx::query_as(
            "SELECT fingerprint, order_id, response_status, response_body \
             FROM idempotency_keys WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.reader)
        .await?)
    }

    async fn order(&self, id: &str) -> StoreResult<Order> {
        let sql = format!("SELECT {ORDER_COLS} FROM orders WHERE id = $1");
        let row: OrderRow = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound("order"))?;
        let mut orders = self.with_items(vec![row]).await?;
        orders.pop().ok_or(StoreError::NotFound("order"))
    }

    async fn orders_for_user(&self, user_id: i64) -> StoreResult<Vec<Order>> {
        let sql = format!(
            "SELECT {ORDER_COLS} FROM orders WHERE user_id = $1 \
             ORDER BY created_at DESC, id LIMIT 100"
        );
        let rows = sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(&self.reader)
            .await?;
        self.with_items(rows).await
    }

    async fn orders(
        &self,
        status: Option<OrderStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Order>, i64)> {
        let mut list = SqlBuf::<D>::new(format!("SELECT {ORDER_COLS} FROM orders"));
        let mut count = SqlBuf::<D>::new("SELECT COUNT(*) FROM orders");
        if let Some(s) = status {
            list.push(" WHERE status = ").bind(s.as_str());
            count.push(" WHERE status = ").bind(s.as_str());
        }
        list.push(" ORDER BY created_at DESC, id LIMIT ")
            .bind(limit)
            .push(" OFFSET ")
            .bind(offset);
        let ((list, list_args), (count, count_args)) = (list.finish()?, count.finish()?);
        let (rows, total) = tokio::try_join!(
            sqlx::query_as_with::<_, OrderRow, _>(&list, list_args).fetch_all(&self.reader),
            sqlx::query_scalar_with::<_, i64, _>(&count, count_args).fetch_one(&self.reader),
        )?;
        Ok((self.with_items(rows).await?, total))
    }

    async fn transition_order(
        &self,
        id: &str,
        from: OrderStatus,
        to: OrderStatus,
        now: i64,
    ) -> StoreResult<Order> {
        let mut tx = self.writer.begin().await?;
        let moved = sqlx::query(
            "UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if D::rows_affected(&moved) != 1 {
            return Err(StoreError::StaleTransition { from, to });
        }
        if to == OrderStatus::Cancelled {
            Self::restock(&mut tx, id, now).await?;
        }
        tx.commit().await?;
        self.order(id).await
    }

    async fn stale_pending_orders(&self, before: i64) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM orders WHERE status = $1 AND created_at < $2")
                .bind(OrderStatus::Pending.as_str())
                .bind(before)
                .fetch_all(&self.reader)
                .await?,
        )
    }
}
