use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Postgres;

/// PostgreSQL (RDS in production). One pool serves reads and writes.
pub struct PgStore {
    reader: PgPool,
    writer: PgPool,
}

impl PgStore {
    const LEAST: &'static str = "LEAST";
    const FOR_UPDATE: &'static str = " FOR UPDATE";

    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let max = std::env::var("ECOMM_DB_MAX_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy(url)?;
        Ok(Self {
            reader: pool.clone(),
            writer: pool,
        })
    }

    async fn run_migrations(&self) -> anyhow::Result<()> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.writer)
            .await?;
        Ok(())
    }

    fn tsquery(words: &[String]) -> String {
        words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & ")
    }

    fn push_text_match(qb: &mut sqlx::QueryBuilder<'_, Postgres>, words: &[String]) {
        qb.push("p.search @@ to_tsquery('english', ")
            .push_bind(Self::tsquery(words))
            .push(")");
    }

    fn push_rank(qb: &mut sqlx::QueryBuilder<'_, Postgres>, words: &[String]) {
        qb.push("ts_rank(p.search, to_tsquery('english', ")
            .push_bind(Self::tsquery(words))
            .push(")) DESC");
    }
}

impl_store!(PgStore, sqlx::Postgres);
