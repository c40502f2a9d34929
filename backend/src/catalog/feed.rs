//! The change feed: every product or stock change stamps a catalog version in the database (a trigger,
//! in the same transaction); each replica reads the rows past its cursor and applies them: a change of
//! the count alone to the live stock table (see `stock`), any other one to its index.
use std::time::Instant;

use super::{Catalog, Change};
use crate::store::ProductChange;

/// Rows per read: big while building, small afterwards so each commit stays short.
const BUILD_BATCH: i64 = 10_000;
const LIVE_BATCH: i64 = 1_000;

/// Index work is CPU-bound: tell a multi-threaded runtime so it moves other tasks off this thread.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn change(c: ProductChange) -> Change {
    Change {
        product: c.product,
        version: c.version,
        deleted: c.deleted,
    }
}

/// Reads and applies every change committed so far. The first call builds the whole index (in
/// batches, committed once at the end) and marks the catalog ready. Returns how many rows changed.
pub async fn catch_up(catalog: &Catalog) -> anyhow::Result<usize> {
    let mut feed = catalog.feed.lock().await;
    let index = catalog.writable_index()?;
    let started = Instant::now();
    let building = !feed.built;
    let mut applied = 0;
    loop {
        let limit = if building { BUILD_BATCH } else { LIVE_BATCH };
        let batch = catalog.store.catalog_changes(feed.cursor, limit).await?;
        let changes: Vec<Change> = batch.changes.into_iter().map(change).collect();
        let top = changes.iter().map(|c| c.version).max().unwrap_or(0);
        let staged = blocking(|| index.stage(&changes, feed.max_applied))?;
        if staged.indexed > 0 && !building {
            blocking(|| index.commit())?;
            catalog.committed();
        }
        // While building, nothing is served and the final commit makes everything visible at once.
        index.hold(&staged);
        applied += staged.indexed + staged.stock_only;
        feed.max_applied = feed.max_applied.max(top);
        feed.cursor = batch.next;
        if !batch.more {
            break;
        }
    }
    if building {
        blocking(|| index.commit().and_then(|_| index.settle()))?;
        catalog.committed();
        feed.built = true;
        // The build's indexing memory is free now: give it back before serving.
        crate::sys::memory::release_free_memory();
        catalog.mark_ready();
        tracing::info!(
            products = index.len(),
            ms = started.elapsed().as_millis() as u64,
            "catalog index built"
        );
    }
    Ok(applied)
}
