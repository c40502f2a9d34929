//! Logs, traces and metrics: JSON logs with request and trace ids, OTLP traces with X-Ray ids when an
//! endpoint is configured, Prometheus metrics, and a per-replica rolling window for the ops dashboard.
use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use opentelemetry::trace::TracerProvider as _;
use serde::Serialize;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;
use utoipa::ToSchema;

use crate::domain::{OrderStatus, Word};
use crate::state::AppState;

/// Installs the global subscriber. Returns the tracer provider so it can be flushed at shutdown.
pub fn init_tracing(
    json: bool,
    otlp_endpoint: Option<&str>,
) -> anyhow::Result<Option<opentelemetry_sdk::trace::SdkTracerProvider>> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let provider = match otlp_endpoint {
        Some(endpoint) => {
            use opentelemetry_otlp::WithExportConfig;
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build()?;
            let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_id_generator(opentelemetry_aws::trace::XrayIdGenerator::default())
                .with_resource(
                    opentelemetry_sdk::Resource::builder()
                        .with_service_name("ecomm-backend")
                        .build(),
                )
                .build();
            opentelemetry::global::set_text_map_propagator(
                opentelemetry_aws::trace::XrayPropagator::default(),
            );
            opentelemetry::global::set_tracer_provider(provider.clone());
            Some(provider)
        }
        None => None,
    };
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("ecomm")));
    tracing_subscriber::registry()
        .with(filter)
        .with(otel)
        .with(json.then(|| {
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
        }))
        .with((!json).then(tracing_subscriber::fmt::layer))
        .try_init()?;
    Ok(provider)
}

/// The process-wide Prometheus recorder (installed once, shared by every app in a test process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            )
            .expect("valid buckets")
            .build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Per-request metrics by matched route (not raw path, which would explode label cardinality).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = std::time::Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let elapsed = start.elapsed();
    let status = res.status().as_u16();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.to_string()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    state.ops.record_request(elapsed, status);
    res
}

#[derive(Default)]
struct Bucket {
    sec: u64,
    requests: u64,
    errors: u64,
    orders: u64,
    inventory: u64,
    latencies_us: Vec<u32>,
}

const WINDOW_SECS: u64 = 60;
const SAMPLES_PER_SEC: usize = 4096;

