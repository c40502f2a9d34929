//! The back office: one module per resource, every route for admins only.
use axum::Router;

use crate::http::AppState;

pub mod images;
pub mod ops;
pub mod orders;
pub mod products;
pub mod stock;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    products::create_product,
    products::update_product,
    products::delete_product,
    images::upload_image,
    stock::set_stock,
    stock::stock_audit,
    orders::list_orders,
    orders::set_order_status,
    ops::ops_summary,
))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(products::router())
        .merge(images::router())
        .merge(stock::router())
        .merge(orders::router())
        .merge(ops::router())
}
