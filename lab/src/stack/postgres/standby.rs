//! A streaming standby of the lab's Postgres, synchronous as RDS Multi-AZ's: a commit is
//! acknowledged only once the standby has it, so a promoted standby holds every acknowledged order.
//! And what a Multi-AZ failover does to the pair: the primary dies, the standby is promoted.
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::{as_pg, run, TempPg};

/// The standby's name on the primary (`synchronous_standby_names`); a walreceiver without an
/// `application_name` in its conninfo reports its `cluster_name`.
const NAME: &str = "ecomm_standby";

impl TempPg {
    /// A standby of this cluster in `dir` (pg_basebackup -R), streaming and synchronous before
    /// this returns. Set after the base backup, so the standby does not inherit it: promoted,
    /// it runs alone, as a Multi-AZ writer does until AWS has rebuilt its standby.
    pub async fn start_standby(&self, dir: &Path) -> anyhow::Result<TempPg> {
        std::fs::create_dir_all(dir)?;
        let dir = dir.canonicalize()?;
        if super::is_root() {
            std::process::Command::new("chown")
                .arg("postgres")
                .arg(&dir)
                .status()?;
        }
        let mut c = as_pg(&self.bin, "pg_basebackup");
        c.arg("-D").arg(dir.join("data")).args([
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-p",
            &self.port.to_string(),
        ]);
        run(c, "pg_basebackup").await?;
        let standby = TempPg {
            dir,
            port: crate::stack::free_port()?,
            bin: self.bin.clone(),
            settings: format!("-c cluster_name={NAME}"),
        };
        standby.ctl("start").await?;
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&self.url()).await?;
        sqlx::query(&format!(
            "ALTER SYSTEM SET synchronous_standby_names = '{NAME}'"
        ))
        .execute(&mut conn)
        .await?;
        sqlx::query("SELECT pg_reload_conf()")
            .execute(&mut conn)
            .await?;
        for _ in 0..300 {
            let state: Option<String> = sqlx::query_scalar(
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = $1",
            )
            .bind(NAME)
            .fetch_optional(&mut conn)
            .await?;
            if state.as_deref() == Some("sync") {
                return Ok(standby);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the standby on port {} did not become synchronous",
            standby.port
        )
    }

    fn postmaster_pid(&self) -> anyhow::Result<Pid> {
        let pidfile = std::fs::read_to_string(self.dir.join("data").join("postmaster.pid"))
            .context("postmaster.pid")?;
        let pid: i32 = pidfile.lines().next().unwrap_or("").trim().parse()?;
        Ok(Pid::from_raw(pid))
    }

    /// Whether the postmaster still runs (a killed one nobody has reaped yet is a zombie).
    pub fn alive(&self) -> bool {
        self.postmaster_pid().is_ok_and(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
            kill(pid, None::<Signal>).is_ok() && state != Some('Z')
        })
    }

    /// SIGKILL the postmaster, as a lost host would: no checkpoint, no goodbye to the clients.
    /// Its backends notice their parent is gone and exit on their own.
    pub async fn kill(&self) -> anyhow::Result<()> {
        kill(self.postmaster_pid()?, Signal::SIGKILL)?;
        for _ in 0..500 {
            if !self.alive() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        bail!("postmaster still alive after SIGKILL")
    }

    /// `pg_ctl promote -w`: the standby leaves recovery and takes writes.
    pub async fn promote(&self) -> anyhow::Result<()> {
        let mut c = as_pg(&self.bin, "pg_ctl");
        c.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-w", "-t", "60", "promote"]);
        run(c, "pg_ctl promote").await
    }
}

#[cfg(test)]
mod tests {
    //! Real clusters (PostgreSQL 15's binaries), run where the Postgres tests run
    //! (`ECOMM_TEST_PG_URL` set); skipped elsewhere.
    use super::*;
    use sqlx::Connection;

    #[tokio::test]
    async fn a_commit_acknowledged_before_the_primary_is_killed_is_on_the_promoted_standby() {
        if std::env::var("ECOMM_TEST_PG_URL").is_err() {
            eprintln!("skipped: ECOMM_TEST_PG_URL is not set");
            return;
        }
        let dir = std::env::temp_dir().join(format!("lab-standby-{}", uuid::Uuid::new_v4()));
        let primary = TempPg::start(&dir.join("primary")).await.unwrap();
        let standby = primary.start_standby(&dir.join("standby")).await.unwrap();
        let mut conn = sqlx::PgConnection::connect(&primary.url()).await.unwrap();
        sqlx::raw_sql("CREATE TABLE acked (id int); INSERT INTO acked VALUES (1)")
            .execute(&mut conn)
            .await
            .unwrap();
        primary.kill().await.unwrap();
        standby.promote().await.unwrap();
        let mut conn = sqlx::PgConnection::connect(&standby.url()).await.unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM acked")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        // Promoted, it takes writes alone: no synchronous standby inherited to wait for.
        let insert = sqlx::query("INSERT INTO acked VALUES (2)").execute(&mut conn);
        let alone = tokio::time::timeout(Duration::from_secs(10), insert).await;
        standby.stop().await;
        primary.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(rows, 1);
        assert!(
            matches!(alone, Ok(Ok(_))),
            "the promoted standby waits: {alone:?}"
        );
    }
}
