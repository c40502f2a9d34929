//! What RDS Multi-AZ does when the writer's host dies, under load: SIGKILL the primary, declare it
//! dead after failed health probes, promote the synchronous standby, move the endpoint the
//! replicas use (PgBouncer repointed and reloaded, as RDS moves its DNS name), and watch the shop
//! come back on the new primary. Every order acknowledged before or after the kill must be there
//! (the integrity check runs against the new primary), the replicas' readiness must say the
//! database is down while it is and up after, and the reconciler must take its lease again.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;

use super::{Ctx, Drill, Fault, Measured, Needs};
use crate::score::{target, Target};

/// How often the failover manager probes the primary, and how many refused probes in a row
/// declare it dead (RDS's own detection takes longer; its Multi-AZ clusters fail over in < 35 s).
const PROBE_EVERY: Duration = Duration::from_secs(1);
const DEAD_AFTER: u32 = 3;
/// The target: checkouts succeed again this soon after the kill.
const BACK_WITHIN_S: f64 = 30.0;
/// How long the drill waits for a first success, and then for the reconciler's lease.
const GIVE_UP: Duration = Duration::from_secs(60);

pub struct DbFailover;

#[async_trait]
impl Drill for DbFailover {
    fn name(&self) -> &'static str {
        "db-failover"
    }

    fn needs(&self) -> Needs {
        Needs {
            own_postgres: true,
            standby: true,
            ..Needs::default()
        }
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        let s = cx.stack;
        let primary =
            s.pg.as_ref()
                .context("db-failover needs the lab's Postgres")?;
        let standby = s
            .standby
            .as_ref()
            .context("db-failover needs the standby")?;
        let endpoint = s
            .pgbouncer
            .as_ref()
            .context("db-failover moves the PgBouncer endpoint: run it with --pooler session")?;
        let watch = ReadinessWatch::start(s.replicas.slots.iter().map(|r| r.health_port))?;

        primary.kill().await?;
        let kill = cx.now();
        cx.event("primary SIGKILLed");
        declare_dead(primary.port).await;
        cx.event(format!(
            "primary declared dead ({DEAD_AFTER} refused probes)"
        ));
        standby.promote().await?;
        cx.event("standby promoted (pg_ctl promote)");
        // Orders acknowledged from here on were answered by the new primary.
        let acked = crate::lock(&cx.shop.acks).len();
        endpoint.repoint(standby.port)?;
        let moved = cx.now();
        cx.event("endpoint moved to the new primary (PgBouncer RELOAD)");
        fault.end = moved;

        let first = first_ack_after(cx, acked).await.map(|t| t - kill);
        match first {
            Some(t) => cx.event(format!("first checkout 201 after the kill: +{t:.1} s")),
            None => cx.event("no checkout succeeded after the kill"),
        }
        let lease = lease_taken(&standby.url()).await?.map(|_| cx.now() - kill);
        if let Some(t) = lease {
            cx.event(format!(
                "reconciler lease held on the new primary: +{t:.1} s"
            ));
        }
        let readiness = watch.verdict(moved - kill).await;

        let back = first.unwrap_or(f64::INFINITY);
        fault.checks = vec![
            target(
                "checkouts succeed again ≤ 30 s after the kill",
                back <= BACK_WITHIN_S,
                format!("{back:.1} s (endpoint moved at +{:.1} s)", moved - kill),
            ),
            target(
                "readiness: database down while away, ok on every replica after",
                readiness.down_seen && readiness.ok_after,
                readiness.describe(),
            ),
            target(
                "the reconciler takes its lease on the new primary",
                lease.is_some(),
                lease.map_or("not within 60 s".into(), |t| format!("+{t:.1} s")),
            ),
        ];
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let fives: u64 = m
            .figures
            .statuses
            .values()
            .filter_map(|by_status| by_status.get("500"))
            .sum();
        let mut t = m.fault.checks.clone();
        t.push(target(
            "no 500 answers (the database away is a 503)",
            fives == 0,
            fives.to_string(),
        ));
        t
    }
}

