//! Storage behind one trait, one implementation per database, chosen by the URL scheme.
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ShortLine;

#[macro_use]
mod sql;
mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("insufficient stock")]
    InsufficientStock(Vec<ShortLine>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price_cents: i64,
    pub currency: String,
    pub image_key: Option<String>,
    pub available: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price_cents: i64,
    pub available: i64,
    pub image_key: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub price_cents: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Search words, already reduced to letters and digits (safe for FTS syntax).
    pub words: Vec<String>,
    pub category: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub in_stock: bool,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow, PartialEq)]
pub struct CategoryCount {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StockLevel {
    pub sku: String,
    pub available: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CartLine {
    pub product_id: i64,
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub image_key: Option<String>,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub available: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: String,
    pub user_id: Option<i64>,
    pub cart_key: Option<String>,
    pub email: String,
    pub status: String,
    pub subtotal_cents: i64,
    pub total_cents: i64,
    pub currency: String,
    pub shipping_address: String,
    pub payment_brand: String,
    pub payment_last4: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderItemRow {
    pub order_id: String,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub row: OrderRow,
    pub items: Vec<OrderItemRow>,
}

/// What a checkout writes before payment.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub id: String,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub cart_key: String,
    pub user_id: Option<i64>,
    pub email: String,
    pub shipping_address: String,
    pub payment_brand: String,
    pub payment_last4: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotencyRecord {
    pub fingerprint: String,
    pub order_id: Option<String>,
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
}

pub enum CheckoutStart {
    Started(Order),
    Replay(IdempotencyRecord),
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    #[serde(skip)]
    pub at_ms: i64,
    pub actor_email: String,
    pub old_available: i64,
    pub new_available: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn migrate(&self) -> anyhow::Result<()>;
    async fn ping(&self) -> StoreResult<()>;
    fn pool_stats(&self) -> PoolStats;
    async fn close(&self);

    async fn list_products(
        &self,
        f: &ProductFilter,
    ) -> StoreResult<(Vec<Product>, i64, Vec<CategoryCount>)>;
    async fn product(&self, id: i64) -> StoreResult<Product>;
    async fn categories(&self) -> StoreResult<Vec<CategoryCount>>;
    async fn stock(&self, skus: &[String]) -> StoreResult<Vec<StockLevel>>;
    async fn create_product(&self, p: &NewProduct, now: i64) -> StoreResult<Product>;
    /// Inserts the products whose SKU is not there yet; returns how many were inserted.
    async fn seed_products(&self, ps: &[NewProduct], now: i64) -> StoreResult<u64>;
    async fn update_product(&self, id: i64, p: &ProductPatch, now: i64) -> StoreResult<Product>;
    async fn delete_product(&self, id: i64, now: i64) -> StoreResult<()>;
    async fn set_product_image(&self, id: i64, key: &str, now: i64) -> StoreResult<Product>;
    async fn set_stock(
        &self,
        sku: &str,
        available: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<StockLevel>;
    async fn stock_audit(&self, sku: &str) -> StoreResult<Vec<AuditEntry>>;

    async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        role: &str,
        now: i64,
    ) -> StoreResult<User>;
    async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn set_password(&self, user_id: i64, password_hash: &str, role: &str) -> StoreResult<()>;
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

    async fn cart(&self, cart_key: &str) -> StoreResult<Vec<CartLine>>;
    async fn add_to_cart(
        &self,
        cart_key: &str,
        product_id: i64,
        quantity: i64,
        max: i64,
        now: i64,
    ) -> StoreResult<()>;
    async fn set_cart_quantity(
        &self,
        cart_key: &str,
        product_id: i64,
        quantity: i64,
    ) -> StoreResult<()>;
    async fn remove_from_cart(&self, cart_key: &str, product_id: i64) -> StoreResult<()>;
    async fn merge_carts(&self, from: &str, into: &str, max: i64) -> StoreResult<()>;

    async fn begin_checkout(&self, o: &NewOrder, now: i64) -> StoreResult<CheckoutStart>;
    async fn finish_checkout(
        &self,
        order_id: &str,
        key: &str,
        paid: bool,
        status: i64,
        body: &str,
        now: i64,
    ) -> StoreResult<Order>;
    async fn idempotency_record(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>>;
    async fn order(&self, id: &str) -> StoreResult<Order>;
    async fn orders_for_user(&self, user_id: i64) -> StoreResult<Vec<Order>>;
    async fn orders(
        &self,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Order>, i64)>;
    async fn transition_order(
        &self,
        id: &str,
        from: &str,
        to: &str,
        now: i64,
    ) -> StoreResult<Order>;
    async fn stale_pending_orders(&self, before: i64) -> StoreResult<Vec<String>>;
}

/// Opens the store named by the URL scheme.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        anyhow::bail!("unsupported database URL scheme (expected sqlite:// or postgres://)")
    }
}
