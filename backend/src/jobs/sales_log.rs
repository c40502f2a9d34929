//! Pruning of the catalog feed's sales log (Postgres, migration 0024), by the process that holds
//! the reconciler's lease: the cluster's one housekeeper.
use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::store::Store;

/// How long a logged sale stays readable. A replica whose feed has not swept for this long (it
/// was partitioned away or stopped) reads the whole catalog again instead.
pub const KEEP: Duration = Duration::from_secs(600);

/// Marks (the database's oldest running transaction) as they were seen over time.
#[derive(Default)]
pub struct SalesLog {
    marks: VecDeque<(Instant, i64)>,
}

impl SalesLog {
    /// Drops what was logged below the newest mark seen at least [`KEEP`] ago: every replica
    /// that swept since then reads past it.
    pub async fn prune(&mut self, store: &dyn Store) {
        while self
            .marks
            .get(1)
            .is_some_and(|(at, _)| at.elapsed() >= KEEP)
        {
            self.marks.pop_front();
        }
        let below = match self.marks.front() {
            Some(&(at, mark)) if at.elapsed() >= KEEP => Some(mark),
            _ => None,
        };
        match store.prune_catalog_feed(below).await {
            Ok(Some(mark)) => self.marks.push_back((Instant::now(), mark)),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "catalog feed: pruning the sales log failed"),
        }
    }
}
