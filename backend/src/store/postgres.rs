//! PostgreSQL (RDS in production): one pool serves reads and writes; search uses the `search`
//! tsvector column.
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::postgres::PgPoolOptions;
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
    pub fn connect(url: &str) -> anyhow::Result<Self> {
        let max = std::env::var("ECOMM_DB_MAX_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy(url)?;
        Ok(Self::with_pools(pool.clone(), pool))
    }
}
