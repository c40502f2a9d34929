//! One SQL store for both databases. The SQL text is shared (sqlx binds `$n` on SQLite too); what
//! differs is named by [`Dialect`]: migrations, the catalog change feed, `LEAST`, row locks.
//!
//! sqlx needs to be told, for a generic database `D`, that its connections execute queries and
//! that `i64`/`String`/`&str` travel through it. Rust does not carry such bounds along with
//! `D: Dialect`, so every generic `impl` repeats the same `where` clause; it is identical in each
//! resource file (products, users, carts, orders) and documented once here.
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Type};
use tokio::sync::Notify;

use super::{ChangeBatch, FeedCursor, PoolStats, Product, Store, StoreResult};

/// What one database does its own way. Implemented by `sqlx::Postgres` and `sqlx::Sqlite`.
pub trait Dialect: Database {
    /// The two-argument minimum: `LEAST` on Postgres, `MIN` on SQLite.
    const LEAST: &'static str;
    /// Appended to a SELECT that must lock its rows for the transaction (empty on SQLite, which
    /// has one writer at a time).
    const FOR_UPDATE: &'static str;

    fn migrate(pool: &Pool<Self>) -> BoxFuture<'_, anyhow::Result<()>>;
    /// sqlx gives each database its own result type; this is the count they all have.
    fn rows_affected(done: &Self::QueryResult) -> u64;
    /// An UPDATE or DELETE of one row by key: no row means there was no such `what`.
    fn one_row(done: &Self::QueryResult, what: &'static str) -> StoreResult<()> {
        match Self::rows_affected(done) {
            1 => Ok(()),
            _ => Err(super::StoreError::NotFound(what)),
        }
    }
    /// Products changed past `since`, in read order (see [`FeedCursor`]).
    fn catalog_changes(
        pool: &Pool<Self>,
        since: FeedCursor,
        limit: i64,
    ) -> BoxFuture<'_, StoreResult<ChangeBatch>>;
    /// See [`super::ProductStore::products`]: one statement for any number of ids.
    fn products_by_id<'a>(
        pool: &'a Pool<Self>,
        ids: &'a [i64],
    ) -> BoxFuture<'a, StoreResult<Vec<Product>>>;
    /// Wakes `wake` whenever products change, where the database can tell (Postgres NOTIFY).
    fn listen_catalog(pool: &Pool<Self>, wake: Arc<Notify>) -> BoxFuture<'_, StoreResult<()>>;
    /// See [`super::ProductStore::prune_catalog_feed`].
    fn prune_catalog_feed(
        _pool: &Pool<Self>,
        _below: Option<i64>,
    ) -> BoxFuture<'_, StoreResult<Option<i64>>> {
        Box::pin(async { Ok(None) })
    }
}

/// Reads go to `reader`, writes to `writer` (the same pool on Postgres; on SQLite one writer
/// connection and a read-only pool).
pub struct SqlStore<D: Dialect> {
    pub(super) reader: Pool<D>,
    pub(super) writer: Pool<D>,
    /// See [`super::ProductStore::product_reads`].
    pub(super) product_reads: AtomicU64,
}

impl<D: Dialect> SqlStore<D> {
    pub(super) fn with_pools(reader: Pool<D>, writer: Pool<D>) -> Self {
        Self {
            reader,
            writer,
            product_reads: AtomicU64::new(0),
        }
    }
}

/// Begins a transaction that is never left half-begun. A `BEGIN` whose future is dropped after it
/// was sent and before its reply was read (a request timeout, a client gone) leaves the server
/// in a transaction that sqlx 0.8 does not know about, so no `ROLLBACK` is queued and the
/// connection goes back to the pool inside it: the next borrower's statements would be answered
/// and never committed (transact-rs/sqlx#4385). On its own task `BEGIN` always runs to its
/// reply; if the caller is gone by then, the finished transaction is dropped, which queues its
/// `ROLLBACK` before the connection returns to the pool. `Pool::begin` is disallowed elsewhere
/// (clippy.toml).
pub async fn begin<D: Database>(
    pool: &Pool<D>,
) -> Result<sqlx::Transaction<'static, D>, sqlx::Error> {
    let pool = pool.clone();
    #[allow(clippy::disallowed_methods, reason = "the one place that may call it")]
    let begin = tokio::spawn(async move { pool.begin().await });
    begin.await.map_err(|_| sqlx::Error::WorkerCrashed)?
}

pub(super) const PRODUCT_COLS: &str = "p.id, p.sku, p.slug, p.name, p.description, p.category, \
     p.price_cents, p.currency, p.image_key, p.available, p.created_at, p.updated_at, p.seo_title, \
     p.seo_description";
pub(super) const ORDER_COLS: &str = "id, user_id, cart_key, email, status, subtotal_cents, \
     total_cents, currency, shipping_address, payment_brand, payment_last4, payment_state, \
     payment_reference, created_at, updated_at";

pub(super) fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[async_trait]
impl<D: super::CheckoutDialect> Store for SqlStore<D>
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
    async fn migrate(&self) -> anyhow::Result<()> {
        D::migrate(&self.writer).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.reader.size(),
            idle: self.reader.num_idle() as u32,
        }
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
