//! ecomm-lab: the cluster's moving parts as local processes, faults under load, and a verdict.
//!   ecomm-lab up                 Postgres + 4 replicas (supervised) + nginx; Ctrl-C tears down
//!   ecomm-lab drill kill-half    one drill (or `all`), reconciled, scored, reported
//!   ecomm-lab sweep --rates 500,1000,2000   kill-half at each rate: the highest that meets its targets
mod ab;
mod drill;
mod load;
mod reconcile;
mod report;
mod score;
mod stack;

use std::process::ExitCode;
use std::sync::{Mutex, MutexGuard, PoisonError};

use clap::{Parser, Subcommand};

use drill::{DrillOpts, Name};
use stack::{Stack, StackOpts};

#[derive(Parser)]
// A flag given twice takes the last value, so scripts can set defaults the user overrides.
#[command(
    name = "ecomm-lab",
    about = "Chaos lab for the ecomm shop",
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bring the stack up and leave it running for a person to click through (Ctrl-C stops it).
    Up {
        #[command(flatten)]
        stack: StackOpts,
    },
    /// Run a drill (or all of them) against a fresh stack; exits 1 on any integrity violation.
    #[command(args_override_self = true)]
    Drill {
        name: Name,
        #[command(flatten)]
        stack: StackOpts,
        #[command(flatten)]
        drill: DrillOpts,
        /// Also exit 1 when a drill misses a target.
        #[arg(long)]
        strict: bool,
    },
    /// kill-half at each rate in turn: the highest constant arrival rate that still meets its targets.
    Sweep {
        /// Arrival rates (requests/s), e.g. 500,1000,2000.
        #[arg(long, value_delimiter = ',', required = true)]
        rates: Vec<f64>,
        #[command(flatten)]
        stack: StackOpts,
        #[command(flatten)]
        drill: DrillOpts,
    },
}

/// A panicked task must not take the measurements down with it: use the data as it is.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lab: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Up { stack } => {
            let s = Stack::up(&stack).await?;
            println!("shop:      {}", s.lb);
            println!("database:  {}", s.db_url);
            println!("work dir:  {} (replica logs in logs/)", s.work.display());
            println!(
                "replicas:  {} (supervised; kill one and watch it come back)",
                s.replicas.slots.len()
            );
            println!("Ctrl-C to stop");
            tokio::signal::ctrl_c().await?;
            s.down().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep {
            rates,
            stack,
            drill: opts,
        } => {
            let s = Stack::up(&stack).await?;
            let result = tokio::select! {
                r = sweep(&s, &rates, &opts) => r,
                _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
            };
            s.down().await;
            Ok(if result? {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Drill {
            name,
            stack,
            drill: opts,
            strict,
        } => {
            let names = if name == Name::All {
                vec![
                    Name::KillHalf,
                    Name::RollingRestart,
                    Name::DbRestart,
                    Name::DbLatency,
                    Name::Spike,
                    Name::SeedAb,
                ]
            } else {
                vec![name]
            };
            let stack = StackOpts {
                fault_proxy: names.contains(&Name::DbLatency),
                ..stack
            };
            let s = Stack::up(&stack).await?;
            // Ctrl-C still tears the stack down (no orphaned replicas, nginx or Postgres).
            let result = tokio::select! {
                r = drills(&s, &names, &opts) => r,
                _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
            };
            s.down().await;
            let (integrity_ok, targets_ok) = result?;
            Ok(if !integrity_ok || (strict && !targets_ok) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

async fn sweep(s: &Stack, rates: &[f64], opts: &DrillOpts) -> anyhow::Result<bool> {
    let mut best = None;
    let mut ok_all = true;
    for &rate in rates {
        let o = DrillOpts {
            rate,
            ..opts.clone()
        };
        let (integrity_ok, targets_ok) = drills(s, &[Name::KillHalf], &o).await?;
        ok_all &= integrity_ok;
        println!(
            "sweep: {rate} req/s → targets {}",
            if targets_ok { "met" } else { "missed" }
        );
        if targets_ok {
            best = Some(rate);
        }
    }
    match best {
        Some(r) => println!("\n== highest rate at which kill-half met every target: {r} req/s"),
        None => println!("\n== kill-half missed its targets at every rate tried"),
    }
    Ok(ok_all)
}

/// Runs the drills one after another on one stack; returns (integrity ok, every target met).
async fn drills(s: &Stack, names: &[Name], opts: &DrillOpts) -> anyhow::Result<(bool, bool)> {
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&s.db_url)
        .await?;
    let fonts = report::init_fonts().await;
    let stamp = time::OffsetDateTime::now_utc().format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour][minute][second]Z"
    ))?;
    let mut scores = Vec::new();
    let (mut integrity_ok, mut targets_ok) = (true, true);
    for &name in names {
        let (r, acks) = drill::run(s, &db, name, opts).await?;
        let dir = report::write(&opts.reports, &stamp, &r, &acks, fonts)?;
        println!(
            "\n== {} — score {:.2} ({})",
            r.drill,
            r.score,
            dir.join("index.html").display()
        );
        for t in &r.targets {
            println!(
                "  {} {:<60} {}",
                if t.ok { "✓" } else { "✗" },
                t.name,
                t.value
            );
        }
        for c in r.integrity.checks.iter().filter(|c| !c.ok) {
            println!("    integrity ✗ {}: {}", c.name, c.detail);
        }
        let f = &r.figures;
        println!(
            "  requests {} (ok {}, rejected {}, failed {}), {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms; checkouts {} → 201 {:.3}%",
            f.requests.total(), f.requests.ok, f.requests.rejected, f.requests.failed, f.achieved_rps,
            f.p50_ms, f.p99_ms, f.checkouts.total(), f.checkout_201_ratio * 100.0
        );
        for (kind, statuses) in &f.statuses {
            let odd: Vec<String> = statuses
                .iter()
                .filter(|(s, _)| !s.starts_with('2'))
                .map(|(s, n)| format!("{s}×{n}"))
                .collect();
            if !odd.is_empty() {
                println!("  {kind}: {}", odd.join(", "));
            }
        }
        integrity_ok &= r.integrity.ok();
        targets_ok &= r.targets.iter().all(|t| t.ok);
        scores.push((r.drill.clone(), r.score));
    }
    if scores.len() > 1 {
        let mean = scores.iter().map(|s| s.1).sum::<f64>() / scores.len() as f64;
        println!(
            "\n== overall resilience score {mean:.2} (mean of {} drills)",
            scores.len()
        );
        for (d, sc) in &scores {
            println!("  {d:<16} {sc:.2}");
        }
    }
    Ok((integrity_ok, targets_ok))
}
