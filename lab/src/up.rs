//! `ecomm-lab up`: the stack, left running for a person to click through (Ctrl-C stops it).
use std::process::ExitCode;

use clap::Args;

use crate::stack::{Needs, Stack, StackOpts};

#[derive(Args)]
pub struct UpArgs {
    #[command(flatten)]
    stack: StackOpts,
}

pub async fn command(args: UpArgs) -> anyhow::Result<ExitCode> {
    let s = Stack::up(&args.stack, Needs::default()).await?;
    println!("shop:      {}", s.lb);
    println!("database:  {}", s.db_url);
    if let Some(pb) = &s.pgbouncer {
        println!("pgbouncer: 127.0.0.1:{} (the replicas' endpoint)", pb.port);
    }
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
