//! PgBouncer (Debian's package) between the replicas and Postgres: the local twin of RDS Proxy, and
//! the stable endpoint a failover moves (`repoint`, as RDS moves its DNS name).
//!
//! Pool mode: `session` by default. Transaction pooling breaks what the shop needs one session
//! for — sqlx's named prepared statements (PgBouncer 1.18 has no `max_prepared_statements`; with
//! sqlx's statement cache at 0 it still names each statement and runs it after a separate Sync),
//! the reconciler's advisory lock (it would stay on a server connection other clients borrow) and
//! the catalog's `LISTEN`. RDS Proxy pins such sessions; PgBouncer cannot, so the lab pins all of
//! them. `--pooler transaction` runs the other mode for a measurement (docs/resilience.md).
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::ValueEnum;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::process::Command;

/// What stands between the replicas and Postgres.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Pooler {
    /// PgBouncer, one server connection per client session (what the shop's SQL needs).
    Session,
    /// PgBouncer, a server connection per transaction (breaks prepared statements: a measurement).
    Transaction,
    /// No pooler: the replicas connect to Postgres directly.
    Off,
}

const BIN: &str = "/usr/sbin/pgbouncer";

pub struct PgBouncer {
    dir: PathBuf,
    pub port: u16,
    mode: Pooler,
    /// The database name clients ask for (the one of the upstream URL).
    dbname: String,
}

