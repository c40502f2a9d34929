//! A drill is a timeline under constant-rate load: warm-up, fault, recovery window, then the
//! integrity reconciliation, the targets and the score.
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use nix::sys::signal::Signal;
use sqlx::PgPool;
use tokio::time::Instant;

use crate::load::{self, Schedule, Shop};
use crate::score::{self, pct, target, DrillResult};
use crate::stack::Stack;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Name {
    KillHalf,
    RollingRestart,
    DbRestart,
    DbLatency,
    Spike,
    SeedAb,
    All,
}

impl Name {
    pub fn label(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }

    /// The runbook section (docs/runbook.md) with this drill's cluster twin.
    fn runbook(self) -> String {
        format!("drill-{}", self.label())
    }
}

#[derive(Args, Debug, Clone)]
pub struct DrillOpts {
    /// Constant arrival rate (requests/s) of the shopper mix.
    #[arg(long, default_value_t = 300.0)]
    pub rate: f64,
    /// Seconds of steady load before the fault.
    #[arg(long, default_value_t = 10)]
    pub warmup: u64,
    /// Seconds of load after the fault ends.
    #[arg(long, default_value_t = 20)]
    pub recovery: u64,
    /// How long in-doubt orders may take to settle (the shop's reconciler window) before the
    /// integrity check counts them.
    #[arg(long, default_value_t = 45)]
    pub settle_window: u64,
    /// Where reports go (`<dir>/<date>-<drill>/index.html`).
    #[arg(long, default_value = "reports")]
    pub reports: std::path::PathBuf,
    /// A shopper retries a failed checkout (same key) for at most this long.
    #[arg(long, default_value_t = 30)]
    pub checkout_budget: u64,
    /// Arrivals beyond this many requests in flight are shed (and counted as failures).
    #[arg(long, default_value_t = 20_000)]
    pub max_inflight: usize,
    /// seed-ab: requests and concurrency of `ab`.
    #[arg(long, default_value_t = 10_000)]
    pub ab_requests: u64,
    #[arg(long, default_value_t = 100)]
    pub ab_concurrency: u64,
}

/// seed-ab: how far into the `ab` run half the replicas are killed.
const AB_KILL_AFTER: Duration = Duration::from_millis(200);

/// What the fault did, in seconds since load start.
struct Fault {
    at: f64,
    end: f64,
    full_strength: Option<f64>,
    ab: Option<crate::ab::AbResult>,
    ab_window: Option<(f64, f64)>,
}

async fn in_stock(db: &PgPool) -> anyhow::Result<(Vec<i64>, i64)> {
    // Products with room to sell, so "out of stock" answers stay rare and honest.
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM products WHERE available >= 20 AND deleted_at IS NULL")
            .fetch_all(db)
            .await?;
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM products")
        .fetch_one(db)
        .await?;
    Ok((ids, max.unwrap_or(1)))
}

