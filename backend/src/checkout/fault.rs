//! Fault injection for crash tests (`ECOMM_FAULT`, test gateway only): the process aborts at the
//! named point of a checkout, as a pod kill or an OOM would, leaving whatever was done so far.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum FaultPoint {
    /// Card flow: the payment intent exists; its checkout attempt does not name it yet.
    AfterIntent,
    /// The card is authorized; nothing is in the database yet.
    AfterAuthorize,
    /// The order is committed as paid/authorized; the shopper has no answer yet.
    AfterCommit,
    /// The shopper has the answer; the capture has not been asked for.
    BeforeCapture,
}

/// Aborts the process if `armed` names `here`: no destructors, no flushing, like `kill -9`.
pub fn hit(armed: Option<FaultPoint>, here: FaultPoint) {
    if armed == Some(here) {
        eprintln!("ECOMM_FAULT: aborting at {here:?}");
        std::process::abort();
    }
}
