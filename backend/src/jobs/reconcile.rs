//! Settles in-doubt payments (`checkout::reconciler` does one pass) while this process holds the
//! cluster's reconciler lease, and prunes the catalog feed's sales log as the cluster's one
//! housekeeper.
use std::sync::Arc;
use std::time::Duration;

use super::sales_log::SalesLog;
use crate::checkout::reconciler::{pass, PassReport};
use crate::checkout::Checkout;
use crate::store::Lease;

/// Runs passes forever, every quarter of `after` (between 100 ms and 15 s), while this process
/// holds the cluster's reconciler lease.
pub async fn run(
    checkout: Arc<Checkout>,
    after: Duration,
    cards: Option<Arc<crate::checkout::attempts::CardFlow>>,
) {
    let every = (after / 4).clamp(Duration::from_millis(100), Duration::from_secs(15));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut lease: Option<Box<dyn Lease>> = None;
    let mut sales_log = SalesLog::default();
    loop {
        tick.tick().await;
        if let Some(l) = lease.as_mut() {
            if !Lease::alive(l.as_mut()).await {
                tracing::warn!("reconciler: lost the lease");
                lease = None;
            }
        }
        if lease.is_none() {
            match checkout.store.reconciler_lease().await {
                Ok(Some(l)) => {
                    tracing::info!("reconciler: this process settles in-doubt payments");
                    lease = Some(l);
                }
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "reconciler: cannot take the lease");
                    continue;
                }
            }
        }
        match pass(&checkout, after).await {
            Ok(r) if r == PassReport::default() => {}
            Ok(r) => tracing::warn!(?r, "reconciler settled in-doubt payments"),
            Err(e) => tracing::warn!(error = %e, "reconciler pass failed"),
        }
        if let Some(cards) = &cards {
            let abandon = crate::checkout::card_reconcile::ABANDON_AFTER;
            match cards.reconcile(after, abandon).await {
                Ok(r) if r.completed + r.closed == 0 => {}
                Ok(r) => tracing::warn!(?r, "reconciler settled checkout attempts"),
                Err(e) => tracing::warn!(error = %e, "reconciler: checkout attempts pass failed"),
            }
        }
        sales_log.prune(checkout.store.as_ref()).await;
    }
}
