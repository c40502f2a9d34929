//! PostgreSQL (RDS in production): one pool serves reads and writes; search uses the `search`
//! tsvector column.
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use super::sql::{Dialect, SqlStore};
use super::SqlBuf;

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

    fn push_text_match(qb: &mut SqlBuf<'_, Postgres>, words: &[String]) {
        qb.push("p.search @@ to_tsquery('english', ")
            .bind(tsquery(words))
            .push(")");
    }

    fn push_rank(qb: &mut SqlBuf<'_, Postgres>, words: &[String]) {
        qb.push("ts_rank(p.search, to_tsquery('english', ")
            .bind(tsquery(words))
            .push(")) DESC");
    }
}

fn tsquery(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("{w}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

impl SqlStore<Postgres> {
    /// Pool size `ECOMM_DB_MAX_CONNECTIONS` (16). Every connection carries a `statement_timeout`
    /// (`ECOMM_DB_STATEMENT_TIMEOUT_MS`, 5000) and a `lock_timeout` (`ECOMM_DB_LOCK_TIMEOUT_MS`,
    /// 2000): a stuck query or a row lock held too long fails fast instead of tying up the pool.
    pub fn connect(url: &str) -> anyhow::Result<Self> {
        let setting = |name: &str, default: u64| -> u64 {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let max = setting("ECOMM_DB_MAX_CONNECTIONS", 16) as u32;
        let statement_ms = setting("ECOMM_DB_STATEMENT_TIMEOUT_MS", 5000);
        let lock_ms = setting("ECOMM_DB_LOCK_TIMEOUT_MS", 2000);
        let options = PgConnectOptions::from_str(url)?.options([
            ("statement_timeout", format!("{statement_ms}ms")),
            ("lock_timeout", format!("{lock_ms}ms")),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options);
        Ok(Self::with_pools(pool.clone(), pool))
    }
}
