//! PostgreSQL (RDS in production): one pool serves reads and writes; search uses the `search`
//! tsvector column.
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use super::sql::{Dialect, SqlStore};
use super::DbOptions;
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
    /// Every connection carries a `statement_timeout` and a `lock_timeout`: a stuck query or a
    /// row lock held too long fails fast instead of tying up the pool.
    pub fn connect(url: &str, db: &DbOptions) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url)?.options([
            (
                "statement_timeout",
                format!("{}ms", db.statement_timeout_ms),
            ),
            ("lock_timeout", format!("{}ms", db.lock_timeout_ms)),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(db.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options);
        Ok(Self::with_pools(pool.clone(), pool))
    }
}
