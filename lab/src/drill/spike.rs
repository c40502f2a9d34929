//! Five times the arrival rate for 20 s: the shop must shed nothing it can serve.
use std::time::Duration;

use async_trait::async_trait;

use super::{Ctx, Drill, DrillOpts, Fault, Measured, Plan};
use crate::score::{pct, target, Target};

const LENGTH: Duration = Duration::from_secs(20);
const FACTOR: f64 = 5.0;

pub struct Spike;

#[async_trait]
impl Drill for Spike {
    fn name(&self) -> &'static str {
        "spike"
    }

    fn schedule(&self, o: &DrillOpts, _replicas: usize) -> Plan {
        Plan {
            phases: vec![(Duration::ZERO, FACTOR), (LENGTH, 1.0)],
            ..Plan::steady(o.rate, LENGTH)
        }
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        cx.event("arrival rate ×5");
        tokio::time::sleep(LENGTH).await;
        cx.event("arrival rate back to normal");
        fault.end = cx.now();
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let s = m.figures.success_under_fault;
        vec![target("success under 5× spike ≥ 99.9%", s >= 0.999, pct(s))]
    }
}
