//! Per-client request budgets (GCRA, crate `governor`), checked before any expensive work.
//! Per replica: the budget bounds what one client costs a pod, which is what it protects.
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct ClientLimiter(Option<DefaultKeyedRateLimiter<IpAddr>>);

impl ClientLimiter {
    /// `n` requests per minute with a burst of `n`; 0 turns the limit off.
    pub fn per_minute(n: u32) -> Self {
        ClientLimiter(NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Spends one request from `client`'s budget; when it is empty, the seconds until it refills.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs().max(1)
        })
    }

    /// Forgets clients whose budget is full again (bounded memory under address churn).
    pub fn purge(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_past_its_budget_waits_while_others_do_not() {
        let l = ClientLimiter::per_minute(3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check(a).is_ok());
        }
        assert!(l.check(a).unwrap_err() >= 1);
        assert!(l.check(b).is_ok());
    }
}
