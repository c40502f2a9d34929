//! The last minute of this replica, for the admin ops dashboard.
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{OrderStatus, Word};
use crate::sys::clock::{epoch_secs, now_ms, rfc3339};

#[derive(Default)]
struct Bucket {
    sec: u64,
    requests: u64,
    errors: u64,
    orders: u64,
    inventory: u64,
    latencies_us: Vec<u32>,
}

const WINDOW_SECS: u64 = 60;
const SAMPLES_PER_SEC: usize = 4096;

/// The last minute of this replica, one bucket a second.
#[derive(Default)]
pub struct OpsWindow {
    buckets: Mutex<VecDeque<Bucket>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpsSummary {
    pub generated_at: String,
    pub window_seconds: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub error_rate: f64,
    pub orders_per_minute: u64,
    pub inventory_updates_per_minute: u64,
}

impl OpsWindow {
    fn with_current(&self, f: impl FnOnce(&mut Bucket)) {
        let now = epoch_secs();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        while buckets.front().is_some_and(|b| b.sec + WINDOW_SECS <= now) {
            buckets.pop_front();
        }
        match buckets.back_mut() {
            Some(current) if current.sec == now => f(current),
            _ => {
                let mut fresh = Bucket {
                    sec: now,
                    ..Default::default()
                };
                f(&mut fresh);
                buckets.push_back(fresh);
            }
        }
    }

    pub fn record_request(&self, elapsed: Duration, status: u16) {
        self.with_current(|b| {
            b.requests += 1;
            if status >= 500 {
                b.errors += 1;
            }
            if b.latencies_us.len() < SAMPLES_PER_SEC {
                b.latencies_us
                    .push(elapsed.as_micros().min(u128::from(u32::MAX)) as u32);
            }
        });
    }

    pub fn record_order(&self, status: OrderStatus) {
        metrics::counter!("ecomm_orders_total", "status" => status.as_str()).increment(1);
        if status == OrderStatus::Paid {
            self.with_current(|b| b.orders += 1);
        }
    }

    /// One update per stock row changed (a checkout line, a cancellation line, an admin set).
    pub fn record_inventory_updates(&self, n: u64) {
        metrics::counter!("ecomm_inventory_updates_total").increment(n);
        self.with_current(|b| b.inventory += n);
    }

    pub fn summary(&self) -> OpsSummary {
        let now = epoch_secs();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let live: Vec<&Bucket> = buckets
            .iter()
            .filter(|b| b.sec + WINDOW_SECS > now)
            .collect();
        let span = live
            .first()
            .map(|b| (now - b.sec + 1).min(WINDOW_SECS))
            .unwrap_or(1)
            .max(1);
        let requests: u64 = live.iter().map(|b| b.requests).sum();
        let errors: u64 = live.iter().map(|b| b.errors).sum();
        let mut lat: Vec<u32> = live
            .iter()
            .flat_map(|b| b.latencies_us.iter().copied())
            .collect();
        lat.sort_unstable();
        let pct = |p: f64| -> f64 {
            if lat.is_empty() {
                0.0
            } else {
                f64::from(lat[((lat.len() - 1) as f64 * p).round() as usize]) / 1000.0
            }
        };
        OpsSummary {
            generated_at: rfc3339(now_ms()),
            window_seconds: span,
            requests_per_second: requests as f64 / span as f64,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            error_rate: if requests == 0 {
                0.0
            } else {
                errors as f64 / requests as f64
            },
            orders_per_minute: live.iter().map(|b| b.orders).sum(),
            inventory_updates_per_minute: live.iter().map(|b| b.inventory).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reports_percentiles_errors_and_business_counts() {
        let w = OpsWindow::default();
        for ms in 1..=100 {
            w.record_request(
                Duration::from_millis(ms),
                if ms % 10 == 0 { 500 } else { 200 },
            );
        }
        w.record_order(OrderStatus::Paid);
        w.record_order(OrderStatus::Cancelled);
        w.record_inventory_updates(1);
        let s = w.summary();
        assert!((s.p50_ms - 50.0).abs() <= 1.0, "{}", s.p50_ms);
        assert!((s.p99_ms - 99.0).abs() <= 1.0, "{}", s.p99_ms);
        assert!((s.error_rate - 0.1).abs() < 1e-9);
        assert_eq!(s.orders_per_minute, 1);
        assert_eq!(s.inventory_updates_per_minute, 1);
    }
}
