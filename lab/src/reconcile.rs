//! Integrity after a drill or the benchmark's volume run, by SQL against the database and the
//! generator's log of acknowledged orders. Tolerant of the schema growing (payment state columns
//! are used when they exist).
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::Serialize;
use sqlx::{PgPool, Row};
use tokio::time::Instant;

use crate::load::shopper::Ack;

/// Stock and in-doubt orders before the load starts (taken with no load running).
pub struct Snapshot {
    stock: HashMap<i64, i64>,
    /// Orders already unresolved before the drill: their later cancellation returns stock.
    pending_before: Vec<String>,
    at_ms: i64,
}

#[derive(Serialize, Clone)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// How many orders, keys or products are wrong (0 when ok).
    pub bad: usize,
    pub detail: String,
}

#[derive(Serialize, Clone, Default)]
pub struct Integrity {
    pub checks: Vec<Check>,
    /// Seconds after the load ended until nothing was pending (None: still pending at the end).
    pub settled_after_s: Option<f64>,
}

impl Integrity {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

async fn has_column(db: &PgPool, table: &str, column: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns
         WHERE table_name = $1 AND column_name = $2)",
    )
    .bind(table)
    .bind(column)
    .fetch_one(db)
    .await
}

/// Orders still in doubt: pending, or (new schema) payment authorized but not yet settled.
async fn unresolved(db: &PgPool) -> sqlx::Result<Vec<String>> {
    let sql = if has_column(db, "orders", "payment_state").await? {
        "SELECT id FROM orders WHERE status = 'pending' OR payment_state = 'authorized'"
    } else {
        "SELECT id FROM orders WHERE status = 'pending'"
    };
    sqlx::query_scalar(sql).fetch_all(db).await
}

