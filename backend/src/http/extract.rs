//! Extractors that turn every client mistake into a problem+json naming the field at fault.
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderMap};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::http::error::{ApiError, FieldError};

fn path_of<E>(err: &serde_path_to_error::Error<E>, fallback: &str) -> String {
    let path = err.path().to_string();
    if path.is_empty() || path == "." {
        fallback.to_owned()
    } else {
        path
    }
}

/// `application/json` or any `application/*+json`.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// JSON body: 415 without a JSON content type, 413 over the body limit, 400 with the field path otherwise.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("request body is too large".into())
            } else {
                ApiError::BadRequest(rej.body_text())
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(de).map_err(|err| {
            let inner = err.inner();
            let (field, message) = if inner.is_syntax() || inner.is_eof() {
                ("body".to_owned(), format!("malformed JSON: {inner}"))
            } else {
                (path_of(&err, "body"), inner.to_string())
            };
            ApiError::Validation(vec![FieldError::new(field, message)])
        })?;
        Ok(ApiJson(value))
    }
}

/// Query string with per-field errors.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        let value = serde_path_to_error::deserialize(de).map_err(|err| {
            let field = path_of(&err, "query");
            ApiError::field(&field, err.inner().to_string())
        })?;
        Ok(ApiQuery(value))
    }
}

/// Path parameters; a malformed one is a 400 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rej) => Err(ApiError::field("path", rej.body_text())),
        }
    }
}
