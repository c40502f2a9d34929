//! The seed's literal load test, `ab -n 10000 -c 100`, against the load balancer.
use serde::Serialize;
use tokio::process::Command;

#[derive(Serialize, Clone, Default, Debug)]
pub struct AbResult {
    pub command: String,
    pub complete: u64,
    pub failed: u64,
    pub non_2xx: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub seconds: f64,
}

fn field(out: &str, label: &str) -> Option<f64> {
    out.lines()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l[l.find(label)? + label.len()..].split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

fn percentile(out: &str, p: &str) -> f64 {
    out.lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{p}%")))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

pub fn parse(command: &str, out: &str) -> AbResult {
    AbResult {
        command: command.into(),
        complete: field(out, "Complete requests:").unwrap_or(0.0) as u64,
        failed: field(out, "Failed requests:").unwrap_or(0.0) as u64,
        non_2xx: field(out, "Non-2xx responses:").unwrap_or(0.0) as u64,
        rps: field(out, "Requests per second:").unwrap_or(0.0),
        seconds: field(out, "Time taken for tests:").unwrap_or(0.0),
        p50_ms: percentile(out, "50"),
        p99_ms: percentile(out, "99"),
        max_ms: percentile(out, "100"),
    }
}

pub async fn run(url: &str, n: u64, c: u64) -> anyhow::Result<AbResult> {
    crate::apt::ensure_installed(&[("apache2-utils", "/usr/bin/ab")]).await?;
    let command = format!("ab -n {n} -c {c} {url}");
    // -s: per-request timeout; -r: keep going on socket errors (they are counted, not fatal).
    let out = Command::new("ab")
        .args([
            "-r",
            "-s",
            "30",
            "-n",
            &n.to_string(),
            "-c",
            &c.to_string(),
            url,
        ])
        .output()
        .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut r = parse(&command, &text);
    if r.complete == 0 {
        anyhow::bail!("ab failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    // ab counts a length change between responses as "failed": only exceptions and non-2xx count.
    r.failed = field(&text, "Failed requests:")
        .map(|_| exceptions(&text))
        .unwrap_or(0);
    Ok(r)
}

/// ab's "Failed requests" includes `Length:` differences (a catalog page's size varies with its
/// content); connect, receive and exception failures are the real ones.
fn exceptions(out: &str) -> u64 {
    out.lines()
        .find(|l| l.trim_start().starts_with("(Connect:"))
        .map(|l| {
            ["Connect:", "Receive:", "Exceptions:"]
                .iter()
                .filter_map(|k| {
                    l.split(k)
                        .nth(1)?
                        .trim_start()
                        .split(|c: char| !c.is_ascii_digit())
                        .next()?
                        .parse::<u64>()
                        .ok()
                })
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Complete requests:      10000\nFailed requests:        12\n   (Connect: 0, Receive: 0, Length: 10, Exceptions: 2)\nNon-2xx responses:      3\nRequests per second:    2345.67 [#/sec] (mean)\nTime taken for tests:   4.263 seconds\n  50%     40\n  99%    120\n 100%    900 (longest request)\n";

    #[test]
    fn ab_output_is_parsed_and_length_differences_are_not_failures() {
        let r = parse("ab", SAMPLE);
        assert_eq!(r.complete, 10000);
        assert_eq!(r.non_2xx, 3);
        assert_eq!(r.p99_ms, 120.0);
        assert_eq!(r.max_ms, 900.0);
        assert!((r.rps - 2345.67).abs() < 1e-6);
        assert_eq!(exceptions(SAMPLE), 2);
    }
}
