//! One drill on a running stack: load, fault, reconciliation, figures, targets, score.
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::time::Instant;

use super::{Ctx, Drill, DrillOpts, Fault, Measured};
use crate::load::shopper::Ack;
use crate::load::{Schedule, Shop};
use crate::reconcile::{self, Integrity};
use crate::score::{self, target, DrillResult, Figures, Series};
use crate::stack::Stack;

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
    drill: &dyn Drill,
    o: &DrillOpts,
) -> anyhow::Result<(DrillResult, Vec<Ack>)> {
    let name = drill.name();
    if !stack.replicas.wait_all_ready(Duration::from_secs(60)).await {
        anyhow::bail!("replicas not all ready before {name}");
    }
    if drill.needs().own_postgres && stack.pg.is_none() {
        anyhow::bail!("{name} needs the lab's own Postgres (no --database-url)");
    }
    let (stock, max_id) = in_stock(db).await?;
    let snap = reconcile::snapshot(db).await?;
    let plan = drill.schedule(o, stack.replicas.slots.len());
    let warm = Duration::from_secs(o.warmup);
    let schedule = Schedule {
        rate: plan.rate,
        duration: warm + plan.fault + Duration::from_secs(o.recovery),
        phases: plan.phases.iter().map(|&(t, m)| (warm + t, m)).collect(),
    };
    let mut shop = Shop::new(&stack.lb, stock, max_id, plan.mix)?;
    shop.checkout_budget = Duration::from_secs(o.checkout_budget);
    let shop = Arc::new(shop);
    let start = Instant::now() + Duration::from_millis(50);
    eprintln!(
        "lab: drill {name} at {} req/s for {:.0} s",
        plan.rate,
        schedule.duration.as_secs_f64()
    );
    let load = {
        let (shop, max) = (shop.clone(), o.max_inflight);
        tokio::spawn(async move { shop.run(schedule, start, max).await })
    };
    tokio::time::sleep_until(start + warm).await;
    let cx = Ctx {
        stack,
        opts: o,
        shop: &shop,
        start,
    };
    let at = cx.now();
    crate::lock(&shop.stats).fault_at = Some(Duration::from_secs_f64(at));
    let mut fault = Fault {
        at,
        end: at,
        ..Fault::default()
    };
    drill.inject(&cx, &mut fault).await?;
    load.await?;
    let load_secs = cx.now();
    let acks = crate::lock(&shop.acks).clone();
    let integrity = integrity(stack, db, &snap, &acks, o).await?;
    let stats = crate::lock(&shop.stats);
    let mut figures = score::figures(&stats, fault.at, load_secs);
    figures.full_strength_s = fault.full_strength;
    let (series, events) = observe(stack, start, &stats, &mut figures);
    let score = score::score(&figures, integrity.ok());
    let failed: Vec<&str> = integrity
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name)
        .collect();
    let mut targets = vec![target(
        "integrity: no lost, duplicated or oversold order; nothing pending",
        integrity.ok(),
        failed.join("; "),
    )];
    targets.extend(drill.targets(&Measured {
        figures: &figures,
        fault: &fault,
        stats: &stats,
        score,
    }));
    drop(stats);
    let result = DrillResult {
        drill: name.to_owned(),
        rate: plan.rate,
        fault_at_s: fault.at,
        fault_end_s: fault.end,
        figures,
        integrity,
        ab: fault.ab,
        targets,
        score,
        runbook: format!("drill-{name}"),
        events,
        series,
    };
    Ok((result, acks))
}

/// The reconciliation by SQL, plus the test gateway's ledger the replicas share.
async fn integrity(
    stack: &Stack,
    db: &PgPool,
    snap: &reconcile::Snapshot,
    acks: &[Ack],
    o: &DrillOpts,
) -> anyhow::Result<Integrity> {
    let window = Duration::from_secs(o.settle_window);
    let mut integrity = reconcile::verify(db, snap, acks, window).await?;
    let ledger = stack.work.join("gateway.jsonl");
    if let Some(c) = reconcile::gateway_check(db, &ledger, snap).await? {
        integrity.checks.push(c);
    }
    Ok(integrity)
}

/// What the supervisor saw from load start: the slowest readiness probe of a live replica, the
/// per-second series with ready replicas, and the timeline of events.
fn observe(
    stack: &Stack,
    start: Instant,
    stats: &crate::load::stats::Stats,
    f: &mut Figures,
) -> (Series, Vec<(f64, String)>) {
    let since = |t: Instant| t.saturating_duration_since(start).as_secs_f64();
    let tl = crate::lock(&stack.replicas.timeline);
    f.readiness_max_ms = tl
        .probes
        .iter()
        .filter(|p| p.at >= start)
        .map(|p| p.latency.as_secs_f64() * 1000.0)
        .fold(0.0, f64::max);
    let mut series = score::series(stats);
    series.replicas = stack.replicas.slots.len();
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
    (series, events)
}
