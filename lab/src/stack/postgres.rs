//! A throwaway PostgreSQL 15 cluster on a free loopback port: the drills' database (which they
//! can restart under load), the benchmarks', and the test scripts' (`ecomm-lab pg start DIR`).
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context};
use tokio::process::Command;

mod standby;

pub struct TempPg {
    dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    /// Server settings of this cluster's role (a standby's name).
    settings: String,
}

pub fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// initdb and postgres refuse to run as root: run them as the `postgres` user.
fn as_pg(bin: &Path, tool: &str) -> Command {
    let exe = bin.join(tool);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

async fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("{what}: could not start"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn pg_bin() -> anyhow::Result<PathBuf> {
    let bin = PathBuf::from(
        std::env::var("PGBIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into()),
    );
    if !bin.join("initdb").exists() {
        bail!("no PostgreSQL binaries in {} (set PGBIN)", bin.display());
    }
    Ok(bin)
}

impl TempPg {
    /// Starts the cluster in `dir` (made with initdb the first time) on a free port.
    pub async fn start(dir: &Path) -> anyhow::Result<TempPg> {
        let bin = pg_bin()?;
        std::fs::create_dir_all(dir)?;
        let dir = dir.canonicalize()?;
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres").arg(&dir);
                    c
                },
                "chown",
            )
            .await?;
        }
        let data = dir.join("data");
        if !data.join("PG_VERSION").exists() {
            let mut c = as_pg(&bin, "initdb");
            c.arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ]);
            run(c, "initdb").await?;
        }
        let port = super::free_port()?;
        let pg = TempPg {
            dir,
            port,
            bin,
            settings: String::new(),
        };
        pg.ctl("start").await?;
        Ok(pg)
    }

    /// Where the cluster's programs are (its own pgbench, psql).
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    async fn ctl(&self, action: &str) -> anyhow::Result<()> {
        let mut c = as_pg(&self.bin, "pg_ctl");
        c.arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-w", "-t", "60", "-m", "fast"]);
        if action != "stop" {
            // Durable settings stay on: commits cost what they cost in production.
            // LAB_PG_SETTINGS adds settings for a diagnosis, e.g.
            // "-c shared_preload_libraries=pg_stat_statements".
            c.arg("-o").arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB {} {}",
                self.port,
                self.dir.display(),
                self.settings,
                std::env::var("LAB_PG_SETTINGS").unwrap_or_default()
            ));
        }
        c.arg(action);
        run(c, &format!("pg_ctl {action}")).await
    }

    /// `pg_ctl restart -m fast`: every session is cut, the server comes back on the same port.
    pub async fn restart_fast(&self) -> anyhow::Result<()> {
        self.ctl("restart").await
    }

    pub async fn stop(&self) {
        // A primary a failover killed has nothing left to stop.
        if !self.alive() {
            return;
        }
        if let Err(e) = self.ctl("stop").await {
            eprintln!("lab: stopping postgres: {e:#}");
        }
    }

    /// Stops the cluster a `start` left running in `dir` (by an earlier process); a directory
    /// with no running cluster is not an error, so a clean-up may run whether or not a start did.
    pub async fn stop_in(dir: &Path) -> anyhow::Result<()> {
        if !dir.join("data").join("postmaster.pid").exists() {
            return Ok(());
        }
        let pg = TempPg {
            dir: dir.canonicalize()?,
            port: 0,
            bin: pg_bin()?,
            settings: String::new(),
        };
        pg.ctl("stop").await
    }
}
