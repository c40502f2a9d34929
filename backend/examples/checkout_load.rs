//! Checkout load generator for `make bench`: C concurrent guest shoppers, each looping
//! add-to-cart → checkout (test card) for D seconds. Prints checkouts/s and latency percentiles.
//!   cargo run --release --example checkout_load -- BASE_URL CONCURRENCY SECONDS PRODUCT_IDS(comma-separated)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a load generator may stop at the first failure"
)]
use std::time::{Duration, Instant};

use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let concurrency: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(10);
    let products: Vec<i64> = args
        .get(4)
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1]);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (base, products) = (base.clone(), products.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut failed = 0u64;
                let mut n = 0usize;
                while Instant::now() < deadline {
                    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
                    let pid = products[(w + n) % products.len()];
                    n += 1;
                    let add = c.post(format!("{base}/api/cart/items")).json(&json!({"product_id": pid, "quantity": 1})).send().await;
                    if !matches!(add, Ok(ref r) if r.status().is_success()) {
                        failed += 1;
                        continue;
                    }
                    let t = Instant::now();
                    let res = c
                        .post(format!("{base}/api/checkout"))
                        .header("Idempotency-Key", format!("bench-{w}-{n}-{}", uuid::Uuid::new_v4()))
                        .json(&json!({
                            "email": "bench@example.com",
                            "shipping_address": {"name": "Bench", "line1": "1 Load St", "city": "Testville", "postal_code": "12345", "country": "US"},
                            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
                        }))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => lat.push(t.elapsed()),
                        _ => failed += 1,
                    }
                }
                (lat, failed)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (l, f) = t.await?;
        lat.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
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
