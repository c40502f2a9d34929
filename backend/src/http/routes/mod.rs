//! The API's routers, one per resource, each with who may call it.
use crate::http::access::{Access, Section};

pub mod account;
pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod inventory;
pub mod orders;
pub mod pay;
pub mod pay_cards;

/// Every API router with who may call it and its part of the OpenAPI document.
pub fn sections() -> Vec<Section> {
    use Access::*;
    vec![
        Section::of::<catalog::Api>(Public, catalog::router()),
        Section::of::<inventory::Api>(Public, inventory::router()),
        Section::of::<auth::Api>(Public, auth::router()),
        Section::of::<account::Api>(SignedIn, account::router()),
        Section::of::<cart::Api>(CartOwner, cart::router()),
        Section::of::<checkout::Api>(CartOwner, checkout::router()),
        Section::of::<pay::Api>(CartOwner, pay::router()),
        Section::of::<pay::WebhookApi>(Public, pay::webhook_router()),
        Section::of::<orders::Api>(OrderOwner, orders::router()),
        Section::of::<admin::Api>(Admin, admin::router()),
    ]
}
