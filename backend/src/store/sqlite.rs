//! SQLite, the embedded default. SQLite allows one writer at a time, so writes go through a
//! one-connection pool (they queue in-process instead of failing with SQLITE_BUSY) and reads use
//! a separate pool that WAL lets run alongside. Catalog versions come from a counter
//! row (one writer at a time: version order is commit order).
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use tokio::sync::Notify;

use super::sql::{Dialect, SqlStore, PRODUCT_COLS};
use super::{ChangeBatch, FeedCursor, Product, ProductChange, StoreResult};

impl Dialect for Sqlite {
    const LEAST: &'static str = "MIN";
    const FOR_UPDATE: &'static str = "";

    fn migrate(pool: &SqlitePool) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::migrate!("./migrations/sqlite").run(pool).await?;
            Ok(())
        })
    }

    fn rows_affected(done: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        done.rows_affected()
    }

    fn catalog_changes(
        pool: &SqlitePool,
        since: FeedCursor,
        limit: i64,
    ) -> BoxFuture<'_, StoreResult<ChangeBatch>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {PRODUCT_COLS}, p.catalog_version AS version, p.catalog_version AS stamp, \
                 p.deleted_at IS NOT NULL AS deleted \
                 FROM products p WHERE p.catalog_version > $1 ORDER BY p.catalog_version LIMIT $2"
            );
            let changes: Vec<ProductChange> = sqlx::query_as(&sql)
                .bind(since.after.0)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let next = FeedCursor {
                after: changes
                    .last()
                    .map_or(since.after, |c| (c.stamp, c.product.id)),
                ..since
            };
            Ok(ChangeBatch {
                more: changes.len() as i64 == limit,
                changes,
                next,
            })
        })
    }

    fn products_by_id<'a>(
        pool: &'a SqlitePool,
        ids: &'a [i64],
    ) -> BoxFuture<'a, StoreResult<Vec<Product>>> {
        Box::pin(async move {
            // The ids as one JSON array parameter: one statement text whatever the count.
            let json = serde_json::to_string(ids).map_err(|e| sqlx::Error::Encode(e.into()))?;
            let sql = format!(
                "SELECT {PRODUCT_COLS} FROM products p \
                 WHERE p.id IN (SELECT value FROM json_each($1)) AND p.deleted_at IS NULL"
            );
            Ok(sqlx::query_as(&sql).bind(json).fetch_all(pool).await?)
        })
    }

    /// One writer at a time, usually this process: polling is prompt enough.
    fn listen_catalog(_pool: &SqlitePool, _wake: Arc<Notify>) -> BoxFuture<'_, StoreResult<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl SqlStore<Sqlite> {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        if let Some(dir) = opts
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Self::with_pools(reader, writer))
    }
}
