pub mod checkout;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod media;
pub mod openapi;
pub mod payments;
pub mod routes;
pub mod seed;
pub mod session;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;

pub use startup::{router, Application};
pub use state::AppState;
