//! Carts: lines keyed by a cart key (`u:<user id>`; a guest's cart travels in its cookie).
use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::sql::{Dialect, SqlStore};
use super::{CartLine, SqlBuf, StoreError, StoreResult};
use crate::domain::{CartItem, CartLimits};

/// A cart's lines as [`CartLine`] columns (and `added_at`, their order); `$1` is the cart key.
pub(super) const CART_LINES: &str = "SELECT p.id AS product_id, p.sku, p.slug, p.name, \
     p.image_key, p.price_cents AS unit_price_cents, c.quantity, p.available, c.added_at \
     FROM cart_items c JOIN products p ON p.id = c.product_id \
     WHERE c.cart_key = $1 AND p.deleted_at IS NULL";

#[async_trait]
pub trait CartStore: Send + Sync {
    async fn cart(&self, cart_key: &str) -> StoreResult<Vec<CartLine>>;
    /// Adds the item's quantity to its line; fails with [`StoreError::LineLimit`] past
    /// `limits.per_line`, [`StoreError::LineOverStock`] past what is on the shelf and
    /// [`StoreError::CartTooLarge`] when a new line would make more than `limits.lines`.
    async fn add_to_cart(
        &self,
        cart_key: &str,
        item: CartItem,
        limits: CartLimits,
        now: i64,
    ) -> StoreResult<()>;
    /// Sets a line's quantity; [`StoreError::NotFound`] when the cart has no such line.
    async fn set_cart_quantity(&self, cart_key: &str, item: CartItem) -> StoreResult<()>;
    async fn remove_from_cart(&self, cart_key: &str, product_id: i64) -> StoreResult<()>;
    /// Adds a guest's lines to a stored cart on sign-in, in their order, capping each line at
    /// `limits.per_line`; lines of products that are gone are dropped.
    async fn merge_lines(
        &self,
        into: &str,
        items: &[CartItem],
        limits: CartLimits,
        now: i64,
    ) -> StoreResult<()>;
}

