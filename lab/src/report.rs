//! `reports/<date>-<drill>/`: index.html, PNG charts (plotters, bitmap backend), summary.json and
//! the acknowledged orders (acks.jsonl) the reconciliation checked.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::load::shopper::Ack;
use crate::score::{DrillResult, Series};

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Registers DejaVu Sans for chart text (installed with fonts-dejavu-core when missing).
pub async fn init_fonts() -> bool {
    if !Path::new(FONT).exists() {
        let _ = crate::apt::ensure_installed(&[("fonts-dejavu-core", FONT)]).await;
    }
    match std::fs::read(FONT) {
        Ok(bytes) => {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
        }
        Err(_) => false,
    }
}

type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn frame<'a, 'b>(
    root: &'a DrawingArea<BitMapBackend<'b>, plotters::coord::Shift>,
    title: &str,
    x_max: f64,
    y_max: f64,
    y_label: &str,
) -> anyhow::Result<Chart<'a, 'b>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..x_max.max(1.0), 0f64..y_max.max(1.0) * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("seconds since load start")
        .y_desc(y_label)
        .draw()?;
    Ok(chart)
}

fn mark_fault(chart: &mut Chart<'_, '_>, r: &DrillResult, y_max: f64) -> anyhow::Result<()> {
    let end = if r.fault_end_s > r.fault_at_s {
        r.fault_end_s
    } else {
        r.fault_at_s + 0.3
    };
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(r.fault_at_s, 0.0), (end, y_max.max(1.0) * 1.1)],
            RGBColor(255, 120, 0).mix(0.2).filled(),
        )))?
        .label("fault")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 12, y + 5)],
                RGBColor(255, 120, 0).mix(0.4).filled(),
            )
        });
    Ok(())
}

fn line(
    chart: &mut Chart<'_, '_>,
    data: Vec<(f64, f64)>,
    color: RGBColor,
    label: &str,
) -> anyhow::Result<()> {
    chart
        .draw_series(LineSeries::new(data, color.stroke_width(2)))?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2)));
    Ok(())
}

fn per_sec<T: Copy + Into<f64>>(v: &[T]) -> Vec<(f64, f64)> {
    v.iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 0.5, (*x).into()))
        .collect()
}

