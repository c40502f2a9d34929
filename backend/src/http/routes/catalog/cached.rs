//! Catalog responses from the replica's page cache: ETags, 304s, shared-cache headers, and the live
//! stock counts written into the cached bytes (see `catalog::cache`).
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

use super::ProductDto;
use crate::catalog::cache::{digest, Page, STOCK_MARK};
use crate::catalog::CatalogProduct;
use crate::http::error::{ApiError, ApiResult};
use crate::http::AppState;

/// Shared caches may keep a page 5 s and serve it stale while revalidating for 30 s more.
const CACHE_CONTROL: &str = "public, max-age=5, stale-while-revalidate=30";

pub(super) fn json<T: Serialize>(v: &T) -> ApiResult<Vec<u8>> {
    Ok(serde_json::to_vec(v).map_err(anyhow::Error::from)?)
}

pub(super) fn fixed<T: Serialize>(v: &T) -> ApiResult<Page> {
    Ok(Page::fixed(Bytes::from(json(v)?)))
}

/// Products as DTOs whose counts are written in at each response (see `cache::Page`), and the
/// products in order as (id, count now).
pub(super) fn marked(
    products: Vec<CatalogProduct>,
    state: &AppState,
) -> (Vec<ProductDto>, Vec<(i64, i64)>) {
    products
        .into_iter()
        .map(|p| {
            let mut dto = ProductDto::from(p, state);
            let count = std::mem::replace(&mut dto.available, STOCK_MARK);
            let id = dto.id;
            (dto, (id, count))
        })
        .unzip()
}

/// Answers a catalog read from the page cache with the live stock counts, or 304 when the client's
/// copy is current. The ETag names the index state, the normalized request and the counts shown.
pub(super) fn cached(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    compute: impl FnOnce() -> ApiResult<Page>,
) -> ApiResult<Response> {
    let catalog = &state.catalog;
    if !catalog.is_ready() {
        return Err(ApiError::Unavailable);
    }
    let tag = catalog.tag();
    let page = catalog
        .cache
        .get_or_try_insert(format!("{tag}|{key}"), compute)?;
    let now = page.live(|id| catalog.available(id));
    let etag = format!(
        "W/\"{tag}.{:x}.{:x}\"",
        digest(key),
        page.digest(now.as_deref())
    );
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if current {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = page.render(now.as_deref());
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(res)
}