/// Probes the primary's port until it refuses `DEAD_AFTER` times in a row.
async fn declare_dead(port: u16) {
    let mut refused = 0;
    while refused < DEAD_AFTER {
        let probe = tokio::time::timeout(
            PROBE_EVERY,
            tokio::net::TcpStream::connect(("127.0.0.1", port)),
        );
        refused = match probe.await {
            Ok(Ok(_)) => 0,
            _ => refused + 1,
        };
        if refused < DEAD_AFTER {
            tokio::time::sleep(PROBE_EVERY).await;
        }
    }
}

/// When (seconds since load start) the shop acknowledged an order beyond the first `n`.
async fn first_ack_after(cx: &Ctx<'_>, n: usize) -> Option<f64> {
    let until = tokio::time::Instant::now() + GIVE_UP;
    while tokio::time::Instant::now() < until {
        if crate::lock(&cx.shop.acks).len() > n {
            return Some(cx.now());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Waits for a replica's reconciler to hold its advisory lock on the database at `url`.
async fn lease_taken(url: &str) -> anyhow::Result<Option<()>> {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
    let until = tokio::time::Instant::now() + GIVE_UP;
    while tokio::time::Instant::now() < until {
        let held: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted)",
        )
        .fetch_one(&mut conn)
        .await?;
        if held {
            return Ok(Some(()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(None)
}

/// Every replica's `/health/ready`, polled from the kill on: what each said about the database.
struct ReadinessWatch {
    stop: Arc<AtomicBool>,
    /// (when, replica, database ok), `when` in seconds since the watch started.
    seen: Arc<Mutex<Vec<(f64, usize, bool)>>>,
    started: tokio::time::Instant,
    replicas: usize,
}

struct ReadinessVerdict {
    down_seen: bool,
    ok_after: bool,
    first_down: Option<f64>,
    all_ok: Option<f64>,
}

impl ReadinessVerdict {
    fn describe(&self) -> String {
        let at = |t: Option<f64>| t.map_or("never".into(), |t| format!("+{t:.1} s"));
        format!(
            "database down reported {}, ok again on every replica {}",
            at(self.first_down),
            at(self.all_ok)
        )
    }
}

impl ReadinessWatch {
    fn start(ports: impl Iterator<Item = u16>) -> anyhow::Result<ReadinessWatch> {
        let ports: Vec<u16> = ports.collect();
        let w = ReadinessWatch {
            stop: Arc::new(AtomicBool::new(false)),
            seen: Arc::default(),
            started: tokio::time::Instant::now(),
            replicas: ports.len(),
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        for (i, port) in ports.into_iter().enumerate() {
            let (stop, seen, client, t0) =
                (w.stop.clone(), w.seen.clone(), client.clone(), w.started);
            tokio::spawn(async move {
                let url = format!("http://127.0.0.1:{port}/health/ready");
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(r) = client.get(&url).send().await {
                        if let Ok(body) = r.json::<serde_json::Value>().await {
                            let ok = body["database"] == "ok";
                            crate::lock(&seen).push((t0.elapsed().as_secs_f64(), i, ok));
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
        }
        Ok(w)
    }

    /// Whether every replica's latest answer after `after` (seconds since the watch began)
    /// says the database is ok.
    fn all_ok_after(&self, after: f64) -> bool {
        let seen = crate::lock(&self.seen);
        (0..self.replicas).all(|i| {
            seen.iter()
                .rev()
                .find(|p| p.1 == i && p.0 > after)
                .is_some_and(|p| p.2)
        })
    }

    /// Waits (at most [`GIVE_UP`]) for every replica to report the database ok after the
    /// endpoint moved (`away` seconds after the kill, when the watch began), then stops polling.
    async fn verdict(self, away: f64) -> ReadinessVerdict {
        let until = tokio::time::Instant::now() + GIVE_UP;
        while !self.all_ok_after(away) && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let ok_after = self.all_ok_after(away);
        self.stop.store(true, Ordering::Relaxed);
        let seen = crate::lock(&self.seen);
        // A replica may notice only when its next check runs, up to a second after the move.
        let first_down = seen.iter().find(|p| !p.2 && p.0 <= away + 1.0).map(|p| p.0);
        ReadinessVerdict {
            down_seen: first_down.is_some(),
            ok_after,
            first_down,
            all_ok: ok_after.then(|| self.started.elapsed().as_secs_f64()),
        }
    }
}
