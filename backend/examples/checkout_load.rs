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

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, COOKIE, HOST, SET_COOKIE};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// One shopper's keep-alive connection and cookies (a browser's jar, by name). A plain hyper
/// HTTP/1.1 connection: the loader shares the machine with what it measures, so it should cost
/// little (reqwest with a cookie store took ~19 % of the two cores at 2,100 checkouts/s).
struct Shopper {
    addr: String,
    send: Option<SendRequest<Full<Bytes>>>,
    cookies: BTreeMap<String, String>,
}

impl Shopper {
    async fn connection(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.send.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(&self.addr).await?;
            stream.set_nodelay(true)?;
            let (send, conn) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            self.send = Some(send);
        }
        Ok(self.send.as_mut().expect("connected above"))
    }

    /// POSTs JSON; keeps the cookies the answer sets; returns the status and body.
    async fn post(
        &mut self,
        path: &str,
        key: Option<&str>,
        body: Bytes,
    ) -> anyhow::Result<(u16, Bytes)> {
        let mut req = Request::post(path)
            .header(HOST, self.addr.as_str())
            .header(CONTENT_TYPE, "application/json");
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(COOKIE, jar.join("; "));
        }
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        let req = req.body(Full::new(body))?;
        let res = match self.connection().await?.send_request(req).await {
            Ok(res) => res,
            Err(e) => {
                self.send = None;
                return Err(e.into());
            }
        };
        for v in res.headers().get_all(SET_COOKIE) {
            let pair = v.to_str()?.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().to_owned(), v.to_owned());
            }
        }
        let status = res.status().as_u16();
        Ok((status, res.into_body().collect().await?.to_bytes()))
    }
}

#[derive(serde::Deserialize)]
struct Placed {
    id: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned();
    let base = arg(1).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let concurrency: usize = arg(2).and_then(|v| v.parse().ok()).unwrap_or(32);
    let seconds: u64 = arg(3).and_then(|v| v.parse().ok()).unwrap_or(10);
    let products: Vec<i64> = arg(4)
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1]);
    let orders: u64 = arg(5).and_then(|v| v.parse().ok()).unwrap_or(u64::MAX);
    let acks = arg(6);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let placed = Arc::new(AtomicU64::new(0));
    let checkout = Bytes::from(
        serde_json::json!({
            "email": "bench@example.com",
            "shipping_address": {"name": "Bench", "line1": "1 Load St", "city": "Testville", "postal_code": "12345", "country": "US"},
            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
        })
        .to_string(),
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (addr, products, placed, checkout) = (
                addr.clone(),
                products.clone(),
                placed.clone(),
                checkout.clone(),
            );
            tokio::spawn(async move {
                // One shopper: one connection, one guest cart (emptied by each checkout).
                let mut shopper = Shopper {
                    addr,
                    send: None,
                    cookies: BTreeMap::new(),
                };
                let mut lat = Vec::new();
                let mut acked = Vec::new();
                let mut failed: BTreeMap<String, u64> = BTreeMap::new();
                let mut n = 0usize;
                while Instant::now() < deadline && placed.load(Ordering::Relaxed) < orders {
                    let pid = products[(w + n) % products.len()];
                    n += 1;
                    let add = Bytes::from(format!("{{\"product_id\":{pid},\"quantity\":1}}"));
                    match shopper.post("/api/cart/items", None, add).await {
                        Ok((200, _)) => {}
                        other => {
                            *failed.entry(failure("add", other)).or_default() += 1;
                            continue;
                        }
                    }
                    let key = format!("bench-{w}-{n}-{}", uuid::Uuid::new_v4().simple());
                    let t = Instant::now();
                    match shopper
                        .post("/api/checkout", Some(&key), checkout.clone())
                        .await
                    {
                        Ok((201, body)) => {
                            lat.push(t.elapsed());
                            placed.fetch_add(1, Ordering::Relaxed);
                            let id = serde_json::from_slice::<Placed>(&body).map(|p| p.id);
                            acked.push((key, id.unwrap_or_default()));
                        }
                        other => *failed.entry(failure("checkout", other)).or_default() += 1,
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
fn failure(step: &str, res: anyhow::Result<(u16, Bytes)>) -> String {
    match res {
        Ok((status, body)) => {
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let kind = body["type"].as_str().unwrap_or("-");
            let title = body["title"].as_str().unwrap_or("");
            format!("{step} {status} {kind} {title}")
        }
        Err(e) => format!("{step} transport: {e:#}"),
    }
}
