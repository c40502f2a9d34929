//! Logs and traces: JSON or pretty logs with request and trace ids; OTLP traces with X-Ray ids
//! when an endpoint is configured.
use opentelemetry::trace::TracerProvider as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

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
    use crate::sys::clock::epoch_secs;

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