pub async fn snapshot(db: &PgPool) -> anyhow::Result<Snapshot> {
    let rows = sqlx::query("SELECT id, available FROM products")
        .fetch_all(db)
        .await?;
    let stock = rows
        .iter()
        .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1)))
        .collect();
    Ok(Snapshot {
        stock,
        pending_before: unresolved(db).await?,
        at_ms: now_ms(),
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn check(name: &'static str, bad: usize, detail: String) -> Check {
    Check {
        name,
        ok: bad == 0,
        bad,
        detail,
    }
}

fn sample<T: std::fmt::Debug>(v: &[T]) -> String {
    format!("{:?}", &v[..v.len().min(5)])
}

/// Waits up to `window` for in-doubt orders to settle (the reconciler's job), then checks.
pub async fn verify(
    db: &PgPool,
    snap: &Snapshot,
    acks: &[Ack],
    window: Duration,
) -> anyhow::Result<Integrity> {
    let mut out = Integrity::default();
    let waited = Instant::now();
    let mut pending = unresolved(db).await?;
    while !pending.is_empty() && waited.elapsed() < window {
        tokio::time::sleep(Duration::from_millis(500)).await;
        pending = unresolved(db).await?;
    }
    if pending.is_empty() {
        out.settled_after_s = Some(waited.elapsed().as_secs_f64());
    }
    out.checks.push(check(
        "nothing pending after the reconciler window",
        pending.len(),
        format!(
            "{} unresolved after {:.0} s {}",
            pending.len(),
            window.as_secs_f64(),
            sample(&pending)
        ),
    ));

    // Every acknowledged order exists exactly once (ids are primary keys) and is paid.
    let captured = has_column(db, "orders", "payment_state").await?;
    let ids: Vec<String> = acks.iter().map(|a| a.order_id.clone()).collect();
    let rows = sqlx::query(if captured {
        "SELECT id, status, COALESCE(payment_state, '') FROM orders WHERE id = ANY($1)"
    } else {
        "SELECT id, status, '' FROM orders WHERE id = ANY($1)"
    })
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let found: HashMap<String, (String, String)> = rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    let lost: Vec<&String> = ids.iter().filter(|id| !found.contains_key(*id)).collect();
    out.checks.push(check(
        "every acknowledged order exists",
        lost.len(),
        format!(
            "{} acknowledged, {} missing {}",
            ids.len(),
            lost.len(),
            sample(&lost)
        ),
    ));
    let unpaid: Vec<(&String, &(String, String))> = found
        .iter()
        .filter(|(_, (status, pay))| {
            !matches!(status.as_str(), "paid" | "shipped" | "delivered")
                || (captured && pay != "captured" && pay != "refunded")
        })
        .collect();
    out.checks.push(check(
        "every acknowledged order is paid (and captured)",
        unpaid.len(),
        format!("{} not paid {}", unpaid.len(), sample(&unpaid)),
    ));

    // One key, one order: in the client's log and in the database.
    let mut by_key: HashMap<&str, HashSet<&str>> = HashMap::new();
    for a in acks {
        by_key.entry(&a.key).or_default().insert(&a.order_id);
    }
    let mut dup: Vec<String> = by_key
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| k.to_string())
        .collect();
    let keys: Vec<String> = acks.iter().map(|a| a.key.clone()).collect();
    let mismatched: Vec<String> = sqlx::query_scalar(
        "SELECT k.key FROM idempotency_keys k JOIN UNNEST($1::text[], $2::text[]) AS a(key, order_id)
         ON a.key = k.key WHERE k.order_id IS DISTINCT FROM a.order_id",
    )
    .bind(&keys)
    .bind(&ids)
    .fetch_all(db)
    .await?;
    dup.extend(mismatched);
    if has_column(db, "orders", "idempotency_key").await? {
        let twice: Vec<String> = sqlx::query_scalar(
            "SELECT idempotency_key FROM orders WHERE created_at >= $1 AND idempotency_key IS NOT NULL
             GROUP BY idempotency_key HAVING COUNT(*) > 1",
        )
        .bind(snap.at_ms - 1_000)
        .fetch_all(db)
        .await?;
        dup.extend(twice);
    }
    out.checks.push(check(
        "no Idempotency-Key has two orders",
        dup.len(),
        format!(
            "{} keys with more than one order {}",
            dup.len(),
            sample(&dup)
        ),
    ));

    // Stock: initial − Σ sold (orders since the snapshot that were not cancelled) = final, plus
    // whatever earlier in-doubt orders gave back by being cancelled.
    let sold: HashMap<i64, i64> = sqlx::query(
        "SELECT oi.product_id, SUM(oi.quantity)::BIGINT FROM order_items oi JOIN orders o ON o.id = oi.order_id
         WHERE o.created_at >= $1 AND o.status <> 'cancelled' GROUP BY oi.product_id",
    )
    .bind(snap.at_ms)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let returned: HashMap<i64, i64> = sqlx::query(
        "SELECT oi.product_id, SUM(oi.quantity)::BIGINT FROM order_items oi JOIN orders o ON o.id = oi.order_id
         WHERE o.id = ANY($1) AND o.status = 'cancelled' GROUP BY oi.product_id",
    )
    .bind(&snap.pending_before)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let now: Vec<(i64, i64)> = sqlx::query("SELECT id, available FROM products")
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut off = Vec::new();
    for (id, available) in &now {
        let before = snap.stock.get(id).copied().unwrap_or(0);
        let expected = before - sold.get(id).unwrap_or(&0) + returned.get(id).unwrap_or(&0);
        if expected != *available {
            off.push((*id, before, expected, *available));
        }
    }
    out.checks.push(check(
        "per product: initial stock − sold = final stock",
        off.len(),
        format!(
            "{} products, {} units sold, {} off (id, before, expected, now) {}",
            now.len(),
            sold.values().sum::<i64>(),
            off.len(),
            sample(&off)
        ),
    ));
    let negative: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM products WHERE available < 0)
              + (SELECT COUNT(*) FROM order_items WHERE quantity <= 0)",
    )
    .fetch_one(db)
    .await?;
    out.checks.push(check(
        "nothing negative (stock, quantities)",
        negative as usize,
        format!("{negative} negative rows"),
    ));
    Ok(out)
}

/// The test gateway's own ledger (JSON lines, last line per key wins), when the replicas share one:
/// no money taken without a paid order, and no authorization left hanging.
pub async fn gateway_check(
    db: &PgPool,
    ledger: &std::path::Path,
    snap: &Snapshot,
) -> anyhow::Result<Option<Check>> {
    let Ok(text) = std::fs::read_to_string(ledger) else {
        return Ok(None);
    };
    let mut last: HashMap<String, (String, i64)> = HashMap::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(key), Some(state)) = (v["key"].as_str(), v["state"].as_str()) else {
            continue;
        };
        let at = v["created_at_ms"].as_i64().unwrap_or(0);
        last.insert(key.to_owned(), (state.to_owned(), at));
    }
    let recent = |s: &str| {
        last.iter()
            .filter(|(_, (state, at))| state == s && *at >= snap.at_ms - 1_000)
            .map(|(k, _)| k.clone())
            .collect::<Vec<String>>()
    };
    let captured = recent("captured");
    let hanging = recent("authorized");
    let paid: HashSet<String> = sqlx::query_scalar(
        "SELECT k.key FROM idempotency_keys k JOIN orders o ON o.id = k.order_id
         WHERE k.key = ANY($1) AND o.status IN ('paid', 'shipped', 'delivered')",
    )
    .bind(&captured)
    .fetch_all(db)
    .await?
    .into_iter()
    .collect();
    let orphan: Vec<&String> = captured.iter().filter(|k| !paid.contains(*k)).collect();
    Ok(Some(check(
        "gateway: every capture has a paid order, no authorization left open",
        orphan.len() + hanging.len(),
        format!(
            "{} captured, {} without a paid order {}, {} still authorized {}",
            captured.len(),
            orphan.len(),
            sample(&orphan),
            hanging.len(),
            sample(&hanging)
        ),
    )))
}

