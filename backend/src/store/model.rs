//! What the store reads and writes: rows, inputs and outcomes, in domain types where they exist.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{OrderStatus, PaymentState, Role};

/// Also the catalog index's stored document (`catalog::CatalogProduct`), hence serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
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
    /// The last change to the row (a sale included): a sitemap's `lastmod`.
    #[serde(default)]
    pub updated_at: i64,
    /// What search engines and link previews show, when an admin set it (else from name and
    /// description).
    #[serde(default)]
    pub seo_title: Option<String>,
    #[serde(default)]
    pub seo_description: Option<String>,
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
    /// `Some("")` clears the field.
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
}

/// Where a replica's change feed has read up to (see `catalog::feed`). Opaque outside the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor {
    /// The last row read, as (stamp, id) in the order rows are read.
    pub after: (i64, i64),
    /// Postgres: the oldest transaction in flight during this sweep; its rows are read again.
    pub pending: Option<i64>,
    /// Postgres: sales logged by transactions older than this are already in the product rows
    /// read (the sweep read the whole catalog from its start).
    pub sales_from: i64,
}

impl Default for FeedCursor {
    fn default() -> Self {
        FeedCursor {
            after: (0, i64::MIN),
            pending: None,
            sales_from: 0,
        }
    }
}

/// A product as it is now, stamped with the catalog version of its last change.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductChange {
    #[sqlx(flatten)]
    pub product: Product,
    pub version: i64,
    /// Read order: the version on SQLite, the writing transaction id on Postgres.
    pub stamp: i64,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct ChangeBatch {
    pub changes: Vec<ProductChange>,
    pub next: FeedCursor,
    /// More rows are waiting (the batch was full).
    pub more: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StockLevel {
    pub sku: String,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    #[serde(skip)]
    pub at_ms: i64,
    pub actor_email: String,
    pub old_available: i64,
    pub new_available: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
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
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub subtotal_cents: i64,
    pub total_cents: i64,
    pub currency: String,
    pub shipping_address: String,
    pub payment_brand: String,
    pub payment_last4: String,
    #[sqlx(try_from = "String")]
    pub payment_state: PaymentState,
    /// The gateway's name for the payment (none on orders placed before the column existed).
    pub payment_reference: Option<String>,
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotencyRecord {
    pub fingerprint: String,
    pub order_id: Option<String>,
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
}

/// A line of a checkout that could not be filled.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ShortLine {
    pub product_id: i64,
    pub sku: String,
    pub requested: i64,
    pub available: i64,
}
