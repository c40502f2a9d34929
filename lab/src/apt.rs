//! The programs the lab drives (nginx, wrk, ab, Chromium, pidstat) and the charts' font, installed
//! with apt on a fresh Debian machine when missing, as the project's scripts do.
use std::path::Path;
use std::process::Stdio;

use anyhow::bail;
use tokio::process::Command;

/// Installs each `(package, file it provides)` whose file is missing.
pub async fn ensure_installed(packages: &[(&str, &str)]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, probe)| !Path::new(probe).exists())
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("lab: apt-get install {}", missing.join(" "));
    let install = || {
        let mut c = Command::new("apt-get");
        c.args(["install", "-y", "-q"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null());
        c
    };
    if install().status().await?.success() {
        return Ok(());
    }
    Command::new("apt-get")
        .args(["update", "-q"])
        .stdout(Stdio::null())
        .status()
        .await?;
    if !install().status().await?.success() {
        bail!("apt-get install {} failed", missing.join(" "));
    }
    Ok(())
}
