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

#[db_test]
async fn orders_move_through_their_lifecycle_and_cancelling_restocks(app: TestApp) {
    let admin = app.admin().await;
    let a = app.product("ORD-1", 100, 5).await;
    app.add_to_cart(&app.client, a.id, 2).await;
    let order = json_of(
        app.checkout(&app.client, "life", &checkout_body(APPROVE))
            .await,
    )
    .await;
    let id = order["id"].as_str().unwrap();
    let list = json_of(app.with(&admin).get("/api/admin/orders?status=paid").await).await;
    assert_eq!(list["total"], 1);
    let status = |s: &'static str| {
        admin
            .post(app.url(&format!("/api/admin/orders/{id}/status")))
            .json(&json!({"status": s}))
            .send()
    };
    let shipped = json_of(status("shipped").await.unwrap()).await;
    assert_eq!(shipped["status"], "shipped");
    problem(status("paid").await.unwrap(), StatusCode::CONFLICT).await;
    problem(status("cancelled").await.unwrap(), StatusCode::CONFLICT).await;
    field_error(status("lost").await.unwrap(), "status").await;
    assert_eq!(status("delivered").await.unwrap().status(), StatusCode::OK);
    field_error(
        app.with(&admin).get("/api/admin/orders?status=bogus").await,
        "status",
    )
    .await;
    field_error(
        app.with(&admin)
            .get("/api/admin/orders?per_page=1000")
            .await,
        "per_page",
    )
    .await;

    app.add_to_cart(&app.client, a.id, 3).await;
    let second = json_of(
        app.checkout(&app.client, "life-2", &checkout_body(APPROVE))
            .await,
    )
    .await;
    assert_eq!(app.stock_of("ORD-1").await, 0);
    let id2 = second["id"].as_str().unwrap();
    let cancelled = json_of(
        app.with(&admin)
            .post(
                &format!("/api/admin/orders/{id2}/status"),
                &json!({"status": "cancelled"}),
            )
            .await,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(app.stock_of("ORD-1").await, 3);
    problem(
        app.with(&admin)
            .post(
                &format!("/api/admin/orders/{}/status", uuid::Uuid::new_v4()),
                &json!({"status": "shipped"}),
            )
            .await,
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
