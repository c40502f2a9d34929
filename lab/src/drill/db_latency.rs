//! +100 ms on every Postgres round trip for 30 s (the lab's TCP fault proxy): every request must
//! still get an answer, within the backend's own timeout.
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;

use super::{Ctx, Drill, DrillOpts, Fault, Measured, Needs, Plan};
use crate::score::{target, Target};

const DELAY: Duration = Duration::from_millis(100);
const LENGTH: Duration = Duration::from_secs(30);

pub struct DbLatency;

#[async_trait]
impl Drill for DbLatency {
    fn name(&self) -> &'static str {
        "db-latency"
    }

    fn needs(&self) -> Needs {
        Needs {
            fault_proxy: true,
            ..Needs::default()
        }
    }

    fn schedule(&self, o: &DrillOpts, _replicas: usize) -> Plan {
        Plan::steady(o.rate, LENGTH)
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        let proxy = cx
            .stack
            .proxy
            .as_ref()
            .context("db-latency needs the stack started with the fault proxy")?;
        proxy.set_delay(DELAY);
        cx.event("+100 ms to every Postgres round trip");
        tokio::time::sleep(LENGTH).await;
        proxy.set_delay(Duration::ZERO);
        cx.event("latency removed");
        fault.end = cx.now();
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let f = m.figures;
        vec![
            target(
                "no request left without an answer (client timeouts)",
                f.timeouts == 0,
                f.timeouts.to_string(),
            ),
            target(
                "p99 bounded by the 10 s timeout",
                f.p99_ms <= 10_000.0,
                format!("{:.0} ms", f.p99_ms),
            ),
        ]
    }
}
