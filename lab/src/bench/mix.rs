//! The catalog query mix: a fixed set of ≥ 300 distinct catalog queries (words, prefixes, typos,
//! single letters, filters, sorts, pages) and the queries built to cost the most. Figures:
//!   cold_* — each query once, one at a time (what the index costs, no page cache)
//!   load_* — C connections cycling through the set for S seconds (what a shopper sees under load)
//!   letters_max_ms — the slowest of the 26 one-letter searches, cold
//!   worst_ms — the slowest of the adversarial queries, each once, cold
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::Request;

use crate::load::http::Client;

const WORDS: &[&str] = &[
    "",
    "mug",
    "mugs",
    "tent",
    "lamp",
    "kettlebell",
    "hammock",
    "backpack",
    "headphones",
    "planter",
    "yoga mat",
    "rustic oak",
    "modern steel mug",
    "the mug",
    "cozy wool blanket",
    "a classic",
    "no 42",
    "deluxe",
    "ceramic",
    "bamboo cutting board",
    "kett",
    "ham",
    "back",
    "ceram",
    "head",
    "pla",
    "cush",
    "nord",
    "ultra",
    "kettlebel",
    "hamock",
    "backpak",
    "ceramc",
    "headphnes",
    "plantr",
    "lantern",
    "sleek copper kettle",
    "vintage linen scarf",
    "dog bed",
    "cat toy",
    "t-shirt",
    "yo-yo",
    "\"quoted\" (syntax) OR *",
    "zzzz",
    "pet bowl",
    "desk mat",
    "soap bar",
    "hand lotion",
    "trowel",
    "bird feeder",
    "foam roller",
];
const FILTERS: &[&str] = &[
    "",
    "&category=Kitchen",
    "&in_stock=true",
    "&min_price=1000&max_price=5000",
    "&category=Outdoors&in_stock=true&min_price=2000",
    "&max_price=1500",
];
const SORTS: &[&str] = &["", "&sort=price_asc", "&sort=price_desc", "&sort=newest"];

/// Queries chosen to cost the most: the broadest prefixes with every filter and the deepest page,
/// eight words with typos, stop words only. Reported apart (`worst_ms`, each once, cold): no single
/// request may take more than 50 ms of CPU.
const WORST: &[&str] = &[
    "/api/products?q=a&category=Kitchen&in_stock=true&min_price=1000&max_price=20000&sort=price_desc&page=100&per_page=100",
    "/api/products?q=e&sort=newest&page=100&per_page=100",
    "/api/products?q=s&in_stock=true&sort=price_asc&page=100&per_page=100",
    "/api/products?min_price=1&max_price=99999999&sort=price_asc&page=100&per_page=100",
    "/api/products?q=kettlebel%20hamock%20backpak%20headphnes%20plantr%20lanterns%20ceramc%20bambo",
    "/api/products?q=the%20and%20of%20to%20a%20in%20is%20it",
    "/api/products?q=a%20b%20c%20d%20e%20f%20g%20h",
    "/api/products?q=aa&category=Outdoors&min_price=0&max_price=100000",
    "/api/search/suggest?q=a",
    "/api/search/suggest?q=s",
    "/api/categories",
];

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn queries() -> Vec<String> {
    let mut out = Vec::new();
    for (i, w) in WORDS.iter().enumerate() {
        for j in 0..6 {
            let (f, s) = (
                FILTERS[(i + j) % FILTERS.len()],
                SORTS[(i + 2 * j) % SORTS.len()],
            );
            let page = 1 + (i + j) % 3;
            out.push(format!(
                "/api/products?q={}{f}{s}&page={page}&per_page=24",
                encode(w)
            ));
        }
    }
    for c in 'a'..='z' {
        out.push(format!("/api/products?q={c}"));
    }
    out.sort();
    out.dedup();
    out
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn timed(c: &Client, path: &str) -> anyhow::Result<f64> {
    let t = Instant::now();
    let req = Request::get(path).body(Full::default())?;
    let a = c
        .send(req, false, false)
        .await
        .map_err(|f| anyhow::anyhow!("{path}: {f:?}"))?;
    anyhow::ensure!(a.status.is_success(), "{path}: {}", a.status);
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

/// The figures of one run (`key=value` on one line when printed).
pub struct Mix {
    pub queries: usize,
    pub cold_p50_ms: f64,
    pub cold_p99_ms: f64,
    pub cold_max_ms: f64,
    pub load_rps: f64,
    pub load_p50_ms: f64,
    pub load_p99_ms: f64,
    pub letters_max_ms: f64,
    pub worst_ms: f64,
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "queries={} cold_p50_ms={:.2} cold_p99_ms={:.2} cold_max_ms={:.2} load_rps={:.0} load_p50_ms={:.2} load_p99_ms={:.2} letters_max_ms={:.2} worst_ms={:.2}",
            self.queries,
            self.cold_p50_ms,
            self.cold_p99_ms,
            self.cold_max_ms,
            self.load_rps,
            self.load_p50_ms,
            self.load_p99_ms,
            self.letters_max_ms,
            self.worst_ms,
        )
    }
}

/// Letters, then every query once (cold), then the worst-case queries, then `concurrency`
/// connections through the set for `seconds`. The slowest cold queries go to stderr, so a missed
/// p99 names its culprits.
pub async fn run(base: &str, concurrency: usize, seconds: u64) -> anyhow::Result<Mix> {
    let qs = Arc::new(queries());
    let c = Arc::new(Client::new(
        base,
        Duration::from_secs(60),
        Duration::from_secs(3),
    )?);

    let mut letters = Vec::new();
    for l in 'a'..='z' {
        // A cache-busting page size keeps these off the page cache.
        letters.push(timed(&c, &format!("/api/products?q={l}&per_page=23")).await?);
    }
    let mut cold = Vec::new();
    let mut by_query = Vec::new();
    for q in qs.iter() {
        let ms = timed(&c, q).await?;
        cold.push(ms);
        by_query.push((ms, q));
    }
    cold.sort_by(f64::total_cmp);
    by_query.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, q) in by_query.iter().take(8) {
        eprintln!("slow cold query: {ms:.2} ms {q}");
    }

    let mut worst: f64 = 0.0;
    for q in WORST {
        let ms = timed(&c, q).await?;
        eprintln!("worst-case query: {ms:.2} ms {q}");
        worst = worst.max(ms);
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let (c, qs) = (c.clone(), qs.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut i = w * 7;
                while Instant::now() < deadline {
                    lat.push(timed(&c, &qs[i % qs.len()]).await?);
                    i += 1;
                }
                anyhow::Ok(lat)
            })
        })
        .collect();
    let mut load = Vec::new();
    for w in workers {
        load.extend(w.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    load.sort_by(f64::total_cmp);
    Ok(Mix {
        queries: qs.len(),
        cold_p50_ms: pct(&cold, 0.5),
        cold_p99_ms: pct(&cold, 0.99),
        cold_max_ms: pct(&cold, 1.0),
        load_rps: load.len() as f64 / elapsed,
        load_p50_ms: pct(&load, 0.5),
        load_p99_ms: pct(&load, 0.99),
        letters_max_ms: letters.iter().copied().fold(0.0, f64::max),
        worst_ms: worst,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_mix_has_at_least_300_distinct_queries_and_every_letter() {
        let qs = super::queries();
        assert!(qs.len() >= 300, "{}", qs.len());
        for c in 'a'..='z' {
            assert!(qs.contains(&format!("/api/products?q={c}")));
        }
    }
}
