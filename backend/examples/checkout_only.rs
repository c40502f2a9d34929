//! Checkout load generator for `make bench`: C concurrent guest shoppers, each looping
//! add-to-cart → checkout (test card) over one keep-alive connection, for D seconds or until
//! ORDERS checkouts succeeded. Prints checkouts/s and latency percentiles of the checkout call.
//!   checkout_load BASE_URL CONCURRENCY SECONDS PRODUCT_IDS(comma-separated) [ORDERS [ACKS_FILE]]
//! With ACKS_FILE, every acknowledged order is written as `idempotency_key,order_id` (CSV) for the
//! SQL reconciliation that follows the 100,000-order run. Failed requests are counted by step,
//! status and problem type (or transport error) and listed on stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a load generator may stop at the first failure"
)]
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned();
    let base = arg(1).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let concurrency: usize = arg(2).and_then(|v| v.parse().ok()).unwrap_or(32);
    let seconds: u64 = arg(3).and_then(|v| v.parse().ok()).unwrap_or(10);
    let products: Vec<i64> = arg(4)
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1]);
    let orders: u64 = arg(5).and_then(|v| v.parse().ok()).unwrap_or(u64::MAX);
    let acks = arg(6);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let placed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (base, products, placed) = (base.clone(), products.clone(), placed.clone());
            tokio::spawn(async move {
                // One shopper: one connection, one guest cart (emptied by each checkout).
                let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
                let mut lat = Vec::new();
                let mut acked = Vec::new();
                let mut failed: BTreeMap<String, u64> = BTreeMap::new();
                let mut n = 0usize;
                let mut first = true;
                while Instant::now() < deadline && placed.load(Ordering::Relaxed) < orders {
                    let pid = products[(w + n) % products.len()];
                    n += 1;
                    if !first { let key = format!("bench-{w}-{n}-{}", uuid::Uuid::new_v4().simple());
                    let t = Instant::now();
                    let res = c.post(format!("{base}/api/checkout")).header("Idempotency-Key", &key)
                        .json(&json!({"email": "bench@example.com",
                            "shipping_address": {"name": "Bench", "line1": "1 Load St", "city": "Testville", "postal_code": "12345", "country": "US"},
                            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}})).send().await;
                    match res { Ok(r) if r.status().as_u16() == 201 => { lat.push(t.elapsed()); placed.fetch_add(1, Ordering::Relaxed); let _ = r.bytes().await; }
                        other => *failed.entry(failure("checkout", other).await).or_default() += 1, }
                    continue; }
                    first = false;
                    let add = c
                        .post(format!("{base}/api/cart/items"))
                        .json(&json!({"product_id": pid, "quantity": 1}))
                        .send()
                        .await;
                    match add {
                        Ok(r) if r.status().is_success() => {}
                        other => {
                            *failed.entry(failure("add", other).await).or_default() += 1;
                            continue;
                        }
                    }
                    let key = format!("bench-{w}-{n}-{}", uuid::Uuid::new_v4().simple());
                    let t = Instant::now();
                    let res = c
                        .post(format!("{base}/api/checkout"))
                        .header("Idempotency-Key", &key)
                        .json(&json!({
                            "email": "bench@example.com",
                            "shipping_address": {"name": "Bench", "line1": "1 Load St", "city": "Testville", "postal_code": "12345", "country": "US"},
                            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
                        }))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => {
                            lat.push(t.elapsed());
                            placed.fetch_add(1, Ordering::Relaxed);
                            let body: serde_json::Value = r.json().await.unwrap_or_default();
                            acked.push((key, body["id"].as_str().unwrap_or_default().to_owned()));
                        }
                        other => *failed.entry(failure("checkout", other).await).or_default() += 1,
                    }
                }
                (lat, acked, failed)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut acked = Vec::new();
    let mut failures: BTreeMap<String, u64> = BTreeMap::new();
    for t in tasks {
        let (l, a, f) = t.await?;
        lat.extend(l);
        acked.extend(a);
        for (what, n) in f {
            *failures.entry(what).or_default() += n;
        }
    }
    let failed: u64 = failures.values().sum();
    for (what, n) in &failures {
        eprintln!("failed: {n} x {what}");
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(path) = acks {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (key, id) in &acked {
            writeln!(out, "{key},{id}")?;
        }
    }
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len().max(1) - 1) as f64 * p) as usize)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    println!(
        "checkouts={} failed={} seconds={:.1} checkouts_per_sec={:.0} p50_ms={:.1} p99_ms={:.1}",
        lat.len(),
        failed,
        elapsed,
        lat.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}

/// What went wrong with one request: step, status and problem type, or the transport error.
async fn failure(step: &str, res: reqwest::Result<reqwest::Response>) -> String {
    match res {
        Ok(r) => {
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            let kind = body["type"].as_str().unwrap_or("-");
            let title = body["title"].as_str().unwrap_or("");
            format!("{step} {status} {kind} {title}")
        }
        Err(e) => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg = format!("{msg}: {s}");
                src = s.source();
            }
            format!("{step} transport {msg}")
        }
    }
}
