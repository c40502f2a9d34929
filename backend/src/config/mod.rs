//! Settings, each a flag with an `ECOMM_*` environment variable. Layers, later wins: built-in
//! defaults, an optional TOML file (`--config FILE` / `ECOMM_CONFIG`), the environment, flags.
//! Values are parsed and range-checked at start; a bad one stops the process with the flag name.
//! Secrets (the database URL may carry a password) are kept out of Debug output.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::store::{DbOptions, Store};

mod file;
mod production;

pub use file::parse_with_config_file;
pub use production::OVERRIDE_ENV;

#[derive(Parser, Debug)]
#[command(name = "ecomm", version, about = "ecomm shop backend")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log lines as JSON (production) or for people.
    #[arg(
        long,
        env = "ECOMM_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Pretty,
        global = true
    )]
    pub log_format: LogFormat,
    /// A TOML file of settings, keyed by flag name (`database-url = "postgres://…"`); the
    /// environment and flags override it.
    #[arg(long, env = "ECOMM_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

// Parsed once at startup: the size of the serve settings does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (and the storefront with --static-dir).
    Serve(ServeSettings),
    /// Apply database migrations.
    Migrate(StoreArgs),
    /// Insert a deterministic demo catalog (safe to re-run).
    Seed {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, default_value_t = 10_000)]
        products: u32,
        /// `none` for big catalogs: an image per product takes most of the seeding time.
        #[arg(long, value_enum, default_value_t = Images::Svg)]
        images: Images,
    },
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Images {
    /// A generated SVG card per product, stored in the media store.
    Svg,
    None,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin. The password comes from ECOMM_ADMIN_PASSWORD or, with --password-stdin,
    /// the first line of stdin: never from argv (process lists and audit logs record it).
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, env = "ECOMM_ADMIN_EMAIL")]
        email: String,
        /// Read the password from stdin instead of ECOMM_ADMIN_PASSWORD.
        #[arg(long)]
        password_stdin: bool,
        /// Promote an existing customer account (its sessions end, its password is replaced).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args, Clone)]
pub struct StoreArgs {
    /// sqlite://PATH or postgres://…
    #[arg(
        long,
        env = "ECOMM_DATABASE_URL",
        default_value = "sqlite://./data/ecomm.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// file://DIR or s3://BUCKET?endpoint=URL&region=R
    #[arg(long, env = "ECOMM_STORAGE_URL", default_value = "file://./data/media")]
    pub storage_url: String,
    /// Connections in the Postgres pool of each process (SQLite: one writer, eight readers).
    #[arg(
        long,
        env = "ECOMM_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=1000)
    )]
    pub db_max_connections: u32,
    /// Postgres `statement_timeout` of every connection, in milliseconds.
    #[arg(
        long,
        env = "ECOMM_DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 5000,
        value_parser = clap::value_parser!(u64).range(1..=3_600_000)
    )]
    pub db_statement_timeout_ms: u64,
    /// Postgres `lock_timeout` of every connection, in milliseconds.
    #[arg(
        long,
        env = "ECOMM_DB_LOCK_TIMEOUT_MS",
        default_value_t = 2000,
        value_parser = clap::value_parser!(u64).range(1..=3_600_000)
    )]
    pub db_lock_timeout_ms: u64,
    /// Send the Postgres timeouts as startup `options` on every connection. Off behind RDS Proxy
    /// or PgBouncer, which refuse connections that carry them: the application role, set up by
    /// `migrate`, carries the same timeouts.
    #[arg(
        long,
        env = "ECOMM_DB_STARTUP_OPTIONS",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        default_value_t = true
    )]
    pub db_startup_options: bool,
}

impl StoreArgs {
    pub fn db_options(&self) -> DbOptions {
        DbOptions {
            max_connections: self.db_max_connections,
            statement_timeout_ms: self.db_statement_timeout_ms,
            lock_timeout_ms: self.db_lock_timeout_ms,
            startup_options: self.db_startup_options,
            ..DbOptions::default()
        }
    }

    /// Opens the store these settings name (the URL built from `ECOMM_DB_*` parts when set).
    pub async fn connect(&self) -> anyhow::Result<Arc<dyn Store>> {
        let url = crate::store::dburl::resolve(&self.database_url)?;
        crate::store::connect_with(&url, &self.db_options()).await
    }
}

impl std::fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.database_url.split(':').next().unwrap_or("");
        f.debug_struct("StoreArgs")
            .field("database_url", &format!("{scheme}://[redacted]"))
            .field("storage_url", &self.storage_url)
            .field("db", &self.db_options())
            .finish()
    }
}