pub async fn run(
    stack: &Stack,
    db: &PgPool,
    name: Name,
    o: &DrillOpts,
) -> anyhow::Result<(DrillResult, Vec<crate::load::shopper::Ack>)> {
    let n = stack.replicas.slots.len();
    if !stack.replicas.wait_all_ready(Duration::from_secs(60)).await {
        anyhow::bail!("replicas not all ready before {}", name.label());
    }
    if name == Name::DbRestart && stack.pg.is_none() {
        anyhow::bail!("db-restart needs the lab's own Postgres (no --database-url)");
    }
    let (stock, max_id) = in_stock(db).await?;
    let snap = crate::reconcile::snapshot(db).await?;
    let warm = Duration::from_secs(o.warmup);
    let rec = Duration::from_secs(o.recovery);
    let (mix, rate) = match name {
        // The catalog flood comes from ab; the generator is a steady trickle of paying shoppers.
        Name::SeedAb => (load::checkout_mix(), (o.rate / 10.0).clamp(5.0, 50.0)),
        _ => (load::default_mix(), o.rate),
    };
    let (fault_len, phases) = match name {
        Name::DbLatency => (Duration::from_secs(30), vec![]),
        Name::Spike => (
            Duration::from_secs(20),
            vec![(warm, 5.0), (warm + Duration::from_secs(20), 1.0)],
        ),
        Name::RollingRestart => (Duration::from_secs(6 * n as u64), vec![]),
        Name::SeedAb => (Duration::from_secs(60), vec![]),
        _ => (Duration::ZERO, vec![]),
    };
    let schedule = Schedule {
        rate,
        duration: warm + fault_len + rec,
        phases,
    };
    let mut shop = Shop::new(&stack.lb, stock, max_id, mix)?;
    shop.checkout_budget = Duration::from_secs(o.checkout_budget);
    let shop = Arc::new(shop);
    let start = Instant::now() + Duration::from_millis(50);
    eprintln!(
        "lab: drill {} at {rate} req/s for {:.0} s",
        name.label(),
        schedule.duration.as_secs_f64()
    );
    let load = {
        let shop = shop.clone();
        let max = o.max_inflight;
        let schedule = schedule.clone();
        tokio::spawn(async move { shop.run(schedule, start, max).await })
    };
    tokio::time::sleep_until(start + warm).await;
    let since = |t: Instant| t.saturating_duration_since(start).as_secs_f64();
    let fault = inject(stack, name, o, start, &shop).await?;
    load.await?;
    let load_secs = since(Instant::now());
    let acks = crate::lock(&shop.acks).clone();
    let mut integrity =
        crate::reconcile::verify(db, &snap, &acks, Duration::from_secs(o.settle_window)).await?;
    let ledger = stack.work.join("gateway.jsonl");
    if let Some(c) = crate::reconcile::gateway_check(db, &ledger, &snap).await? {
        integrity.checks.push(c);
    }
    let stats = crate::lock(&shop.stats);
    let mut f = score::figures(&stats, fault.at, load_secs);
    f.full_strength_s = fault.full_strength;
    let tl = crate::lock(&stack.replicas.timeline);
    f.readiness_max_ms = tl
        .probes
        .iter()
        .filter(|p| p.at >= start)
        .map(|p| p.latency.as_secs_f64() * 1000.0)
        .fold(0.0, f64::max);
    let mut series = score::series(&stats);
    series.replicas = n;
    series.ready = tl
        .ready
        .iter()
        .filter(|r| r.0 >= start)
        .map(|r| (since(r.0), r.1))
        .collect();
    let events = tl
        .events
        .iter()
        .filter(|e| e.0 >= start)
        .map(|e| (since(e.0), e.1.clone()))
        .collect();
    drop(tl);
    let mut t = vec![target(
        "integrity: no lost, duplicated or oversold order; nothing pending",
        integrity.ok(),
        integrity
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join("; "),
    )];
    let ratio_ok = f.success_under_fault >= 0.999;
    match name {
        Name::KillHalf => {
            t.push(target(
                "success under fault ≥ 99.9%",
                ratio_ok,
                pct(f.success_under_fault),
            ));
            let fs = f.full_strength_s.unwrap_or(f64::INFINITY);
            t.push(target(
                "full strength ≤ 10 s",
                fs <= 10.0,
                format!("{fs:.1} s"),
            ));
            t.push(target(
                "checkouts ending in 201 ≥ 99.9%",
                f.checkout_201_ratio >= 0.999,
                pct(f.checkout_201_ratio),
            ));
            t.push(target(
                "surviving replicas' readiness < 1 s",
                f.readiness_max_ms < 1000.0,
                format!("max {:.0} ms", f.readiness_max_ms),
            ));
        }
        Name::RollingRestart => {
            let failed = f.requests.failed;
            t.push(target("0 failed requests", failed == 0, failed.to_string()));
        }
        Name::DbRestart => t.push(target(
            "checkouts succeed again ≤ 10 s",
            f.checkout_degraded_s <= 10.0,
            format!("{:.0} s", f.checkout_degraded_s),
        )),
        Name::DbLatency => {
            t.push(target(
                "no request left without an answer (client timeouts)",
                f.timeouts == 0,
                f.timeouts.to_string(),
            ));
            t.push(target(
                "p99 bounded by the 10 s timeout",
                f.p99_ms <= 10_000.0,
                format!("{:.0} ms", f.p99_ms),
            ));
        }
        Name::Spike => t.push(target(
            "success under 5× spike ≥ 99.9%",
            ratio_ok,
            pct(f.success_under_fault),
        )),
        Name::SeedAb => {
            let (a, b) = fault.ab_window.unwrap_or((fault.at, fault.end));
            let h = stats.merged(a as usize, b.ceil() as usize, true);
            let p99 = crate::load::stats::ms(&h, 0.99);
            t.push(target(
                "checkout p99 ≤ 1 s while ab runs",
                p99 <= 1000.0,
                format!("{p99:.0} ms"),
            ));
            t.push(target(
                "checkouts ending in 201 ≥ 99.9%",
                f.checkout_201_ratio >= 0.999,
                pct(f.checkout_201_ratio),
            ));
            if let Some(ab) = &fault.ab {
                t.push(target(
                    "ab: 0 failed, 0 non-2xx",
                    ab.failed + ab.non_2xx == 0,
                    format!("{} failed, {} non-2xx", ab.failed, ab.non_2xx),
                ));
            }
        }
        Name::All => {}
    }
    let score = score::score(&f, integrity.ok());
    if name == Name::KillHalf {
        // The bar for kill-half is the score too, so `sweep` cannot call a run met below it.
        t.push(target(
            "resilience score ≥ 99",
            score >= 99.0,
            format!("{score:.2}"),
        ));
    }
    Ok((
        DrillResult {
            drill: name.label(),
            rate,
            fault_at_s: fault.at,
            fault_end_s: fault.end,
            figures: f,
            integrity,
            ab: fault.ab,
            targets: t,
            score,
            runbook: name.runbook(),
            events,
            series,
        },
        acks,
    ))
}