#[cfg(test)]
mod tests {
    //! The detector itself must be trusted: each check is shown to fire on a broken database.
    //! Needs Postgres (`ECOMM_TEST_PG_URL`, as the backend's tests); skipped without it.
    use super::*;

    const SCHEMA: &str = "
        CREATE TABLE products (id BIGINT PRIMARY KEY, available BIGINT NOT NULL, deleted_at BIGINT);
        CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE order_items (order_id TEXT NOT NULL, product_id BIGINT NOT NULL, quantity BIGINT NOT NULL);
        CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, order_id TEXT);
        INSERT INTO products VALUES (1, 10, NULL), (2, 5, NULL);";

    async fn fresh_db() -> Option<PgPool> {
        let url = std::env::var("ECOMM_TEST_PG_URL").ok()?;
        let admin = PgPool::connect(&url).await.ok()?;
        let name = format!("lab_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .ok()?;
        let db = PgPool::connect(&format!("{}/{name}", url.rsplit_once('/')?.0))
            .await
            .ok()?;
        sqlx::raw_sql(SCHEMA).execute(&db).await.ok()?;
        Some(db)
    }

    async fn sell(db: &PgPool, id: &str, product: i64, qty: i64, status: &str, take_stock: bool) {
        sqlx::query("INSERT INTO orders VALUES ($1, $2, $3)")
            .bind(id)
            .bind(status)
            .bind(now_ms())
            .execute(db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO order_items VALUES ($1, $2, $3)")
            .bind(id)
            .bind(product)
            .bind(qty)
            .execute(db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO idempotency_keys VALUES ($1, $2)")
            .bind(format!("key-{id}"))
            .bind(id)
            .execute(db)
            .await
            .unwrap();
        if take_stock {
            sqlx::query("UPDATE products SET available = available - $2 WHERE id = $1")
                .bind(product)
                .bind(qty)
                .execute(db)
                .await
                .unwrap();
        }
    }

    fn ack(id: &str) -> Ack {
        Ack {
            key: format!("key-{id}"),
            order_id: id.into(),
            total_cents: 100,
            attempts: 1,
        }
    }

    fn failed(i: &Integrity) -> Vec<&'static str> {
        i.checks.iter().filter(|c| !c.ok).map(|c| c.name).collect()
    }

    #[tokio::test]
    async fn a_consistent_database_passes_and_each_kind_of_damage_is_flagged() {
        let Some(db) = fresh_db().await else {
            eprintln!("skipped: ECOMM_TEST_PG_URL is not set");
            return;
        };
        let snap = snapshot(&db).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        sell(&db, "a", 1, 2, "paid", true).await;
        let ok = verify(&db, &snap, &[ack("a")], Duration::ZERO)
            .await
            .unwrap();
        assert!(ok.ok(), "{:?}", failed(&ok));

        // An acknowledged order the database does not have.
        let lost = verify(&db, &snap, &[ack("a"), ack("ghost")], Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(failed(&lost), ["every acknowledged order exists"]);

        // Stock taken twice (oversold) / an order left pending.
        sell(&db, "b", 2, 1, "pending", false).await;
        let bad = verify(&db, &snap, &[ack("a")], Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(
            failed(&bad),
            [
                "nothing pending after the reconciler window",
                "per product: initial stock − sold = final stock"
            ]
        );

        // One key acknowledged with two different orders.
        let twice = Ack {
            order_id: "b".into(),
            ..ack("a")
        };
        let dup = verify(&db, &snap, &[ack("a"), twice], Duration::ZERO)
            .await
            .unwrap();
        assert!(failed(&dup).contains(&"no Idempotency-Key has two orders"));
    }
}
