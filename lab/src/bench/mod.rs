//! `ecomm-lab bench checkout|catalog|seo|vitals|million|all`: the backend on Postgres with the
//! 10,000-product catalog, measured against baselines taken in the same run on the same machine:
//!   catalog  — wrk on a catalog page (and a product by id) vs nginx serving the same bytes as a
//!              file; a mix of ≥ 300 distinct catalog queries (cold, then under load); every letter
//!              a–z on SQLite; the index build; start to ready; RSS after the load
//!   checkout — the checkout load vs pgbench TPC-B on the same cluster at the same concurrency
//!              (32): ratio ≥ 0.5, p99 ≤ 50 ms; `--orders N` adds the volume run (target ≤ 120 s)
//!              and the reconciliation by SQL
//!   seo      — the server-rendered product page's HTML (p99 on one connection, beside the catalog
//!              API page) and the sitemaps vs nginx serving the same bytes (`--million` adds 1M)
//!   vitals   — LCP and CLS of the storefront (`node frontend/e2e/vitals.mjs`), then Lighthouse's
//!              scores of its pages against their targets (`node frontend/e2e/lighthouse.mjs`)
//!   million  — the 1,000,000-product catalog alone (`--million` adds it to catalog and all)
//!   all      — catalog, checkout, then seo and vitals (unless `--storefront false`)
//! Every option also reads the environment variable `scripts/bench.sh` and the docs name (a switch
//! is on unless its variable is empty, 0, false, no or off).
mod catalog;
mod checkout;
mod mix;
mod seo;
mod server;
mod table;
mod vitals;
mod wrk;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{BoolishValueParser, FalseyValueParser};
use clap::{ArgAction, Args, ValueEnum};
use sqlx::Connection;

use crate::stack::postgres::TempPg;
use server::Ecomm;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    Checkout,
    Catalog,
    Seo,
    Vitals,
    Million,
    All,
}

#[derive(Args)]
pub struct BenchArgs {
    what: What,
    #[command(flatten)]
    opts: BenchOpts,
}

#[derive(Args)]
pub struct BenchOpts {
    /// Seconds of each timed run.
    #[arg(long, env = "BENCH_SECONDS", default_value_t = 10)]
    seconds: u64,
    /// Add the volume run of this many orders and its reconciliation (0: none).
    #[arg(long, env = "BENCH_ORDERS", default_value_t = 0)]
    orders: u64,
    /// CPU per process (pidstat, % of one core) over the checkout run.
    #[arg(long, env = "BENCH_PIDSTAT", value_parser = FalseyValueParser::new())]
    pidstat: bool,
    /// Add the 1,000,000-product catalog to `catalog` and `all`.
    #[arg(long, env = "BENCH_1M", value_parser = FalseyValueParser::new())]
    million: bool,
    /// Measure the 1,000,000 products on this database, seeded beforehand (`ecomm migrate && ecomm
    /// seed --products 1000000 --images none`), instead of seeding one.
    #[arg(long, env = "BENCH_1M_DB")]
    million_db: Option<String>,
    /// `all` ends with the storefront (seo, vitals and Lighthouse); false skips it.
    #[arg(long, env = "BENCH_STOREFRONT", default_value = "true", action = ArgAction::Set,
          value_parser = BoolishValueParser::new())]
    storefront: bool,
    /// Page loads per page in the storefront vitals (the median is reported).
    #[arg(long, env = "VITALS_RUNS", default_value_t = 3)]
    vitals_runs: u32,
    /// The `ecomm` binary (default: target/release/ecomm, else target/debug/ecomm).
    #[arg(long, env = "ECOMM_BIN")]
    ecomm_bin: Option<PathBuf>,
}

/// One benchmark run: its options, the server binary, a work directory and a Postgres cluster,
/// all removed at the end.
pub struct Bench {
    o: BenchOpts,
    bin: PathBuf,
    work: PathBuf,
    pg: TempPg,
    /// The 10,000-product shop's database.
    shop_url: String,
    /// The 1,000,000-product database, once a part seeded it.
    million_url: std::sync::OnceLock<String>,
}

