//! The API suite: one binary, a fresh database per test, every test run on SQLite and on Postgres.
mod admin;
mod auth;
mod authz;
mod cart;
mod catalog;
mod checkout;
mod checkout_limits;
mod concurrency;
mod crash;
mod health;
mod helpers;
mod payments;
mod recovery;
mod s3;
