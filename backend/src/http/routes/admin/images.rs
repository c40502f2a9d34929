//! A product's image: the upload, judged by its bytes.
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use utoipa::ToSchema;

use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::ApiPath;
use crate::http::routes::catalog::ProductDto;
use crate::http::AppState;
use crate::store::media::sniff_image;
use crate::sys::clock::now_ms;

pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    // The route reads up to twice the cap so a slightly-too-large upload gets a clean 413 rather
    // than a connection cut mid-body.
    Router::new().route(
        "/api/admin/products/{id}/image",
        post(upload_image).layer(DefaultBodyLimit::max(MAX_IMAGE_BYTES * 2)),
    )
}

// `crate::http::openapi` adds the part's accepted types (utoipa has no attribute for encodings).
/// The upload form: one file part named `image`. The server judges the bytes, not the part's
/// Content-Type: anything but PNG, JPEG, WebP or GIF is a 415.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageUpload {
    /// PNG, JPEG, WebP or GIF, at most 5 MiB.
    #[schema(value_type = String, format = Binary)]
    pub image: Vec<u8>,
}

pub const IMAGE_TYPES: &str = "image/png, image/jpeg, image/webp, image/gif";

#[utoipa::path(post, path = "/api/admin/products/{id}/image", tag = "admin", params(("id" = i64, Path, minimum = 1)),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ProductDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(product_id = id))]
pub async fn upload_image(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<ProductDto>> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::UnsupportedMediaType("expected multipart/form-data with an `image` field".into())
    })?;
    state.store.product(id).await?;
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "images are limited to {} MiB",
            MAX_IMAGE_BYTES / 1024 / 1024
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })? {
        if field.name() != Some("image") {
            continue;
        }
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(too_large());
        }
        let ext = sniff_image(&bytes).ok_or_else(|| {
            ApiError::UnsupportedMediaType("the image must be PNG, JPEG, WebP or GIF".into())
        })?;
        let key = state.media.put(bytes, ext).await?;
        let product = state.store.set_product_image(id, &key, now_ms()).await?;
        state.catalog.refresh().await;
        return Ok(Json(ProductDto::from(product, &state)));
    }
    Err(ApiError::field(
        "image",
        "a file field named `image` is required",
    ))
}
