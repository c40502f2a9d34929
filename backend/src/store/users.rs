//! Accounts, sessions and the login limiter's memory.
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
    async fn set_password(&self, user_id: i64, password_hash: &str, role: Role) -> StoreResult<()>;
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    async fn session_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn record_login_failure(&self, email: &str, client: &str, now: i64) -> StoreResult<()>;
    /// Failures since `since`: (for this account, from this client).
    async fn login_failures(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> StoreResult<(i64, i64)>;
    async fn clear_login_failures(&self, email: &str) -> StoreResult<()>;
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
        sqlx::query("UPDATE users SET password_hash = $1, role = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(role.as_str())
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?)
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn record_login_failure(&self, email: &str, client: &str, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (email, client, at_ms) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(client)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn login_failures(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> StoreResult<(i64, i64)> {
        let count = |column: &str| {
            format!("SELECT COUNT(*) FROM login_failures WHERE {column} = $1 AND at_ms > $2")
        };
        let by_email: i64 = sqlx::query_scalar(&count("email"))
            .bind(email)
            .bind(since)
            .fetch_one(&self.reader)
            .await?;
        let by_client: i64 = sqlx::query_scalar(&count("client"))
            .bind(client)
            .bind(since)
            .fetch_one(&self.reader)
            .await?;
        Ok((by_email, by_client))
    }

    async fn clear_login_failures(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(email)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
