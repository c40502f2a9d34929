//! The background jobs every replica runs beside the server, started and stopped together.
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::catalog::Catalog;
use crate::checkout::Checkout;
use crate::security::Security;
use crate::store::Store;

pub mod feed;
pub mod purge;
pub mod reconcile;
mod sales_log;

/// What the jobs work on.
pub struct JobInputs {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub checkout: Arc<Checkout>,
    pub security: Arc<Security>,
    /// Payments undecided for this long are settled by the reconciler.
    pub reconcile_after: Duration,
    /// The card flow, whose open checkout attempts the reconciler settles too.
    pub cards: Option<Arc<crate::checkout::attempts::CardFlow>>,
}

/// The running jobs; they stop when [`Jobs::stop`] is called (or the runtime ends).
pub struct Jobs(Vec<JoinHandle<()>>);

impl Jobs {
    pub fn start(inputs: JobInputs) -> Jobs {
        Jobs(vec![
            tokio::spawn(reconcile::run(
                inputs.checkout,
                inputs.reconcile_after,
                inputs.cards,
            )),
            tokio::spawn(purge::run(inputs.store, inputs.security)),
            tokio::spawn(feed::run(inputs.catalog)),
        ])
    }

    pub fn stop(self) {
        for job in self.0 {
            job.abort();
        }
    }
}
