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

fn lamp(sku: &str) -> Value {
    json!({"sku": sku, "name": "<b>Bold</b> Lamp", "description": "Bright", "category": "Home",
        "price_cents": 2599, "available": 7})
}

/// A product created through the admin API: its id.
async fn created(app: &TestApp, admin: &Client) -> i64 {
    let res = app
        .with(admin)
        .post("/api/admin/products", lamp("NEW-1"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    json_of(res).await["id"].as_i64().unwrap()
}

#[db_test]
async fn an_admin_creates_a_product_with_its_name_stored_verbatim(app: TestApp) {
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .post("/api/admin/products", lamp("NEW-1"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p = json_of(res).await;
    assert_eq!(
        p["name"], "<b>Bold</b> Lamp",
        "stored verbatim; the storefront escapes"
    );
    assert_eq!(p["slug"], "b-bold-b-lamp");
}

#[db_test]
async fn a_second_product_with_the_same_sku_is_409(app: TestApp) {
    let admin = app.admin().await;
    created(&app, &admin).await;
    let dup = app
        .with(&admin)
        .post("/api/admin/products", lamp("NEW-1"))
        .await;
    problem(dup, StatusCode::CONFLICT).await;
}

#[db_test]
async fn a_patch_changes_only_the_fields_it_names(app: TestApp) {
    let admin = app.admin().await;
    let id = created(&app, &admin).await;
    let path = format!("/api/admin/products/{id}");
    let up = json_of(
        app.with(&admin)
            .patch(&path, json!({"price_cents": 1999}))
            .await,
    )
    .await;
    assert_eq!(up["price_cents"], 1999);
    assert_eq!(up["name"], "<b>Bold</b> Lamp");
}

#[db_test]
async fn a_deleted_product_is_gone_from_the_catalog(app: TestApp) {
    let admin = app.admin().await;
    let id = created(&app, &admin).await;
    let path = format!("/api/admin/products/{id}");
    assert_eq!(
        app.with(&admin).delete(&path).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(
        app.get(&format!("/api/products/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn deleting_or_patching_an_unknown_product_is_404(app: TestApp) {
    let admin = app.admin().await;
    let id = created(&app, &admin).await;
    let path = format!("/api/admin/products/{id}");
    app.with(&admin).delete(&path).await;
    problem(app.with(&admin).delete(&path).await, StatusCode::NOT_FOUND).await;
    let res = app
        .with(&admin)
        .patch("/api/admin/products/424242", json!({"name": "x"}))
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}

#[db_test]
async fn every_bad_product_field_is_named_in_one_answer(app: TestApp) {
    let admin = app.admin().await;
    let bad = json!({"sku": "bad sku!", "name": "", "description": "d", "category": "c",
        "price_cents": -1, "available": -3});
    let body = field_error(
        app.with(&admin).post("/api/admin/products", bad).await,
        "sku",
    )
    .await;
    let fields = fields_of(&body);
    assert_eq!(fields, ["sku", "name", "price_cents", "available"]);
}

#[db_test]
async fn prices_must_be_whole_cents_within_range(app: TestApp) {
    let admin = app.admin().await;
    let mut fractional = lamp("A");
    fractional["price_cents"] = json!(1.5);
    let res = app
        .with(&admin)
        .post("/api/admin/products", fractional)
        .await;
    field_error(res, "price_cents").await;
    let huge = json!({"price_cents": 1_000_000_000});
    let res = app.with(&admin).patch("/api/admin/products/1", huge).await;
    field_error(res, "price_cents").await;
}

#[db_test]
async fn refused_product_input_writes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let mut bad = lamp("bad sku!");
    bad["name"] = json!("");
    app.with(&admin).post("/api/admin/products", bad).await;
    let written = app.store.catalog_changes(Default::default(), 10).await;
    assert!(
        written.unwrap().changes.is_empty(),
        "no product was written"
    );
}

fn image_path(id: i64) -> String {
    format!("/api/admin/products/{id}/image")
}

#[db_test]
async fn an_uploaded_png_is_served_back_from_a_content_addressed_url(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("IMG-1", 100, 1).await;
    let req = app.with(&admin).request(Method::POST, &image_path(p.id));
    let res = send(req.multipart(image_form(PNG, "image"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let image_url = json_of(res).await["image_url"].as_str().unwrap().to_owned();
    assert!(
        image_url.starts_with("/media/products/") && image_url.ends_with(".png"),
        "{image_url}"
    );
    let served = app.get(&image_url).await;
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
}

#[db_test]
async fn an_svg_named_png_is_refused_by_its_bytes_and_the_image_stays(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("IMG-1", 100, 1).await;
    let upload = |bytes: &'static [u8]| {
        let req = app.with(&admin).request(Method::POST, &image_path(p.id));
        send(req.multipart(image_form(bytes, "image")))
    };
    let first = json_of(upload(PNG).await).await["image_url"].clone();
    problem(
        upload(b"<svg onload=alert(1)>").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    let after = json_of(app.get(&format!("/api/products/{}", p.id)).await).await;
    assert_eq!(
        after["image_url"], first,
        "the failed upload left the image alone"
    );
}

#[db_test]
async fn an_upload_without_an_image_field_is_400_naming_image(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("IMG-1", 100, 1).await;
    let req = app.with(&admin).request(Method::POST, &image_path(p.id));
    field_error(send(req.multipart(image_form(PNG, "photo"))).await, "image").await;
}

#[db_test]
async fn an_image_upload_that_is_not_multipart_is_415(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("IMG-1", 100, 1).await;
    let res = app.with(&admin).post(&image_path(p.id), json!({})).await;
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[db_test]
async fn an_image_for_an_unknown_product_is_404(app: TestApp) {
    let admin = app.admin().await;
    let req = app.with(&admin).request(Method::POST, &image_path(424_242));
    problem(
        send(req.multipart(image_form(PNG, "image"))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn media_paths_cannot_climb_out_of_the_media_store(app: TestApp) {
    let res = app.get("/media/products/../../etc/passwd").await;
    problem(res, StatusCode::NOT_FOUND).await;
}

async fn put_stock(app: &TestApp, admin: &Client, sku: &str, available: Value) -> Response {
    let path = format!("/api/admin/inventory/{sku}");
    app.with(admin)
        .put(&path, json!({"available": available}))
        .await
}

#[db_test]
async fn an_admin_sets_stock_and_gets_the_new_level(app: TestApp) {
    let admin = app.admin().await;
    app.product("STK-1", 100, 5).await;
    let res = json_of(put_stock(&app, &admin, "STK-1", json!(0)).await).await;
    assert_eq!(res, json!({"sku": "STK-1", "available": 0}));
    assert_eq!(app.stock_of("STK-1").await, 0);
}

#[db_test]
async fn each_stock_change_is_audited_newest_first_with_its_actor(app: TestApp) {
    let admin = app.admin().await;
    app.product("STK-1", 100, 5).await;
    put_stock(&app, &admin, "STK-1", json!(0)).await;
    put_stock(&app, &admin, "STK-1", json!(12)).await;
    let audit = json_of(
        app.with(&admin)
            .get("/api/admin/inventory/STK-1/audit")
            .await,
    )
    .await;
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (&items[0]["old_available"], &items[0]["new_available"]),
        (&json!(0), &json!(12))
    );
    assert!(items[0]["actor_email"]
        .as_str()
        .unwrap()
        .starts_with("admin-"));
}

#[db_test]
async fn negative_or_non_numeric_stock_is_400_naming_available(app: TestApp) {
    let admin = app.admin().await;
    app.product("STK-1", 100, 5).await;
    for bad in [json!(-1), json!("lots")] {
        field_error(put_stock(&app, &admin, "STK-1", bad).await, "available").await;
    }
    assert_eq!(app.stock_of("STK-1").await, 5);
}

#[db_test]
async fn stock_and_audit_of_an_unknown_sku_are_404(app: TestApp) {
    let admin = app.admin().await;
    problem(
        put_stock(&app, &admin, "NOPE", json!(1)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = app
        .with(&admin)
        .get("/api/admin/inventory/NOPE/audit")
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}

#[db_test]
async fn the_ops_summary_counts_requests_and_inventory_updates(app: TestApp) {
    let admin = app.admin().await;
    app.product("STK-1", 100, 5).await;
    put_stock(&app, &admin, "STK-1", json!(0)).await;
    put_stock(&app, &admin, "STK-1", json!(12)).await;
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
