//! A closed-loop checkout load (the benchmark's, next to the drills' open model): N shoppers, each
//! looping add to cart → checkout (test card) on a keep-alive connection of its own, for a time or
//! until a number of orders succeeded. Only the checkout call is timed. Every acknowledged order is
//! kept for the reconciliation; failed requests are counted by step, status and problem type (or
//! transport failure).
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{header, Request};

use super::http::{Answer, Client, Failure};
use super::jar::Jar;
use super::shopper::Ack;

/// What to run.
#[derive(Clone)]
pub struct Closed {
    pub shoppers: usize,
    pub duration: Duration,
    /// Stop once this many checkouts succeeded.
    pub orders: u64,
    /// Shopper `w`'s `n`-th cart holds product `products[(w + n) % len]`.
    pub products: Vec<i64>,
}

/// What the shoppers saw.
pub struct Report {
    /// Checkout latencies, sorted.
    latencies: Vec<Duration>,
    pub seconds: f64,
    pub acks: Vec<Ack>,
    /// "step status type title" (or "step transport: …") → count.
    pub failures: BTreeMap<String, u64>,
}

impl Report {
    pub fn checkouts(&self) -> usize {
        self.latencies.len()
    }

    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    pub fn per_sec(&self) -> f64 {
        self.checkouts() as f64 / self.seconds
    }

    /// The checkout call's latency at quantile `p`, in ms.
    pub fn ms(&self, p: f64) -> f64 {
        let i = ((self.latencies.len().max(1) - 1) as f64 * p) as usize;
        self.latencies
            .get(i)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// One line, `key=value` figures (as the benchmark table quotes it).
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "checkouts={} failed={} seconds={:.1} checkouts_per_sec={:.0} p50_ms={:.1} p99_ms={:.1}",
            self.checkouts(),
            self.failed(),
            self.seconds,
            self.per_sec(),
            self.ms(0.5),
            self.ms(0.99)
        )
    }
}

const CHECKOUT: &str = r#"{"email":"bench@example.com","shipping_address":{"name":"Bench","line1":"1 Load St","city":"Testville","postal_code":"12345","country":"US"},"payment":{"card_number":"4242424242424242","exp_month":12,"exp_year":2035,"cvc":"123"}}"#;

/// Runs the shoppers against `base` (`http://ip:port`); failures are listed on stderr.
pub async fn run(base: &str, load: &Closed) -> anyhow::Result<Report> {
    let deadline = Instant::now() + load.duration;
    let placed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..load.shoppers {
        // One client per shopper: its own keep-alive connection, as a browser tab has.
        let client = Client::new(base, Duration::from_secs(60), Duration::from_secs(3))?;
        let (load, placed) = (load.clone(), placed.clone());
        tasks.push(tokio::spawn(async move {
            shopper(&client, w, &load, deadline, &placed).await
        }));
    }
    let mut report = Report {
        latencies: Vec::new(),
        seconds: 0.0,
        acks: Vec::new(),
        failures: BTreeMap::new(),
    };
    for t in tasks {
        let r = t.await?;
        report.latencies.extend(r.latencies);
        report.acks.extend(r.acks);
        for (what, n) in r.failures {
            *report.failures.entry(what).or_default() += n;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.latencies.sort();
    for (what, n) in &report.failures {
        eprintln!("failed: {n} x {what}");
    }
    Ok(report)
}

/// One shopper: one guest cart at a time (each checkout empties it).
async fn shopper(
    client: &Client,
    w: usize,
    load: &Closed,
    deadline: Instant,
    placed: &AtomicU64,
) -> Report {
    let mut jar = Jar::default();
    let mut out = Report {
        latencies: Vec::new(),
        seconds: 0.0,
        acks: Vec::new(),
        failures: BTreeMap::new(),
    };
    let mut n = 0usize;
    while Instant::now() < deadline && placed.load(Ordering::Relaxed) < load.orders {
        let pid = load.products[(w + n) % load.products.len()];
        n += 1;
        let add = format!("{{\"product_id\":{pid},\"quantity\":1}}");
        match post(client, &mut jar, "/api/cart/items", None, add.into()).await {
            Ok(a) if a.status == 200 => {}
            other => {
                *out.failures.entry(failure("add", other)).or_default() += 1;
                continue;
            }
        }
        let key = format!("bench-{w}-{n}-{}", uuid::Uuid::new_v4().simple());
        let t = Instant::now();
        match post(
            client,
            &mut jar,
            "/api/checkout",
            Some(&key),
            CHECKOUT.into(),
        )
        .await
        {
            Ok(a) if a.status == 201 => {
                out.latencies.push(t.elapsed());
                placed.fetch_add(1, Ordering::Relaxed);
                let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
                out.acks.push(Ack {
                    key,
                    order_id: v["id"].as_str().unwrap_or_default().to_owned(),
                    total_cents: v["total_cents"].as_i64().unwrap_or_default(),
                    attempts: 1,
                });
            }
            other => *out.failures.entry(failure("checkout", other)).or_default() += 1,
        }
    }
    out
}

/// POSTs JSON with the jar's cookies; keeps the cookies the answer sets.
async fn post(
    client: &Client,
    jar: &mut Jar,
    path: &str,
    key: Option<&str>,
    body: Bytes,
) -> Result<Answer, Failure> {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = jar.header() {
        req = req.header(header::COOKIE, c);
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let req = req.body(Full::new(body)).map_err(|_| Failure::Transport)?;
    let a = client.send(req, true, false).await?;
    jar.absorb(&a.headers);
    Ok(a)
}

/// What went wrong with one request: step, status and problem type, or the transport failure.
fn failure(step: &str, res: Result<Answer, Failure>) -> String {
    match res {
        Ok(a) => {
            let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
            let kind = body["type"].as_str().unwrap_or("-");
            let title = body["title"].as_str().unwrap_or("");
            format!("{step} {} {kind} {title}", a.status.as_u16())
        }
        Err(e) => format!("{step} transport: {e:?}"),
    }
}
