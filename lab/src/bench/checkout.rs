//! The checkout part: pgbench TPC-B on the same cluster at the same concurrency (the baseline),
//! the closed-loop checkout load, and with `--orders N` the volume run and its reconciliation.
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::process::Command;

use super::server::Server;
use super::Bench;
use crate::load::closed::{self, Closed, Report};
use crate::reconcile::{self, Integrity};

/// Shoppers, and pgbench's clients.
const SHOPPERS: usize = 32;
/// The products the shoppers buy (their stock raised so none runs out).
pub const PRODUCTS: i64 = 200;
/// How long the volume run's in-doubt orders may take to settle before the reconciliation counts
/// them (captures are recorded in batches a moment after the answer).
const SETTLE: Duration = Duration::from_secs(10);

pub struct Checkout {
    pub tpcb: f64,
    pub run: Report,
    /// CPU per command over the run, % of one core (`--pidstat`).
    pub cpu: Option<BTreeMap<String, f64>>,
    pub volume: Option<(Report, Integrity)>,
}

pub async fn run(b: &Bench, server: &Server) -> anyhow::Result<Checkout> {
    let secs = b.o.seconds;
    println!(
        "== checkout: {SHOPPERS} concurrent guest shoppers (add to cart → checkout, keep-alive), {secs}s =="
    );
    let tpcb = tpcb(b, secs).await?;
    let samples = b.work.join("pidstat.txt");
    let pidstat = if b.o.pidstat {
        crate::apt::ensure_installed(&[("sysstat", "/usr/bin/pidstat")]).await?;
        Some(
            Command::new("pidstat")
                .args(["-u", "1", &secs.saturating_sub(1).max(1).to_string()])
                .stdout(std::fs::File::create(&samples)?)
                .kill_on_drop(true)
                .spawn()?,
        )
    } else {
        None
    };
    let load = Closed {
        shoppers: SHOPPERS,
        duration: Duration::from_secs(secs),
        orders: u64::MAX,
        products: (1..=PRODUCTS).collect(),
    };
    let run = closed::run(&server.url, &load).await?;
    let cpu = match pidstat {
        Some(mut p) => {
            p.wait().await?;
            Some(per_command(&std::fs::read_to_string(&samples)?))
        }
        None => None,
    };
    let volume = if b.o.orders > 0 {
        Some(volume(b, server, load).await?)
    } else {
        None
    };
    Ok(Checkout {
        tpcb,
        run,
        cpu,
        volume,
    })
}

/// `pgbench -c 32 -j 2` TPC-B (scale 10) for `secs` on the bench's cluster: transactions/s.
async fn tpcb(b: &Bench, secs: u64) -> anyhow::Result<f64> {
    let db = b.create_db("pgbench").await?;
    let pgbench = b.pg_tool("pgbench");
    let init = Command::new(&pgbench)
        .args(["-i", "-s", "10", "-q", &db])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(init.success(), "pgbench -i failed");
    let clients = SHOPPERS.to_string();
    let out = Command::new(&pgbench)
        .args(["-c", &clients, "-j", "2", "-T", &secs.to_string(), &db])
        .stderr(Stdio::null())
        .output()
        .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_whitespace().nth(2)?.parse().ok())
        .with_context(|| format!("pgbench printed no tps: {text}"))
}

/// The volume run: the shoppers until `--orders` checkouts succeeded, then the reconciliation by
/// SQL (stock before − paid quantities = stock after, nothing negative, every acknowledged order
/// once and paid, one order per key, nothing pending).
async fn volume(b: &Bench, server: &Server, load: Closed) -> anyhow::Result<(Report, Integrity)> {
    let n = b.o.orders;
    println!("== checkout volume: {n} orders, {SHOPPERS} shoppers, then reconciliation by SQL ==");
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&b.shop_url)
        .await?;
    let snap = reconcile::snapshot(&db).await?;
    let load = Closed {
        duration: Duration::from_secs(3600),
        orders: n,
        ..load
    };
    let report = closed::run(&server.url, &load).await?;
    let integrity = reconcile::verify(&db, &snap, &report.acks, SETTLE).await?;
    Ok((report, integrity))
}

/// pidstat's `Average:` lines summed per command (% of one core).
fn per_command(pidstat: &str) -> BTreeMap<String, f64> {
    let mut cpu = BTreeMap::new();
    for l in pidstat.lines().filter(|l| l.starts_with("Average:")) {
        let f: Vec<&str> = l.split_whitespace().collect();
        let (Some(cmd), Some(pct)) = (f.last(), f.len().checked_sub(3).and_then(|i| f.get(i)))
        else {
            continue;
        };
        if *cmd == "Command" {
            continue;
        }
        if let Ok(p) = pct.parse::<f64>() {
            *cpu.entry((*cmd).to_owned()).or_default() += p;
        }
    }
    cpu
}

#[cfg(test)]
mod tests {
    #[test]
    fn pidstat_averages_are_summed_per_command() {
        let out =
            "Average:      UID       PID    %usr %system  %guest   %wait    %CPU   CPU  Command
Average:      106      4242   60.00   20.00    0.00    0.00   80.00     -  postgres
Average:      106      4243   40.00    5.00    0.00    0.00   45.00     -  postgres
Average:        0      4300   30.00   10.00    0.00    0.00   40.00     -  ecomm
";
        let cpu = super::per_command(out);
        assert_eq!(cpu["postgres"], 125.0);
        assert_eq!(cpu["ecomm"], 40.0);
        assert_eq!(cpu.len(), 2);
    }
}
