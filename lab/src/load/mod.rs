//! The lab's one load generator, over one HTTP client (`http`) and one cookie jar per shopper
//! (`jar`). The drills' load is an open model: arrivals follow a fixed schedule (rate × time), each
//! measured from its *scheduled* time, so a stall in the shop shows up as latency instead of
//! slowing the generator down (no coordinated omission). The benchmark's checkout load is a closed
//! loop of shoppers (`closed`), compared with pgbench's clients at the same concurrency.
pub mod closed;
pub mod http;
pub mod jar;
pub mod shopper;
pub mod stats;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use shopper::Ack;
use stats::{Kind, Stats};

pub struct Shop {
    pub client: http::Client,
    pub in_stock: Vec<i64>,
    pub max_product_id: i64,
    pub mix: Vec<(Kind, u32)>,
    /// Guest carts ready to pay, each as its shopper's cookie jar.
    pub carts: Mutex<Vec<jar::Jar>>,
    /// Paid orders with the jar of the cart that paid (the order's token in it opens the order).
    pub orders: Mutex<Vec<(jar::Jar, String)>>,
    pub acks: Mutex<Vec<Ack>>,
    pub stats: Mutex<Stats>,
    pub checkout_attempts: u32,
    pub checkout_budget: Duration,
    inflight: AtomicUsize,
    stopped: AtomicBool,
}

/// The catalog-heavy shopper mix (weights): most people look, few pay.
pub fn default_mix() -> Vec<(Kind, u32)> {
    vec![
        (Kind::Browse, 40),
        (Kind::Search, 15),
        (Kind::Product, 25),
        (Kind::Categories, 5),
        (Kind::AddToCart, 8),
        (Kind::Checkout, 4),
        (Kind::OrderLookup, 3),
    ]
}

/// Only checkouts (and the carts they need): the drills that watch payments under a catalog flood.
pub fn checkout_mix() -> Vec<(Kind, u32)> {
    vec![(Kind::AddToCart, 1), (Kind::Checkout, 1)]
}

/// Arrival rate over time, relative to load start: `base × multiplier` from each phase's start.
#[derive(Clone)]
pub struct Schedule {
    pub rate: f64,
    pub duration: Duration,
    pub phases: Vec<(Duration, f64)>,
}

impl Schedule {
    fn rate_at(&self, t: Duration) -> f64 {
        let m = self
            .phases
            .iter()
            .rev()
            .find(|(from, _)| *from <= t)
            .map_or(1.0, |p| p.1);
        (self.rate * m).max(0.1)
    }
}

impl Shop {
    pub fn new(
        base: &str,
        in_stock: Vec<i64>,
        max_product_id: i64,
        mix: Vec<(Kind, u32)>,
    ) -> anyhow::Result<Shop> {
        // The ALB gives up after its own timeout; a shopper a little later.
        let client = http::Client::new(base, Duration::from_secs(12), Duration::from_secs(3))?;
        Ok(Shop {
            client,
            in_stock,
            max_product_id,
            mix,
            carts: Mutex::new(Vec::new()),
            orders: Mutex::new(Vec::new()),
            acks: Mutex::new(Vec::new()),
            stats: Mutex::new(Stats::default()),
            checkout_attempts: 8,
            checkout_budget: Duration::from_secs(30),
            inflight: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        })
    }

    /// Ends the schedule early (arrivals already sent finish).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Runs the schedule from `start`; returns once every arrival has finished.
    pub async fn run(self: &Arc<Self>, schedule: Schedule, start: Instant, max_inflight: usize) {
        let mut t = 0.0f64;
        let total = schedule.duration.as_secs_f64();
        let mut tasks = tokio::task::JoinSet::new();
        while t < total && !self.stopped.load(Ordering::Relaxed) {
            let due = start + Duration::from_secs_f64(t);
            if due > Instant::now() {
                tokio::time::sleep_until(due).await;
            }
            let at = Duration::from_secs_f64(t);
            if self.inflight.load(Ordering::Relaxed) >= max_inflight {
                let mut s = crate::lock(&self.stats);
                s.shed += 1;
                s.record(
                    at,
                    Kind::Browse,
                    stats::Outcome::Failed,
                    Instant::now() - due,
                    "shed",
                );
            } else {
                self.inflight.fetch_add(1, Ordering::Relaxed);
                let shop = self.clone();
                tasks.spawn(async move {
                    let (kind, outcome, status) = shop.act(shop.pick_kind()).await;
                    let latency = Instant::now() - due;
                    crate::lock(&shop.stats).record(at, kind, outcome, latency, &status);
                    shop.inflight.fetch_sub(1, Ordering::Relaxed);
                });
            }
            // Reap finished tasks without waiting.
            while tasks.try_join_next().is_some() {}
            t += 1.0 / schedule.rate_at(Duration::from_secs_f64(t));
        }
        while tasks.join_next().await.is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_phase_multiplies_the_rate_until_the_next_phase() {
        let s = Schedule {
            rate: 100.0,
            duration: Duration::from_secs(60),
            phases: vec![
                (Duration::from_secs(10), 5.0),
                (Duration::from_secs(30), 1.0),
            ],
        };
        assert_eq!(s.rate_at(Duration::from_secs(5)), 100.0);
        assert_eq!(s.rate_at(Duration::from_secs(10)), 500.0);
        assert_eq!(s.rate_at(Duration::from_secs(31)), 100.0);
    }
}
