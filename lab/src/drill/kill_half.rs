//! SIGKILL half the replicas after the warm-up: the supervisor must bring them back, nginx must
//! route around them, and no paid order may be lost.
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::Signal;
use tokio::time::Instant;

use super::{Ctx, Drill, Fault, Measured};
use crate::score::{pct, target, Target};
use crate::stack::Stack;

pub struct KillHalf;

#[async_trait]
impl Drill for KillHalf {
    fn name(&self) -> &'static str {
        "kill-half"
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        fault.full_strength = Some(kill_half(cx.stack).await);
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let f = m.figures;
        let fs = f.full_strength_s.unwrap_or(f64::INFINITY);
        vec![
            target(
                "success under fault ≥ 99.9%",
                f.success_under_fault >= 0.999,
                pct(f.success_under_fault),
            ),
            target("full strength ≤ 10 s", fs <= 10.0, format!("{fs:.1} s")),
            target(
                "checkouts ending in 201 ≥ 99.9%",
                f.checkout_201_ratio >= 0.999,
                pct(f.checkout_201_ratio),
            ),
            target(
                "surviving replicas' readiness < 1 s",
                f.readiness_max_ms < 1000.0,
                format!("max {:.0} ms", f.readiness_max_ms),
            ),
            // The bar for kill-half is the score too, so `sweep` cannot call a run met below it.
            target(
                "resilience score ≥ 99",
                m.score >= 99.0,
                format!("{:.2}", m.score),
            ),
        ]
    }
}

/// SIGKILL half the replicas (at least one); returns seconds until every replacement is ready.
pub async fn kill_half(stack: &Stack) -> f64 {
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
