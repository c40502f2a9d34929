//! The application's database role: DML on the shop's tables, nothing else. The migration Job runs
//! as the owner (the RDS master secret), applies migrations, then (re)creates this role with the
//! password from its own secret; the serving pods only ever hold the application role's secret,
//! so SQL injection or a stolen pod credential cannot change the schema or read other databases.
//! The password is sent as a SCRAM-SHA-256 verifier, never in clear text: RDS logs DDL statements.
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use sqlx::Connection;

use crate::store::DbOptions;

/// `ECOMM_APP_DB_USER` / `ECOMM_APP_DB_PASSWORD`, when the migration Job is given them.
pub fn from_env() -> Option<(String, SecretString)> {
    let user = std::env::var("ECOMM_APP_DB_USER")
        .ok()
        .filter(|u| !u.is_empty())?;
    let password = std::env::var("ECOMM_APP_DB_PASSWORD").unwrap_or_default();
    Some((user, password.into()))
}

/// Creates or updates `role` with DML-only rights on the current database's public schema, and
/// the pool's timeouts from `db` (the migration Job's own `ECOMM_DB_*` settings) as its defaults.
pub async fn grant(
    owner_url: &str,
    role: &str,
    password: &SecretString,
    db: &DbOptions,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        owner_url.starts_with("postgres"),
        "an application role needs PostgreSQL"
    );
    anyhow::ensure!(
        password.expose_secret().len() >= 16,
        "the application role's password is too short"
    );
    let mut conn = sqlx::PgConnection::connect(owner_url).await?;
    let verifier = scram_verifier(password.expose_secret());
    // Identifiers and literals are quoted by the server (format %I / %L), never by us.
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(role)
            .fetch_one(&mut conn)
            .await?;
    let mut statements = vec![if exists {
        (
            "ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L",
            true,
        )
    } else {
        (
            "CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L",
            true,
        )
    }];
    statements.extend([
        ("GRANT USAGE ON SCHEMA public TO %I", false),
        ("REVOKE CREATE ON SCHEMA public FROM %I", false),
        ("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I", false),
        ("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I", false),
        ("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM %I", false),
        ("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I", false),
        ("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I", false),
    ]);
    // The pool's timeouts (store::postgres::pool), set on the role so that every session starts
    // with them without startup options, which RDS Proxy and PgBouncer refuse: a stuck statement
    // or a lock wait fails fast; a session left inside a transaction (a client bug, a connection
    // handed back mid-transaction) is ended, its locks released, its writes rolled back. Plain
    // integers (milliseconds): the template is itself inside a SQL string literal.
    let timeouts = db
        .session_timeouts_ms()
        .map(|(name, ms)| format!("ALTER ROLE %I SET {name} = {ms}"));
    statements.extend(timeouts.iter().map(|t| (t.as_str(), false)));
    for (template, with_password) in statements {
        let sql: String = if with_password {
            sqlx::query_scalar(&format!("SELECT format('{template}', $1::text, $2::text)"))
                .bind(role)
                .bind(&verifier)
                .fetch_one(&mut conn)
                .await?
        } else {
            sqlx::query_scalar(&format!("SELECT format('{template}', $1::text)"))
                .bind(role)
                .fetch_one(&mut conn)
                .await?
        };
        sqlx::raw_sql(&sql).execute(&mut conn).await?;
    }
    conn.close().await?;
    Ok(())
}

/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802 / 7677), what PostgreSQL
/// stores for a password; given one, it stores it as is.
fn scram_verifier(password: &str) -> String {
    const ITERATIONS: u32 = 4096;
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let hmac = |key: &[u8], data: &[u8]| -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        mac.finalize().into_bytes().into()
    };
    // Hi(password, salt, i) = PBKDF2-HMAC-SHA-256 with one block.
    let mut u = hmac(
        password.as_bytes(),
        &[&salt[..], &1u32.to_be_bytes()].concat(),
    );
    let mut salted = u;
    for _ in 1..ITERATIONS {
        u = hmac(password.as_bytes(), &u);
        salted.iter_mut().zip(u.iter()).for_each(|(s, x)| *s ^= x);
    }
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    let b64 = base64::engine::general_purpose::STANDARD;
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        b64.encode(salt),
        b64.encode(stored_key),
        b64.encode(server_key)
    )
}
