use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::media::Media;
use crate::payments::PaymentGateway;
use crate::store::Store;
use crate::telemetry::OpsWindow;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub media: Media,
    pub payments: Arc<dyn PaymentGateway>,
    pub ops: Arc<OpsWindow>,
    pub draining: Arc<AtomicBool>,
    pub cookie_secure: bool,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        media: Media,
        payments: Arc<dyn PaymentGateway>,
        cookie_secure: bool,
    ) -> Self {
        // Metrics recorded before the recorder exists are lost, so install it with the state.
        crate::telemetry::prometheus();
        AppState {
            store,
            media,
            payments,
            ops: Arc::new(OpsWindow::default()),
            draining: Arc::new(AtomicBool::new(false)),
            cookie_secure,
        }
    }
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
