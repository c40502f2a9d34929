//! The database as a deployment leaves it: migrated (with the application role the replicas log
//! in as behind the pooler), seeded, and analyzed.
use std::path::Path;

use anyhow::bail;
use tokio::process::Command;

async fn ecomm(
    bin: &Path,
    args: &[&str],
    env: &[(&str, String)],
    db: &str,
    media: &str,
) -> anyhow::Result<()> {
    let out = Command::new(bin)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["--database-url", db, "--storage-url", media])
        .output()
        .await?;
    if !out.status.success() {
        bail!(
            "ecomm {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The role the replicas log in as behind PgBouncer, as the pods do behind RDS Proxy.
pub const APP_ROLE: &str = "ecomm_app";

/// Migrates and seeds the database (the seed skips a seeded catalog), then ANALYZEs what it filled.
/// With `app_role`, the migration also (re)creates the application role the replicas log in as.
pub async fn seed(
    bin: &Path,
    db_url: &str,
    media: &str,
    products: u32,
    app_role: bool,
) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    // The password is never used to log in (the lab's Postgres and PgBouncer trust loopback),
    // but the role must have one.
    let role = [
        ("ECOMM_APP_DB_USER", APP_ROLE.to_owned()),
        (
            "ECOMM_APP_DB_PASSWORD",
            uuid::Uuid::new_v4().simple().to_string(),
        ),
    ];
    let env: &[(&str, String)] = if app_role { &role } else { &[] };
    ecomm(bin, &["migrate"], env, db_url, media).await?;
    let n = products.to_string();
    ecomm(bin, &["seed", "--products", &n], &[], db_url, media).await?;
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(db_url).await?;
    analyze_seeded(&mut conn).await?;
    eprintln!(
        "lab: database migrated and seeded ({products} products) in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What an operator runs after a bulk load, on the tables it filled: without fresh statistics
/// the planner takes `products` for a few rows and hash-joins all of them into every cart read
/// until autovacuum catches up, mid-drill. Tables still empty are left alone, as in a shop with
/// history: one ANALYZEd while empty is planned as empty until autovacuum looks again, and a
/// statement planned once per connection (checkout's `place_order`, `force_generic_plan`) then
/// seq-scans `cart_items` and `idempotency_keys` as they grow, until the database saturates.
/// A table never analyzed is planned as at least 10 pages: index scans.
async fn analyze_seeded(conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for t in tables {
        let filled: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {t})"))
            .fetch_one(&mut *conn)
            .await?;
        if filled {
            sqlx::query(&format!("ANALYZE {t}"))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
