//! The catalog's change feed, kept up by every replica (the work of one sweep: `catalog::feed`).
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::feed::catch_up;
use crate::catalog::Catalog;

/// How often a replica looks for changes when nothing wakes it (Postgres NOTIFY wakes it at once).
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// Commits at most this often under a storm of changes, so searches keep fresh readers cheaply.
const MIN_COMMIT_GAP: Duration = Duration::from_millis(50);

/// Keeps the index fresh until the process stops; errors (a database blip) are retried next tick.
pub async fn run(catalog: Arc<Catalog>) {
    if let Err(e) = catalog.store.listen_catalog(catalog.wake.clone()).await {
        tracing::warn!(error = %e, "catalog: no change notifications, polling only");
    }
    loop {
        match catch_up(&catalog).await {
            Ok(n) if n > 0 => tokio::time::sleep(MIN_COMMIT_GAP).await,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "catalog: change feed read failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_EVERY) => {}
            _ = catalog.wake.notified() => {}
        }
    }
}
