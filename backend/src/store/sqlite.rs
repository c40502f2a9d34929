//! SQLite, the embedded default. SQLite allows one writer at a time, so writes go through a
//! one-connection pool (they queue in-process instead of failing with SQLITE_BUSY) and reads use
//! a separate pool that WAL lets run alongside. Search uses the `products_fts` FTS5 table.
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use super::sql::{Dialect, SqlStore};
use super::SqlBuf;

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

    fn push_text_match(qb: &mut SqlBuf<'_, Sqlite>, words: &[String]) {
        qb.push("p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ")
            .bind(fts_query(words))
            .push(")");
    }

    fn push_rank(qb: &mut SqlBuf<'_, Sqlite>, words: &[String]) {
        qb.push("(SELECT bm25(products_fts) FROM products_fts WHERE products_fts MATCH ")
            .bind(fts_query(words))
            .push(" AND rowid = p.id) ASC");
    }
}

fn fts_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
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
