//! Card testing: a stolen-card list is validated by many small guest checkouts. Declines are
//! counted per client and per email over the last hour; past the limit checkout is refused before
//! the gateway is called, and decline messages never say why (no oracle for the tester).
//!
//! The count holds under concurrency: a checkout takes a place in both budgets before it asks the
//! gateway, and gives it back when the card is not declined. While declines and authorizations
//! in flight together fill a budget, the next checkout waits for one of them to finish (an
//! approval frees its place within a gateway round trip); once declines alone fill it, checkout
//! is refused. So at most the limit of declined authorizations ever reaches the gateway.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;

const WINDOW_MS: i64 = 60 * 60 * 1000;
/// A checkout waits this long at most for a place, then is told to retry in a second.
const MAX_WAIT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Budget {
    declines: Vec<i64>,
    in_flight: usize,
}

pub struct DeclineLimiter {
    limit: usize,
    seen: Mutex<HashMap<String, Budget>>,
    /// Woken whenever a place is given back or becomes a decline.
    freed: Notify,
}

impl DeclineLimiter {
    /// `limit` declines per key per hour; 0 turns the limit off.
    pub fn per_hour(limit: u32) -> Arc<Self> {
        Arc::new(DeclineLimiter {
            limit: limit as usize,
            seen: Mutex::new(HashMap::new()),
            freed: Notify::new(),
        })
    }

    fn keys(client: IpAddr, email: &str) -> [String; 2] {
        [format!("c:{client}"), format!("e:{email}")]
    }

    fn seen(&self) -> MutexGuard<'_, HashMap<String, Budget>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Seconds until the oldest decline of a spent budget ages out, if declines alone spend it.
    fn spent(&self, budget: &mut Budget, now_ms: i64) -> Option<u64> {
        budget.declines.retain(|t| *t > now_ms - WINDOW_MS);
        if budget.declines.len() < self.limit {
            return None;
        }
        let oldest = budget.declines.iter().min().copied().unwrap_or(now_ms);
        Some(((oldest + WINDOW_MS - now_ms) / 1000).max(1) as u64)
    }

    /// Refuses (with the seconds until the oldest decline ages out) when either key is spent: a
    /// cheap early answer before any work; [`Attempt::reserve`] is the one that counts.
    pub fn check(&self, client: IpAddr, email: &str, now_ms: i64) -> Result<(), u64> {
        if self.limit == 0 {
            return Ok(());
        }
        let mut seen = self.seen();
        for key in Self::keys(client, email) {
            if let Some(wait) = seen.get_mut(&key).and_then(|b| self.spent(b, now_ms)) {
                return Err(wait);
            }
        }
        Ok(())
    }

    /// The budgets a checkout by this client for this email draws on (`None` with the limit off).
    pub fn attempt(self: &Arc<Self>, client: IpAddr, email: &str) -> Option<Attempt> {
        (self.limit > 0).then(|| Attempt {
            limiter: self.clone(),
            keys: Self::keys(client, email),
        })
    }

    /// Counts a decline outside any checkout (tests of the window).
    pub fn record(&self, client: IpAddr, email: &str, now_ms: i64) {
        if self.limit == 0 {
            return;
        }
        let mut seen = self.seen();
        for key in Self::keys(client, email) {
            seen.entry(key).or_default().declines.push(now_ms);
        }
    }

    pub fn purge(&self, now_ms: i64) {
        self.seen().retain(|_, b| {
            b.declines.retain(|t| *t > now_ms - WINDOW_MS);
            b.in_flight > 0 || !b.declines.is_empty()
        });
    }
}

/// One checkout's claim on its client's and its email's budgets.
pub struct Attempt {
    limiter: Arc<DeclineLimiter>,
    keys: [String; 2],
}

impl Attempt {
    /// Takes a place in both budgets for one authorization: waits while authorizations in flight
    /// fill one, refuses (seconds to wait) once declines alone do or after [`MAX_WAIT`].
    pub async fn reserve(&self) -> Result<Slot, u64> {
        let l = &self.limiter;
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        loop {
            // Registered before the budgets are read, so a place freed in between still wakes us.
            let freed = l.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let now = crate::sys::clock::now_ms();
                let mut seen = l.seen();
                let mut full = false;
                for key in &self.keys {
                    let Some(budget) = seen.get_mut(key) else {
                        continue;
                    };
                    if let Some(wait) = l.spent(budget, now) {
                        return Err(wait);
                    }
                    full |= budget.declines.len() + budget.in_flight >= l.limit;
                }
                if !full {
                    for key in &self.keys {
                        seen.entry(key.clone()).or_default().in_flight += 1;
                    }
                    return Ok(Slot {
                        limiter: l.clone(),
                        keys: self.keys.clone(),
                        declined: false,
                    });
                }
            }
            if tokio::time::timeout_at(deadline, freed).await.is_err() {
                return Err(1);
            }
        }
    }
}

/// A place at the gateway; given back when dropped, unless the card was declined.
pub struct Slot {
    limiter: Arc<DeclineLimiter>,
    keys: [String; 2],
    declined: bool,
}

impl Slot {
    /// The gateway declined the card: the place stays taken, as a decline, for the hour.
    pub fn declined(mut self) {
        self.declined = true;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let now = crate::sys::clock::now_ms();
        let mut seen = self.limiter.seen();
        for key in &self.keys {
            let Some(budget) = seen.get_mut(key) else {
                continue;
            };
            budget.in_flight = budget.in_flight.saturating_sub(1);
            if self.declined {
                budget.declines.push(now);
            }
            // Only clients with declines or checkouts under way are remembered.
            if budget.in_flight == 0 && budget.declines.is_empty() {
                seen.remove(key);
            }
        }
        drop(seen);
        self.limiter.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declines_per_email_count_across_clients() {
        let l = DeclineLimiter::per_hour(2);
        let (a, b) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        l.record(a, "x@example.com", 0);
        l.record(b, "x@example.com", 1);
        assert!(l
            .check("192.0.2.3".parse().unwrap(), "x@example.com", 2)
            .is_err());
        assert!(l
            .check("192.0.2.3".parse().unwrap(), "y@example.com", 2)
            .is_ok());
        assert!(
            l.check(a, "y@example.com", WINDOW_MS + 5).is_ok(),
            "old declines age out"
        );
    }

    #[tokio::test]
    async fn places_in_flight_count_until_they_end_and_only_declines_stay() {
        let l = DeclineLimiter::per_hour(2);
        let client = "192.0.2.1".parse().unwrap();
        let attempt = l.attempt(client, "x@example.com").unwrap();
        let first = attempt.reserve().await.unwrap();
        let second = attempt.reserve().await.unwrap();
        let waits = tokio::time::timeout(Duration::from_millis(50), attempt.reserve()).await;
        assert!(waits.is_err(), "both places are taken: a third waits");
        let third = tokio::spawn(async move { attempt.reserve().await.map(drop) });
        drop(first); // approved: its place is free again
        assert_eq!(third.await.unwrap(), Ok(()));
        second.declined();
        let attempt = l.attempt(client, "x@example.com").unwrap();
        let kept = attempt.reserve().await.unwrap();
        kept.declined();
        assert!(attempt.reserve().await.is_err(), "two declines spend it");
        assert!(l
            .check(client, "other@example.com", crate::sys::clock::now_ms())
            .is_err());
    }
}
