//! `ecomm-lab drill NAME|all`: a fresh stack, the drills one after another, a report per drill
//! and a line per target; exits 1 on any integrity violation (with `--strict`, on a missed target).
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::Args;

use super::{Drill, DrillOpts, Needs};
use crate::report;
use crate::score::DrillResult;
use crate::stack::{Stack, StackOpts};

#[derive(Args)]
#[command(args_override_self = true)]
pub struct DrillArgs {
    /// A drill, or `all` for every one.
    #[arg(value_parser = PossibleValuesParser::new(super::names()))]
    name: String,
    #[command(flatten)]
    stack: StackOpts,
    #[command(flatten)]
    drill: DrillOpts,
    /// Also exit 1 when a drill misses a target.
    #[arg(long)]
    strict: bool,
}

pub async fn command(args: DrillArgs) -> anyhow::Result<ExitCode> {
    let drills = super::select(&args.name);
    let needs = drills
        .iter()
        .fold(Needs::default(), |n, d| n.union(d.needs()));
    let s = Stack::up(&args.stack, needs).await?;
    // Ctrl-C still tears the stack down (no orphaned replicas, nginx or Postgres).
    let result = tokio::select! {
        r = run_all(&s, &drills, &args.drill) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    s.down().await;
    let (integrity_ok, targets_ok) = result?;
    Ok(if !integrity_ok || (args.strict && !targets_ok) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs the drills one after another on one stack; returns (integrity ok, every target met).
pub async fn run_all(
    s: &Stack,
    drills: &[&dyn Drill],
    opts: &DrillOpts,
) -> anyhow::Result<(bool, bool)> {
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&s.sql_url)
        .await?;
    let fonts = report::init_fonts().await;
    let stamp = time::OffsetDateTime::now_utc().format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour][minute][second]Z"
    ))?;
    let mut scores = Vec::new();
    let (mut integrity_ok, mut targets_ok) = (true, true);
    for &drill in drills {
        let (r, acks) = super::run(s, &db, drill, opts).await?;
        let dir = report::write(&opts.reports, &stamp, &r, &acks, fonts)?;
        print(&r, &dir);
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

/// One drill's verdict: score, targets, failed integrity checks, figures, odd statuses.
fn print(r: &DrillResult, dir: &std::path::Path) {
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
}
