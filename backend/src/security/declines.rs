//! Card testing: a stolen-card list is validated by many small guest checkouts. Declines are
//! counted per client and per email over the last hour; past the limit checkout is refused before
//! the gateway is called, and decline messages never say why (no oracle for the tester).
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::checkout::{Answer, CheckoutError};

const WINDOW_MS: i64 = 60 * 60 * 1000;

pub struct DeclineLimiter {
    limit: usize,
    seen: Mutex<HashMap<String, Vec<i64>>>,
}

impl DeclineLimiter {
    /// `limit` declines per key per hour; 0 turns the limit off.
    pub fn per_hour(limit: u32) -> Self {
        DeclineLimiter {
            limit: limit as usize,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn keys(client: IpAddr, email: &str) -> [String; 2] {
        [format!("c:{client}"), format!("e:{email}")]
    }

    /// Refuses (with the seconds until the oldest decline ages out) when either key is spent.
    pub fn check(&self, client: IpAddr, email: &str, now_ms: i64) -> Result<(), u64> {
        if self.limit == 0 {
            return Ok(());
        }
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in Self::keys(client, email) {
            let recent: Vec<i64> = seen
                .get(&key)
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|t| *t > now_ms - WINDOW_MS)
                        .collect()
                })
                .unwrap_or_default();
            if recent.len() >= self.limit {
                let oldest = recent.iter().min().copied().unwrap_or(now_ms);
                return Err(((oldest + WINDOW_MS - now_ms) / 1000).max(1) as u64);
            }
        }
        Ok(())
    }

    pub fn record(&self, client: IpAddr, email: &str, now_ms: i64) {
        if self.limit == 0 {
            return;
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in Self::keys(client, email) {
            let times = seen.entry(key).or_default();
            times.retain(|t| *t > now_ms - WINDOW_MS);
            times.push(now_ms);
        }
    }

    /// Counts the decline a checkout just answered (replayed answers are not counted again).
    pub fn observe(
        &self,
        client: IpAddr,
        email: &str,
        answer: &Result<Answer, CheckoutError>,
        now_ms: i64,
    ) {
        if matches!(answer, Err(CheckoutError::Declined(_))) {
            self.record(client, email, now_ms);
        }
    }

    pub fn purge(&self, now_ms: i64) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, times| {
            times.retain(|t| *t > now_ms - WINDOW_MS);
            !times.is_empty()
        });
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
}
