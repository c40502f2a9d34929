//! Placing an order: authorize → one database transaction → capture, safe across crashes.
pub mod fault;
pub mod inflight;

pub use fault::FaultPoint;
