//! The catalog and its stock: the change feed the read model follows, admin edits, inventory and
//! its audit trail.
use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use tokio::sync::Notify;

use super::sql::{unique_violation, Dialect, SqlStore, PRODUCT_COLS};
use super::SqlBuf;
use crate::domain::Sku;

use super::{
    AuditEntry, ChangeBatch, FeedCursor, NewProduct, Product, ProductPatch, StockLevel, StoreError,
    StoreResult,
};

#[async_trait]
pub trait ProductStore: Send + Sync {
    /// Products changed since `since` (in read order, at most `limit`), for the catalog index. A
    /// row may come again in a later batch; readers skip what they already hold.
    async fn catalog_changes(&self, since: FeedCursor, limit: i64) -> StoreResult<ChangeBatch>;
    /// Wakes `wake` whenever products change, where the database can say so (Postgres NOTIFY).
    async fn listen_catalog(&self, wake: Arc<Notify>) -> StoreResult<()>;
    /// Housekeeping of the change feed's sales log (Postgres): drops what was logged below
    /// `below` (a mark this returned earlier; readers behind it read the catalog again) and
    /// returns a mark for now. `None` where there is no log (SQLite).
    async fn prune_catalog_feed(&self, below: Option<i64>) -> StoreResult<Option<i64>>;
    async fn product(&self, id: i64) -> StoreResult<Product>;
    /// The live products among `ids`, in no particular order: one statement however many.
    async fn products(&self, ids: &[i64]) -> StoreResult<Vec<Product>>;
    /// How many reads of products by id (`product`, `products`) this store has run: what one
    /// request costs the database must not grow with the ids a client sends (tests watch it).
    fn product_reads(&self) -> u64;
    async fn stock(&self, skus: &[String]) -> StoreResult<Vec<StockLevel>>;
    async fn create_product(&self, p: &NewProduct, now: i64) -> StoreResult<Product>;
    /// Inserts the products whose SKU is not there yet; returns how many were inserted.
    async fn seed_products(&self, ps: &[NewProduct], now: i64) -> StoreResult<u64>;
    async fn update_product(&self, id: i64, p: &ProductPatch, now: i64) -> StoreResult<Product>;
    async fn delete_product(&self, id: i64, now: i64) -> StoreResult<()>;
    async fn set_product_image(&self, id: i64, key: &str, now: i64) -> StoreResult<Product>;
    async fn set_stock(
        &self,
        sku: &Sku,
        available: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<StockLevel>;
    async fn stock_audit(&self, sku: &Sku) -> StoreResult<Vec<AuditEntry>>;
}

const INSERT_PRODUCT: &str = "INSERT INTO products (sku, slug, name, description, category, \
     price_cents, currency, image_key, available, created_at, updated_at)";

#[async_trait]
impl<D: Dialect> ProductStore for SqlStore<D>
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
    async fn catalog_changes(&self, since: FeedCursor, limit: i64) -> StoreResult<ChangeBatch> {
        D::catalog_changes(&self.reader, since, limit).await
    }

    async fn listen_catalog(&self, wake: Arc<Notify>) -> StoreResult<()> {
        D::listen_catalog(&self.writer, wake).await
    }

    async fn prune_catalog_feed(&self, below: Option<i64>) -> StoreResult<Option<i64>> {
        D::prune_catalog_feed(&self.writer, below).await
    }

