//! Browser hardening headers. The SPA served by the backend gets the same policy as
//! frontend/nginx.conf; every response over TLS gets HSTS.
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;

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