pub async fn command(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let what = args.what;
    let catalog = matches!(what, What::Catalog | What::All);
    let checkout = matches!(what, What::Checkout | What::All);
    let vitals = what == What::Vitals || (what == What::All && args.opts.storefront);
    let seo = what == What::Seo || (what == What::All && args.opts.storefront);
    let mut tools = vec![];
    if catalog || seo {
        tools.extend([("wrk", "/usr/bin/wrk"), ("nginx", "/usr/sbin/nginx")]);
    }
    crate::apt::ensure_installed(&tools).await?;
    let b = Bench::start(args.opts).await?;
    let run = async {
        if what == What::Million {
            let m = catalog::million(&b).await?;
            table::machine();
            table::million_only(&m);
            return Ok(());
        }
        let shop = b.seed_shop().await?;
        let mut report = table::Report::default();
        if catalog || checkout {
            let server = shop.serve(&[], &b.work.join("backend.log")).await?;
            report.ready_ms = Some(server.ready_ms);
            if catalog {
                report.catalog = Some(catalog::run(&b, &server).await?);
            }
            if checkout {
                report.checkout = Some(checkout::run(&b, &server).await?);
            }
            report.peak_mib = server.peak_mib()?;
            if catalog && b.o.million {
                report.million = Some(catalog::million(&b).await?);
            }
            report.rss_mib = server.rss_mib()?;
            table::machine();
            report.print(b.o.orders);
            server.stop().await;
        }
        if seo {
            seo::run(&b, &shop).await?;
        }
        if vitals {
            vitals::run(&b, &shop).await?;
        }
        anyhow::Ok(())
    };
    // Ctrl-C still stops the servers (dropped with the run), Postgres and the work directory.
    let result = tokio::select! {
        r = run => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    b.pg.stop().await;
    let _ = std::fs::remove_dir_all(&b.work);
    result?;
    Ok(ExitCode::SUCCESS)
}

impl Bench {
    async fn start(o: BenchOpts) -> anyhow::Result<Bench> {
        let bin = std::path::absolute(crate::stack::find_ecomm(&o.ecomm_bin)?)?;
        let work = std::env::temp_dir().join(format!("ecomm-bench-{}", std::process::id()));
        std::fs::create_dir_all(&work)?;
        // nginx's workers and the postgres user read below it.
        std::fs::set_permissions(&work, std::fs::Permissions::from_mode(0o755))?;
        let pg = TempPg::start(&work.join("pg")).await?;
        let shop_url = db_url(&pg.url(), "shop");
        Ok(Bench {
            o,
            bin,
            work,
            pg,
            shop_url,
            million_url: std::sync::OnceLock::new(),
        })
    }

    /// A new database on the bench's cluster; its URL.
    async fn create_db(&self, name: &str) -> anyhow::Result<String> {
        let mut c = sqlx::PgConnection::connect(&self.pg.url()).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await?;
        Ok(db_url(&self.pg.url(), name))
    }

    /// A PostgreSQL client program of the cluster's own version.
    fn pg_tool(&self, name: &str) -> PathBuf {
        let own = self.pg.bin_dir().join(name);
        if own.exists() {
            own
        } else {
            PathBuf::from(name)
        }
    }

    /// The shop: migrated, 10,000 products with images, the shoppers' 200 products stocked so
    /// none runs out.
    async fn seed_shop(&self) -> anyhow::Result<Ecomm> {
        self.create_db("shop").await?;
        let media = format!("file://{}", self.work.join("media").display());
        let shop = Ecomm::new(&self.bin, &self.shop_url, &media);
        shop.run(&["migrate"], false).await?;
        shop.run(&["seed", "--products", "10000"], true).await?;
        let mut c = sqlx::PgConnection::connect(&self.shop_url).await?;
        sqlx::query("UPDATE products SET available = 1000000 WHERE id <= $1")
            .bind(checkout::PRODUCTS)
            .execute(&mut c)
            .await?;
        Ok(shop)
    }
}

/// The URL of database `name` on the cluster of `url`.
fn db_url(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    format!("{base}/{name}")
}
