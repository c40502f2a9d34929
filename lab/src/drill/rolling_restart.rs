//! SIGTERM each replica in turn, the next once its replacement is ready: a deploy must not fail a
//! single request.
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::Signal;
use tokio::time::Instant;

use super::{Ctx, Drill, DrillOpts, Fault, Measured, Plan};
use crate::score::{target, Target};

pub struct RollingRestart;

#[async_trait]
impl Drill for RollingRestart {
    fn name(&self) -> &'static str {
        "rolling-restart"
    }

    fn schedule(&self, o: &DrillOpts, replicas: usize) -> Plan {
        Plan::steady(o.rate, Duration::from_secs(6 * replicas as u64))
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        let rs = &cx.stack.replicas;
        for i in 0..rs.slots.len() {
            let pid = rs.pid(i);
            rs.signal(i, Signal::SIGTERM);
            let t = Instant::now();
            while (rs.pid(i) == pid || !rs.is_ready(i)) && t.elapsed() < Duration::from_secs(30) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        fault.end = cx.now();
        fault.full_strength = Some(fault.end - fault.at);
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let failed = m.figures.requests.failed;
        vec![target("0 failed requests", failed == 0, failed.to_string())]
    }
}
