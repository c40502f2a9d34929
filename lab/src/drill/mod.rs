//! A drill is a timeline under constant-rate load: warm-up, fault, recovery window, then the
//! integrity reconciliation, the targets and the score. Each drill is one type implementing
//! [`Drill`], listed once in [`ALL`]; the runner ([`run`]) and the command ([`command`]) know
//! none of them by name.
//!
//! Adding a drill: a file here with a unit struct implementing [`Drill`], and one entry in [`ALL`].
//! A drill that needs a part of the stack the default does not start says so in [`Drill::needs`].
mod command;
mod db_failover;
mod db_latency;
mod db_restart;
mod kill_half;
mod rolling_restart;
mod run;
mod seed_ab;
mod spike;

use std::time::Duration;

use async_trait::async_trait;
use clap::Args;
use tokio::time::Instant;

use crate::ab::AbResult;
use crate::load::stats::{Kind, Stats};
use crate::load::Shop;
use crate::score::{Figures, Target};
pub use crate::stack::Needs;
use crate::stack::Stack;

pub use command::{command, run_all, DrillArgs};
pub use kill_half::KillHalf;
pub use run::run;

/// Every drill, in the order `drill all` (and `make chaos`) runs them.
pub const ALL: &[&dyn Drill] = &[
    &KillHalf,
    &rolling_restart::RollingRestart,
    &db_restart::DbRestart,
    &db_latency::DbLatency,
    &spike::Spike,
    &seed_ab::SeedAb,
    // Last: it kills the primary the drills before it ran on.
    &db_failover::DbFailover,
];

/// The name that runs every drill in [`ALL`].
pub const EVERY: &str = "all";

/// The drills a command-line name stands for (`all`: every one).
pub fn select(name: &str) -> Vec<&'static dyn Drill> {
    if name == EVERY {
        return ALL.to_vec();
    }
    ALL.iter().copied().filter(|d| d.name() == name).collect()
}

/// The names the command line accepts.
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|d| d.name()).chain([EVERY])
}

/// One fault, rehearsed under load.
#[async_trait]
pub trait Drill: Sync {
    /// The name on the command line, in reports and in the runbook's anchor (`drill-<name>`).
    fn name(&self) -> &'static str;

    /// What the stack must run for this drill beyond the default.
    fn needs(&self) -> Needs {
        Needs::default()
    }

    /// The load around the fault: shopper mix, rate, how long the fault lasts, rate changes.
    fn schedule(&self, o: &DrillOpts, _replicas: usize) -> Plan {
        Plan::steady(o.rate, Duration::ZERO)
    }

    /// Runs the fault once the warm-up is over. `fault` arrives with its start (and end) set to
    /// now; a fault that lasts moves `end`, one that takes replicas away sets `full_strength`.
    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()>;

    /// This drill's own targets (the integrity target comes first for every drill).
    fn targets(&self, m: &Measured<'_>) -> Vec<Target>;
}

/// The load a drill runs under.
pub struct Plan {
    pub mix: Vec<(Kind, u32)>,
    pub rate: f64,
    /// How long the fault lasts (between the warm-up and the recovery window).
    pub fault: Duration,
    /// Rate multipliers from each offset after the fault starts (a spike).
    pub phases: Vec<(Duration, f64)>,
}

impl Plan {
    /// The catalog-heavy shopper mix at a constant rate.
    pub fn steady(rate: f64, fault: Duration) -> Plan {
        Plan {
            mix: crate::load::default_mix(),
            rate,
            fault,
            phases: Vec::new(),
        }
    }
}

/// What the fault did, in seconds since load start.
#[derive(Default)]
pub struct Fault {
    pub at: f64,
    pub end: f64,
    /// Fault start → every replica ready again.
    pub full_strength: Option<f64>,
    pub ab: Option<AbResult>,
    /// The seconds a drill's own figure is measured over (default: the fault).
    pub window: Option<(f64, f64)>,
    /// Targets the drill judged while the fault ran (a failover's timeline, readiness).
    pub checks: Vec<Target>,
}

/// What a drill's fault can reach.
pub struct Ctx<'a> {
    pub stack: &'a Stack,
    pub opts: &'a DrillOpts,
    pub shop: &'a Shop,
    start: Instant,
}

impl Ctx<'_> {
    /// Seconds since load start.
    pub fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// A line on the report's timeline.
    pub fn event(&self, what: impl Into<String>) {
        self.stack.replicas.event(what.into());
    }
}

/// What a drill's targets are judged on.
pub struct Measured<'a> {
    pub figures: &'a Figures,
    pub fault: &'a Fault,
    pub stats: &'a Stats,
    pub score: f64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_drill_has_a_distinct_name_and_all_selects_them_in_order() {
        let mut seen: Vec<&str> = ALL.iter().map(|d| d.name()).collect();
        let order = seen.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), ALL.len());
        let all: Vec<&str> = select(EVERY).iter().map(|d| d.name()).collect();
        assert_eq!(all, order);
        assert!(!order.contains(&EVERY));
    }

    #[test]
    fn one_name_selects_one_drill_and_an_unknown_one_none() {
        let one: Vec<&str> = select("db-restart").iter().map(|d| d.name()).collect();
        assert_eq!(one, ["db-restart"]);
        assert!(select("db-failover-typo").is_empty());
    }

    #[test]
    fn only_the_drills_that_need_a_part_ask_for_it() {
        let needs = |n: &str| select(n)[0].needs();
        assert!(needs("db-latency").fault_proxy);
        assert!(needs("db-restart").own_postgres);
        assert!(needs("db-failover").standby && needs("db-failover").own_postgres);
        assert_eq!(needs("kill-half"), Needs::default());
        let all = ALL.iter().fold(Needs::default(), |a, d| a.union(d.needs()));
        assert!(all.fault_proxy && all.own_postgres && all.standby);
    }
}
