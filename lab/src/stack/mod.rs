//! The stack a cluster would run, as local processes: Postgres, a replica set of `ecomm serve`, and
//! nginx in front; parts only some drills need (the fault proxy between the replicas and Postgres)
//! start when a drill's [`Needs`] ask for them.
//!
//! Adding a part: a module here, a field in [`Needs`] (and in [`Stack`]), and a step in
//! [`Stack::up`] — a part between the replicas and Postgres rewrites the replicas' database URL,
//! as the fault proxy does.
pub mod nginx;
pub mod pgbouncer;
pub mod postgres;
pub mod proxy;
mod seed;
pub mod supervisor;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;

use nginx::Nginx;
use pgbouncer::{PgBouncer, Pooler};
use postgres::TempPg;
use proxy::FaultProxy;
use seed::{seed, APP_ROLE};
use supervisor::{ReplicaSet, ReplicaSpec};

#[derive(Args, Debug, Clone)]
pub struct StackOpts {
    /// Backend replicas behind the load balancer (default 4, like the chart's). A pod has its own
    /// CPU in the cluster; here replicas share the cores, and each one keeps its own catalog index
    /// fresh, so more replicas than cores cost capacity instead of adding it: `make chaos` and
    /// `make test` pass one per core (docs/resilience.md).
    #[arg(long, default_value_t = 4)]
    pub replicas: usize,
    /// The `ecomm` binary (default: target/release/ecomm, else target/debug/ecomm).
    #[arg(long, env = "ECOMM_BIN")]
    pub ecomm_bin: Option<PathBuf>,
    /// Use this Postgres instead of a temporary cluster (db-restart then cannot run).
    #[arg(long, env = "LAB_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Products to seed (once: the seed skips a seeded catalog).
    #[arg(long, default_value_t = 10_000)]
    pub products: u32,
    /// Where the cluster, logs and nginx files live (default: a new temp dir).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Load balancer port (default: a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// The built storefront nginx serves (default: frontend/dist when it exists).
    #[arg(long)]
    pub static_dir: Option<PathBuf>,
    /// Seconds before the shop's reconciler settles an in-doubt payment (production: 60).
    #[arg(long, default_value_t = 5)]
    pub reconcile_after: u64,
    /// Runtime worker threads per replica (`TOKIO_WORKER_THREADS`; default: one per core).
    #[arg(long, env = "LAB_REPLICA_THREADS")]
    pub replica_threads: Option<usize>,
    /// Postgres pool size per replica (`ECOMM_DB_MAX_CONNECTIONS`; default: the backend's 16).
    #[arg(long, env = "LAB_DB_POOL")]
    pub db_pool: Option<u32>,
    /// nginx worker processes (default: one per core, `auto`).
    #[arg(long, env = "LAB_LB_WORKERS")]
    pub lb_workers: Option<usize>,
    /// What stands between the replicas and Postgres: PgBouncer in session mode (the local twin
    /// of RDS Proxy), in transaction mode (a measurement: our SQL needs sessions), or nothing.
    #[arg(long, value_enum, default_value_t = Pooler::Session, env = "LAB_POOLER")]
    pub pooler: Pooler,
    /// Appended to the replicas' database URL as its query (e.g. `statement-cache-capacity=0`).
    #[arg(long, env = "LAB_REPLICA_DB_QUERY")]
    pub replica_db_query: Option<String>,
}

/// Parts of the stack only some drills need; the stack starts with the union of its drills' needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// The replicas reach Postgres through the lab's TCP fault proxy (db-latency); otherwise they
    /// connect directly, as in the cluster, and the lab's CPU goes to the load alone.
    pub fault_proxy: bool,
    /// The lab's own temporary Postgres (a drill restarts it), not `--database-url`.
    pub own_postgres: bool,
    /// A synchronous streaming standby of the lab's own Postgres (a drill promotes it).
    pub standby: bool,
}

impl Needs {
    pub fn union(self, o: Needs) -> Needs {
        Needs {
            fault_proxy: self.fault_proxy || o.fault_proxy,
            own_postgres: self.own_postgres || o.own_postgres,
            standby: self.standby || o.standby,
        }
    }
}

