//! Scheduled clean-up: expired sessions, login attempts past the limiter's window, the keys of
//! refused checkouts past their replay window, and the in-memory limiters' idle entries. Every
//! replica runs it; the deletes are idempotent. The key of a placed order is never purged: it is
//! what tells a retry (or a gateway replaying the key after its own 24 hours) that the payment
//! already has its order; it costs one small row per order, and orders are kept anyway.
use std::sync::Arc;
use std::time::Duration;

use crate::security::Security;
use crate::store::Store;
use crate::sys::clock::now_ms;

const EVERY: Duration = Duration::from_secs(10 * 60);
/// The login limiter looks back 15 minutes; keep a margin.
const ATTEMPTS_KEPT_MS: i64 = 60 * 60 * 1000;
/// A refused checkout's key (decline, short stock, interrupted) answers retries for a day.
const KEYS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

pub async fn run(store: Arc<dyn Store>, security: Arc<Security>) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let now = now_ms();
        match store
            .purge_expired(now, now - ATTEMPTS_KEPT_MS, now - KEYS_KEPT_MS)
            .await
        {
            Ok(n) => tracing::debug!(rows = n, "purged expired security records"),
            Err(e) => tracing::warn!(error = %e, "purge of expired security records failed"),
        }
        security.auth_limiter.purge();
        security.declines.purge(now);
    }
}
