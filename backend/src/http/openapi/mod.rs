pub mod truth;

use std::collections::BTreeMap;

use utoipa::OpenApi;

use crate::http::routes::{admin, sections};
use crate::http::session::{CART_COOKIE, CART_LINES_COOKIE, GUEST_ORDERS_COOKIE, SESSION_COOKIE};

#[derive(OpenApi)]
#[openapi(
    info(title = "ecomm API", version = "1.0.0", description = "Errors are RFC 9457 problem details (application/problem+json). Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines."),
    tags((name = "catalog"), (name = "inventory"), (name = "auth"), (name = "cart"), (name = "checkout"), (name = "orders"), (name = "admin"))
)]
pub struct ApiDoc;

/// The routers' parts, each path with the access its router said.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let mut access = BTreeMap::new();
    for section in sections() {
        for path in section.doc.paths.paths.keys() {
            access.insert(path.clone(), section.access);
        }
        doc.merge(section.doc);
    }
    truth::tell_the_truth(
        &mut doc,
        &access,
        truth::Cookies {
            session: SESSION_COOKIE,
            cart: CART_COOKIE,
            cart_lines: CART_LINES_COOKIE,
            guest_orders: GUEST_ORDERS_COOKIE,
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