pub struct Stack {
    pub work: PathBuf,
    /// A temp dir the lab made (removed at teardown), not one the user named.
    owned_work: bool,
    pub db_url: String,
    /// The lab's own SQL: through PgBouncer in session mode, so it follows a failover.
    pub sql_url: String,
    pub pg: Option<TempPg>,
    pub standby: Option<TempPg>,
    pub pgbouncer: Option<PgBouncer>,
    pub proxy: Option<FaultProxy>,
    pub replicas: ReplicaSet,
    pub nginx: std::sync::Arc<Nginx>,
    pub lb: String,
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `n` distinct free ports (held open together while picked, so none repeats).
fn free_ports(n: usize) -> anyhow::Result<Vec<u16>> {
    let held = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()?;
    held.iter().map(|l| Ok(l.local_addr()?.port())).collect()
}

pub fn find_ecomm(opt: &Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = opt {
        return Ok(p.clone());
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    ["release", "debug"]
        .iter()
        .map(|p| Path::new(&target).join(p).join("ecomm"))
        .find(|p| p.exists())
        .context("no ecomm binary: cargo build --release -p ecomm, or pass --ecomm-bin")
}

impl Stack {
    pub async fn up(opts: &StackOpts, needs: Needs) -> anyhow::Result<Stack> {
        raise_fd_limit();
        crate::apt::ensure_installed(&[("nginx", "/usr/sbin/nginx")]).await?;
        let bin = std::path::absolute(find_ecomm(&opts.ecomm_bin)?)?;
        let work = match &opts.work_dir {
            Some(d) => d.clone(),
            None => std::env::temp_dir().join(format!("ecomm-lab-{}", std::process::id())),
        };
        std::fs::create_dir_all(work.join("logs"))?;
        let work = work.canonicalize()?;
        let (pg, db_url) = match &opts.database_url {
            Some(url) => (None, url.clone()),
            None => {
                let pg = TempPg::start(&work.join("pg")).await?;
                let url = pg.url();
                (Some(pg), url)
            }
        };
        let media = format!("file://{}", work.join("media").display());
        // Migrations go straight to Postgres, as the migration Job bypasses RDS Proxy.
        let app_role = opts.pooler != Pooler::Off;
        seed(&bin, &db_url, &media, opts.products, app_role).await?;
        let standby = match (&pg, needs.standby) {
            (Some(pg), true) => Some(pg.start_standby(&work.join("standby")).await?),
            (None, true) => bail!("a standby needs the lab's own Postgres (no --database-url)"),
            _ => None,
        };
        // The parts between the replicas and Postgres, in the order a request meets them.
        let upstream = host_port(&db_url)?.port();
        let (pgbouncer, mut replica_db, sql_url) =
            pgbouncer::in_front(&work, &db_url, upstream, opts.pooler, APP_ROLE).await?;
        if let Some(q) = &opts.replica_db_query {
            replica_db = format!(
                "{replica_db}{}{q}",
                if replica_db.contains('?') { '&' } else { '?' }
            );
        }
        let (proxy, replica_db) = if needs.fault_proxy {
            let (proxy, url) = behind_fault_proxy(&replica_db).await?;
            (Some(proxy), url)
        } else {
            (None, replica_db)
        };
        // Traffic and health port per replica, all distinct.
        let mut ports = free_ports(2 * opts.replicas)?;
        let health_ports = ports.split_off(opts.replicas);
        let mut spec = replica_spec(opts, bin, &replica_db, &media, &work);
        if app_role {
            // PgBouncer refuses startup options; the application role carries the timeouts.
            spec.env
                .push(("ECOMM_DB_STARTUP_OPTIONS".into(), "false".into()));
        }
        let replicas = ReplicaSet::start(spec, ports.iter().copied().zip(health_ports).collect());
        let port = match opts.port {
            Some(p) => p,
            None => free_port()?,
        };
        let nginx = std::sync::Arc::new(load_balancer(opts, &work, port, &ports).await?);
        spawn_upstream_updater(&replicas, nginx.clone());
        if !replicas.wait_all_ready(Duration::from_secs(60)).await {
            bail!("replicas not ready after 60 s: see {}/logs", work.display());
        }
        // Let the reload that published the last replica land.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(Stack {
            work,
            owned_work: opts.work_dir.is_none(),
            db_url,
            sql_url,
            pg,
            standby,
            pgbouncer,
            proxy,
            replicas,
            nginx,
            lb: format!("http://127.0.0.1:{port}"),
        })
    }

    pub async fn down(self) {
        self.replicas.shutdown().await;
        if let Ok(nginx) = std::sync::Arc::try_unwrap(self.nginx) {
            nginx.stop().await;
        }
        if let Some(pb) = &self.pgbouncer {
            pb.stop().await;
        }
        for pg in self.pg.iter().chain(&self.standby) {
            pg.stop().await;
        }
        if self.owned_work {
            let _ = std::fs::remove_dir_all(&self.work);
        }
    }
}

