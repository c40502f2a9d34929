//! Checkouts in flight in this process, by Idempotency-Key. The first request for a key does the
//! work; duplicates wait for it on a channel (holding no database connection) and then read its
//! stored answer. A handful may wait per key; beyond that, or past the wait limit, they get
//! 409 + Retry-After.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

/// Waiters per key: the 20-duplicates test and a double-clicking shopper fit with room to spare;
/// a flood of one key does not pile up tasks.
pub const MAX_WAITERS: usize = 32;

struct Slot {
    done: watch::Receiver<()>,
    waiters: usize,
}

#[derive(Default)]
pub struct InFlight {
    keys: Mutex<HashMap<String, Slot>>,
}

pub enum Entry {
    /// This request owns the key until the guard drops.
    Leader(LeaderGuard),
    /// Another request in this process owns it: wait, then read its answer.
    Follower(Follower),
    /// Too many are already waiting for this key.
    Busy,
}

pub struct LeaderGuard {
    registry: Arc<InFlight>,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for LeaderGuard {
    fn drop(&mut self) {
        // Remove first, then the sender drops: a waiter that wakes finds the key free.
        self.registry
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

pub struct Follower {
    registry: Arc<InFlight>,
    key: String,
    done: watch::Receiver<()>,
}

impl Follower {
    /// Waits until the leader finishes (true) or `limit` passes (false).
    pub async fn wait(mut self, limit: Duration) -> bool {
        // The sender never sends: `changed` returns when it is dropped, i.e. the leader is done.
        tokio::time::timeout(limit, self.done.changed())
            .await
            .is_ok()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        if let Some(slot) = self
            .registry
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(&self.key)
        {
            slot.waiters = slot.waiters.saturating_sub(1);
        }
    }
}

impl InFlight {
    pub fn enter(self: &Arc<Self>, key: &str) -> Entry {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = keys.get_mut(key) {
            if slot.waiters >= MAX_WAITERS {
                return Entry::Busy;
            }
            slot.waiters += 1;
            return Entry::Follower(Follower {
                registry: self.clone(),
                key: key.to_owned(),
                done: slot.done.clone(),
            });
        }
        let (tx, rx) = watch::channel(());
        keys.insert(
            key.to_owned(),
            Slot {
                done: rx,
                waiters: 0,
            },
        );
        Entry::Leader(LeaderGuard {
            registry: self.clone(),
            key: key.to_owned(),
            _done: tx,
        })
    }

    pub fn len(&self) -> usize {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn duplicates_wait_for_the_leader_and_the_key_is_free_afterwards() {
        let reg = Arc::new(InFlight::default());
        let Entry::Leader(guard) = reg.enter("k") else {
            panic!("first is leader")
        };
        let Entry::Follower(f) = reg.enter("k") else {
            panic!("second follows")
        };
        assert!(!reg.enter("other").is_busy());
        let waiting = tokio::spawn(f.wait(Duration::from_secs(5)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(guard);
        assert!(waiting.await.unwrap(), "woken when the leader finished");
        assert!(matches!(reg.enter("k"), Entry::Leader(_)));
    }

    #[tokio::test]
    async fn waiters_are_bounded_and_time_out() {
        let reg = Arc::new(InFlight::default());
        let _leader = reg.enter("k");
        let followers: Vec<_> = (0..MAX_WAITERS).map(|_| reg.enter("k")).collect();
        assert!(reg.enter("k").is_busy());
        drop(followers);
        let Entry::Follower(f) = reg.enter("k") else {
            panic!("room again")
        };
        assert!(
            !f.wait(Duration::from_millis(10)).await,
            "leader still busy"
        );
    }

    impl Entry {
        fn is_busy(&self) -> bool {
            matches!(self, Entry::Busy)
        }
    }
}
