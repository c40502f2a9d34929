//! What the shoppers saw: HDR histograms (µs) per request kind and per second, by scheduled time.
use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Browse,
    Search,
    Product,
    Categories,
    AddToCart,
    Checkout,
    OrderLookup,
}

/// How a request ended, from the shopper's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx (or a 404 for a product that does not exist).
    Ok,
    /// A correct business answer: declined, out of stock, cart rules (402/409/422).
    Rejected,
    /// 5xx, a transport error, or no answer within the client timeout.
    Failed,
}

#[allow(clippy::expect_used)] // constant, valid bounds
pub fn histogram() -> Histogram<u64> {
    // 1 µs .. 10 min at 3 significant figures.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("histogram bounds")
}

#[derive(Default, Clone, Serialize)]
pub struct Counts {
    pub ok: u64,
    pub rejected: u64,
    pub failed: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.ok + self.rejected + self.failed
    }
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Ok => self.ok += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Failed => self.failed += 1,
        }
    }
}

pub struct Second {
    pub counts: Counts,
    pub checkouts: Counts,
    pub all: Histogram<u64>,
    pub checkout: Histogram<u64>,
    pub timeouts: u64,
}

impl Default for Second {
    fn default() -> Self {
        Second {
            counts: Counts::default(),
            checkouts: Counts::default(),
            all: histogram(),
            checkout: histogram(),
            timeouts: 0,
        }
    }
}

pub struct PerKind {
    pub counts: Counts,
    pub hist: Histogram<u64>,
    pub statuses: BTreeMap<String, u64>,
}

#[derive(Default)]
pub struct Stats {
    pub seconds: Vec<Second>,
    pub kinds: BTreeMap<Kind, PerKind>,
    /// Client retries: checkout attempts after the first (same key), and one resend of a request
    /// whose reused connection was closed under it (what browsers do).
    pub retries: u64,
    /// Arrivals not sent because too many requests were already in flight (the generator's limit).
    pub shed: u64,
    /// When the fault began (since load start); set by the drill as it strikes.
    pub fault_at: Option<Duration>,
    /// Requests *answered* at or after the fault — including those in flight when it struck, which
    /// were scheduled before it (counting by scheduled second would leave exactly those out).
    pub under_fault: Counts,
}

impl Stats {
    /// `due`: when the request was scheduled (since load start), `latency`: scheduled → answered;
    /// `status` e.g. "200", "timeout", "connect".
    pub fn record(
        &mut self,
        due: Duration,
        kind: Kind,
        outcome: Outcome,
        latency: Duration,
        status: &str,
    ) {
        if self.fault_at.is_some_and(|f| due + latency >= f) {
            self.under_fault.add(outcome);
        }
        let sec = due.as_secs() as usize;
        let us = (latency.as_micros() as u64).clamp(1, 600_000_000);
        if self.seconds.len() <= sec {
            self.seconds.resize_with(sec + 1, Second::default);
        }
        let s = &mut self.seconds[sec];
        s.counts.add(outcome);
        let _ = s.all.record(us);
        if status == "timeout" {
            s.timeouts += 1;
        }
        if kind == Kind::Checkout {
            s.checkouts.add(outcome);
            let _ = s.checkout.record(us);
        }
        let k = self.kinds.entry(kind).or_insert_with(|| PerKind {
            counts: Counts::default(),
            hist: histogram(),
            statuses: BTreeMap::new(),
        });
        k.counts.add(outcome);
        let _ = k.hist.record(us);
        // No allocation for a status already seen (nearly every request).
        match k.statuses.get_mut(status) {
            Some(n) => *n += 1,
            None => {
                k.statuses.insert(status.to_owned(), 1);
            }
        }
    }

    pub fn totals(&self, from: usize, to: usize) -> Counts {
        let mut c = Counts::default();
        for s in self.seconds.iter().take(to).skip(from) {
            c.ok += s.counts.ok;
            c.rejected += s.counts.rejected;
            c.failed += s.counts.failed;
        }
        c
    }

    pub fn checkout_totals(&self, from: usize, to: usize) -> Counts {
        let mut c = Counts::default();
        for s in self.seconds.iter().take(to).skip(from) {
            c.ok += s.checkouts.ok;
            c.rejected += s.checkouts.rejected;
            c.failed += s.checkouts.failed;
        }
        c
    }

    /// Merged histogram of seconds [from, to): all requests or checkouts only.
    pub fn merged(&self, from: usize, to: usize, checkout: bool) -> Histogram<u64> {
        let mut h = histogram();
        for s in self.seconds.iter().take(to).skip(from) {
            let _ = h.add(if checkout { &s.checkout } else { &s.all });
        }
        h
    }

    pub fn timeouts(&self) -> u64 {
        self.seconds.iter().map(|s| s.timeouts).sum()
    }
}

pub fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(q) as f64 / 1000.0
    }
}