impl PgBouncer {
    /// Starts PgBouncer in `dir`, in front of the Postgres on `upstream` (127.0.0.1) serving `dbname`.
    pub async fn start(
        dir: &Path,
        upstream: u16,
        dbname: &str,
        mode: Pooler,
    ) -> anyhow::Result<Self> {
        crate::apt::ensure_installed(&[("pgbouncer", BIN)]).await?;
        std::fs::create_dir_all(dir)?;
        let pb = PgBouncer {
            dir: dir.canonicalize()?,
            port: super::free_port()?,
            mode,
            dbname: dbname.to_owned(),
        };
        // Clients are the lab's own processes on loopback: trust, as the lab's Postgres does.
        std::fs::write(
            pb.dir.join("userlist.txt"),
            "\"postgres\" \"\"\n\"ecomm_app\" \"\"\n",
        )?;
        pb.write_ini(upstream)?;
        // PgBouncer refuses to run as root, like Postgres: as the postgres user, which must own
        // the directory it writes its pid and log files to.
        let mut c = if super::postgres::is_root() {
            std::process::Command::new("chown")
                .arg("-R")
                .arg("postgres")
                .arg(&pb.dir)
                .status()?;
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", BIN]);
            c
        } else {
            Command::new(BIN)
        };
        let out = c.arg("-d").arg(pb.ini()).output().await?;
        if !out.status.success() {
            bail!(
                "pgbouncer: {}{}",
                String::from_utf8_lossy(&out.stderr),
                pb.log_tail()
            );
        }
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", pb.port))
                .await
                .is_ok()
            {
                return Ok(pb);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("pgbouncer did not listen on {}: {}", pb.port, pb.log_tail())
    }

    fn ini(&self) -> PathBuf {
        self.dir.join("pgbouncer.ini")
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().rev().take(5).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    fn write_ini(&self, upstream: u16) -> anyhow::Result<()> {
        let mode = match self.mode {
            Pooler::Transaction => "transaction",
            _ => "session",
        };
        let ini = format!(
            "[databases]
{db} = host=127.0.0.1 port={upstream} dbname={db}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {dir}/userlist.txt
admin_users = postgres
logfile = {dir}/pgbouncer.log
pidfile = {dir}/pgbouncer.pid
pool_mode = {mode}
; Session mode holds a server connection per client: room for every replica's pool, below
; Postgres' max_connections (300) like RDS Proxy's max_connections_percent.
max_client_conn = 2000
default_pool_size = 250
max_db_connections = 280
; sqlx sends it; PgBouncer would refuse the connection (as it refuses `options`: the replicas run
; with ECOMM_DB_STARTUP_OPTIONS=false and the application role carries the timeouts).
ignore_startup_parameters = extra_float_digits
; A client waits at most 5 s for a server connection (RDS Proxy's connection borrow timeout),
; then gets an error: the shop answers 503 instead of hanging while the database is away.
query_wait_timeout = 5
; Retry a refused server login after 1 s, not 15: the new primary is used as soon as it is there.
server_login_retry = 1
server_connect_timeout = 2
log_connections = 0
log_disconnections = 0
",
            db = self.dbname,
            port = self.port,
            dir = self.dir.display(),
        );
        std::fs::write(self.ini(), ini).context("pgbouncer.ini")
    }

    fn signal(&self, sig: Signal) -> anyhow::Result<()> {
        let pid: i32 = std::fs::read_to_string(self.dir.join("pgbouncer.pid"))?
            .trim()
            .parse()?;
        kill(Pid::from_raw(pid), sig)?;
        Ok(())
    }

    /// Moves the endpoint to the Postgres on `upstream` (RELOAD): server connections to the old
    /// one are closed as they are released, new ones go to the new one.
    pub fn repoint(&self, upstream: u16) -> anyhow::Result<()> {
        self.write_ini(upstream)?;
        self.signal(Signal::SIGHUP)
    }

    /// `url` with its host and port replaced by this PgBouncer's, and its user by `user`.
    pub fn url_for(&self, url: &str, user: &str) -> anyhow::Result<String> {
        let (scheme, rest) = url.split_once("://").context("database URL")?;
        let path = rest.split_once('/').map_or("", |(_, p)| p);
        Ok(format!("{scheme}://{user}@127.0.0.1:{}/{path}", self.port))
    }

    pub async fn stop(&self) {
        if let Err(e) = self.signal(Signal::SIGTERM) {
            eprintln!("lab: stopping pgbouncer: {e:#}");
        }
    }
}

/// The pooler `mode` asks for in front of the Postgres at `db_url` (listening on `upstream`):
/// PgBouncer, the URL the replicas use (as `app_role`), and the one for the lab's own SQL.
pub async fn in_front(
    work: &Path,
    db_url: &str,
    upstream: u16,
    mode: Pooler,
    app_role: &str,
) -> anyhow::Result<(Option<PgBouncer>, String, String)> {
    if mode == Pooler::Off {
        return Ok((None, db_url.to_owned(), db_url.to_owned()));
    }
    let pb = PgBouncer::start(&work.join("pgbouncer"), upstream, &dbname(db_url), mode).await?;
    // The lab's own SQL follows a failover through PgBouncer; in transaction mode, where its
    // prepared statements would break, it goes direct.
    let lab = match mode {
        Pooler::Session => pb.url_for(db_url, "postgres")?,
        _ => db_url.to_owned(),
    };
    let replicas = pb.url_for(db_url, app_role)?;
    Ok((Some(pb), replicas, lab))
}

/// The database name of a Postgres URL (`postgres` when it names none).
pub fn dbname(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    let name = path.split('?').next().unwrap_or("");
    if name.is_empty() { "postgres" } else { name }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_comes_from_the_url_path_without_its_query() {
        assert_eq!(
            dbname("postgres://postgres@127.0.0.1:5/lab?sslmode=disable"),
            "lab"
        );
        assert_eq!(dbname("postgres://postgres@127.0.0.1:5"), "postgres");
    }
}

#[cfg(test)]
mod failover_tests {
    use super::*;
    use crate::stack::postgres::TempPg;
    use sqlx::Connection;

    async fn server_port(url: &str) -> i32 {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar("SELECT inet_server_port()")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn after_a_repoint_new_sessions_reach_the_new_upstream() {
        if std::env::var("ECOMM_TEST_PG_URL").is_err() {
            eprintln!("skipped: ECOMM_TEST_PG_URL is not set");
            return;
        }
        let dir = std::env::temp_dir().join(format!("lab-pgbouncer-{}", uuid::Uuid::new_v4()));
        let a = TempPg::start(&dir.join("a")).await.unwrap();
        let b = TempPg::start(&dir.join("b")).await.unwrap();
        let pb = PgBouncer::start(&dir.join("pb"), a.port, "postgres", Pooler::Session)
            .await
            .unwrap();
        let url = pb.url_for(&a.url(), "postgres").unwrap();
        let before = server_port(&url).await;
        pb.repoint(b.port).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after = server_port(&url).await;
        pb.stop().await;
        a.stop().await;
        b.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!((before, after), (i32::from(a.port), i32::from(b.port)));
    }
}
