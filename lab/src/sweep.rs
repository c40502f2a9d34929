//! `ecomm-lab sweep --rates 500,1000,2000`: kill-half at each rate in turn on one stack; the
//! highest constant arrival rate that still meets every target.
use std::process::ExitCode;

use clap::Args;

use crate::drill::{self, Drill, DrillOpts, KillHalf};
use crate::stack::{Stack, StackOpts};

#[derive(Args)]
pub struct SweepArgs {
    /// Arrival rates (requests/s), e.g. 500,1000,2000.
    #[arg(long, value_delimiter = ',', required = true)]
    rates: Vec<f64>,
    #[command(flatten)]
    stack: StackOpts,
    #[command(flatten)]
    drill: DrillOpts,
}

pub async fn command(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let s = Stack::up(&args.stack, KillHalf.needs()).await?;
    let result = tokio::select! {
        r = sweep(&s, &args.rates, &args.drill) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    s.down().await;
    Ok(if result? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn sweep(s: &Stack, rates: &[f64], opts: &DrillOpts) -> anyhow::Result<bool> {
    let mut best = None;
    let mut ok_all = true;
    for &rate in rates {
        let o = DrillOpts {
            rate,
            ..opts.clone()
        };
        let (integrity_ok, targets_ok) = drill::run_all(s, &[&KillHalf], &o).await?;
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
