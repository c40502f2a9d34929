//! `ecomm-lab pg start DIR` / `ecomm-lab pg stop DIR`: the lab's temporary PostgreSQL 15 cluster
//! for the test scripts. `start` prints its URL and leaves it running after the lab exits.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::stack::postgres::TempPg;

#[derive(Args)]
pub struct PgArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Start a cluster in DIR (initdb the first time) on a free port; prints
    /// postgres://postgres@127.0.0.1:PORT/postgres.
    Start { dir: PathBuf },
    /// Stop the cluster in DIR (nothing to do when none runs there).
    Stop { dir: PathBuf },
}

pub async fn command(args: PgArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Start { dir } => println!("{}", TempPg::start(&dir).await?.url()),
        Action::Stop { dir } => TempPg::stop_in(&dir).await?,
    }
    Ok(ExitCode::SUCCESS)
}
