//! Storage: one generic SQL store ([`SqlStore`]) over a [`Dialect`] per database, chosen by the
//! URL scheme. The store speaks in domain values and typed outcomes ([`StoreError`]); it knows
//! nothing of HTTP.
//!
//! The contract is split by resource so each file stays small; [`Store`] is all of them, and
//! `Arc<dyn Store>` offers every method without further imports.
use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::OrderStatus;

mod attempts;
mod carts;
mod checkout;
mod checkout_pg;
mod checkout_sqlite;
pub mod dbrole;
pub mod dburl;
pub mod media;
mod model;
mod orders;
mod postgres;
mod products;
mod query;
mod sql;
mod sqlite;
mod users;

pub use attempts::{Attempt, AttemptState, AttemptStore, NewAttempt};
pub use carts::CartStore;
pub use checkout::{
    CartSource, CheckoutDialect, CheckoutStore, InDoubtOrder, Lease, PlaceOrder, Placement,
    TakeLine, VoidedOrder,
};
pub use model::*;
pub use orders::OrderStore;
pub use postgres::pool as postgres_pool;
pub use products::ProductStore;
pub use query::SqlBuf;
pub use sql::{begin, Dialect, SqlStore};
pub use users::UserStore;

pub type PgStore = SqlStore<sqlx::Postgres>;
pub type SqliteStore = SqlStore<sqlx::Sqlite>;

/// Every outcome a caller may want to act on has its own variant; `http::error` maps them to
/// statuses in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("cart is empty")]
    EmptyCart,
    #[error("a product with SKU {0} already exists")]
    DuplicateSku(String),
    #[error("an account with this email already exists")]
    EmailTaken,
    /// A cart line would exceed the per-product limit.
    #[error("at most {max} of one product per order")]
    LineLimit { max: i64 },
    /// A new cart line would make the cart longer than `max` lines.
    #[error("a cart may hold at most {max} different products")]
    CartTooLarge { max: i64 },
    /// A cart line would promise more than the shelf holds (checkout stays the authority).
    #[error("only {available} left in stock")]
    LineOverStock { available: i64 },
    /// Checkout lines the shelf cannot fill.
    #[error("insufficient stock")]
    InsufficientStock { lines: Vec<ShortLine> },
    /// A checkout line's price is no longer the one the shopper was charged for.
    #[error("prices changed since the cart was read")]
    PriceChanged,
    /// The payment already belongs to another order: one payment pays for one order.
    #[error("this payment already belongs to another order")]
    PaymentAlreadyUsed,
    /// Someone else moved the order first.
    #[error("order is no longer {from}")]
    StaleTransition { from: OrderStatus, to: OrderStatus },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// A database that is restarting, failing over, slow or saturated: the same request may well
    /// succeed in a moment (on another replica, or after the pool reconnects), so callers answer
    /// 503 + Retry-After, which load balancers retry for idempotent requests, instead of a 500.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Db(e) => transient(e),
            _ => false,
        }
    }
}

fn transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        // Bytes off the protocol: seen only while connecting to a restarting server ("unexpected
        // response from SSLRequest: 0x00"). Nothing ran; retry.
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57: operator intervention (admin shutdown, statement
            // timeout); 53: insufficient resources; 55P03 lock timeout; 40001/40P01 serialization
            // failure and deadlock.
            ["08", "57", "53"]
                .iter()
                .any(|class| code.starts_with(class))
                || ["55P03", "40001", "40P01"].contains(&code.as_ref())
        }),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// The whole store: every resource's contract plus the pool's lifecycle.
#[async_trait]
pub trait Store:
    ProductStore
    + UserStore
    + CartStore
    + OrderStore
    + CheckoutStore
    + AttemptStore
    + Send
    + Sync
    + 'static
{
    async fn migrate(&self) -> anyhow::Result<()>;
    async fn ping(&self) -> StoreResult<()>;
    fn pool_stats(&self) -> PoolStats;
    async fn close(&self);
}

/// Pool settings (Postgres; SQLite has one writer and a fixed reader pool). The values come from
/// `config::StoreArgs`, flags with `ECOMM_DB_*` variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbOptions {
    pub max_connections: u32,
    pub statement_timeout_ms: u64,
    pub lock_timeout_ms: u64,
    /// Postgres ends a session idle inside a transaction for longer than this.
    pub idle_in_transaction_timeout_ms: u64,
    /// Send the three timeouts as startup `options` on every connection. Off behind RDS Proxy or
    /// PgBouncer, which refuse them: the application role carries the same settings
    /// (`store::dbrole`).
    pub startup_options: bool,
}

impl DbOptions {
    /// The Postgres settings every session of the shop starts with, in milliseconds: sent as
    /// startup options by the pool, or set on the application role for poolers that refuse them.
    pub fn session_timeouts_ms(&self) -> [(&'static str, u64); 3] {
        [
            ("statement_timeout", self.statement_timeout_ms),
            ("lock_timeout", self.lock_timeout_ms),
            (
                "idle_in_transaction_session_timeout",
                self.idle_in_transaction_timeout_ms,
            ),
        ]
    }
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            statement_timeout_ms: 5000,
            lock_timeout_ms: 2000,
            idle_in_transaction_timeout_ms: 10_000,
            startup_options: true,
        }
    }
}

/// Opens the store named by the URL scheme, with default pool settings.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    connect_with(url, &DbOptions::default()).await
}

/// Opens the store named by the URL scheme.
pub async fn connect_with(url: &str, db: &DbOptions) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url, db)?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        anyhow::bail!("unsupported database URL scheme (expected sqlite:// or postgres://)")
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn a_pool_timeout_is_transient_and_a_missing_row_is_not() {
        assert!(StoreError::Db(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!StoreError::Db(sqlx::Error::RowNotFound).is_transient());
        assert!(!StoreError::EmptyCart.is_transient());
    }

    #[test]
    fn a_garbled_answer_while_connecting_is_transient() {
        let e = sqlx::Error::Protocol("unexpected response from SSLRequest: 0x00".into());
        assert!(StoreError::Db(e).is_transient());
    }
}