#[async_trait]
impl<D: Dialect> CartStore for SqlStore<D>
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
    async fn cart(&self, cart_key: &str) -> StoreResult<Vec<CartLine>> {
        Ok(
            sqlx::query_as(&format!("{CART_LINES} ORDER BY c.added_at, p.id"))
                .bind(cart_key)
                .fetch_all(&self.reader)
                .await?,
        )
    }

    async fn add_to_cart(
        &self,
        cart_key: &str,
        item: CartItem,
        limits: CartLimits,
        now: i64,
    ) -> StoreResult<()> {
        // One statement, one round trip, no explicit transaction: the limits (per line, lines
        // per cart) and the courtesy stock check (checkout is the authority) are conditions of
        // the upsert itself. Only a refusal costs a second look, to say which limit it was.
        let least = D::LEAST;
        let upsert = format!(
            "INSERT INTO cart_items (cart_key, product_id, quantity, added_at) \
             SELECT $1, p.id, $3, $4 FROM products p \
             WHERE p.id = $2 AND p.deleted_at IS NULL AND $3 <= {least}(p.available, $5) \
               AND (EXISTS (SELECT 1 FROM cart_items WHERE cart_key = $1 AND product_id = $2) \
                 OR (SELECT COUNT(*) FROM cart_items WHERE cart_key = $1) < $6) \
             ON CONFLICT (cart_key, product_id) \
             DO UPDATE SET quantity = cart_items.quantity + excluded.quantity \
             WHERE cart_items.quantity + excluded.quantity <= {least}($5, \
               (SELECT available FROM products WHERE id = excluded.product_id))"
        );
        let done = sqlx::query(&upsert)
            .bind(cart_key)
            .bind(item.product_id)
            .bind(item.quantity)
            .bind(now)
            .bind(limits.per_line)
            .bind(limits.lines as i64)
            .execute(&self.writer)
            .await?;
        if D::rows_affected(&done) == 1 {
            return Ok(());
        }
        Err(self.why_not_added(cart_key, item, limits).await?)
    }

    async fn set_cart_quantity(&self, cart_key: &str, item: CartItem) -> StoreResult<()> {
        let available: Option<i64> = sqlx::query_scalar(
            "SELECT p.available FROM cart_items c JOIN products p ON p.id = c.product_id \
             WHERE c.cart_key = $1 AND c.product_id = $2",
        )
        .bind(cart_key)
        .bind(item.product_id)
        .fetch_optional(&self.reader)
        .await?;
        let available = available.ok_or(StoreError::NotFound("cart item"))?;
        if item.quantity > available {
            return Err(StoreError::LineOverStock { available });
        }
        let done = sqlx::query(
            "UPDATE cart_items SET quantity = $1 WHERE cart_key = $2 AND product_id = $3",
        )
        .bind(item.quantity)
        .bind(cart_key)
        .bind(item.product_id)
        .execute(&self.writer)
        .await?;
        D::one_row(&done, "cart item")?;
        Ok(())
    }

    async fn remove_from_cart(&self, cart_key: &str, product_id: i64) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM cart_items WHERE cart_key = $1 AND product_id = $2")
            .bind(cart_key)
            .bind(product_id)
            .execute(&self.writer)
            .await?;
        D::one_row(&done, "cart item")?;
        Ok(())
    }

    async fn merge_lines(
        &self,
        into: &str,
        items: &[CartItem],
        limits: CartLimits,
        now: i64,
    ) -> StoreResult<()> {
        if items.is_empty() {
            return Ok(());
        }
        let least = D::LEAST;
        let mut qb = SqlBuf::<D>::new(
            "INSERT INTO cart_items (cart_key, product_id, quantity, added_at) \
             SELECT ",
        );
        qb.bind(into.to_owned())
            .push(", p.id, v.column2, v.column3 FROM (");
        // `added_at` keeps the cookie's order.
        qb.values(items.iter().zip(now..), |row, (item, at)| {
            row.bind(item.product_id).bind(item.quantity).bind(at);
        });
        qb.push(&format!(
            ") v JOIN products p ON p.id = v.column1 AND p.deleted_at IS NULL WHERE 1 = 1 \
             ON CONFLICT (cart_key, product_id) \
             DO UPDATE SET quantity = {least}(cart_items.quantity + excluded.quantity, "
        ))
        .bind(limits.per_line)
        .push(")");
        let (sql, args) = qb.finish()?;
        sqlx::query_with(&sql, args).execute(&self.writer).await?;
        Ok(())
    }
}

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut D::Connection: Executor<'c, Database = D>,
    for<'q> D::Arguments<'q>: IntoArguments<'q, D>,
    i64: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    for<'q> &'q str: Type<D> + Encode<'q, D>,
    usize: ColumnIndex<D::Row>,
{
    /// Which limit a refused add-to-cart hit (read only; the refusal already happened).
    async fn why_not_added(
        &self,
        cart_key: &str,
        item: CartItem,
        limits: CartLimits,
    ) -> StoreResult<StoreError> {
        let row: Option<(i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT p.available, \
               (SELECT quantity FROM cart_items WHERE cart_key = $1 AND product_id = $2), \
               (SELECT COUNT(*) FROM cart_items WHERE cart_key = $1) \
             FROM products p WHERE p.id = $2 AND p.deleted_at IS NULL",
        )
        .bind(cart_key)
        .bind(item.product_id)
        .fetch_optional(&self.writer)
        .await?;
        let Some((available, current, lines)) = row else {
            return Ok(StoreError::NotFound("product"));
        };
        let total = current.unwrap_or(0) + item.quantity;
        Ok(if current.is_none() && lines >= limits.lines as i64 {
            StoreError::CartTooLarge {
                max: limits.lines as i64,
            }
        } else if total > limits.per_line {
            StoreError::LineLimit {
                max: limits.per_line,
            }
        } else {
            // Over the shelf, or the stock moved between the two statements: either way, not now.
            StoreError::LineOverStock { available }
        })
    }
}
