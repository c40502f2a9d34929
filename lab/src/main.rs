//! ecomm-lab: the project's one tool crate — the cluster's moving parts as local processes, faults
//! under load and a verdict, the benchmarks, and a temporary Postgres. One module per command:
//!   ecomm-lab up                 Postgres + 4 replicas (supervised) + nginx; Ctrl-C tears down
//!   ecomm-lab drill kill-half    one drill (or `all`), reconciled, scored, reported
//!   ecomm-lab sweep --rates 500,1000,2000   kill-half at each rate: the highest that meets its targets
//!   ecomm-lab bench all          the benchmarks against same-run baselines (`make bench`)
//!   ecomm-lab pg start|stop DIR  a temporary Postgres for the test scripts (start prints its URL)
mod ab;
mod apt;
mod bench;
mod drill;
mod load;
mod pg;
mod reconcile;
mod report;
mod score;
mod stack;
mod sweep;
mod up;

use std::process::ExitCode;
use std::sync::{Mutex, MutexGuard, PoisonError};

use clap::{Parser, Subcommand};

#[derive(Parser)]
// A flag given twice takes the last value, so scripts can set defaults the user overrides.
#[command(
    name = "ecomm-lab",
    about = "Chaos lab and benchmarks for the ecomm shop",
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bring the stack up and leave it running for a person to click through (Ctrl-C stops it).
    Up(up::UpArgs),
    /// Run a drill (or all of them) against a fresh stack; exits 1 on any integrity violation.
    #[command(args_override_self = true)]
    Drill(drill::DrillArgs),
    /// kill-half at each rate in turn: the highest constant arrival rate that still meets its targets.
    Sweep(sweep::SweepArgs),
    /// Benchmarks with same-run baselines (what `make bench` runs).
    Bench(bench::BenchArgs),
    /// A temporary PostgreSQL 15 cluster for the test scripts: `pg start DIR` prints its URL.
    Pg(pg::PgArgs),
}

/// A panicked task must not take the measurements down with it: use the data as it is.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Up(args) => up::command(args).await,
        Command::Drill(args) => drill::command(args).await,
        Command::Sweep(args) => sweep::command(args).await,
        Command::Bench(args) => bench::command(args).await,
        Command::Pg(args) => pg::command(args).await,
    };
    result.unwrap_or_else(|e| {
        eprintln!("lab: {e:#}");
        ExitCode::from(2)
    })
}
