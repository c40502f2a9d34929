//! Makes the OpenAPI document tell the truth about what the middleware can answer, so a fuzzer
//! (and the generated client) is not surprised: the session cookie scheme on operations that
//! require it (and, as optional, on those that use a session when there is one: the cart and
//! checkout, where a guest sends the cart cookies instead, and an order page, where a guest sends
//! the order's access token), and the problem responses
//! every operation of a kind can return — 401/403 for signed-in routes, 403 for a cross-site
//! write, 400/413/415 for a body, 400/404 for a path parameter, 503 for the request timeout.
//! Which operations need a session comes from their router (`http::access::Access`), not from
//! their paths. Route annotations keep their own, more precise entries.
use std::collections::BTreeMap;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use crate::http::access::Access;

const SCHEME: &str = "session";
const CART: &str = "cart";
const CART_LINES: &str = "cart_lines";
const GUEST_ORDERS: &str = "guest_orders";

/// The cookies the `session`, `cart`, `cart_lines` and `guest_orders` schemes name.
pub struct Cookies<'a> {
    pub session: &'a str,
    pub cart: &'a str,
    pub cart_lines: &'a str,
    pub guest_orders: &'a str,
}

/// `access`: each path's, as its router says (`http::access`).
pub fn tell_the_truth(doc: &mut OpenApi, access: &BTreeMap<String, Access>, cookies: Cookies<'_>) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookies.session,
            "Set by register/login. Named `__Host-ecomm_session` when served over TLS.",
        ))),
    );
    components.add_security_scheme(
        CART,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookies.cart,
            "A guest's identity, issued by the server: set by the first cart request without a \
             session (a value the server did not issue is replaced) and again at sign-in and \
             sign-out. Named `__Host-ecomm_cart` when served over TLS.",
        ))),
    );
    components.add_security_scheme(
        CART_LINES,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookies.cart_lines,
            "A guest's cart lines, `c<product id>x<quantity>` joined by `.` (e.g. `c17x2.5x1`), set \
             by every cart answer that changes them; sent with the `cart` cookie. A value that does \
             not parse is an empty cart. Named `__Host-ecomm_cart_lines` when served over TLS.",
        ))),
    );
    components.add_security_scheme(
        GUEST_ORDERS,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookies.guest_orders,
            "The access tokens of a browser's last guest orders, `<order id>:<token>` joined by \
             `.`, set by a guest checkout's answer: the only way a guest opens an order. Named \
             `__Host-ecomm_orders` when served over TLS.",
        ))),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        let access = access.get(path).copied().unwrap_or(Access::Public);
        let signed_in = matches!(access, Access::SignedIn | Access::Admin);
        let admin = access == Access::Admin;
        let session_if_any = matches!(access, Access::CartOwner | Access::OrderOwner);
        // A guest's cart lines travel in their own cookie, beside the cart's identity.
        let cart_lines = access == Access::CartOwner;
        let has_path_param = path.contains('{');
        for (op, unsafe_method) in [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ] {
            let Some(op) = op.as_mut() else { continue };
            if signed_in {
                op.security = Some(vec![SecurityRequirement::new(SCHEME, Vec::<String>::new())]);
                add(op, "401", "Not signed in");
            }
            if session_if_any {
                let mut alternatives = vec![
                    SecurityRequirement::default(),
                    SecurityRequirement::new(SCHEME, Vec::<String>::new()),
                ];
                if cart_lines {
                    // Before the identity alone: a client (the fuzzer) takes the first it can meet.
                    alternatives.push(
                        SecurityRequirement::new(CART, Vec::<String>::new())
                            .add(CART_LINES, Vec::<String>::new()),
                    );
                }
                alternatives.push(if access == Access::OrderOwner {
                    SecurityRequirement::new(GUEST_ORDERS, Vec::<String>::new())
                } else {
                    SecurityRequirement::new(CART, Vec::<String>::new())
                });
                op.security = Some(alternatives);
            }
            if admin {
                add(op, "403", "Signed in, but not an admin");
            }
            if unsafe_method {
                add(
                    op,
                    "403",
                    "Refused: a cross-site request (Origin / Sec-Fetch-Site)",
                );
            }
            if op.request_body.is_some() {
                add(op, "400", "Malformed body or invalid fields");
                add(op, "413", "Body too large");
                add(op, "415", "Unsupported content type");
            }
            let has_query = op.parameters.as_ref().is_some_and(|ps| !ps.is_empty());
            if has_path_param || has_query {
                add(op, "400", "Invalid parameter");
            }
            if has_path_param {
                add(op, "404", "Not found");
            }
            add(op, "503", "Busy or timed out; see Retry-After");
        }
    }
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
}
