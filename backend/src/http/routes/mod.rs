pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod inventory;
pub mod orders;
