//! The summary `make bench` prints: the catalog table (measure, ecomm, target, baseline, ratio),
//! then the checkout table with start-to-ready and memory, each under the machine's CPU.
use super::catalog::{Catalog, Million};
use super::checkout::Checkout;

#[derive(Default)]
pub struct Report {
    pub ready_ms: Option<u128>,
    pub catalog: Option<Catalog>,
    pub checkout: Option<Checkout>,
    pub million: Option<Million>,
    /// Backend memory now (after everything) and at its peak (after the checkouts), MiB.
    pub rss_mib: u64,
    pub peak_mib: u64,
}

/// The CPU the figures were taken on: `/proc/cpuinfo`'s model name and the cores available.
pub fn machine() {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                Some(
                    l.strip_prefix("model name")?
                        .split_once(':')?
                        .1
                        .trim()
                        .to_owned(),
                )
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    println!("\nmachine: {model}, {cores} cores");
}

fn row4(measure: &str, ecomm: impl ToString, target: &str, baseline: impl ToString) {
    println!(
        "{measure:<42} {:>12} {target:>12} {:>14}",
        ecomm.to_string(),
        baseline.to_string()
    );
}

pub(super) fn row5(measure: &str, ecomm: f64, target: &str, baseline: f64) {
    println!(
        "{measure:<42} {ecomm:>12.2} {target:>12} {baseline:>14.2} {:>8.2}",
        ecomm / baseline
    );
}

fn row2(measure: &str, value: impl ToString) {
    println!("{measure:<34} {:>14}", value.to_string());
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("?".into(), |v| v.to_string())
}

impl Report {
    pub fn print(&self, orders: u64) {
        if let Some(c) = &self.catalog {
            println!(
                "\n{:<42} {:>12} {:>12} {:>14} {:>8}",
                "measure", "ecomm", "target", "baseline", "ratio"
            );
            let ((pb, pa), (qb, qa)) = (&c.page, &c.product);
            row5(
                "catalog page req/s (vs nginx file)",
                pa.rps(),
                "≥0.5×",
                pb.rps(),
            );
            row5(
                "catalog page p99 ms, 100 conns",
                pa.p99_ms(),
                "≤20",
                pb.p99_ms(),
            );
            row5(
                "product by id req/s (vs nginx file)",
                qa.rps(),
                "≥0.5×",
                qb.rps(),
            );
            let m = &c.mix;
            row4("query mix 10k: queries", m.queries, "≥300", "-");
            row4(
                "query mix 10k: cold p99 ms (each once)",
                format!("{:.2}", m.cold_p99_ms),
                "≤50",
                "-",
            );
            row4(
                "query mix 10k: worst single query ms",
                format!("{:.2}", m.worst_ms),
                "≤50",
                "-",
            );
            row4(
                "query mix 10k: p99 ms, 16 conns",
                format!("{:.2}", m.load_p99_ms),
                "≤50",
                format!("{:.0} req/s", m.load_rps),
            );
            row4(
                "slowest letter a–z, SQLite 10k, ms",
                format!("{:.2}", c.letters_max_ms),
                "≤200",
                "9300–17900 before",
            );
            row4("index build 10k ms", opt(c.index_ms), "≤1000", "-");
            if let Some(m) = &self.million {
                million_rows(m);
            }
        }
        println!(
            "\n{:<34} {:>14} {:>14} {:>10}",
            "measure", "ecomm", "baseline", "ratio"
        );
        if let Some(co) = &self.checkout {
            checkout_rows(co, orders);
        }
        if let Some(ms) = self.ready_ms {
            row2("ready after start (ms, target 1000)", ms);
        }
        if let Some(c) = &self.catalog {
            row2("backend RSS after catalog load (MiB, target 64)", c.rss_mib);
        }
        row2(
            "backend RSS now / peak (MiB)",
            format!("{} / {}", self.rss_mib, self.peak_mib),
        );
        if let Some(c) = &self.catalog {
            let errors: Vec<&str> = c.page.1.errors();
            if !errors.is_empty() {
                println!("catalog errors: {}", errors.join(" "));
            }
        }
    }
}

fn checkout_rows(co: &Checkout, orders: u64) {
    let r = &co.run;
    println!(
        "{:<34} {:>14.0} {:>14.2} {:>10.2}",
        "checkouts/s (vs TPC-B; target 0.5)",
        r.per_sec(),
        co.tpcb,
        r.per_sec() / co.tpcb
    );
    row2("checkout p99 ms (target 50)", format!("{:.1}", r.ms(0.99)));
    row2("checkout run", r);
    if let Some(cpu) = &co.cpu {
        for (cmd, pct) in cpu.iter().filter(|c| *c.1 >= 5.0) {
            println!(
                "{:<34} {pct:>13.1}%",
                format!("CPU during checkouts: {cmd}")
            );
        }
    }
    if let Some((vol, integrity)) = &co.volume {
        row2(
            &format!("{orders} orders, s (target 120)"),
            format!("{:.1}", vol.seconds),
        );
        row2("volume run", vol);
        row2("acknowledged orders", vol.acks.len());
        println!("reconciliation by SQL, each 0:");
        for c in &integrity.checks {
            println!("  {:<52} {:>8}", c.name, c.bad);
        }
    }
}

fn million_rows(m: &Million) {
    let seed = m.seed_s.map_or("(reused)".into(), |s| s.to_string());
    row4("seed 1M --images none, s", seed, "≤120", "-");
    row4(
        &format!("index build 1M ms (start to ready {})", m.ready_ms),
        opt(m.index_ms),
        "≤60000",
        "-",
    );
    row4(
        "query mix 1M: cold p99 ms (each once)",
        format!("{:.2}", m.mix.cold_p99_ms),
        "≤50",
        "-",
    );
    row4(
        "query mix 1M: worst single query ms",
        format!("{:.2}", m.mix.worst_ms),
        "≤50",
        "-",
    );
    row4(
        "query mix 1M: p99 ms, 16 conns",
        format!("{:.2}", m.mix.load_p99_ms),
        "≤50",
        format!("{:.0} req/s", m.mix.load_rps),
    );
    row4(
        "backend RSS 1M MiB, ready / after load",
        format!("{} / {}", m.rss_ready_mib, m.rss_mib),
        "report",
        "-",
    );
}

/// `bench million`: its rows under the catalog table's header.
pub fn million_only(m: &Million) {
    println!(
        "\n{:<42} {:>12} {:>12} {:>14}",
        "measure", "ecomm", "target", "baseline"
    );
    million_rows(m);
}