/// The fault proxy in front of the database; the URL the replicas connect to through it.
async fn behind_fault_proxy(db_url: &str) -> anyhow::Result<(FaultProxy, String)> {
    let db_addr: SocketAddr = host_port(db_url)?;
    let proxy = FaultProxy::start(db_addr).await?;
    let direct = format!("{}:{}", db_addr.ip(), db_addr.port());
    if !db_url.contains(&direct) {
        bail!("the database URL must name its host as ip:port ({direct}) for the fault proxy");
    }
    let url = db_url.replacen(&direct, &format!("127.0.0.1:{}", proxy.port), 1);
    Ok((proxy, url))
}

/// How every replica runs: `ecomm serve` with the test gateway, the cluster's timeouts and the
/// lab's diagnosis knobs.
fn replica_spec(
    opts: &StackOpts,
    bin: PathBuf,
    db_url: &str,
    media: &str,
    work: &Path,
) -> ReplicaSpec {
    let mut env: Vec<(String, String)> = vec![
        ("ECOMM_DATABASE_URL".into(), db_url.to_owned()),
        ("ECOMM_STORAGE_URL".into(), media.to_owned()),
        ("ECOMM_PAYMENTS".into(), "test".into()),
        // The load generator still checks out with card numbers (the old checkout).
        ("ECOMM_LEGACY_CARD_CHECKOUT".into(), "true".into()),
        ("ECOMM_LOG_FORMAT".into(), "json".into()),
        ("ECOMM_DRAIN_SECONDS".into(), "2".into()),
        // Shorter than nginx's 10 s read timeout, so a request stuck behind a slow database
        // gets the backend's own 503 + Retry-After instead of waiting out the proxy.
        ("ECOMM_REQUEST_TIMEOUT_SECS".into(), "8".into()),
        // One test-gateway ledger for all replicas, so a survivor's reconciler can settle
        // what a killed replica authorized (as a real gateway would know it).
        (
            "ECOMM_TEST_GATEWAY_LEDGER".into(),
            work.join("gateway.jsonl").display().to_string(),
        ),
        (
            "ECOMM_RECONCILE_AFTER".into(),
            opts.reconcile_after.to_string(),
        ),
        // nginx on loopback is the trusted proxy (the VPC CIDR in the cluster).
        ("ECOMM_TRUSTED_PROXIES".into(), "127.0.0.1/32".into()),
        ("RUST_LOG".into(), "warn".into()),
    ];
    // Set explicitly, so a TOKIO_WORKER_THREADS meant for the lab itself is not inherited.
    let threads = opts.replica_threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    });
    env.push(("TOKIO_WORKER_THREADS".into(), threads.to_string()));
    if let Some(n) = opts.db_pool {
        env.push(("ECOMM_DB_MAX_CONNECTIONS".into(), n.to_string()));
    }
    ReplicaSpec {
        bin,
        args: vec!["serve".into()],
        env,
        log_dir: work.join("logs"),
    }
}

/// nginx on `port` in front of the replicas (none listed ready yet), serving the built storefront
/// when there is one.
async fn load_balancer(
    opts: &StackOpts,
    work: &Path,
    port: u16,
    replica_ports: &[u16],
) -> anyhow::Result<Nginx> {
    let static_dir = opts
        .static_dir
        .clone()
        .or_else(|| Some(PathBuf::from("frontend/dist")))
        .filter(|d| d.join("index.html").exists())
        .map(std::path::absolute)
        .transpose()?;
    let upstream = nginx::upstream_conf(
        &replica_ports
            .iter()
            .map(|&p| (p, false))
            .collect::<Vec<_>>(),
    );
    Nginx::start(
        &work.join("nginx"),
        port,
        static_dir.as_deref(),
        &upstream,
        opts.lb_workers,
    )
    .await
}

fn host_port(url: &str) -> anyhow::Result<SocketAddr> {
    let rest = url.split("://").nth(1).context("database URL")?;
    let host = rest.split('/').next().unwrap_or(rest);
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.replace("localhost", "127.0.0.1");
    let host = if host.contains(':') {
        host
    } else {
        format!("{host}:5432")
    };
    host.parse()
        .with_context(|| format!("database host {host} (the lab needs ip:port)"))
}

/// The supervisor's view of readiness becomes nginx's upstream list (coalesced reloads).
fn spawn_upstream_updater(replicas: &ReplicaSet, nginx: std::sync::Arc<Nginx>) {
    let mut pool = replicas.pool.clone();
    tokio::spawn(async move {
        while pool.changed().await.is_ok() {
            let state = pool.borrow_and_update().clone();
            if let Err(e) = nginx.reload(&nginx::upstream_conf(&state)) {
                eprintln!("lab: nginx reload: {e:#}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}

/// Many connections (load generator, nginx, replicas): lift the soft fd limit to the hard one.
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard.min(1 << 20), hard);
    }
}
