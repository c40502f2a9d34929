//! Orders: reading them back, and admins moving them along their lifecycle (the checkout that
//! writes them is `checkout.rs`).
use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Transaction, Type};

use super::sql::{Dialect, SqlStore, ORDER_COLS};
use super::SqlBuf;
use super::{IdempotencyRecord, Order, OrderItemRow, OrderRow, StoreError, StoreResult};
use crate::domain::{OrderStatus, Word};

#[async_trait]
pub trait OrderStore: Send + Sync {
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
        let mut tx = super::sql::begin(&self.writer).await?;
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
}
