//! Defences that sit in front of the domain: who the client is (trusted proxies), how much work one
//! client may cause (hash bound, rate limits, card-testing limits) and guest identities. Their
//! HTTP side (cross-site request refusal, hardening headers, the server's timeouts and connection
//! cap) is in the `http` module.
//! SECURITY.md maps each control to the attack it defends against and the test that proves it.
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

pub mod client;
pub mod declines;
pub mod guest;
pub mod hashing;
pub mod limits;
pub mod token;

pub use client::TrustedProxies;

/// Security settings (flags or `ECOMM_*` variables). Defaults are safe for production.
#[derive(Args, Debug, Clone)]
pub struct SecuritySettings {
    /// Networks whose X-Forwarded-For / X-Forwarded-Proto we believe (comma-separated CIDRs,
    /// e.g. the VPC). Default none: the TCP peer is the client.
    #[arg(long, env = "ECOMM_TRUSTED_PROXIES", value_delimiter = ',', num_args = 0..)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Password hashes computed at once (argon2id, 19 MiB each). Default: the CPU count.
    #[arg(long, env = "ECOMM_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,
    /// How long a request waits for a hashing slot before it gets 503 + Retry-After.
    #[arg(long, env = "ECOMM_HASH_QUEUE_MS", default_value_t = 2000)]
    pub hash_queue_ms: u64,
    /// Register + login requests per client per minute (checked before any hashing); 0 = off.
    #[arg(long, env = "ECOMM_AUTH_PER_MINUTE", default_value_t = 20)]
    pub auth_per_minute: u32,
    /// Declined payments per client and per email per hour before checkout is refused; 0 = off.
    #[arg(long, env = "ECOMM_DECLINES_PER_HOUR", default_value_t = 5)]
    pub declines_per_hour: u32,
    /// Seconds a connection may take to send request headers; also the HTTP/1 idle keep-alive
    /// timeout (keep the proxy's upstream keepalive_timeout below it).
    #[arg(long, env = "ECOMM_HEADER_TIMEOUT_SECS", default_value_t = 20)]
    pub header_timeout_secs: u64,
    /// Seconds a request may take end to end before it is answered 503.
    #[arg(long, env = "ECOMM_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Open connections at most; beyond it we stop accepting until one closes. Default: the open
    /// file limit minus headroom for the database pool and files.
    #[arg(long, env = "ECOMM_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds an admin session may sit idle before it ends (customers: 30-day sessions).
    #[arg(long, env = "ECOMM_ADMIN_IDLE_SECS", default_value_t = 1800)]
    pub admin_idle_secs: u64,
    /// Serve the OpenAPI document (/api/openapi.json) and Swagger UI (/api/docs). Off by default:
    /// in production they are a map of the API for whoever probes it (`make run` turns them on).
    #[arg(long, env = "ECOMM_API_DOCS", default_value_t = false)]
    pub api_docs: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            trusted_proxies: vec![],
            hash_concurrency: None,
            hash_queue_ms: 2000,
            auth_per_minute: 20,
            declines_per_hour: 5,
            header_timeout_secs: 20,
            request_timeout_secs: 30,
            max_connections: None,
            admin_idle_secs: 1800,
            api_docs: false,
        }
    }
}

/// The live controls, shared by every request.
pub struct Security {
    pub settings: SecuritySettings,
    pub proxies: TrustedProxies,
    pub hasher: hashing::Hasher,
    pub auth_limiter: limits::ClientLimiter,
    pub declines: Arc<declines::DeclineLimiter>,
    /// Cookies are Secure and HSTS is sent even without a trusted X-Forwarded-Proto.
    pub behind_tls: bool,
    /// Signs guest identities; read from the database at first use (`guest::key`).
    pub guest_key: tokio::sync::OnceCell<guest::GuestKey>,
}

impl Security {
    pub fn new(settings: SecuritySettings, behind_tls: bool) -> Arc<Security> {
        let permits = settings
            .hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
            .max(1);
        Arc::new(Security {
            proxies: TrustedProxies::new(settings.trusted_proxies.clone()),
            hasher: hashing::Hasher::new(permits, Duration::from_millis(settings.hash_queue_ms)),
            auth_limiter: limits::ClientLimiter::per_minute(settings.auth_per_minute),
            declines: declines::DeclineLimiter::per_hour(settings.declines_per_hour),
            behind_tls,
            guest_key: tokio::sync::OnceCell::new(),
            settings,
        })
    }

    pub fn admin_idle(&self) -> Duration {
        Duration::from_secs(self.settings.admin_idle_secs.max(1))
    }
}
