//! Password hashing with a process-wide bound. argon2id needs 19 MiB and tens of milliseconds of
//! CPU per hash; unbounded, a burst of registrations exhausts a pod's memory. At most `permits`
//! hashes run at once (≈ cores, on the blocking pool); a request that cannot get a slot within
//! the queue wait is answered 503 + Retry-After instead of piling up.
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing is saturated")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub struct Hasher {
    slots: Arc<Semaphore>,
    queue_wait: Duration,
}

impl Hasher {
    pub fn new(permits: usize, queue_wait: Duration) -> Self {
        return_large_allocations_to_the_os();
        Hasher {
            slots: Arc::new(Semaphore::new(permits)),
            queue_wait,
        }
    }

    /// Runs `work` on the blocking pool once a slot is free. The slot travels with the work, so
    /// a client that hangs up does not free it before the hash is done.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = tokio::time::timeout(self.queue_wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| {
                metrics::counter!("ecomm_password_hash_shed_total").increment(1);
                HashError::Busy {
                    retry_after_secs: 1,
                }
            })?
            .map_err(|e| anyhow::anyhow!("hash slots closed: {e}"))?;
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| anyhow::anyhow!("hashing task: {e}"))??;
        Ok(result)
    }

    pub async fn hash(&self, pw: SecretString) -> Result<String, HashError> {
        self.run(move || hash_now(&pw)).await
    }

    /// With no stored hash it checks against a throwaway one, so unknown accounts cost the same.
    pub async fn verify(&self, pw: SecretString, hash: Option<String>) -> Result<bool, HashError> {
        self.run(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
            let parsed =
                PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            let ok = Argon2::default()
                .verify_password(pw.expose_secret().as_bytes(), &parsed)
                .is_ok();
            Ok(ok && known)
        })
        .await
    }
}

/// glibc serves a large block from an arena once a block that size has been freed (the mmap
/// threshold adapts upwards to 32 MiB), and keeps it: with hashes on rotating blocking threads,
/// each with its own arena, 19 MiB blocks pile up.
/// A fixed threshold keeps every hash's memory in mmap, returned to the OS when the hash ends.
fn return_large_allocations_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes allocator tuning; called once, before hashing starts.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        });
    }
}

/// argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1: the OWASP minimum).
pub fn hash_now(pw: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_now(&SecretString::from("not-a-password")).unwrap_or_else(|e| {
            // Then every unknown-account login fails loudly (the empty hash does not parse).
            tracing::error!(error = %e, "could not hash the dummy password");
            String::new()
        })
    })
}
