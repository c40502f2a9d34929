//! Logs, traces and metrics: JSON logs with request and trace ids, OTLP traces with X-Ray ids when an
//! endpoint is configured, Prometheus metrics, and a per-replica rolling window for the ops dashboard.
mod logging;
mod metrics;
mod ops_window;

pub use logging::{init_tracing, make_span};
pub use metrics::{prometheus, track};
pub use ops_window::{OpsSummary, OpsWindow};
