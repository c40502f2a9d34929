//! The catalog change feed as the store serves it to replicas: every change, sales included, is
//! read once past a reader's cursor, whatever order concurrent transactions commit in. On Postgres
//! a sale is logged beside the product (migration 0024) and leaves its indexes alone.
use ecomm::store::{FeedCursor, ProductChange};
use sqlx::{Connection, Executor, PgConnection};

use crate::helpers::*;

/// Reads the feed from `cursor` to its end, as a replica's sweep does.
async fn sweep(app: &TestApp, mut cursor: FeedCursor) -> (Vec<ProductChange>, FeedCursor) {
    let mut changes = Vec::new();
    loop {
        let batch = app.store.catalog_changes(cursor, 2).await.unwrap();
        changes.extend(batch.changes);
        cursor = batch.next;
        if !batch.more {
            return (changes, cursor);
        }
    }
}

fn stock_read(changes: &[ProductChange], id: i64) -> Option<i64> {
    changes
        .iter()
        .rev()
        .find(|c| c.product.id == id)
        .map(|c| c.product.available)
}

#[db_test]
async fn a_checkout_reaches_the_feed_with_the_stock_it_left(app: TestApp) {
    let sold = app.product("FEED-1", 500, 10).await;
    app.product("FEED-2", 700, 10).await;
    let (_, cursor) = sweep(&app, FeedCursor::default()).await;
    app.add_to_cart(&app.client, sold.id, 3).await;
    let res = app
        .checkout(&app.client, "feed-key", &checkout_body(APPROVE))
        .await;
    assert_eq!(res.status(), 201);
    let (changes, _) = sweep(&app, cursor).await;
    // A row may come again (its transaction looked in flight); the last read is what counts.
    assert_eq!(stock_read(&changes, sold.id), Some(7));
    assert!(changes
        .iter()
        .all(|c| c.product.id == sold.id || c.product.available == 10));
}

async fn pg(app: &TestApp) -> PgConnection {
    PgConnection::connect(&app.database_url).await.unwrap()
}

async fn sell_one(conn: &mut PgConnection, id: i64) {
    conn.execute(format!("UPDATE products SET available = available - 1 WHERE id = {id}").as_str())
        .await
        .unwrap();
}

#[db_test]
async fn a_sale_that_commits_after_a_later_one_was_read_is_still_delivered(db: Db) {
    // SQLite has one writer at a time: commits cannot overtake each other there.
    let Db::Postgres = db else { return };
    let app = TestApp::spawn(db).await;
    let (first, second) = (
        app.product("OOO-1", 500, 10).await,
        app.product("OOO-2", 500, 10).await,
    );
    let (_, cursor) = sweep(&app, FeedCursor::default()).await;
    let (mut early, mut late) = (pg(&app).await, pg(&app).await);
    early.execute("BEGIN").await.unwrap();
    sell_one(&mut early, first.id).await;
    late.execute("BEGIN").await.unwrap();
    sell_one(&mut late, second.id).await;
    late.execute("COMMIT").await.unwrap();
    let (seen, cursor) = sweep(&app, cursor).await;
    assert_eq!(stock_read(&seen, second.id), Some(9));
    assert_ne!(stock_read(&seen, first.id), Some(9), "not committed yet");
    early.execute("COMMIT").await.unwrap();
    let (seen, _) = sweep(&app, cursor).await;
    assert_eq!(
        stock_read(&seen, first.id),
        Some(9),
        "the older transaction's sale"
    );
}

/// Sells one unit in its own transaction and answers that transaction's id.
async fn sell_one_at(conn: &mut PgConnection, id: i64) -> i64 {
    conn.execute("BEGIN").await.unwrap();
    sell_one(conn, id).await;
    let xid: i64 = sqlx::query_scalar("SELECT pg_current_xact_id()::text::bigint")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    conn.execute("COMMIT").await.unwrap();
    xid
}

/// A pruning mark past `xid`, waiting out transactions that were running when it committed.
async fn mark_past(app: &TestApp, xid: i64) -> i64 {
    for _ in 0..500 {
        let mark = app.store.prune_catalog_feed(None).await.unwrap();
        let mark = mark.expect("Postgres keeps a sales log");
        if mark > xid {
            return mark;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no transaction horizon past {xid} within 10 s");
}

#[db_test]
async fn a_reader_behind_the_pruned_sales_log_reads_the_whole_catalog_again(db: Db) {
    // Only Postgres logs sales apart from the products.
    let Db::Postgres = db else { return };
    let app = TestApp::spawn(db).await;
    let sold = app.product("PRUNE-1", 500, 10).await;
    let other = app.product("PRUNE-2", 500, 10).await;
    let (_, behind) = sweep(&app, FeedCursor::default()).await;
    let sale = sell_one_at(&mut pg(&app).await, sold.id).await;
    // The mark is the cluster's oldest running transaction: another test's, or this app's own
    // background work, may hold it below the sale for a moment, and a prune below the sale
    // leaves the reader nothing it lacks. Take marks until one is past the sale.
    let mark = mark_past(&app, sale).await;
    app.store.prune_catalog_feed(Some(mark)).await.unwrap();
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM catalog_sales")
        .fetch_one(&mut pg(&app).await)
        .await
        .unwrap();
    assert_eq!(logged, 0, "the sale was pruned from the log");
    let (seen, _) = sweep(&app, behind).await;
    assert_eq!(stock_read(&seen, sold.id), Some(9));
    assert_eq!(
        stock_read(&seen, other.id),
        Some(10),
        "every product is read again"
    );
}

#[db_test]
async fn a_sale_writes_no_new_entry_in_the_products_indexes(db: Db) {
    // A Postgres matter (a HOT update); SQLite has no such notion.
    let Db::Postgres = db else { return };
    let app = TestApp::spawn(db).await;
    let sold = app.product("HOT-1", 500, 10).await;
    let mut conn = pg(&app).await;
    conn.execute("BEGIN").await.unwrap();
    sell_one(&mut conn, sold.id).await;
    let (updated, hot): (i64, i64) = sqlx::query_as(
        "SELECT pg_stat_get_xact_tuples_updated('products'::regclass), \
                pg_stat_get_xact_tuples_hot_updated('products'::regclass)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    conn.execute("COMMIT").await.unwrap();
    assert_eq!(
        (updated, hot),
        (1, 1),
        "the sale was a heap-only (HOT) update"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_store_is_not_held_up_by_the_change_listener() {
    // Postgres only: SQLite has no NOTIFY, so no listener holds a connection there. A pool of one
    // connection, so the listener holds every connection there is: `Pool::close` waits for each
    // borrowed connection to come back, and closing idle ones can otherwise hide one never
    // returned (sqlx gives back a permit for each idle connection it closes).
    let url = database_url(Db::Postgres).await;
    let options = ecomm::store::DbOptions {
        max_connections: 1,
        ..Default::default()
    };
    let store = ecomm::store::connect_with(&url, &options).await.unwrap();
    store.migrate().await.unwrap();
    store
        .listen_catalog(std::sync::Arc::new(tokio::sync::Notify::new()))
        .await
        .unwrap();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(30), store.close()).await;
    assert!(closed.is_ok(), "the store was still closing after 30 s");
}
