use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::Checks;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::{rfc3339, AppState};
use crate::store::{CategoryCount, Product, ProductFilter, Sort};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/products", get(list_products))
        .route("/api/products/{id}", get(get_product))
        .route("/api/categories", get(list_categories))
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
}

impl ProductDto {
    pub fn from(p: Product, state: &AppState) -> Self {
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
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Facets {
    pub categories: Vec<CategoryCount>,
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
    /// Full-text search over name and description (prefix matching per word).
    pub q: Option<String>,
    pub category: Option<String>,
    /// Minimum price in cents.
    pub min_price: Option<i64>,
    /// Maximum price in cents.
    pub max_price: Option<i64>,
    pub in_stock: Option<bool>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// 1-based page number.
    pub page: Option<i64>,
    /// 1 to 100, default 24.
    pub per_page: Option<i64>,
}

/// Search words reduced to letters and digits, so no user input reaches FTS query syntax.
pub fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(40).collect())
        .take(8)
        .collect()
}

impl ProductQuery {
    fn parse(self) -> ApiResult<(ProductFilter, i64, i64)> {
        let mut c = Checks::default();
        let (page, per_page) = c.paging(self.page, self.per_page, 24);
        let price = |v: Option<i64>| match v {
            Some(p) if p < 0 => Err("must not be negative".to_owned()),
            v => Ok(v),
        };
        let min_price = c.check("min_price", price(self.min_price));
        let max_price = c.check("max_price", price(self.max_price));
        if let (Some(Some(lo)), Some(Some(hi))) = (min_price, max_price) {
            if lo > hi {
                c.check::<()>("max_price", Err("must not be below min_price".into()));
            }
        }
        let q = c.check(
            "q",
            match self.q.as_deref() {
                Some(q) if q.chars().count() > 200 => {
                    Err("must be at most 200 characters".to_owned())
                }
                q => Ok(q.unwrap_or("")),
            },
        );
        c.finish()?;
        let filter = ProductFilter {
            words: search_words(q.unwrap_or("")),
            category: self
                .category
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            min_price: min_price.flatten(),
            max_price: max_price.flatten(),
            in_stock: self.in_stock.unwrap_or(false),
            sort: self.sort.unwrap_or_default(),
            limit: per_page,
            offset: (page - 1) * per_page,
        };
        Ok((filter, page, per_page))
    }
}

#[utoipa::path(get, path = "/api/products", tag = "catalog", params(ProductQuery),
    responses((status = 200, body = ProductPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_products(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> ApiResult<Json<ProductPage>> {
    let (filter, page, per_page) = query.parse()?;
    let (items, total, categories) = state.store.list_products(&filter).await?;
    Ok(Json(ProductPage {
        items: items
            .into_iter()
            .map(|p| ProductDto::from(p, &state))
            .collect(),
        total,
        page,
        per_page,
        facets: Facets { categories },
    }))
}

#[utoipa::path(get, path = "/api/products/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = ProductDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_product(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ProductDto>> {
    Ok(Json(ProductDto::from(
        state.store.product(id).await?,
        &state,
    )))
}

#[utoipa::path(get, path = "/api/categories", tag = "catalog", responses((status = 200, body = Vec<CategoryCount>)))]
pub async fn list_categories(State(state): State<AppState>) -> ApiResult<Json<Vec<CategoryCount>>> {
    Ok(Json(state.store.categories().await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_strip_query_syntax() {
        assert_eq!(
            search_words("Red MUG\" OR 1=1; --*"),
            vec!["red", "mug", "or", "1", "1"]
        );
        assert!(search_words("\"*():^").is_empty());
    }
}
