pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod config;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod money;
pub mod payments;
pub mod security;
pub mod seo;
pub mod startup;
pub mod store;
pub mod sys;
pub mod telemetry;

pub use http::{router, AppState};
pub use startup::Application;
