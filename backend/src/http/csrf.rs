//! Cross-site request refusal. SameSite=Lax and the JSON content type left gaps (logout took any
//! body, image upload is multipart, which a plain HTML form can send). Browsers say where a request
//! comes from (Sec-Fetch-Site, Origin), so an unsafe method from another site is refused outright.
//! Clients that send neither header (curl, the tests, the load generator) are not browsers and
//! carry no ambient cookies of a victim, so they pass.
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;

pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if is_safe(req.method()) || !is_cross_site(req.headers(), req.uri().host()) {
        return next.run(req).await;
    }
    metrics::counter!("ecomm_cross_site_refused_total").increment(1);
    ApiError::Forbidden.into_response()
}

fn is_safe(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Ports are not a cookie boundary, so same host name on another port counts as ours (nginx
/// forwards `Host: $host` without the port).
pub fn is_cross_site(headers: &HeaderMap, uri_host: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let own = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or(uri_host)
        .map(host_name);
    let theirs = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, authority)| host_name(authority));
    match (own, theirs) {
        (Some(own), Some(theirs)) => !own.eq_ignore_ascii_case(theirs),
        // `Origin: null` (sandboxed frames, some redirects) or no Host: not provably ours.
        _ => true,
    }
}

fn host_name(authority: &str) -> &str {
    let authority = authority.trim_end_matches('/');
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn same_origin_browsers_and_headerless_clients_pass() {
        assert!(!is_cross_site(
            &h(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(!is_cross_site(
            &h(&[
                ("host", "shop.example:8080"),
                ("origin", "https://shop.example")
            ]),
            None
        ));
        assert!(!is_cross_site(
            &h(&[("host", "[::1]:80"), ("origin", "http://[::1]:5173")]),
            None
        ));
        assert!(!is_cross_site(&h(&[]), None));
    }

    #[test]
    fn other_sites_and_null_origins_are_refused() {
        assert!(is_cross_site(&h(&[("sec-fetch-site", "cross-site")]), None));
        assert!(is_cross_site(&h(&[("sec-fetch-site", "same-site")]), None));
        assert!(is_cross_site(
            &h(&[("host", "shop.example"), ("origin", "https://evil.example")]),
            None
        ));
        assert!(is_cross_site(
            &h(&[("host", "shop.example"), ("origin", "null")]),
            None
        ));
    }
}
