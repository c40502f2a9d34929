//! Accounts, sessions and the login limiter's memory (one row per attempt, cleared on success).
use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::sql::{unique_violation, Dialect, SqlStore};
use super::{StoreError, StoreResult, User};
use crate::domain::{Email, Role, Word};

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`StoreError::EmailTaken`] when the email is registered already.
    async fn create_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        role: Role,
        now: i64,
    ) -> StoreResult<User>;
    /// The user and their password hash.
    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<(User, String)>>;
    /// Replaces the password and role and ends every session of the account in one transaction:
    /// whoever held a session before a password or role change must sign in again.
    async fn set_password(&self, user_id: i64, password_hash: &str, role: Role) -> StoreResult<()>;
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The session's user. Admin sessions also end after `admin_idle_ms` without use; use
    /// refreshes `last_seen_at` (at most every quarter of that, and at most once a minute).
    async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
        admin_idle_ms: i64,
    ) -> StoreResult<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Records a login attempt before the password is checked and returns the attempts since
    /// `since`, this one included: (this account from this client, this client overall). Written
    /// first so parallel guesses count each other.
    async fn record_login_attempt(
        &self,
        email: &str,
        client: &str,
        now: i64,
        since: i64,
    ) -> StoreResult<(i64, i64)>;
    /// A successful sign-in forgets this client's attempts on this account.
    async fn clear_login_attempts(&self, email: &str, client: &str) -> StoreResult<()>;
    /// The secret named `name` that every replica shares: `candidate` if none was kept yet.
    async fn shared_secret(&self, name: &str, candidate: &str, now: i64) -> StoreResult<String>;
    /// Deletes expired sessions, login attempts older than `attempts_before` and the finished
    /// idempotency keys without an order older than `keys_before`; returns the rows deleted.
    async fn purge_expired(
        &self,
        now: i64,
        attempts_before: i64,
        keys_before: i64,
    ) -> StoreResult<u64>;
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: User,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct Credentials {
    #[sqlx(flatten)]
    user: User,
    password_hash: String,
}

#[async_trait]
impl<D: Dialect> UserStore for SqlStore<D>
where
    for<'c> &'c mut D::Connection: Executor<'c, Database = D>,
    for<'q> D::Arguments<'q>: IntoArguments<'q, D>,
    i64: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    String: Type<D> + for<'q> Encode<'q, D> + for<'r> Decode<'r, D>,
    for<'q> &'q str: Type<D> + Encode<'q, D>,
    for<'q> Option<i64>: Encode<'q, D>,
    for<'q> Option<String>: Encode<'q, D>,
    for<'a> &'a str: ColumnIndex<D::Row>,
    usize: ColumnIndex<D::Row>,
{
    async fn create_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        role: Role,
        now: i64,
    ) -> StoreResult<User> {
        sqlx::query_as(
            "INSERT INTO users (email, name, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id, email, name, role",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                StoreError::EmailTaken
            } else {
                e.into()
            }
        })
    }

    async fn user_credentials(&self, email: &Email) -> StoreResult<Option<(User, String)>> {
        let row: Option<Credentials> = sqlx::query_as(
            "SELECT id, email, name, role, password_hash FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|c| (c.user, c.password_hash)))
    }

    async fn set_password(&self, user_id: i64, password_hash: &str, role: Role) -> StoreResult<()> {
        let mut tx = super::sql::begin(&self.writer).await?;
        sqlx::query("UPDATE users SET password_hash = $1, role = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
        admin_idle_ms: i64,
    ) -> StoreResult<Option<User>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role, s.last_seen_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 \
             AND (u.role <> 'admin' OR s.last_seen_at > $3)",
        )
        .bind(token_hash)
        .bind(now)
        .bind(now.saturating_sub(admin_idle_ms))
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let refresh_every = (admin_idle_ms / 4).min(60_000);
        if row.user.role == Role::Admin && row.last_seen_at < now - refresh_every {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(row.user))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn record_login_attempt(
        &self,
        email: &str,
        client: &str,
        now: i64,
        since: i64,
    ) -> StoreResult<(i64, i64)> {
        // Committed before counting (no transaction): the attempt whose insert commits j-th
        // then counts at least j rows, so at most the limit of parallel guesses get through.
        sqlx::query("INSERT INTO login_failures (email, client, at_ms) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(client)
            .bind(now)
            .execute(&self.writer)
            .await?;
        // Both counts in one pass over this client's recent attempts (one round trip, not two).
        let (by_pair, by_client): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN email = $1 THEN 1 ELSE 0 END), 0), COUNT(*) \
             FROM login_failures WHERE client = $2 AND at_ms > $3",
        )
        .bind(email)
        .bind(client)
        .bind(since)
        .fetch_one(&self.writer)
        .await?;
        Ok((by_pair, by_client))
    }

    async fn clear_login_attempts(&self, email: &str, client: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1 AND client = $2")
            .bind(email)
            .bind(client)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn shared_secret(&self, name: &str, candidate: &str, now: i64) -> StoreResult<String> {
        // The first replica's candidate wins; the others read it (from the writer: on SQLite the
        // readers may not see the row yet).
        sqlx::query(
            "INSERT INTO shared_secrets (name, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT secret FROM shared_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.writer)
                .await?,
        )
    }

    async fn purge_expired(
        &self,
        now: i64,
        attempts_before: i64,
        keys_before: i64,
    ) -> StoreResult<u64> {
        let mut deleted = 0;
        for (sql, cutoff) in [
            ("DELETE FROM sessions WHERE expires_at <= $1", now),
            (
                "DELETE FROM login_failures WHERE at_ms < $1",
                attempts_before,
            ),
            // Only refusals' keys whose response is recorded: an unfinished checkout still needs
            // its key, and a placed order's key lives as long as the order, so a retry of any
            // age (a gateway may replay a key after we forget it) finds the order.
            (
                "DELETE FROM idempotency_keys WHERE created_at < $1 \
                 AND response_status IS NOT NULL AND order_id IS NULL",
                keys_before,
            ),
        ] {
            let done = sqlx::query(sql).bind(cutoff).execute(&self.writer).await?;
            deleted += D::rows_affected(&done);
        }
        Ok(deleted)
    }
}
