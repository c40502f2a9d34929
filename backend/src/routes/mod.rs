pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod health;
pub mod inventory;
pub mod orders;
