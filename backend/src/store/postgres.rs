//! PostgreSQL (RDS in production): one pool serves reads and writes; catalog changes are read by
//! transaction id and announced with NOTIFY.
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use tokio::sync::Notify;

use super::sql::{Dialect, SqlStore, PRODUCT_COLS};
use super::{ChangeBatch, DbOptions, FeedCursor, Product, ProductChange, StoreResult};

impl Dialect for Postgres {
    const LEAST: &'static str = "LEAST";
    const FOR_UPDATE: &'static str = " FOR UPDATE";

    fn migrate(pool: &PgPool) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::migrate!("./migrations/postgres").run(pool).await?;
            Ok(())
        })
    }

    fn rows_affected(done: &sqlx::postgres::PgQueryResult) -> u64 {
        done.rows_affected()
    }

    fn catalog_changes(
        pool: &PgPool,
        since: FeedCursor,
        limit: i64,
    ) -> BoxFuture<'_, StoreResult<ChangeBatch>> {
        Box::pin(changes_since(pool, since, limit))
    }

    fn prune_catalog_feed(
        pool: &PgPool,
        below: Option<i64>,
    ) -> BoxFuture<'_, StoreResult<Option<i64>>> {
        Box::pin(async move {
            if let Some(below) = below {
                // The mark and the deletion in one statement: a reader sees both or neither.
                sqlx::query(
                    "WITH mark AS (\
                       UPDATE catalog_sales_pruned SET below = $1::text::xid8 \
                       WHERE below < $1::text::xid8 RETURNING below) \
                     DELETE FROM catalog_sales WHERE xid < (SELECT below FROM mark)",
                )
                .bind(below.to_string())
                .execute(pool)
                .await?;
            }
            let now: i64 =
                sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .fetch_one(pool)
                    .await?;
            Ok(Some(now))
        })
    }

    fn products_by_id<'a>(
        pool: &'a PgPool,
        ids: &'a [i64],
    ) -> BoxFuture<'a, StoreResult<Vec<Product>>> {
        Box::pin(async move {
            // One array parameter: one statement text (prepared once) whatever the count.
            let sql = format!(
                "SELECT {PRODUCT_COLS} FROM products p \
                 WHERE p.id = ANY($1) AND p.deleted_at IS NULL"
            );
            Ok(sqlx::query_as(&sql).bind(ids).fetch_all(pool).await?)
        })
    }

    fn listen_catalog(pool: &PgPool, wake: Arc<Notify>) -> BoxFuture<'_, StoreResult<()>> {
        Box::pin(async move {
            let mut listener = PgListener::connect_with(pool).await?;
            listener.listen("catalog_changes").await?;
            tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(_) => wake.notify_one(),
                        // The store is closing: drop the listener so its connection goes back.
                        // Kept, it would hold `Pool::close` forever (the listener keeps its
                        // connection and answers every later `recv` with `PoolClosed` at once).
                        Err(sqlx::Error::PoolClosed) => break,
                        Err(e) => {
                            // recv reconnects on the next call; polling covers the gap.
                            tracing::warn!(error = %e, "catalog listener lost its connection");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
            Ok(())
        })
    }
}

/// Sequence order is not commit order on Postgres: a transaction may commit after a later one was
/// read. So rows are read by writing transaction id, and each sweep starts again at the oldest
/// transaction that was still in flight during the previous one (its snapshot's xmin).
///
/// Two streams share that order and the cursor: products stamped by their last change
/// (`catalog_xid`), and sales, which leave the product's indexed stamp alone and are logged in
/// `catalog_sales` (migration 0024). Each is read past the cursor in (xid, id) order, merged, and
/// each row is the product as it is now.
fn changes_sql() -> String {
    format!(
        "
SELECT {PRODUCT_COLS}, p.catalog_version AS version, c.xid::text::bigint AS stamp,
    p.deleted_at IS NOT NULL AS deleted
FROM (
    (SELECT catalog_xid AS xid, id
     FROM products
     WHERE (catalog_xid, id) > ($1::text::xid8, $2)
     ORDER BY catalog_xid, id
     LIMIT $3)
    UNION
    (SELECT xid, product_id
     FROM catalog_sales
     WHERE (xid, product_id) > ($1::text::xid8, $2) AND xid >= $4::text::xid8
     ORDER BY xid, product_id
     LIMIT $3)
) c
-- Each row by its key (OFFSET 0 keeps it a per-row lookup, not a scan of the whole table).
CROSS JOIN LATERAL (SELECT * FROM products WHERE id = c.id OFFSET 0) p
ORDER BY c.xid, c.id
LIMIT $3"
    )
}

