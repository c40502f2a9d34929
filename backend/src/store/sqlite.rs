use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Sqlite;

/// SQLite, the embedded default. SQLite allows one writer at a time, so writes go through a
/// one-connection pool (they queue in-process instead of failing with SQLITE_BUSY) and reads use
/// a separate pool that WAL lets run alongside.
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteStore {
    const LEAST: &'static str = "MIN";
    const FOR_UPDATE: &'static str = "";

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
        Ok(Self { reader, writer })
    }

    async fn run_migrations(&self) -> anyhow::Result<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.writer)
            .await?;
        Ok(())
    }

    fn fts_query(words: &[String]) -> String {
        words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn push_text_match(qb: &mut sqlx::QueryBuilder<'_, Sqlite>, words: &[String]) {
        qb.push("p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ")
            .push_bind(Self::fts_query(words))
            .push(")");
    }

    fn push_rank(qb: &mut sqlx::QueryBuilder<'_, Sqlite>, words: &[String]) {
        qb.push("(SELECT bm25(products_fts) FROM products_fts WHERE products_fts MATCH ")
            .push_bind(Self::fts_query(words))
            .push(" AND rowid = p.id) ASC");
    }
}

impl_store!(SqliteStore, sqlx::Sqlite);
