//! Recording captures in batches. The gateway has the money once `capture` returns; writing
//! `captured` on the order is bookkeeping the reconciler can redo (capturing twice is harmless),
//! so many orders share one UPDATE and, on Postgres, one commit that does not wait for the disk.
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::store::Store;

/// Orders per UPDATE at most.
const BATCH: usize = 512;

pub struct Captures {
    tx: mpsc::Sender<String>,
}

impl Captures {
    /// Starts the writer task (it ends when the last sender is dropped).
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(8 * BATCH);
        tokio::spawn(write(store, rx));
        Captures { tx }
    }

    pub async fn record(&self, order_id: String) {
        if self.tx.send(order_id).await.is_err() {
            tracing::warn!("capture log closed; the reconciler will record the capture");
        }
    }
}

async fn write(store: Arc<dyn Store>, mut rx: mpsc::Receiver<String>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let now = crate::sys::clock::now_ms();
        if let Err(e) = store.mark_captured(&batch, now).await {
            tracing::warn!(error = %e, orders = batch.len(), "captured but not recorded; the reconciler will");
        }
        batch.clear();
    }
}