async fn changes_since(pool: &PgPool, since: FeedCursor, limit: i64) -> StoreResult<ChangeBatch> {
    let mut tx = super::sql::begin(pool).await?;
    // One snapshot for the horizon, the log's pruning mark and the rows: a transaction this read
    // cannot see commits with an id at or past the horizon, so the next sweep, which starts
    // there, reads its rows.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let (xmin, pruned): (i64, i64) = sqlx::query_as(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, \
         below::text::bigint FROM catalog_sales_pruned",
    )
    .fetch_one(&mut *tx)
    .await?;
    // A sweep from the start (a first build, or a reader that still needs log rows older than
    // the pruned mark: it may have lost sales) reads every product as it is now; sales committed
    // before this snapshot are in those rows, so only later ones are read from the log.
    let since = if since == FeedCursor::default() || since.after.0.max(since.sales_from) < pruned {
        FeedCursor {
            sales_from: xmin,
            ..FeedCursor::default()
        }
    } else {
        since
    };
    let changes: Vec<ProductChange> = sqlx::query_as(&changes_sql())
        .bind(since.after.0.to_string())
        .bind(since.after.1)
        .bind(limit)
        .bind(since.sales_from.to_string())
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let horizon = since.pending.map_or(xmin, |p| p.min(xmin));
    let more = changes.len() as i64 == limit;
    let next = match changes.last() {
        Some(last) if more => FeedCursor {
            after: (last.stamp, last.product.id),
            pending: Some(horizon),
            sales_from: since.sales_from,
        },
        _ => FeedCursor {
            after: (horizon, i64::MIN),
            pending: None,
            sales_from: since.sales_from,
        },
    };
    Ok(ChangeBatch {
        changes,
        next,
        more,
    })
}

/// A pooled connection idle longer than this is pinged before use (e.g. after a database restart).
const IDLE_PING_AFTER: Duration = Duration::from_secs(1);

impl SqlStore<Postgres> {
    pub fn connect(url: &str, db: &DbOptions) -> anyhow::Result<Self> {
        let pool = pool(url, db)?;
        Ok(Self::with_pools(pool.clone(), pool))
    }
}

/// The shop's Postgres pool. Every connection carries a `statement_timeout` and a `lock_timeout`:
/// a stuck query or a row lock held too long fails fast instead of tying up the pool; and an
/// `idle_in_transaction_session_timeout`: a session left inside a transaction is ended by the
/// server. They are sent as startup `options` unless `db.startup_options` is off: RDS Proxy and
/// PgBouncer refuse a connection that carries any, and the application role carries the same
/// settings (`store::dbrole`), which every session through them starts with.
pub fn pool(url: &str, db: &DbOptions) -> anyhow::Result<PgPool> {
    let mut options = PgConnectOptions::from_str(url)?;
    if db.startup_options {
        options = options.options(
            db.session_timeouts_ms()
                .map(|(name, ms)| (name, format!("{ms}ms"))),
        );
    }
    Ok(PgPoolOptions::new()
        .max_connections(db.max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings a connection before handing it out: a round trip per query (a quarter
        // of this process's CPU under checkout load). One used within the last second is
        // known good; a dead one still fails its query, which closes it and answers 503.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > IDLE_PING_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .connect_lazy_with(options))
}
