//! The Postgres pool hands out only connections that are ready for a new statement and outside
//! any transaction, whatever the previous borrower left unfinished: a statement or a `BEGIN`
//! whose future was dropped before its reply (a request timeout, a client that went away).
//! Postgres only: SQLite connections have no replies in flight.
use std::time::Duration;

use ecomm::store::{begin, postgres_pool, DbOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::helpers::{database_url, Db};

/// A pool of one connection, so the next borrower is sure to get the connection just returned.
async fn one_connection_pool() -> (PgPool, String) {
    one_connection_pool_with(DbOptions::default()).await
}

/// The same, on a fresh database with a `marks` table, with these options otherwise.
async fn one_connection_pool_with(options: DbOptions) -> (PgPool, String) {
    let url = database_url(Db::Postgres).await;
    let options = DbOptions {
        max_connections: 1,
        ..options
    };
    let pool = postgres_pool(&url, &options).unwrap();
    sqlx::query("CREATE TABLE marks (n INT)")
        .execute(&pool)
        .await
        .unwrap();
    (pool, url)
}

/// Whether mark `n` is committed, as a second connection sees it.
async fn committed(url: &str, n: i32) -> bool {
    let mut other = PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM marks WHERE n = $1)")
        .bind(n)
        .fetch_one(&mut other)
        .await
        .unwrap()
}

async fn idle_in_transaction(url: &str) -> i64 {
    let mut other = PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(&mut other)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_dropped_before_its_reply_leaves_nothing_for_the_next_borrower() {
    let (pool, url) = one_connection_pool().await;
    // The reply, an error, comes 200 ms after the statement was sent; the caller gives up at 50.
    let slow = sqlx::query_scalar::<_, i32>("SELECT (pg_sleep(0.2)::text)::int").fetch_one(&pool);
    assert!(tokio::time::timeout(Duration::from_millis(50), slow)
        .await
        .is_err());

    let mut tx = begin(&pool).await.expect("BEGIN gets its own reply");
    sqlx::query("INSERT INTO marks VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("INSERT INTO marks VALUES (2)")
        .execute(&pool)
        .await
        .unwrap();

    assert!(committed(&url, 1).await, "the transaction committed");
    assert!(committed(&url, 2).await, "the autocommit insert committed");
    assert_eq!(idle_in_transaction(&url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_begin_dropped_before_its_reply_leaves_no_transaction_open() {
    let (pool, url) = one_connection_pool().await;
    // Give up on BEGIN after its first poll (already sent, reply not read), or a little later:
    // each attempt is followed by an autocommit insert that must be committed at once.
    for (n, wait) in (0..40).map(|n| (n, Duration::from_micros(25 * (n % 8) as u64))) {
        let _ = tokio::time::timeout(wait, begin(&pool)).await;
        sqlx::query("INSERT INTO marks VALUES ($1)")
            .bind(n)
            .execute(&pool)
            .await
            .unwrap();
        assert!(
            committed(&url, n).await,
            "attempt {n}: the insert committed"
        );
    }
    assert_eq!(idle_in_transaction(&url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_left_inside_a_transaction_is_ended_by_the_server() {
    let (pool, url) = one_connection_pool_with(DbOptions {
        idle_in_transaction_timeout_ms: 200,
        ..DbOptions::default()
    })
    .await;
    let mut conn = pool.acquire().await.unwrap();
    sqlx::raw_sql("BEGIN; INSERT INTO marks VALUES (1)")
        .execute(&mut *conn)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        sqlx::query("COMMIT").execute(&mut *conn).await.is_err(),
        "the server ended the session"
    );
    assert!(!committed(&url, 1).await, "its write was rolled back");
}

/// `statement_timeout` as a pool connection sees it, logged in as the test cluster's superuser
/// (no role setting: the server default is `0`).
async fn pooled_statement_timeout(startup_options: bool) -> String {
    let url = database_url(Db::Postgres).await;
    let options = DbOptions {
        max_connections: 1,
        startup_options,
        ..DbOptions::default()
    };
    let pool = postgres_pool(&url, &options).unwrap();
    sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_with_startup_options_sets_the_timeouts_on_its_connections() {
    assert_eq!(pooled_statement_timeout(true).await, "5s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_without_startup_options_sends_none() {
    assert_eq!(pooled_statement_timeout(false).await, "0");
}