    async fn product(&self, id: i64) -> StoreResult<Product> {
        self.product_reads.fetch_add(1, Ordering::Relaxed);
        let sql = format!(
            "SELECT {PRODUCT_COLS} FROM products p WHERE p.id = $1 AND p.deleted_at IS NULL"
        );
        sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound("product"))
    }

    async fn products(&self, ids: &[i64]) -> StoreResult<Vec<Product>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        self.product_reads.fetch_add(1, Ordering::Relaxed);
        D::products_by_id(&self.reader, ids).await
    }

    fn product_reads(&self) -> u64 {
        self.product_reads.load(Ordering::Relaxed)
    }

    async fn stock(&self, skus: &[String]) -> StoreResult<Vec<StockLevel>> {
        if skus.is_empty() {
            return Ok(vec![]);
        }
        let mut qb = SqlBuf::<D>::new(
            "SELECT sku, available FROM products WHERE deleted_at IS NULL AND sku IN (",
        );
        qb.bind_list(skus.iter().cloned()).push(") ORDER BY sku");
        let (sql, args) = qb.finish()?;
        Ok(sqlx::query_as_with(&sql, args)
            .fetch_all(&self.reader)
            .await?)
    }

    async fn create_product(&self, p: &NewProduct, now: i64) -> StoreResult<Product> {
        let sql = format!(
            "{INSERT_PRODUCT} VALUES ($1, $2, $3, $4, $5, $6, 'USD', $7, $8, $9, $9) RETURNING id"
        );
        let id: i64 = sqlx::query_scalar(&sql)
            .bind(&p.sku)
            .bind(&p.slug)
            .bind(&p.name)
            .bind(&p.description)
            .bind(&p.category)
            .bind(p.price_cents)
            .bind(&p.image_key)
            .bind(p.available)
            .bind(now)
            .fetch_one(&self.writer)
            .await
            .map_err(|e| {
                if unique_violation(&e) {
                    StoreError::DuplicateSku(p.sku.clone())
                } else {
                    e.into()
                }
            })?;
        self.product(id).await
    }

    async fn seed_products(&self, ps: &[NewProduct], now: i64) -> StoreResult<u64> {
        if ps.is_empty() {
            return Ok(0);
        }
        let mut qb = SqlBuf::<D>::new(INSERT_PRODUCT);
        qb.values(ps.iter().enumerate(), |row, (i, p)| {
            // Distinct timestamps keep "newest" a stable order.
            let at = now + i as i64;
            row.bind(p.sku.clone())
                .bind(p.slug.clone())
                .bind(p.name.clone())
                .bind(p.description.clone())
                .bind(p.category.clone())
                .bind(p.price_cents)
                .bind("USD")
                .bind(p.image_key.clone())
                .bind(p.available)
                .bind(at)
                .bind(at);
        });
        qb.push(" ON CONFLICT (sku) DO NOTHING");
        let (sql, args) = qb.finish()?;
        let done = sqlx::query_with(&sql, args).execute(&self.writer).await?;
        Ok(D::rows_affected(&done))
    }

    async fn update_product(&self, id: i64, p: &ProductPatch, now: i64) -> StoreResult<Product> {
        let done = sqlx::query(
            "UPDATE products SET name = COALESCE($1, name), slug = COALESCE($2, slug), \
             description = COALESCE($3, description), category = COALESCE($4, category), \
             price_cents = COALESCE($5, price_cents), updated_at = $6, \
             seo_title = CASE WHEN $8 IS NULL THEN seo_title WHEN $8 = '' THEN NULL ELSE $8 END, \
             seo_description = CASE WHEN $9 IS NULL THEN seo_description WHEN $9 = '' THEN NULL \
             ELSE $9 END \
             WHERE id = $7 AND deleted_at IS NULL",
        )
        .bind(&p.name)
        .bind(&p.slug)
        .bind(&p.description)
        .bind(&p.category)
        .bind(p.price_cents)
        .bind(now)
        .bind(id)
        .bind(&p.seo_title)
        .bind(&p.seo_description)
        .execute(&self.writer)
        .await?;
        D::one_row(&done, "product")?;
        self.product(id).await
    }

    async fn delete_product(&self, id: i64, now: i64) -> StoreResult<()> {
        // Soft delete: past orders keep pointing at it.
        let done =
            sqlx::query("UPDATE products SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&self.writer)
                .await?;
        D::one_row(&done, "product")?;
        Ok(())
    }

    async fn set_product_image(&self, id: i64, key: &str, now: i64) -> StoreResult<Product> {
        let done = sqlx::query(
            "UPDATE products SET image_key = $1, updated_at = $2 \
             WHERE id = $3 AND deleted_at IS NULL",
        )
        .bind(key)
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        D::one_row(&done, "product")?;
        self.product(id).await
    }

    async fn set_stock(
        &self,
        sku: &Sku,
        available: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<StockLevel> {
        let sku = sku.as_str();
        let mut tx = super::sql::begin(&self.writer).await?;
        let lock = D::FOR_UPDATE;
        let sql = format!(
            "SELECT id, available FROM products WHERE sku = $1 AND deleted_at IS NULL{lock}"
        );
        let old: Option<(i64, i64)> = sqlx::query_as(&sql)
            .bind(sku)
            .fetch_optional(&mut *tx)
            .await?;
        let (id, old) = old.ok_or(StoreError::NotFound("product"))?;
        sqlx::query("UPDATE products SET available = $1, updated_at = $2 WHERE id = $3")
            .bind(available)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO inventory_audit \
             (product_id, sku, actor_email, old_available, new_available, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(sku)
        .bind(actor)
        .bind(old)
        .bind(available)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(StockLevel {
            sku: sku.to_owned(),
            available,
        })
    }

    async fn stock_audit(&self, sku: &Sku) -> StoreResult<Vec<AuditEntry>> {
        let sku = sku.as_str();
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
            .bind(sku)
            .fetch_optional(&self.reader)
            .await?;
        exists.ok_or(StoreError::NotFound("product"))?;
        Ok(sqlx::query_as(
            "SELECT at_ms, actor_email, old_available, new_available FROM inventory_audit \
             WHERE sku = $1 ORDER BY id DESC LIMIT 200",
        )
        .bind(sku)
        .fetch_all(&self.reader)
        .await?)
    }
}