#[derive(Args, Debug, Clone)]
pub struct ServeSettings {
    /// Where to listen (IP:PORT; port 0 picks a free one).
    #[arg(long, env = "ECOMM_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Also serve `/health` and `/health/ready` on this port (same IP as --addr), from a thread
    /// of their own, so probes never queue behind shopper traffic. 0 picks a free one.
    #[arg(long, env = "ECOMM_HEALTH_PORT")]
    pub health_port: Option<u16>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// A built SPA to serve, with history fallback to index.html.
    #[arg(long, env = "ECOMM_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// OTLP/gRPC endpoint for traces (e.g. the ADOT collector); traces are off without it.
    #[arg(long, env = "ECOMM_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// Public base URL for images (a CDN in front of the bucket).
    #[arg(long, env = "ECOMM_MEDIA_BASE_URL")]
    pub media_base_url: Option<String>,
    /// The shop's public base URL (`https://shop.example`): canonical links, link previews and
    /// sitemaps name absolute URLs. Defaults to `http://` and `--addr`, right for local runs only.
    #[arg(long, env = "ECOMM_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
    /// The shop's name in page titles, structured data and link previews.
    #[arg(long, env = "ECOMM_SHOP_NAME", default_value = "ecomm")]
    pub shop_name: String,
    /// Mark cookies Secure (behind TLS).
    #[arg(long, env = "ECOMM_COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,
    /// Apply migrations before serving.
    #[arg(long, env = "ECOMM_MIGRATE", default_value_t = false)]
    pub migrate: bool,
    /// Keep the catalog index on disk here (mmap) instead of in memory: for catalogs past ~100k
    /// products. Its content is discarded and rebuilt at every start.
    #[arg(long, env = "ECOMM_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
    /// After SIGTERM, how long readiness reports 503 before we stop accepting connections.
    #[arg(long, env = "ECOMM_DRAIN_SECONDS", default_value_t = 5)]
    pub drain_seconds: u64,
    #[command(flatten)]
    pub payments: PaymentsArgs,
    #[command(flatten)]
    pub security: crate::security::SecuritySettings,
}

/// Payments: which gateway (required: no silent default), and crash recovery.
#[derive(Args, Debug, Clone)]
pub struct PaymentsArgs {
    /// `stripe` (production) or `test` (test cards, nothing charged). Required by `serve`.
    #[arg(long = "payments", env = "ECOMM_PAYMENTS", value_enum)]
    pub mode: Option<crate::payments::PaymentsMode>,
    /// Test gateway only: keep its payments in this JSON-lines file so they survive a restart
    /// (crash tests; replicas on one host may share it). In memory when unset.
    #[arg(long, env = "ECOMM_TEST_GATEWAY_LEDGER")]
    pub test_gateway_ledger: Option<PathBuf>,
    /// A checkout whose payment is still undecided after this many seconds is in doubt: the
    /// reconciler asks the gateway and captures or voids it.
    #[arg(long, env = "ECOMM_RECONCILE_AFTER", default_value_t = 60)]
    pub reconcile_after: u64,
    /// This deployment's name, written on every payment intent it creates: one Stripe account
    /// may serve several deployments (staging, regions), and each settles only its own intents.
    #[arg(long, env = "ECOMM_DEPLOYMENT", default_value = "ecomm")]
    pub deployment: String,
    /// Test mode only, while clients move to the card flow: also accept the old card-number
    /// checkout against the built-in test gateway. Card numbers are refused without it.
    #[arg(
        long,
        env = "ECOMM_LEGACY_CARD_CHECKOUT",
        hide = true,
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false
    )]
    pub legacy_card_checkout: bool,
    /// Lets `--payments test` start with production settings (secure cookies, a database over
    /// TLS), which it otherwise refuses: for a staging copy of production, on purpose.
    #[arg(
        long = "i-understand-test-payments-are-fake",
        env = "ECOMM_I_UNDERSTAND_TEST_PAYMENTS_ARE_FAKE",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false
    )]
    pub test_payments_in_production: bool,
    /// Test only: abort the process at this point of a checkout (after_authorize, after_commit,
    /// before_capture). Refused unless the test gateway is selected.
    #[arg(long, env = "ECOMM_FAULT", hide = true, value_enum)]
    pub fault: Option<crate::checkout::FaultPoint>,
}

/// An absolute http(s) URL with no query or fragment, kept without its trailing slash.
fn public_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err("must be an http:// or https:// URL with a host".into());
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err("must have no query or fragment".into());
    }
    Ok(u.as_str().trim_end_matches('/').to_owned())
}
