//! Carts: lines keyed by a cart key (`u:<user id>` or `a:<guest token>`).
use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::sql::{Dialect, SqlStore};
use super::{CartLine, StoreError, StoreResult};

#[async_trait]
pub trait CartStore: Send + Sync {
    async fn cart(&self, cart_key: &str) -> StoreResult<Vec<CartLine>>;
    /// Adds `quantity` to the line; fails with [`StoreError::OverLimit`] past `max`,
    /// [`StoreError::NotEnoughStock`] past what is on the shelf and [`StoreError::CartFull`]
    /// when a new line would make more than `max_lines`.
    async fn add_to_cart(
        &self,
        cart_key: &str,
        product_id: i64,
        quantity: i64,
        max: i64,
        max_lines: i64,
        now: i64,
    ) -> StoreResult<()>;
    async fn set_cart_quantity(
        &self,
        cart_key: &str,
        product_id: i64,
        quantity: i64,
    ) -> StoreResult<()>;
    async fn remove_from_cart(&self, cart_key: &str, product_id: i64) -> StoreResult<()>;
    /// Moves a guest cart into a user's on sign-in, capping each line at `max`.
    async fn merge_carts(&self, from: &str, into: &str, max: i64) -> StoreResult<()>;
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
        Ok(sqlx::query_as(
            "SELECT p.id AS product_id, p.sku, p.slug, p.name, p.image_key, \
             p.price_cents AS unit_price_cents, c.quantity, p.available \
             FROM cart_items c JOIN products p ON p.id = c.product_id \
             WHERE c.cart_key = $1 AND p.deleted_at IS NULL ORDER BY c.added_at, p.id",
        )
        .bind(cart_key)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn add_to_cart(
        &self,
        cart_key: &str,
        product_id: i64,
        quantity: i64,
        max: i64,
        max_lines: i64,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let available: Option<i64> = sqlx::query_scalar(
            "SELECT available FROM products WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await?;
        let available = available.ok_or(StoreError::NotFound("product"))?;
        let current: Option<i64> = sqlx::query_scalar(
            "SELECT quantity FROM cart_items WHERE cart_key = $1 AND product_id = $2",
        )
        .bind(cart_key)
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await?;
        if current.is_none() {
            let lines: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM cart_items WHERE cart_key = $1")
                    .bind(cart_key)
                    .fetch_one(&mut *tx)
                    .await?;
            if lines >= max_lines {
                return Err(StoreError::CartFull { max: max_lines });
            }
        }
        let total = current.unwrap_or(0) + quantity;
        if total > max {
            return Err(StoreError::OverLimit { max });
        }
        // A courtesy check (checkout is the authority): do not let a cart promise what is not there.
        if total > available {
            return Err(StoreError::NotEnoughStock { available });
        }
        sqlx::query(
            "INSERT INTO cart_items (cart_key, product_id, quantity, added_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (cart_key, product_id) DO UPDATE SET quantity = $3",
        )
        .bind(cart_key)
        .bind(product_id)
        .bind(total)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_cart_quantity(
        &self,
        cart_key: &str,
        product_id: i64,
        quantity: i64,
    ) -> StoreResult<()> {
        let available: Option<i64> = sqlx::query_scalar(
            "SELECT p.available FROM cart_items c JOIN products p ON p.id = c.product_id \
             WHERE c.cart_key = $1 AND c.product_id = $2",
        )
        .bind(cart_key)
        .bind(product_id)
        .fetch_optional(&self.reader)
        .await?;
        let available = available.ok_or(StoreError::NotFound("cart item"))?;
        if quantity > available {
            return Err(StoreError::NotEnoughStock { available });
        }
        let done = sqlx::query(
            "UPDATE cart_items SET quantity = $1 WHERE cart_key = $2 AND product_id = $3",
        )
        .bind(quantity)
        .bind(cart_key)
        .bind(product_id)
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

    async fn merge_carts(&self, from: &str, into: &str, max: i64) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let least = D::LEAST;
        let merge = format!(
            "INSERT INTO cart_items (cart_key, product_id, quantity, added_at) \
             SELECT $1, product_id, quantity, added_at FROM cart_items WHERE cart_key = $2 \
             ON CONFLICT (cart_key, product_id) \
             DO UPDATE SET quantity = {least}(cart_items.quantity + excluded.quantity, $3)"
        );
        sqlx::query(&merge)
            .bind(into)
            .bind(from)
            .bind(max)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM cart_items WHERE cart_key = $1")
            .bind(from)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
