//! From raw measurements to a verdict: the drill's figures, its targets, and the resilience score
//! (defined in docs/resilience.md):
//!   score = 100 × success ratio under fault × recovery factor, and 0 on any integrity violation,
//!   recovery factor = 1 up to 10 s to full recovery, falling linearly to 0 at 60 s, and 0 when the
//!   shop is still degraded in the window's last second (a recovery that was never seen).
//! A second is degraded when it misses the drill's own bar: < 99.9% of its requests succeed, or
//! its p99 is over 1 s.
use serde::Serialize;

use crate::ab::AbResult;
use crate::load::stats::{ms, Counts, Stats};
use crate::reconcile::Integrity;

#[derive(Serialize, Clone)]
pub struct Target {
    pub name: String,
    pub ok: bool,
    pub value: String,
}

#[derive(Serialize, Clone, Default)]
pub struct Figures {
    pub requests: Counts,
    pub under_fault: Counts,
    pub success_under_fault: f64,
    pub checkouts: Counts,
    pub checkout_201_ratio: f64,
    pub client_retries: u64,
    pub shed: u64,
    pub timeouts: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub checkout_p99_ms: f64,
    pub achieved_rps: f64,
    /// Fault start → every replica ready again (replica drills).
    pub full_strength_s: Option<f64>,
    /// Fault start → the end of the last degraded second (< 99.9% success or p99 over 1 s).
    pub degraded_s: f64,
    /// The window's last second was healthy (else the recovery was not seen: factor 0).
    pub recovered: bool,
    /// Fault start → the last second with a failed or slow (> 1 s) checkout.
    pub checkout_degraded_s: f64,
    pub readiness_max_ms: f64,
    /// Final status per request kind ("200", "502", "timeout", "transport", "shed", …).
    pub statuses: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
}

#[derive(Serialize, Clone)]
pub struct DrillResult {
    pub drill: String,
    pub rate: f64,
    pub fault_at_s: f64,
    pub fault_end_s: f64,
    pub figures: Figures,
    pub integrity: Integrity,
    pub ab: Option<AbResult>,
    pub targets: Vec<Target>,
    pub score: f64,
    pub runbook: String,
    pub events: Vec<(f64, String)>,
    pub series: Series,
}

fn ratio(c: &Counts) -> f64 {
    if c.total() == 0 {
        1.0
    } else {
        (c.ok + c.rejected) as f64 / c.total() as f64
    }
}

/// The success bar of every drill, applied to each second as well as to the whole.
const SUCCESS_BAR: f64 = 0.999;

/// Whether a second missed the bar. Per second as a ratio, not "any failure": with a fixed
/// per-request failure chance, "any failure" marks far more seconds at 10,000 req/s than at 100,
/// so the same shop would score lower the harder it is driven.
fn degraded(c: &Counts, h: &hdrhistogram::Histogram<u64>) -> bool {
    (c.total() > 0 && ratio(c) < SUCCESS_BAR)
        || (!h.is_empty() && h.value_at_quantile(0.99) > 1_000_000)
}

/// Seconds from the fault's second to the end of the last bad second at or after it.
fn last_bad(stats: &Stats, fault_sec: usize, bad: impl Fn(usize) -> bool) -> f64 {
    (fault_sec..stats.seconds.len())
        .filter(|&s| bad(s))
        .last()
        .map_or(0.0, |s| (s + 1 - fault_sec) as f64)
}

pub fn figures(stats: &Stats, fault_at: f64, load_secs: f64) -> Figures {
    let n = stats.seconds.len();
    let fault_sec = fault_at.floor() as usize;
    let requests = stats.totals(0, n);
    let under_fault = stats.under_fault.clone();
    let checkouts = stats.checkout_totals(0, n);
    let all = stats.merged(0, n, false);
    let co = stats.merged(0, n, true);
    let slow =
        |h: &hdrhistogram::Histogram<u64>| !h.is_empty() && h.value_at_quantile(0.99) > 1_000_000;
    let bad_second = |s: usize| degraded(&stats.seconds[s].counts, &stats.seconds[s].all);
    Figures {
        success_under_fault: ratio(&under_fault),
        checkout_201_ratio: if checkouts.total() == 0 {
            1.0
        } else {
            checkouts.ok as f64 / checkouts.total() as f64
        },
        achieved_rps: requests.total() as f64 / load_secs.max(1.0),
        requests,
        under_fault,
        checkouts,
        client_retries: stats.retries,
        shed: stats.shed,
        timeouts: stats.timeouts(),
        p50_ms: ms(&all, 0.5),
        p99_ms: ms(&all, 0.99),
        max_ms: ms(&all, 1.0),
        checkout_p99_ms: ms(&co, 0.99),
        full_strength_s: None,
        degraded_s: last_bad(stats, fault_sec, bad_second),
        recovered: n == 0 || !bad_second(n - 1),
        checkout_degraded_s: last_bad(stats, fault_sec, |s| {
            let sec = &stats.seconds[s];
            sec.checkouts.failed > 0 || slow(&sec.checkout)
        }),
        readiness_max_ms: 0.0,
        statuses: stats
            .kinds
            .iter()
            .map(|(k, v)| (format!("{k:?}"), v.statuses.clone()))
            .collect(),
    }
}