/// The last minute of this replica, one bucket a second.
#[derive(Default)]
pub struct OpsWindow {
    buckets: Mutex<VecDeque<Bucket>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpsSummary {
    pub generated_at: String,
    pub window_seconds: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub error_rate: f64,
    pub orders_per_minute: u64,
    pub inventory_updates_per_minute: u64,
}

fn epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl OpsWindow {
    fn with_current(&self, f: impl FnOnce(&mut Bucket)) {
        let now = epoch_secs();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.back().is_none_or(|b| b.sec != now) {
            buckets.push_back(Bucket {
                sec: now,
                ..Default::default()
            });
        }
        while buckets.front().is_some_and(|b| b.sec + WINDOW_SECS <= now) {
            buckets.pop_front();
        }
        f(buckets.back_mut().expect("just pushed"));
    }

    pub fn record_request(&self, elapsed: Duration, status: u16) {
        self.with_current(|b| {
            b.requests += 1;
            if status >= 500 {
                b.errors += 1;
            }
            if b.latencies_us.len() < SAMPLES_PER_SEC {
                b.latencies_us
                    .push(elapsed.as_micros().min(u128::from(u32::MAX)) as u32);
            }
        });
    }

    pub fn record_order(&self, status: OrderStatus) {
        metrics::counter!("ecomm_orders_total", "status" => status.as_str()).increment(1);
        if status == OrderStatus::Paid {
            self.with_current(|b| b.orders += 1);
        }
    }

    /// One update per stock row changed (a checkout line, a cancellation line, an admin set).
    pub fn record_inventory_updates(&self, n: u64) {
        metrics::counter!("ecomm_inventory_updates_total").increment(n);
        self.with_current(|b| b.inventory += n);
    }

    pub fn summary(&self) -> OpsSummary {
        let now = epoch_secs();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let live: Vec<&Bucket> = buckets
            .iter()
            .filter(|b| b.sec + WINDOW_SECS > now)
            .collect();
        let span = live
            .first()
            .map(|b| (now - b.sec + 1).min(WINDOW_SECS))
            .unwrap_or(1)
            .max(1);
        let requests: u64 = live.iter().map(|b| b.requests).sum();
        let errors: u64 = live.iter().map(|b| b.errors).sum();
        let mut lat: Vec<u32> = live
            .iter()
            .flat_map(|b| b.latencies_us.iter().copied())
            .collect();
        lat.sort_unstable();
        let pct = |p: f64| -> f64 {
            if lat.is_empty() {
                0.0
            } else {
                f64::from(lat[((lat.len() - 1) as f64 * p).round() as usize]) / 1000.0
            }
        };
        OpsSummary {
            generated_at: crate::state::rfc3339(crate::state::now_ms()),
            window_seconds: span,
            requests_per_second: requests as f64 / span as f64,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            error_rate: if requests == 0 {
                0.0
            } else {
                errors as f64 / requests as f64
            },
            orders_per_minute: live.iter().map(|b| b.orders).sum(),
            inventory_updates_per_minute: live.iter().map(|b| b.inventory).sum(),
        }
    }
}

/// The request span: request id always, trace id when tracing is exported (continuing an incoming
/// X-Ray or W3C trace header).
pub fn make_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let span = tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id, trace_id = tracing::field::Empty);
    let parent = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&HeaderExtractor(req.headers()))
    });
    span.set_parent(parent);
    let trace_id = {
        use opentelemetry::trace::TraceContextExt;
        span.context().span().span_context().trace_id()
    };
    if trace_id != opentelemetry::trace::TraceId::INVALID {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    span
}

struct HeaderExtractor<'a>(&'a axum::http::HeaderMap);

impl opentelemetry::propagation::Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reports_percentiles_errors_and_business_counts() {
        let w = OpsWindow::default();
        for ms in 1..=100 {
            w.record_request(
                Duration::from_millis(ms),
                if ms % 10 == 0 { 500 } else { 200 },
            );
        }
        w.record_order(OrderStatus::Paid);
        w.record_order(OrderStatus::Cancelled);
        w.record_inventory_updates(1);
        let s = w.summary();
        assert!((s.p50_ms - 50.0).abs() <= 1.0, "{}", s.p50_ms);
        assert!((s.p99_ms - 99.0).abs() <= 1.0, "{}", s.p99_ms);
        assert!((s.error_rate - 0.1).abs() < 1e-9);
        assert_eq!(s.orders_per_minute, 1);
        assert_eq!(s.inventory_updates_per_minute, 1);
    }

    #[test]
    fn request_spans_carry_xray_ids_and_continue_an_incoming_xray_trace() {
        use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .with_id_generator(opentelemetry_aws::trace::XrayIdGenerator::default())
            .build();
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_aws::trace::XrayPropagator::default(),
        );
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let req = |h: Option<&str>| {
                let mut b = axum::http::Request::builder().uri("/api/products");
                if let Some(h) = h {
                    b = b.header("x-amzn-trace-id", h);
                }
                b.body(axum::body::Body::empty()).unwrap()
            };
            drop(make_span(&req(Some(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            ))));
            drop(make_span(&req(None)));
        });
        let _ = provider.force_flush();
        let spans = exporter.get_finished_spans().unwrap();
        assert_eq!(spans.len(), 2);
        let continued = spans[0].span_context.trace_id().to_string();
        assert_eq!(
            continued, "5759e988bd862e3fe1be46a994272793",
            "the incoming X-Ray trace is continued"
        );
        // A fresh X-Ray trace id starts with the epoch seconds, so X-Ray accepts it.
        let fresh = spans[1].span_context.trace_id().to_string();
        let secs = u64::from_str_radix(&fresh[..8], 16).unwrap();
        assert!(secs.abs_diff(epoch_secs()) < 600, "{fresh}");
    }
}
