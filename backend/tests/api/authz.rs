//! Who may call what: anonymous, a customer, another customer, an admin × every endpoint.
use crate::helpers::*;
use reqwest::{Client, Method, StatusCode};

#[db_test]
async fn the_authorization_matrix_holds(app: TestApp) {
    let p = app.product("AUTH-1", 100, 50).await;
    let anon = client();
    let owner = app.customer("owner@example.com").await;
    let other = app.customer("other@example.com").await;
    let admin = app.admin().await;
    app.add_to_cart(&owner, p.id, 1).await;
    let order = json_of(app.checkout(&owner, "authz", &checkout_body(APPROVE)).await).await;
    let oid = order["id"].as_str().unwrap().to_owned();
    let pid = p.id;

    let new_product = json!({"sku": "AUTH-NEW", "name": "n", "description": "d", "category": "c", "price_cents": 1, "available": 1});
    // (method, path, body, [anonymous, owner, other, admin])
    let cases: Vec<(Method, String, Option<Value>, [u16; 4])> = vec![
        (
            Method::GET,
            "/api/products".into(),
            None,
            [200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/products/{pid}"),
            None,
            [200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/categories".into(),
            None,
            [200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/inventory/AUTH-1".into(),
            None,
            [200, 200, 200, 200],
        ),
        (Method::GET, "/api/me".into(), None, [401, 200, 200, 200]),
        (Method::GET, "/api/cart".into(), None, [200, 200, 200, 200]),
        (
            Method::GET,
            "/api/orders".into(),
            None,
            [401, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/orders/{oid}"),
            None,
            [404, 200, 404, 404],
        ),
        (
            Method::POST,
            "/api/admin/products".into(),
            Some(new_product),
            [401, 403, 403, 201],
        ),
        (
            Method::PATCH,
            format!("/api/admin/products/{pid}"),
            Some(json!({"name": "Renamed"})),
            [401, 403, 403, 200],
        ),
        (
            Method::PUT,
            "/api/admin/inventory/AUTH-1".into(),
            Some(json!({"available": 40})),
            [401, 403, 403, 200],
        ),
        (
            Method::GET,
            "/api/admin/inventory/AUTH-1/audit".into(),
            None,
            [401, 403, 403, 200],
        ),
        (
            Method::GET,
            "/api/admin/orders".into(),
            None,
            [401, 403, 403, 200],
        ),
        (
            Method::POST,
            format!("/api/admin/orders/{oid}/status"),
            Some(json!({"status": "shipped"})),
            [401, 403, 403, 200],
        ),
        (
            Method::GET,
            "/api/admin/ops/summary".into(),
            None,
            [401, 403, 403, 200],
        ),
        (
            Method::POST,
            format!("/api/admin/products/{pid}/image"),
            Some(json!({})),
            [401, 403, 403, 415],
        ),
        (
            Method::DELETE,
            format!("/api/admin/products/{pid}"),
            None,
            [401, 403, 403, 204],
        ),
    ];
    let callers: [(&str, &Client); 4] = [
        ("anonymous", &anon),
        ("owner", &owner),
        ("other", &other),
        ("admin", &admin),
    ];
    for (method, path, body, expected) in cases {
        for ((who, c), want) in callers.iter().zip(expected) {
            let mut req = c.request(method.clone(), app.url(&path));
            if let Some(b) = &body {
                req = req.json(b);
            }
            let got = send(req).await.status();
            assert_eq!(
                got,
                StatusCode::from_u16(want).unwrap(),
                "{who} {method} {path}"
            );
        }
    }
}
