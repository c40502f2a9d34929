//! Catalog reads, all from the replica's index (see `catalog`), with ETags and shared caching.
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::catalog::cache::Page;
use crate::catalog::{
    self, CatalogProduct, Filters, ProductIndex, SearchRequest, Sort, Word, MAX_WORDS, PRICE_EDGES,
    RESULT_WINDOW,
};
use crate::domain::Checks;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::AppState;
use crate::sys::clock::rfc3339;
use cached::{cached, fixed, json, marked};

mod cached;

const MAX_QUERY_CHARS: usize = 200;
const SUGGESTIONS: usize = 8;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_products,
    get_product,
    get_product_by_slug,
    list_categories,
    suggest
))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/products", get(list_products))
        .route("/api/products/{id}", get(get_product))
        .route("/api/products/slug/{slug}", get(get_product_by_slug))
        .route("/api/categories", get(list_categories))
        .route("/api/search/suggest", get(suggest))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    pub id: i64,
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price_cents: i64,
    pub currency: String,
    pub image_url: Option<String>,
    pub available: i64,
    pub created_at: String,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
}

impl ProductDto {
    pub fn from(p: CatalogProduct, state: &AppState) -> Self {
        ProductDto {
            image_url: p.image_key.as_deref().map(|k| state.media.image_url(k)),
            id: p.id,
            sku: p.sku,
            slug: p.slug,
            name: p.name,
            description: p.description,
            category: p.category,
            price_cents: p.price_cents,
            currency: p.currency,
            available: p.available,
            created_at: rfc3339(p.created_at),
            seo_title: p.seo_title,
            seo_description: p.seo_description,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct CategoryCount {
    pub name: String,
    pub count: i64,
}

/// Products priced from `min_cents` up to (not including) `max_cents`; the last range is open.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceRange {
    pub min_cents: i64,
    pub max_cents: Option<i64>,
    pub count: i64,
}

/// Counts for refining a result; each ignores its own filter and respects the others.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facets {
    pub categories: Vec<CategoryCount>,
    pub price_ranges: Vec<PriceRange>,
    pub in_stock: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<ProductDto>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub facets: Facets,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Words over name and description: stemmed, one typo allowed on long words, the last word a prefix.
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub category: Option<String>,
    /// Minimum price in cents.
    #[param(minimum = 0)]
    pub min_price: Option<i64>,
    /// Maximum price in cents (below `min_price` finds nothing).
    #[param(minimum = 0)]
    pub max_price: Option<i64>,
    pub in_stock: Option<bool>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// 1-based page number. The result window is 10,000: `page × per_page` above 10,000 is a 400
    /// naming `page` (narrow the search instead), as Elasticsearch's `max_result_window`.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<i64>,
    /// 1 to 100, default 24.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

fn query_text(c: &mut Checks, q: Option<&str>) -> Option<String> {
    c.check(
        "q",
        match q {
            Some(q) if q.chars().count() > MAX_QUERY_CHARS => {
                Err(format!("must be at most {MAX_QUERY_CHARS} characters"))
            }
            q => Ok(q.unwrap_or("").to_owned()),
        },
    )
}

/// The query's words as the cache key sees them: equal for queries that differ only in spacing.
fn normalized(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A parsed catalog request and its normalized form (the cache key: equal keys, equal answers).
struct CatalogRequest {
    search: SearchRequest,
    page: i64,
    per_page: i64,
    key: String,
}

impl ProductQuery {
    fn parse(self) -> ApiResult<CatalogRequest> {
        let mut c = Checks::default();
        let (page, per_page) = c.paging(self.page, self.per_page, 24, RESULT_WINDOW);
        // A product of two parameters, which a schema cannot state (make fuzz's hooks know it).
        if page * per_page > RESULT_WINDOW {
            c.fail(
                "page",
                format!("page × per_page must be at most {RESULT_WINDOW}: narrow the search"),
            );
        }
        let price = |v: Option<i64>| match v {
            Some(p) if p < 0 => Err("must not be negative".to_owned()),
            v => Ok(v),
        };
        // A range whose end is below its start is valid and matches nothing.
        let min_price = c.check("min_price", price(self.min_price)).flatten();
        let max_price = c.check("max_price", price(self.max_price)).flatten();
        let q = query_text(&mut c, self.q.as_deref());
        c.finish()?;
        let words = catalog::words(&q.unwrap_or_default(), MAX_WORDS);
        let filters = Filters {
            category: self
                .category
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            min_price,
            max_price,
            in_stock: self.in_stock.unwrap_or(false),
        };
        let sort = self.sort.unwrap_or_default();
        let key = format!(
            "list|q={}|c={}|min={:?}|max={:?}|stock={}|sort={}|p={page}|pp={per_page}",
            normalized(&words),
            filters.category.as_deref().unwrap_or(""),
            filters.min_price,
            filters.max_price,
            filters.in_stock,
            sort.as_str(),
        );
        Ok(CatalogRequest {
            search: SearchRequest {
                words,
                filters,
                sort,
                offset: ((page - 1) * per_page) as usize,
                limit: per_page as usize,
            },
            page,
            per_page,
            key,
        })
    }
}

/// The index, or 503 while it is being built.
fn index(state: &AppState) -> ApiResult<&ProductIndex> {
    state.catalog.index().ok_or(ApiError::Unavailable)
}

fn page_dto(state: &AppState, req: &CatalogRequest) -> ApiResult<Page> {
    let r = index(state)?.search(&req.search)?;
    let mut lower = 0;
    let price_ranges = r
        .prices
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let range = PriceRange {
                min_cents: lower,
                max_cents: PRICE_EDGES.get(i).copied(),
                count: *n as i64,
            };
            lower = range.max_cents.unwrap_or(lower);
            range
        })
        .collect();
    let (items, stock) = marked(r.items, state);
    let body = json(&ProductPage {
        items,
        total: r.total as i64,
        page: req.page,
        per_page: req.per_page,
        facets: Facets {
            categories: counts(r.categories),
            price_ranges,
            in_stock: r.in_stock as i64,
        },
    })?;
    Ok(Page::with_counts(&body, &stock)?)
}

fn counts(v: Vec<(String, u64)>) -> Vec<CategoryCount> {
    v.into_iter()
        .map(|(name, n)| CategoryCount {
            name,
            count: n as i64,
        })
        .collect()
}

#[utoipa::path(get, path = "/api/products", tag = "catalog", params(ProductQuery),
    responses((status = 200, body = ProductPage), (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_products(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> ApiResult<Response> {
    let req = query.parse()?;
    cached(&state, &headers, &req.key, || page_dto(&state, &req))
}

fn product_response(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    find: impl FnOnce() -> anyhow::Result<Option<CatalogProduct>>,
) -> ApiResult<Response> {
    cached(state, headers, key, || {
        let p = find()?.ok_or(ApiError::NotFound("product"))?;
        let (dto, stock) = marked(vec![p], state);
        Ok(Page::with_counts(&json(&dto[0])?, &stock)?)
    })
}

#[utoipa::path(get, path = "/api/products/{id}", tag = "catalog", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = ProductDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    product_response(&state, &headers, &format!("id|{id}"), || {
        index(&state)?.by_id(id)
    })
}

#[utoipa::path(get, path = "/api/products/slug/{slug}", tag = "catalog", params(("slug" = String, Path, max_length = 200, pattern = "^[a-z0-9]+(?:-[a-z0-9]+)*$")),
    responses((status = 200, body = ProductDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_product_by_slug(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Response> {
    if slug.len() > MAX_QUERY_CHARS {
        return Err(ApiError::NotFound("product"));
    }
    product_response(&state, &headers, &format!("slug|{slug}"), || {
        index(&state)?.by_slug(&slug)
    })
}

#[utoipa::path(get, path = "/api/categories", tag = "catalog", responses((status = 200, body = Vec<CategoryCount>)))]
pub async fn list_categories(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    cached(&state, &headers, "categories", || {
        fixed(&counts(index(&state)?.categories()?))
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What the shopper has typed so far (at most 200 characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
}

#[utoipa::path(get, path = "/api/search/suggest", tag = "catalog", params(SuggestQuery),
    responses((status = 200, body = Suggestions), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn suggest(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Response> {
    let mut c = Checks::default();
    let q = query_text(&mut c, query.q.as_deref());
    c.finish()?;
    let words = catalog::words(&q.unwrap_or_default(), MAX_WORDS);
    let key = format!("suggest|{}", normalized(&words));
    cached(&state, &headers, &key, || {
        let found = index(&state)?.suggest(&words, SUGGESTIONS)?;
        fixed(&Suggestions {
            suggestions: found
                .into_iter()
                .map(|p| Suggestion {
                    id: p.id,
                    name: p.name,
                    slug: p.slug,
                })
                .collect(),
        })
    })
}
