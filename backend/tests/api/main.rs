//! The API suite: one binary, a fresh database per test, every test run on SQLite and on Postgres.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap fails the test, as it should"
)]
mod admin;
mod auth;
mod authz;
mod cards;
mod cards_helpers;
mod cards_webhooks;
mod cart;
mod cart_cost;
mod catalog;
mod checkout;
mod checkout_limits;
mod concurrency;
mod crash;
mod feed;
mod gateways;
mod guest_identity;
mod health;
mod helpers;
mod inputs;
mod order_states;
mod payment_reuse;
mod payments;
mod pool;
mod recovery;
mod s3;
mod search;
mod security;
mod seo;
