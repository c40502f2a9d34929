//! The catalog's baseline: wrk against the shop and against nginx serving the same bytes as files.
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// One `wrk -t2 -c100 --latency` run, as wrk printed it.
pub struct Wrk {
    pub out: String,
}

impl Wrk {
    pub async fn run(url: &str, seconds: u64) -> anyhow::Result<Wrk> {
        Self::run_with(url, seconds, 2, 100).await
    }

    /// `wrk -tTHREADS -cCONNS --latency`.
    pub async fn run_with(
        url: &str,
        seconds: u64,
        threads: u32,
        conns: u32,
    ) -> anyhow::Result<Wrk> {
        let out = Command::new("wrk")
            .args([
                &format!("-t{threads}"),
                &format!("-c{conns}"),
                &format!("-d{seconds}s"),
                "--latency",
                url,
            ])
            .stdin(Stdio::null())
            .output()
            .await
            .context("wrk")?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text += &String::from_utf8_lossy(&out.stderr);
        Ok(Wrk { out: text })
    }

    /// Requests per second.
    pub fn rps(&self) -> f64 {
        self.line("Requests/sec")
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0.0)
    }

    /// The 99th percentile latency, in ms.
    pub fn p99_ms(&self) -> f64 {
        self.out
            .lines()
            .find(|l| l.trim_start().starts_with("99%"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(ms)
            .unwrap_or(0.0)
    }

    /// wrk's lines about answers that were not 2xx or sockets that failed.
    pub fn errors(&self) -> Vec<&str> {
        self.out
            .lines()
            .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
            .collect()
    }

    fn line(&self, start: &str) -> Option<&str> {
        self.out.lines().find(|l| l.trim_start().starts_with(start))
    }
}

/// wrk's latency with its unit (`850.00us`, `4.20ms`, `1.02s`), in ms.
fn ms(v: &str) -> Option<f64> {
    if let Some(x) = v.strip_suffix("us") {
        return Some(x.parse::<f64>().ok()? / 1000.0);
    }
    if let Some(x) = v.strip_suffix("ms") {
        return x.parse().ok();
    }
    if let Some(x) = v.strip_suffix('s') {
        return Some(x.parse::<f64>().ok()? * 1000.0);
    }
    None
}

/// nginx serving `root` on a free port: the static-file baseline (two workers, no access log).
pub struct StaticNginx {
    child: Child,
    pub url: String,
}

impl StaticNginx {
    pub async fn start(dir: &Path, root: &Path) -> anyhow::Result<StaticNginx> {
        let port = crate::stack::free_port()?;
        let d = dir.display();
        let conf = format!(
            "worker_processes 2; pid {d}/nginx.pid; error_log {d}/nginx-error.log; daemon off;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};
  server {{ listen 127.0.0.1:{port}; location / {{ root {}; default_type application/json; }} }} }}
",
            root.display()
        );
        std::fs::write(dir.join("nginx.conf"), conf)?;
        let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .context("nginx is not installed")?;
        let child = Command::new(bin)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(dir)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(&addr).await.is_ok() {
                return Ok(StaticNginx {
                    child,
                    url: format!("http://{addr}"),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!("nginx did not listen on {addr}: see {d}/nginx-error.log")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 5s test @ http://127.0.0.1:1/page.json
  Latency Distribution
     50%  750.00us
     99%    4.20ms
  347015 requests in 5.00s, 3.31GB read
  Non-2xx or 3xx responses: 12
Requests/sec:  69403.12
";

    #[test]
    fn wrk_output_gives_the_rate_the_p99_in_ms_and_the_errors() {
        let w = Wrk { out: SAMPLE.into() };
        assert_eq!(w.rps(), 69403.12);
        assert_eq!(w.p99_ms(), 4.2);
        assert_eq!(w.errors(), ["  Non-2xx or 3xx responses: 12"]);
    }

    #[test]
    fn every_wrk_latency_unit_converts_to_ms() {
        assert_eq!(ms("850.00us"), Some(0.85));
        assert_eq!(ms("4.20ms"), Some(4.2));
        assert_eq!(ms("1.50s"), Some(1500.0));
        assert_eq!(ms("fast"), None);
    }
}
