pub mod truth;

use utoipa::OpenApi;

use crate::http::routes::{admin, auth, cart, catalog, checkout, inventory, orders};

#[derive(OpenApi)]
#[openapi(
    info(title = "ecomm API", version = "1.0.0", description = "Errors are RFC 9457 problem details (application/problem+json). Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines."),
    paths(
        catalog::list_products, catalog::get_product, catalog::get_product_by_slug, catalog::list_categories, catalog::suggest,
        inventory::stock_level, inventory::stock_levels,
        auth::register, auth::login, auth::logout, auth::me,
        cart::get_cart, cart::add_item, cart::update_item, cart::remove_item,
        checkout::checkout,
        orders::list_orders, orders::get_order,
        admin::products::create_product, admin::products::update_product, admin::products::delete_product,
        admin::images::upload_image, admin::stock::set_stock, admin::stock::stock_audit,
        admin::orders::list_orders, admin::orders::set_order_status, admin::ops::ops_summary,
    ),
    tags((name = "catalog"), (name = "inventory"), (name = "auth"), (name = "cart"), (name = "checkout"), (name = "orders"), (name = "admin"))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    crate::http::openapi::truth::tell_the_truth(
        &mut doc,
        crate::http::openapi::truth::Cookies {
            session: crate::http::session::SESSION_COOKIE,
            cart: crate::http::session::CART_COOKIE,
            cart_lines: crate::http::session::CART_LINES_COOKIE,
            guest_orders: crate::http::session::GUEST_ORDERS_COOKIE,
        },
    );
    image_part_types(&mut doc);
    doc
}

/// The image upload's part types: multipart encodings have no utoipa attribute.
fn image_part_types(doc: &mut utoipa::openapi::OpenApi) {
    let form = doc
        .paths
        .paths
        .get_mut("/api/admin/products/{id}/image")
        .and_then(|item| item.post.as_mut())
        .and_then(|op| op.request_body.as_mut())
        .and_then(|body| body.content.get_mut("multipart/form-data"));
    if let Some(form) = form {
        form.encoding.insert(
            "image".into(),
            utoipa::openapi::encoding::EncodingBuilder::new()
                .content_type(Some(admin::images::IMAGE_TYPES))
                .build(),
        );
    }
}
