//! The `ecomm` processes a benchmark runs: one-shot commands (migrate, seed) and servers, each
//! with its log, its time from start to `/health/ready` = 200, and its memory.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use http_body_util::Full;
use hyper::Request;
use tokio::process::{Child, Command};

use crate::load::http::Client;

/// How to run `ecomm` against one database.
#[derive(Clone)]
pub struct Ecomm {
    pub bin: PathBuf,
    pub env: Vec<(&'static str, String)>,
}

impl Ecomm {
    pub fn new(bin: &Path, db: &str, media: &str) -> Ecomm {
        Ecomm {
            bin: bin.to_owned(),
            env: vec![
                ("ECOMM_DATABASE_URL", db.to_owned()),
                ("ECOMM_STORAGE_URL", media.to_owned()),
                ("ECOMM_LOG_FORMAT", "json".into()),
                ("RUST_LOG", "warn,ecomm::catalog=info".into()),
            ],
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(args).envs(self.env.iter().map(|(k, v)| (*k, v)));
        c
    }

    /// A one-shot command (`migrate`, `seed …`); its stdout shown unless `quiet`.
    pub async fn run(&self, args: &[&str], quiet: bool) -> anyhow::Result<()> {
        let mut c = self.command(args);
        if quiet {
            c.stdout(Stdio::null());
        }
        if !c.status().await?.success() {
            bail!("ecomm {} failed", args.join(" "));
        }
        Ok(())
    }

    /// `ecomm serve --payments test` on a free port, logging to `log`; returns once ready.
    pub async fn serve(&self, extra: &[&str], log: &Path) -> anyhow::Result<Server> {
        let port = crate::stack::free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let file = std::fs::File::create(log)?;
        let t0 = Instant::now();
        let child = self
            .command(&["serve", "--addr", &addr, "--payments", "test"])
            // The load generator still checks out with card numbers (the old checkout).
            .env("ECOMM_LEGACY_CARD_CHECKOUT", "true")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .kill_on_drop(true)
            .spawn()?;
        let mut server = Server {
            child,
            url: format!("http://{addr}"),
            log: log.to_owned(),
            ready_ms: 0,
        };
        server.wait_ready(t0).await?;
        Ok(server)
    }
}

pub struct Server {
    child: Child,
    pub url: String,
    log: PathBuf,
    /// Process start to `/health/ready` = 200.
    pub ready_ms: u128,
}

impl Server {
    async fn wait_ready(&mut self, t0: Instant) -> anyhow::Result<()> {
        let client = Client::new(&self.url, Duration::from_secs(5), Duration::from_secs(1))?;
        loop {
            let req = Request::get("/health/ready").body(Full::default())?;
            if let Ok(a) = client.send(req, false, false).await {
                if a.status.is_success() {
                    self.ready_ms = t0.elapsed().as_millis();
                    return Ok(());
                }
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("ecomm serve exited ({status}): see {}", self.log.display());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn status_kb(&self, field: &str) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{field} in /proc/{pid}/status"))
    }

    /// Resident memory now, MiB.
    pub fn rss_mib(&self) -> anyhow::Result<u64> {
        Ok(self.status_kb("VmRSS:")? / 1024)
    }

    /// Peak resident memory, MiB.
    pub fn peak_mib(&self) -> anyhow::Result<u64> {
        Ok(self.status_kb("VmHWM:")? / 1024)
    }

    /// The catalog index build, as the server logged it (start to ready includes it).
    pub fn index_built_ms(&self) -> Option<u64> {
        index_built_ms(&std::fs::read_to_string(&self.log).ok()?)
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn index_built_ms(log: &str) -> Option<u64> {
    let line = log
        .lines()
        .find(|l| l.contains("\"catalog index built\""))?;
    let after = &line[line.find("\"ms\":")? + 5..];
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_index_build_time_is_read_from_the_servers_json_log() {
        let log = "{\"fields\":{\"message\":\"listening\"}}\n\
                   {\"fields\":{\"message\":\"catalog index built\",\"products\":10000,\"ms\":164}}\n";
        assert_eq!(super::index_built_ms(log), Some(164));
        assert_eq!(super::index_built_ms("{\"ms\":3}"), None);
    }
}
