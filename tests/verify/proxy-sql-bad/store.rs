// Negative fixture for scripts/verify/proxy_sql.py: a session-level SET (with EXCLUDE_VARIABLE_SETS
// the proxy would hand it to other clients' transactions) and a cursor (pins the session).
async fn relax(conn: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
    sqlx::query("DECLARE c CURSOR WITH HOLD FOR SELECT id FROM orders").execute(&mut *conn).await?;
    Ok(())
}
