//! The API's routers, one per resource, each with who may call it.
use crate::http::access::Section;

pub mod account;
pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod inventory;
pub mod orders;

/// Every API router with its access and its part of the OpenAPI document.
pub fn sections() -> Vec<Section> {
    vec![
        catalog::section(),
        inventory::section(),
        auth::section(),
        account::section(),
        cart::section(),
        checkout::section(),
        orders::section(),
        admin::section(),
    ]
}