pub fn target(name: &str, ok: bool, value: String) -> Target {
    Target {
        name: name.into(),
        ok,
        value,
    }
}

pub fn score(f: &Figures, integrity_ok: bool) -> f64 {
    if !integrity_ok {
        return 0.0;
    }
    let recovery = f.full_strength_s.unwrap_or(0.0).max(f.degraded_s);
    let factor = if !f.recovered {
        0.0
    } else if recovery <= 10.0 {
        1.0
    } else {
        (1.0 - (recovery - 10.0) / 50.0).max(0.0)
    };
    (100.0 * f.success_under_fault * factor * 100.0).round() / 100.0
}

pub fn pct(x: f64) -> String {
    format!("{:.3}%", x * 100.0)
}

/// Per-second series for the charts (and summary.json).
#[derive(Serialize, Clone, Default)]
pub struct Series {
    pub ok: Vec<u64>,
    pub rejected: Vec<u64>,
    pub failed: Vec<u64>,
    pub p50_ms: Vec<f64>,
    pub p99_ms: Vec<f64>,
    pub checkout_p99_ms: Vec<f64>,
    /// (seconds since load start, ready replicas)
    pub ready: Vec<(f64, usize)>,
    pub replicas: usize,
}

pub fn series(stats: &Stats) -> Series {
    let s = &stats.seconds;
    Series {
        ok: s.iter().map(|x| x.counts.ok).collect(),
        rejected: s.iter().map(|x| x.counts.rejected).collect(),
        failed: s.iter().map(|x| x.counts.failed).collect(),
        p50_ms: s.iter().map(|x| ms(&x.all, 0.5)).collect(),
        p99_ms: s.iter().map(|x| ms(&x.all, 0.99)).collect(),
        checkout_p99_ms: s.iter().map(|x| ms(&x.checkout, 0.99)).collect(),
        ready: Vec::new(),
        replicas: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(success: f64, full: Option<f64>, degraded: f64) -> Figures {
        Figures {
            success_under_fault: success,
            full_strength_s: full,
            degraded_s: degraded,
            recovered: true,
            ..Figures::default()
        }
    }

    fn second(ok: u64, failed: u64, latency_ms: u64) -> crate::load::stats::Second {
        let mut s = crate::load::stats::Second::default();
        s.counts.ok = ok;
        s.counts.failed = failed;
        s.all.record(latency_ms * 1000).unwrap();
        s
    }

    #[test]
    fn a_second_is_degraded_below_the_success_bar_or_over_one_second_p99() {
        let deg = |s: &crate::load::stats::Second| degraded(&s.counts, &s.all);
        assert!(!deg(&second(10_000, 1, 20)), "99.99% is above the bar");
        assert!(deg(&second(99, 1, 20)), "99% is below it");
        assert!(deg(&second(100, 0, 1_200)), "p99 over 1 s");
    }

    #[test]
    fn a_shop_still_degraded_when_the_window_ends_scores_zero() {
        let mut f = figures(1.0, Some(1.0), 20.0);
        f.recovered = false;
        assert_eq!(score(&f, true), 0.0);
    }

    #[test]
    fn any_integrity_violation_scores_zero() {
        assert_eq!(score(&figures(1.0, Some(1.0), 0.0), false), 0.0);
    }

    #[test]
    fn recovery_within_ten_seconds_keeps_the_success_ratio() {
        assert_eq!(score(&figures(0.999, Some(9.0), 3.0), true), 99.9);
    }

    #[test]
    fn slow_recovery_falls_linearly_to_zero_at_sixty_seconds() {
        assert_eq!(score(&figures(1.0, Some(35.0), 0.0), true), 50.0);
        assert_eq!(score(&figures(1.0, None, 70.0), true), 0.0);
    }
}