fn charts(dir: &Path, r: &DrillResult) -> anyhow::Result<()> {
    let s: &Series = &r.series;
    let x_max = s.ok.len() as f64;
    let u64f = |v: &[u64]| v.iter().map(|x| *x as f64).collect::<Vec<f64>>();

    let path = dir.join("requests.png");
    let root = BitMapBackend::new(&path, (960, 360)).into_drawing_area();
    let total: Vec<f64> = (0..s.ok.len())
        .map(|i| (s.ok[i] + s.rejected[i] + s.failed[i]) as f64)
        .collect();
    let y = total.iter().cloned().fold(1.0, f64::max);
    let mut c = frame(
        &root,
        &format!("{}: requests/s by scheduled second", r.drill),
        x_max,
        y,
        "requests/s",
    )?;
    mark_fault(&mut c, r, y)?;
    line(&mut c, per_sec(&total), BLUE, "sent")?;
    line(&mut c, per_sec(&u64f(&s.ok)), GREEN, "ok")?;
    line(
        &mut c,
        per_sec(&u64f(&s.rejected)),
        RGBColor(120, 120, 120),
        "rejected (402/409/422)",
    )?;
    line(&mut c, per_sec(&u64f(&s.failed)), RED, "failed")?;
    c.configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    root.present()?;

    let path = dir.join("latency.png");
    let root = BitMapBackend::new(&path, (960, 360)).into_drawing_area();
    let y = s
        .p99_ms
        .iter()
        .chain(&s.checkout_p99_ms)
        .cloned()
        .fold(1.0, f64::max);
    let mut c = frame(
        &root,
        &format!("{}: latency from scheduled time", r.drill),
        x_max,
        y,
        "ms",
    )?;
    mark_fault(&mut c, r, y)?;
    line(&mut c, per_sec(&s.p50_ms), GREEN, "p50")?;
    line(&mut c, per_sec(&s.p99_ms), RED, "p99")?;
    line(
        &mut c,
        per_sec(&s.checkout_p99_ms),
        MAGENTA,
        "checkout p99 (with retries)",
    )?;
    c.configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    root.present()?;

    let path = dir.join("readiness.png");
    let root = BitMapBackend::new(&path, (960, 260)).into_drawing_area();
    let mut c = frame(
        &root,
        &format!("{}: ready replicas", r.drill),
        x_max,
        s.replicas as f64,
        "ready",
    )?;
    mark_fault(&mut c, r, s.replicas as f64)?;
    let mut steps = Vec::new();
    for w in s.ready.windows(2) {
        steps.push((w[0].0, w[0].1 as f64));
        steps.push((w[1].0, w[0].1 as f64));
    }
    line(&mut c, steps, BLUE, "ready replicas")?;
    root.present()?;
    Ok(())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn write(
    root: &Path,
    stamp: &str,
    r: &DrillResult,
    acks: &[Ack],
    fonts: bool,
) -> anyhow::Result<PathBuf> {
    let dir = root.join(format!("{stamp}-{}", r.drill));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("summary.json"), serde_json::to_string_pretty(r)?)?;
    let mut jl = String::new();
    for a in acks {
        jl += &serde_json::to_string(a)?;
        jl.push('\n');
    }
    std::fs::write(dir.join("acks.jsonl"), jl)?;
    let chart_note = match fonts.then(|| charts(&dir, r)) {
        Some(Ok(())) => String::new(),
        Some(Err(e)) => format!("<p>charts failed: {}</p>", esc(&e.to_string())),
        None => "<p>charts skipped: no font (apt-get install fonts-dejavu-core)</p>".into(),
    };
    let f = &r.figures;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><meta charset=utf-8><title>{d} drill</title>\
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto}}td,th{{padding:2px 10px;text-align:left}}.ok{{color:#070}}.bad{{color:#b00}}</style>\
<h1>Drill <code>{d}</code> — score {score:.2}</h1>\
<p>Rate {rate} req/s; fault at {fa:.1} s, ends {fe:.1} s. Runbook twin on EKS: \
<a href=\"../../docs/runbook.md#{rb}\">docs/runbook.md#{rb}</a>. Score definition: \
<a href=\"../../docs/resilience.md\">docs/resilience.md</a>.</p>",
        d = r.drill,
        score = r.score,
        rate = r.rate,
        fa = r.fault_at_s,
        fe = r.fault_end_s,
        rb = r.runbook
    );
    h += "<h2>Targets</h2><table>";
    for t in &r.targets {
        let _ = write!(
            h,
            "<tr><td class={c}>{m}</td><td>{n}</td><td>{v}</td></tr>",
            c = if t.ok { "ok" } else { "bad" },
            m = if t.ok { "✓" } else { "✗" },
            n = esc(&t.name),
            v = esc(&t.value)
        );
    }
    h += "</table><h2>Integrity (SQL + acknowledged orders)</h2><table>";
    for c in &r.integrity.checks {
        let _ = write!(
            h,
            "<tr><td class={k}>{m}</td><td>{n}</td><td>{v}</td></tr>",
            k = if c.ok { "ok" } else { "bad" },
            m = if c.ok { "✓" } else { "✗" },
            n = esc(c.name),
            v = esc(&c.detail)
        );
    }
    let _ = write!(
        h,
        "</table><h2>Figures</h2><table>\
<tr><td>requests</td><td>{} ok, {} rejected, {} failed ({:.0} req/s achieved)</td></tr>\
<tr><td>success from the fault on</td><td>{:.3}%</td></tr>\
<tr><td>checkouts</td><td>{} → 201, {} rejected, {} failed ({:.3}% in 201)</td></tr>\
<tr><td>client retries</td><td>{}</td></tr><tr><td>shed / timeouts</td><td>{} / {}</td></tr>\
<tr><td>latency p50 / p99 / max</td><td>{:.1} / {:.1} / {:.1} ms</td></tr>\
<tr><td>checkout p99 (incl. retries)</td><td>{:.1} ms</td></tr>\
<tr><td>full strength after</td><td>{}</td></tr><tr><td>degraded window</td><td>{:.0} s (checkouts {:.0} s){}</td></tr>\
<tr><td>slowest readiness probe of a live replica</td><td>{:.0} ms</td></tr></table>",
        f.requests.ok, f.requests.rejected, f.requests.failed, f.achieved_rps,
        f.success_under_fault * 100.0,
        f.checkouts.ok, f.checkouts.rejected, f.checkouts.failed, f.checkout_201_ratio * 100.0,
        f.client_retries, f.shed, f.timeouts, f.p50_ms, f.p99_ms, f.max_ms, f.checkout_p99_ms,
        f.full_strength_s.map_or("—".into(), |s| format!("{s:.1} s")),
        f.degraded_s, f.checkout_degraded_s,
        if f.recovered { "" } else { " — still degraded when the window ended" },
        f.readiness_max_ms
    );
    h += "<h2>Final status by request kind</h2><table>";
    for (kind, statuses) in &f.statuses {
        let list: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        let _ = write!(h, "<tr><td>{kind}</td><td>{}</td></tr>", list.join(", "));
    }
    h += "</table>";
    if let Some(ab) = &r.ab {
        let _ = write!(h, "<h2>{}</h2><p>{} complete, {} failed, {} non-2xx, {:.0} req/s, p50 {} ms, p99 {} ms, max {} ms</p>",
            esc(&ab.command), ab.complete, ab.failed, ab.non_2xx, ab.rps, ab.p50_ms, ab.p99_ms, ab.max_ms);
    }
    h += &chart_note;
    h += "<h2>Charts</h2><img src=requests.png><img src=latency.png><img src=readiness.png><h2>Timeline</h2><ul>";
    for (t, e) in &r.events {
        let _ = write!(h, "<li>{t:.1} s — {}</li>", esc(e));
    }
    h += "</ul><p>Raw: <a href=summary.json>summary.json</a>, <a href=acks.jsonl>acknowledged orders</a>.</p>";
    std::fs::write(dir.join("index.html"), h)?;
    Ok(dir)
}
