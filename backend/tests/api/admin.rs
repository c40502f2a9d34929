use crate::helpers::*;
use reqwest::multipart::{Form, Part};

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

pub fn image_form(bytes: &[u8], field: &str) -> Form {
    Form::new().part(
        field.to_owned(),
        Part::bytes(bytes.to_vec())
            .file_name("x.png")
            .mime_str("image/png")
            .unwrap(),
    )
}

#[db_test]
async fn admins_create_update_and_delete_products(app: TestApp) {
    let admin = app.admin().await;
    let res = send(admin.post(app.url("/api/admin/products"))
        .json(&json!({"sku": "NEW-1", "name": "<b>Bold</b> Lamp", "description": "Bright", "category": "Home", "price_cents": 2599, "available": 7}))
        ).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p = json_of(res).await;
    assert_eq!(
        p["name"], "<b>Bold</b> Lamp",
        "stored verbatim; the storefront escapes"
    );
    let id = p["id"].as_i64().unwrap();
    let dup = app.with(&admin).post("/api/admin/products", &json!({"sku": "NEW-1", "name": "x", "description": "x", "category": "x", "price_cents": 1, "available": 1})).await;
    problem(dup, StatusCode::CONFLICT).await;
    let up = json_of(
        app.with(&admin)
            .patch(
                &format!("/api/admin/products/{id}"),
                &json!({"price_cents": 1999}),
            )
            .await,
    )
    .await;
    assert_eq!(up["price_cents"], 1999);
    assert_eq!(up["name"], "<b>Bold</b> Lamp");
    assert_eq!(
        app.with(&admin)
            .delete(&format!("/api/admin/products/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    problem(
        app.get(&format!("/api/products/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.with(&admin)
            .delete(&format!("/api/admin/products/{id}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn bad_product_input_is_rejected_field_by_field(app: TestApp) {
    let admin = app.admin().await;
    let res = send(admin.post(app.url("/api/admin/products"))
        .json(&json!({"sku": "bad sku!", "name": "", "description": "d", "category": "c", "price_cents": -1, "available": -3}))).await;
    let body = field_error(res, "sku").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["sku", "name", "price_cents", "available"]);
    field_error(app.with(&admin).post("/api/admin/products", &json!({"sku": "A", "name": "n", "description": "d", "category": "c", "price_cents": 1.5, "available": 1})).await, "price_cents").await;
    field_error(
        app.with(&admin)
            .patch(
                "/api/admin/products/1",
                &json!({"price_cents": 1_000_000_000}),
            )
            .await,
        "price_cents",
    )
    .await;
    problem(
        app.with(&admin)
            .patch("/api/admin/products/424242", &json!({"name": "x"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.store
            .list_products(&Default::default())
            .await
            .unwrap()
            .1,
        0
    );
}

#[db_test]
async fn image_uploads_are_sniffed_capped_and_served_content_addressed(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("IMG-1", 100, 1).await;
    let url = app.url(&format!("/api/admin/products/{}/image", p.id));
    let res = send(admin.post(&url).multipart(image_form(PNG, "image"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = json_of(res).await;
    let image_url = body["image_url"].as_str().unwrap().to_owned();
    assert!(
        image_url.starts_with("/media/products/") && image_url.ends_with(".png"),
        "{image_url}"
    );
    let served = app.get(&image_url).await;
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
    // An SVG or HTML file named .png is refused by its bytes.
    problem(
        send(
            admin
                .post(&url)
                .multipart(image_form(b"<svg onload=alert(1)>", "image")),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    field_error(
        send(admin.post(&url).multipart(image_form(PNG, "photo"))).await,
        "image",
    )
    .await;
    problem(
        send(admin.post(&url).json(&json!({}))).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    problem(
        send(
            admin
                .post(app.url("/api/admin/products/424242/image"))
                .multipart(image_form(PNG, "image")),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/media/products/../../etc/passwd").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let after = json_of(app.get(&format!("/api/products/{}", p.id)).await).await;
    assert_eq!(
        after["image_url"],
        image_url.as_str(),
        "failed uploads left the image alone"
    );
}

#[db_test]
async fn stock_is_set_with_an_audit_trail(app: TestApp) {
    let admin = app.admin().await;
    app.product("STK-1", 100, 5).await;
    let res = json_of(
        app.with(&admin)
            .put("/api/admin/inventory/STK-1", &json!({"available": 0}))
            .await,
    )
    .await;
    assert_eq!(res, json!({"sku": "STK-1", "available": 0}));
    app.with(&admin)
        .put("/api/admin/inventory/STK-1", &json!({"available": 12}))
        .await;
    let audit = json_of(
        app.with(&admin)
            .get("/api/admin/inventory/STK-1/audit")
            .await,
    )
    .await;
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (
            items[0]["old_available"].as_i64(),
            items[0]["new_available"].as_i64()
        ),
        (Some(0), Some(12))
    );
    assert!(items[0]["actor_email"]
        .as_str()
        .unwrap()
        .starts_with("admin-"));
    field_error(
        app.with(&admin)
            .put("/api/admin/inventory/STK-1", &json!({"available": -1}))
            .await,
        "available",
    )
    .await;
    field_error(
        app.with(&admin)
            .put("/api/admin/inventory/STK-1", &json!({"available": "lots"}))
            .await,
        "available",
    )
    .await;
    problem(
        app.with(&admin)
            .put("/api/admin/inventory/NOPE", &json!({"available": 1}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.with(&admin)
            .get("/api/admin/inventory/NOPE/audit")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.stock_of("STK-1").await, 12);
    let summary = json_of(app.with(&admin).get("/api/admin/ops/summary").await).await;
    assert!(summary["inventory_updates_per_minute"].as_u64().unwrap() >= 2);
    assert!(summary["requests_per_second"].as_f64().unwrap() > 0.0);
}

/// A paid order of `quantity` units of a fresh product with 5 in stock: (order id, sku).
async fn paid_order(app: &TestApp, quantity: i64) -> (String, &'static str) {
    let a = app.product("ORD-1", 100, 5).await;
    app.add_to_cart(&app.client, a.id, quantity).await;
    let res = app
        .checkout(&app.client, "order", &checkout_body(APPROVE))
        .await;
    let order = json_of(res).await;
    (order["id"].as_str().unwrap().to_owned(), "ORD-1")
}

async fn set_status(app: &TestApp, admin: &Client, id: &str, status: &str) -> Response {
    let path = format!("/api/admin/orders/{id}/status");
    app.with(admin).post(&path, json!({"status": status})).await
}

#[db_test]
async fn the_admin_order_list_filters_by_status(app: TestApp) {
    let admin = app.admin().await;
    paid_order(&app, 2).await;
    let paid = json_of(app.with(&admin).get("/api/admin/orders?status=paid").await).await;
    assert_eq!(paid["total"], 1);
    let shipped = json_of(
        app.with(&admin)
            .get("/api/admin/orders?status=shipped")
            .await,
    )
    .await;
    assert_eq!(shipped["total"], 0);
}

#[db_test]
async fn a_paid_order_is_shipped_then_delivered(app: TestApp) {
    let admin = app.admin().await;
    let (id, _) = paid_order(&app, 2).await;
    let shipped = json_of(set_status(&app, &admin, &id, "shipped").await).await;
    assert_eq!(shipped["status"], "shipped");
    let delivered = set_status(&app, &admin, &id, "delivered").await;
    assert_eq!(delivered.status(), StatusCode::OK);
}

#[db_test]
async fn a_shipped_order_can_neither_go_back_nor_be_cancelled(app: TestApp) {
    let admin = app.admin().await;
    let (id, _) = paid_order(&app, 2).await;
    set_status(&app, &admin, &id, "shipped").await;
    for status in ["paid", "cancelled"] {
        let res = set_status(&app, &admin, &id, status).await;
        problem(res, StatusCode::CONFLICT).await;
    }
}

#[db_test]
async fn an_unknown_status_is_400_naming_status(app: TestApp) {
    let admin = app.admin().await;
    let (id, _) = paid_order(&app, 1).await;
    field_error(set_status(&app, &admin, &id, "lost").await, "status").await;
    let res = app.with(&admin).get("/api/admin/orders?status=bogus").await;
    field_error(res, "status").await;
}

#[db_test]
async fn an_admin_order_page_over_100_is_400_naming_per_page(app: TestApp) {
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .get("/api/admin/orders?per_page=1000")
        .await;
    field_error(res, "per_page").await;
}

#[db_test]
async fn cancelling_a_paid_order_puts_its_stock_back(app: TestApp) {
    let admin = app.admin().await;
    let (id, sku) = paid_order(&app, 3).await;
    assert_eq!(app.stock_of(sku).await, 2);
    let cancelled = json_of(set_status(&app, &admin, &id, "cancelled").await).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(app.stock_of(sku).await, 5);
}

#[db_test]
async fn changing_the_status_of_an_unknown_order_is_404(app: TestApp) {
    let admin = app.admin().await;
    let id = uuid::Uuid::new_v4().to_string();
    problem(
        set_status(&app, &admin, &id, "shipped").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn an_oversized_image_is_refused_with_the_limit_in_the_detail(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("IMG-BIG", 100, 1).await;
    let mut big = PNG.to_vec();
    big.resize(6 * 1024 * 1024, 0);
    let req = app
        .with(&admin)
        .request(Method::POST, &format!("/api/admin/products/{}/image", p.id));
    let res = send(req.multipart(image_form(&big, "image"))).await;
    let body = problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(body["detail"], "images are limited to 5 MiB");
}
