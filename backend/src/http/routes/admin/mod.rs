//! The back office: one module per resource, every route for admins only.
use axum::Router;

use crate::http::AppState;

pub mod images;
pub mod ops;
pub mod orders;
pub mod products;
pub mod stock;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(products::router())
        .merge(images::router())
        .merge(stock::router())
        .merge(orders::router())
        .merge(ops::router())
}
