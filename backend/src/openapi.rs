use utoipa::OpenApi;

use crate::routes::{admin, auth, cart, catalog, checkout, inventory, orders};

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
        admin::create_product, admin::update_product, admin::delete_product, admin::upload_image,
        admin::set_stock, admin::stock_audit, admin::list_orders, admin::set_order_status, admin::ops_summary,
    ),
    tags((name = "catalog"), (name = "inventory"), (name = "auth"), (name = "cart"), (name = "checkout"), (name = "orders"), (name = "admin"))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    crate::security::openapi::tell_the_truth(
        &mut doc,
        crate::security::openapi::Cookies {
            session: crate::session::SESSION_COOKIE,
            cart: crate::session::CART_COOKIE,
            cart_lines: crate::session::CART_LINES_COOKIE,
            guest_orders: crate::session::GUEST_ORDERS_COOKIE,
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
                .content_type(Some(admin::IMAGE_TYPES))
                .build(),
        );
    }
}