/// Runs the fault; returns its times relative to load start.
async fn inject(
    stack: &Stack,
    name: Name,
    o: &DrillOpts,
    start: Instant,
    shop: &Shop,
) -> anyhow::Result<Fault> {
    let since = |t: Instant| t.saturating_duration_since(start).as_secs_f64();
    let rs = &stack.replicas;
    let n = rs.slots.len();
    let at = Instant::now();
    crate::lock(&shop.stats).fault_at = Some(at.saturating_duration_since(start));
    let mut fault = Fault {
        at: since(at),
        end: since(at),
        full_strength: None,
        ab: None,
        ab_window: None,
    };
    match name {
        Name::KillHalf => {
            fault.full_strength = Some(kill_half(stack).await);
        }
        Name::RollingRestart => {
            for i in 0..n {
                let pid = rs.pid(i);
                rs.signal(i, Signal::SIGTERM);
                let t = Instant::now();
                while (rs.pid(i) == pid || !rs.is_ready(i)) && t.elapsed() < Duration::from_secs(30)
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            fault.end = since(Instant::now());
            fault.full_strength = Some(fault.end - fault.at);
        }
        Name::DbRestart => {
            rs.event("pg_ctl restart -m fast".into());
            if let Some(pg) = &stack.pg {
                pg.restart_fast().await?;
            }
            rs.event("postgres back".into());
            fault.end = since(Instant::now());
        }
        Name::DbLatency => {
            let proxy = stack
                .proxy
                .as_ref()
                .context("db-latency needs the stack started with the fault proxy")?;
            proxy.set_delay(Duration::from_millis(100));
            rs.event("+100 ms to every Postgres round trip".into());
            tokio::time::sleep(Duration::from_secs(30)).await;
            proxy.set_delay(Duration::ZERO);
            rs.event("latency removed".into());
            fault.end = since(Instant::now());
        }
        Name::Spike => {
            rs.event("arrival rate ×5".into());
            tokio::time::sleep(Duration::from_secs(20)).await;
            rs.event("arrival rate back to normal".into());
            fault.end = since(Instant::now());
        }
        Name::SeedAb => {
            let url = format!("{}/api/products?page=1&per_page=24", stack.lb);
            rs.event(format!(
                "ab -n {} -c {} starts",
                o.ab_requests, o.ab_concurrency
            ));
            let ab = tokio::spawn({
                let url = url.clone();
                let (n, c) = (o.ab_requests, o.ab_concurrency);
                async move { crate::ab::run(&url, n, c).await }
            });
            // ab's 10,000 catalog requests take well under a second: strike 0.2 s in, so the kill
            // lands in the middle of them, not after them.
            tokio::time::sleep(AB_KILL_AFTER).await;
            let fs = kill_half(stack).await;
            fault.full_strength = Some(fs + AB_KILL_AFTER.as_secs_f64());
            let result = ab.await??;
            rs.event("ab done".into());
            fault.end = since(Instant::now());
            fault.ab_window = Some((fault.at, fault.end));
            fault.ab = Some(result);
            // The schedule ran long enough for a slow ab: end the load one recovery window later.
            tokio::time::sleep(Duration::from_secs(o.recovery)).await;
            shop.stop();
        }
        Name::All => {}
    }
    Ok(fault)
}

/// SIGKILL half the replicas; returns seconds until every replacement is ready.
async fn kill_half(stack: &Stack) -> f64 {
    let rs = &stack.replicas;
    let n = rs.slots.len();
    let at = Instant::now();
    let killed: Vec<(usize, u32)> = (0..(n / 2).max(1)).map(|i| (i, rs.pid(i))).collect();
    for (i, _) in &killed {
        rs.signal(*i, Signal::SIGKILL);
    }
    let replaced = || {
        killed
            .iter()
            .all(|&(i, pid)| rs.pid(i) != pid && rs.pid(i) != 0 && rs.is_ready(i))
    };
    while !replaced() && at.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let t = at.elapsed().as_secs_f64();
    rs.event(format!("full strength again after {t:.1} s"));
    t
}
