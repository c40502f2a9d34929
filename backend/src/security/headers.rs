//! Browser hardening headers. The SPA served by the backend gets the same policy as
//! frontend/nginx.conf; every response over TLS gets HSTS.
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;

use crate::session::ClientInfo;
use crate::state::AppState;

/// Keep in step with frontend/nginx.conf (a test compares them).
pub const CSP: &str = "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

const SPA: [(&str, &str); 5] = [
    ("content-security-policy", CSP),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    ("x-content-type-options", "nosniff"),
];

/// Adds the storefront policy to an SPA response.
pub fn spa(res: &mut Response) {
    for (name, value) in SPA {
        res.headers_mut()
            .entry(HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    }
}

/// Resolves who the client is once per request and adds HSTS when the request came over TLS.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let info = ClientInfo::resolve(&state.security, peer, req.headers());
    req.extensions_mut().insert(info);
    let mut res = next.run(req).await;
    if info.https {
        res.headers_mut().insert(
            HeaderName::from_static("strict-transport-security"),
            HeaderValue::from_static(HSTS),
        );
    }
    res
}
