//! Readiness of the dependencies (database, object storage), checked off the request path.
//!
//! Under load a check run per probe waits for a free pool connection behind the requests, so a
//! probe with a short timeout would pull a replica that is serving. One check runs
//! at a time; a probe reuses a verdict younger than `FRESH`, else starts a check and waits up to
//! `BUDGET` for it, then answers with the last verdict while that is younger than `STALE`.
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// A verdict this young is reused without checking again.
const FRESH: Duration = Duration::from_secs(1);
/// How long a probe waits for a running check when an earlier verdict exists.
const BUDGET: Duration = Duration::from_millis(300);
/// An older verdict no longer counts: a check running this long means the dependency hangs (the
/// chart's readiness probe gives up after 2 × 5 s).
const STALE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub at: Instant,
    pub database: bool,
    pub storage: bool,
}

pub struct Readiness {
    last: watch::Sender<Option<Verdict>>,
    running: AtomicBool,
    /// Where checks run when set (the main runtime; the health port's probes run elsewhere).
    checks: OnceLock<tokio::runtime::Handle>,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            last: watch::Sender::new(None),
            running: AtomicBool::new(false),
            checks: OnceLock::new(),
        }
    }
}

impl Readiness {
    /// Runs the checks on this runtime, whichever runtime the probe arrives on.
    pub fn check_on(&self, runtime: tokio::runtime::Handle) {
        let _ = self.checks.set(runtime);
    }

    /// The dependencies' verdict; `check` answers (database up, storage up). `None`: no check
    /// has finished in time (the dependencies count as down).
    pub async fn verdict<F>(self: &Arc<Self>, check: F) -> Option<Verdict>
    where
        F: Future<Output = (bool, bool)> + Send + 'static,
    {
        let last = *self.last.borrow();
        if let Some(v) = last.filter(|v| v.at.elapsed() < FRESH) {
            return Some(v);
        }
        let mut next = self.last.subscribe();
        if !self.running.swap(true, Ordering::AcqRel) {
            let this = self.clone();
            let task = async move {
                let (database, storage) = check.await;
                this.last.send_replace(Some(Verdict {
                    at: Instant::now(),
                    database,
                    storage,
                }));
                this.running.store(false, Ordering::Release);
            };
            match self.checks.get() {
                Some(runtime) => drop(runtime.spawn(task)),
                None => drop(tokio::spawn(task)),
            }
        }
        // The first check (at start) is waited for in full: there is no earlier verdict to give.
        let wait = if last.is_some() { BUDGET } else { STALE };
        if let Ok(Ok(())) = tokio::time::timeout(wait, next.changed()).await {
            return *next.borrow();
        }
        last.filter(|v| v.at.elapsed() < STALE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fresh_verdict_is_reused_without_checking_again() {
        let r = Arc::new(Readiness::default());
        assert!(r
            .verdict(async { (true, true) })
            .await
            .is_some_and(|v| v.database));
        // Would report the database down if it ran.
        let v = r.verdict(async { (false, true) }).await;
        assert!(v.is_some_and(|v| v.database));
    }

    #[tokio::test]
    async fn a_slow_check_answers_with_the_last_verdict_within_the_budget() {
        let r = Arc::new(Readiness::default());
        r.verdict(async { (true, true) }).await;
        tokio::time::sleep(FRESH).await;
        let started = Instant::now();
        let slow = async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            (false, false)
        };
        let v = r.verdict(slow).await;
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(v.is_some_and(|v| v.database && v.storage));
    }

    #[tokio::test]
    async fn a_failed_check_is_reported_at_once() {
        let r = Arc::new(Readiness::default());
        r.verdict(async { (true, true) }).await;
        tokio::time::sleep(FRESH).await;
        let v = r.verdict(async { (false, true) }).await;
        assert!(v.is_some_and(|v| !v.database));
    }
}
