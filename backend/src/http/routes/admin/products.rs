//! The catalog's products: create, edit, delete.
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::openapi::schema::{Object, SchemaType, Type};
use utoipa::ToSchema;

use super::stock::{stock, stock_schema};
use crate::domain::{optional_text, schema, slugify, text, whole, Checks, Invalid, Money, Sku};
use crate::http::error::{ApiResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::routes::catalog::ProductDto;
use crate::http::AppState;
use crate::store::{NewProduct, ProductPatch};
use crate::sys::clock::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/products", post(create_product))
        .route(
            "/api/admin/products/{id}",
            patch(update_product).delete(delete_product),
        )
}

#[derive(Deserialize, ToSchema)]
pub struct CreateProduct {
    #[schema(schema_with = schema::sku)]
    pub sku: String,
    #[schema(schema_with = product_name)]
    pub name: String,
    #[schema(schema_with = description)]
    pub description: String,
    #[schema(schema_with = category)]
    pub category: String,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = schema::cents)]
    pub price_cents: i64,
    #[serde(deserialize_with = "whole::i64")]
    #[schema(schema_with = stock_schema)]
    pub available: i64,
}

/// Absent or `null` leaves a field as it is.
#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateProduct {
    #[schema(schema_with = new_name)]
    pub name: Option<String>,
    #[schema(schema_with = new_description)]
    pub description: Option<String>,
    #[schema(schema_with = new_category)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "whole::opt_i64")]
    #[schema(schema_with = schema::optional_cents)]
    pub price_cents: Option<i64>,
    /// The title search engines and link previews show; blank clears it (the name is shown).
    #[schema(schema_with = seo_title)]
    pub seo_title: Option<String>,
    /// Their description; blank clears it (the description's start is shown).
    #[schema(schema_with = seo_description)]
    pub seo_description: Option<String>,
}

const NAME_CHARS: usize = 200;
const DESCRIPTION_CHARS: usize = 5000;
const CATEGORY_CHARS: usize = 100;
/// Search engines cut titles and descriptions past about these lengths.
pub const SEO_TITLE_CHARS: usize = 70;
pub const SEO_DESCRIPTION_CHARS: usize = 160;

fn product_name() -> Object {
    schema::text(NAME_CHARS)
}
fn description() -> Object {
    schema::text(DESCRIPTION_CHARS)
}
fn category() -> Object {
    schema::text(CATEGORY_CHARS)
}
fn seo_title() -> Object {
    schema::optional_text(SEO_TITLE_CHARS)
}
fn seo_description() -> Object {
    schema::optional_text(SEO_DESCRIPTION_CHARS)
}
/// A given SEO field: text to set, or `""` to clear it.
fn seo_field(s: &str, max: usize) -> Result<String, String> {
    optional_text(Some(s), max).map(Option::unwrap_or_default)
}
fn nullable(mut o: Object) -> Object {
    o.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    o
}
fn new_name() -> Object {
    nullable(product_name())
}
fn new_description() -> Object {
    nullable(description())
}
fn new_category() -> Object {
    nullable(category())
}

impl CreateProduct {
    pub fn parse(self) -> Result<NewProduct, Invalid> {
        let mut c = Checks::default();
        let sku = c.check("sku", Sku::parse(&self.sku));
        let name = c.check("name", text(&self.name, NAME_CHARS));
        let description = c.check("description", text(&self.description, DESCRIPTION_CHARS));
        let category = c.check("category", text(&self.category, CATEGORY_CHARS));
        let price = c.check("price_cents", Money::parse(self.price_cents));
        let available = c.check("available", stock(self.available));
        c.finish_with(|| {
            let name = name?;
            Some(NewProduct {
                sku: sku?.as_str().to_owned(),
                slug: slugify(&name),
                name,
                description: description?,
                category: category?,
                price_cents: price?.cents(),
                available: available?,
                image_key: None,
            })
        })
    }
}

impl UpdateProduct {
    pub fn parse(self) -> Result<ProductPatch, Invalid> {
        let mut c = Checks::default();
        let mut patch = ProductPatch::default();
        if let Some(n) = &self.name {
            patch.name = c.check("name", text(n, NAME_CHARS));
            patch.slug = patch.name.as_deref().map(slugify);
        }
        if let Some(d) = &self.description {
            patch.description = c.check("description", text(d, DESCRIPTION_CHARS));
        }
        if let Some(cat) = &self.category {
            patch.category = c.check("category", text(cat, CATEGORY_CHARS));
        }
        if let Some(p) = self.price_cents {
            patch.price_cents = c.check("price_cents", Money::parse(p)).map(Money::cents);
        }
        if let Some(t) = &self.seo_title {
            patch.seo_title = c.check("seo_title", seo_field(t, SEO_TITLE_CHARS));
        }
        if let Some(d) = &self.seo_description {
            patch.seo_description = c.check("seo_description", seo_field(d, SEO_DESCRIPTION_CHARS));
        }
        c.finish()?;
        Ok(patch)
    }
}

#[utoipa::path(post, path = "/api/admin/products", tag = "admin", request_body = CreateProduct,
    responses((status = 201, body = ProductDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn create_product(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateProduct>,
) -> ApiResult<(StatusCode, Json<ProductDto>)> {
    let p = req.parse()?;
    let created = state.store.create_product(&p, now_ms()).await?;
    state.catalog.refresh().await;
    Ok((StatusCode::CREATED, Json(ProductDto::from(created, &state))))
}

#[utoipa::path(patch, path = "/api/admin/products/{id}", tag = "admin", request_body = UpdateProduct, params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = ProductDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_product(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateProduct>,
) -> ApiResult<Json<ProductDto>> {
    let patch = req.parse()?;
    let updated = state.store.update_product(id, &patch, now_ms()).await?;
    state.catalog.refresh().await;
    Ok(Json(ProductDto::from(updated, &state)))
}

#[utoipa::path(delete, path = "/api/admin/products/{id}", tag = "admin", params(("id" = i64, Path, minimum = 1)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_product(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.store.delete_product(id, now_ms()).await?;
    state.catalog.refresh().await;
    Ok(StatusCode::NO_CONTENT)
}
