//! The seed's literal load test, `ab -n 10000 -c 100` on a catalog page, with half the replicas
//! killed while it runs and a trickle of paying shoppers alongside: their checkouts must stay fast.
use std::time::Duration;

use async_trait::async_trait;

use super::kill_half::kill_half;
use super::{Ctx, Drill, DrillOpts, Fault, Measured, Plan};
use crate::score::{pct, target, Target};

/// How far into the `ab` run half the replicas are killed.
const KILL_AFTER: Duration = Duration::from_millis(200);

pub struct SeedAb;

#[async_trait]
impl Drill for SeedAb {
    fn name(&self) -> &'static str {
        "seed-ab"
    }

    /// The catalog flood comes from ab; the generator is a steady trickle of paying shoppers.
    fn schedule(&self, o: &DrillOpts, _replicas: usize) -> Plan {
        Plan {
            mix: crate::load::checkout_mix(),
            rate: (o.rate / 10.0).clamp(5.0, 50.0),
            fault: Duration::from_secs(60),
            phases: Vec::new(),
        }
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        let o = cx.opts;
        let url = format!("{}/api/products?page=1&per_page=24", cx.stack.lb);
        cx.event(format!(
            "ab -n {} -c {} starts",
            o.ab_requests, o.ab_concurrency
        ));
        let (n, c) = (o.ab_requests, o.ab_concurrency);
        let ab = tokio::spawn(async move { crate::ab::run(&url, n, c).await });
        // ab's 10,000 catalog requests take well under a second: strike 0.2 s in, so the kill
        // lands in the middle of them, not after them.
        tokio::time::sleep(KILL_AFTER).await;
        let fs = kill_half(cx.stack).await;
        fault.full_strength = Some(fs + KILL_AFTER.as_secs_f64());
        let result = ab.await??;
        cx.event("ab done");
        fault.end = cx.now();
        fault.window = Some((fault.at, fault.end));
        fault.ab = Some(result);
        // The schedule ran long enough for a slow ab: end the load one recovery window later.
        tokio::time::sleep(Duration::from_secs(o.recovery)).await;
        cx.shop.stop();
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let (f, fault) = (m.figures, m.fault);
        let (a, b) = fault.window.unwrap_or((fault.at, fault.end));
        let h = m.stats.merged(a as usize, b.ceil() as usize, true);
        let p99 = crate::load::stats::ms(&h, 0.99);
        let mut t = vec![
            target(
                "checkout p99 ≤ 1 s while ab runs",
                p99 <= 1000.0,
                format!("{p99:.0} ms"),
            ),
            target(
                "checkouts ending in 201 ≥ 99.9%",
                f.checkout_201_ratio >= 0.999,
                pct(f.checkout_201_ratio),
            ),
        ];
        if let Some(ab) = &fault.ab {
            t.push(target(
                "ab: 0 failed, 0 non-2xx",
                ab.failed + ab.non_2xx == 0,
                format!("{} failed, {} non-2xx", ab.failed, ab.non_2xx),
            ));
        }
        t
    }
}
