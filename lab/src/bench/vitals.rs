//! The storefront's Core Web Vitals: LCP and CLS of the home, catalog and product pages in
//! Debian's Chromium under mobile emulation (Slow 4G: 1.6 Mbps, 150 ms RTT; 4× CPU slowdown),
//! with the release server serving frontend/dist the `make run` way
//! (`node frontend/e2e/vitals.mjs`, which prints its own lines); then Lighthouse's scores of the
//! same pages against their targets (`node frontend/e2e/lighthouse.mjs`, reports kept in
//! frontend/e2e/artifacts/lighthouse).
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tokio::process::Command;

use super::server::Ecomm;
use super::Bench;

const FRONTEND: &str = "frontend";

pub async fn run(b: &Bench, shop: &Ecomm) -> anyhow::Result<()> {
    crate::apt::ensure_installed(&[("chromium", "/usr/bin/chromium")]).await?;
    let dist = dist().await?;
    let server = shop
        .serve(
            &["--static-dir", &dist.display().to_string()],
            &b.work.join("storefront.log"),
        )
        .await?;
    println!();
    println!("== storefront: node frontend/e2e/vitals.mjs (Chromium, mobile, Slow 4G, CPU x4) ==");
    let ok = Command::new("node")
        .arg(Path::new(FRONTEND).join("e2e/vitals.mjs"))
        .env("VITALS_URL", &server.url)
        .env("VITALS_RUNS", b.o.vitals_runs.to_string())
        .status()
        .await
        .is_ok_and(|s| s.success());
    if !ok {
        println!("storefront vitals: the browser run failed (see above)");
    }
    println!();
    println!("== storefront: node frontend/e2e/lighthouse.mjs (Lighthouse 12, mobile) ==");
    let met = Command::new("node")
        .arg(Path::new(FRONTEND).join("e2e/lighthouse.mjs"))
        .env("LH_URL", &server.url)
        .env("LH_MODE", "full")
        .env(
            "LH_REPORTS",
            Path::new(FRONTEND).join("e2e/artifacts/lighthouse"),
        )
        .status()
        .await
        .is_ok_and(|s| s.success());
    if !met {
        println!("lighthouse: a page missed its targets or the run failed (see above)");
    }
    server.stop().await;
    Ok(())
}

/// frontend/dist, built when missing or stale (after the frontend's own `npm ci` step).
pub async fn dist() -> anyhow::Result<PathBuf> {
    let deps = Command::new("bash")
        .args(["-c", ". scripts/ensure-deps.sh"])
        .current_dir(FRONTEND)
        .status()
        .await?;
    anyhow::ensure!(deps.success(), "frontend: npm ci failed");
    if stale(Path::new(FRONTEND)) {
        let build = Command::new("npm")
            .args(["run", "build", "--silent"])
            .current_dir(FRONTEND)
            .stdout(std::process::Stdio::null())
            .status()
            .await?;
        anyhow::ensure!(build.success(), "frontend: npm run build failed");
    }
    Ok(Path::new(FRONTEND).join("dist"))
}

/// frontend/dist is missing or older than a source it is built from.
fn stale(frontend: &Path) -> bool {
    let Some(built) = mtime(&frontend.join("dist/index.html")) else {
        return true;
    };
    ["src", "public", "index.html", "package.json"]
        .iter()
        .any(|p| newer_than(&frontend.join(p), built))
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).ok()?.modified().ok()
}

fn newer_than(p: &Path, t: SystemTime) -> bool {
    if mtime(p).is_some_and(|m| m > t) {
        return true;
    }
    std::fs::read_dir(p).is_ok_and(|entries| entries.flatten().any(|e| newer_than(&e.path(), t)))
}
