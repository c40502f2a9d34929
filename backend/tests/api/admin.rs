use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

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

db_test! {
    async fn admins_create_update_and_delete_products(app) {
        let admin = app.admin().await;
        let res = admin.post(app.url("/api/admin/products"))
            .json(&json!({"sku": "NEW-1", "name": "<b>Bold</b> Lamp", "description": "Bright", "category": "Home", "price_cents": 2599, "available": 7}))
            .send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["name"], "<b>Bold</b> Lamp", "stored verbatim; the storefront escapes");
        let id = p["id"].as_i64().unwrap();
        let dup = admin.post(app.url("/api/admin/products")).json(&json!({"sku": "NEW-1", "name": "x", "description": "x", "category": "x", "price_cents": 1, "available": 1})).send().await.unwrap();
        problem(dup, StatusCode::CONFLICT).await;
        let up: Value = admin.patch(app.url(&format!("/api/admin/products/{id}"))).json(&json!({"price_cents": 1999})).send().await.unwrap().json().await.unwrap();
        assert_eq!(up["price_cents"], 1999);
        assert_eq!(up["name"], "<b>Bold</b> Lamp");
        assert_eq!(admin.delete(app.url(&format!("/api/admin/products/{id}"))).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        problem(app.client.get(app.url(&format!("/api/products/{id}"))).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        problem(admin.delete(app.url(&format!("/api/admin/products/{id}"))).send().await.unwrap(), StatusCode::NOT_FOUND).await;
    }
}

db_test! {
    async fn bad_product_input_is_rejected_field_by_field(app) {
        let admin = app.admin().await;
        let res = admin.post(app.url("/api/admin/products"))
            .json(&json!({"sku": "bad sku!", "name": "", "description": "d", "category": "c", "price_cents": -1, "available": -3})).send().await.unwrap();
        let body = field_error(res, "sku").await;
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["sku", "name", "price_cents", "available"]);
        field_error(admin.post(app.url("/api/admin/products")).json(&json!({"sku": "A", "name": "n", "description": "d", "category": "c", "price_cents": 1.5, "available": 1})).send().await.unwrap(), "price_cents").await;
        field_error(admin.patch(app.url("/api/admin/products/1")).json(&json!({"price_cents": 1_000_000_000})).send().await.unwrap(), "price_cents").await;
        problem(admin.patch(app.url("/api/admin/products/424242")).json(&json!({"name": "x"})).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        assert_eq!(app.store.list_products(&Default::default()).await.unwrap().1, 0);
    }
}

db_test! {
    async fn image_uploads_are_sniffed_capped_and_served_content_addressed(app) {
        let admin = app.admin().await;
        let p = app.product("IMG-1", 100, 1).await;
        let url = app.url(&format!("/api/admin/products/{}/image", p.id));
        let res = admin.post(&url).multipart(image_form(PNG, "image")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let image_url = body["image_url"].as_str().unwrap().to_owned();
        assert!(image_url.starts_with("/media/products/") && image_url.ends_with(".png"), "{image_url}");
        let served = app.client.get(app.url(&image_url)).send().await.unwrap();
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
        // An SVG or HTML file named .png is refused by its bytes.
        problem(admin.post(&url).multipart(image_form(b"<svg onload=alert(1)>", "image")).send().await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        let mut big = PNG.to_vec();
        big.resize(6 * 1024 * 1024, 0);
        problem(admin.post(&url).multipart(image_form(&big, "image")).send().await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE).await;
        field_error(admin.post(&url).multipart(image_form(PNG, "photo")).send().await.unwrap(), "image").await;
        problem(admin.post(&url).json(&json!({})).send().await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        problem(admin.post(app.url("/api/admin/products/424242/image")).multipart(image_form(PNG, "image")).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        problem(app.client.get(app.url("/media/products/../../etc/passwd")).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        let after: Value = app.client.get(app.url(&format!("/api/products/{}", p.id))).send().await.unwrap().json().await.unwrap();
        assert_eq!(after["image_url"], image_url.as_str(), "failed uploads left the image alone");
    }
}

db_test! {
    async fn stock_is_set_with_an_audit_trail(app) {
        let admin = app.admin().await;
        app.product("STK-1", 100, 5).await;
        let res: Value = admin.put(app.url("/api/admin/inventory/STK-1")).json(&json!({"available": 0})).send().await.unwrap().json().await.unwrap();
        assert_eq!(res, json!({"sku": "STK-1", "available": 0}));
        admin.put(app.url("/api/admin/inventory/STK-1")).json(&json!({"available": 12})).send().await.unwrap();
        let audit: Value = admin.get(app.url("/api/admin/inventory/STK-1/audit")).send().await.unwrap().json().await.unwrap();
        let items = audit["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0]["old_available"].as_i64(), items[0]["new_available"].as_i64()), (Some(0), Some(12)));
        assert!(items[0]["actor_email"].as_str().unwrap().starts_with("admin-"));
        field_error(admin.put(app.url("/api/admin/inventory/STK-1")).json(&json!({"available": -1})).send().await.unwrap(), "available").await;
        field_error(admin.put(app.url("/api/admin/inventory/STK-1")).json(&json!({"available": "lots"})).send().await.unwrap(), "available").await;
        problem(admin.put(app.url("/api/admin/inventory/NOPE")).json(&json!({"available": 1})).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        problem(admin.get(app.url("/api/admin/inventory/NOPE/audit")).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        assert_eq!(app.stock_of("STK-1").await, 12);
        let summary: Value = admin.get(app.url("/api/admin/ops/summary")).send().await.unwrap().json().await.unwrap();
        assert!(summary["inventory_updates_per_minute"].as_u64().unwrap() >= 2);
        assert!(summary["requests_per_second"].as_f64().unwrap() > 0.0);
    }
}

db_test! {
    async fn orders_move_through_their_lifecycle_and_cancelling_restocks(app) {
        let admin = app.admin().await;
        let a = app.product("ORD-1", 100, 5).await;
        app.add_to_cart(&app.client, a.id, 2).await;
        let order: Value = app.checkout(&app.client, "life", &checkout_body(APPROVE)).await.json().await.unwrap();
        let id = order["id"].as_str().unwrap();
        let list: Value = admin.get(app.url("/api/admin/orders?status=paid")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["total"], 1);
        let status = |s: &'static str| admin.post(app.url(&format!("/api/admin/orders/{id}/status"))).json(&json!({"status": s})).send();
        let shipped: Value = status("shipped").await.unwrap().json().await.unwrap();
        assert_eq!(shipped["status"], "shipped");
        problem(status("paid").await.unwrap(), StatusCode::CONFLICT).await;
        problem(status("cancelled").await.unwrap(), StatusCode::CONFLICT).await;
        field_error(status("lost").await.unwrap(), "status").await;
        assert_eq!(status("delivered").await.unwrap().status(), StatusCode::OK);
        field_error(admin.get(app.url("/api/admin/orders?status=bogus")).send().await.unwrap(), "status").await;
        field_error(admin.get(app.url("/api/admin/orders?per_page=1000")).send().await.unwrap(), "per_page").await;

        app.add_to_cart(&app.client, a.id, 3).await;
        let second: Value = app.checkout(&app.client, "life-2", &checkout_body(APPROVE)).await.json().await.unwrap();
        assert_eq!(app.stock_of("ORD-1").await, 0);
        let id2 = second["id"].as_str().unwrap();
        let cancelled: Value = admin.post(app.url(&format!("/api/admin/orders/{id2}/status"))).json(&json!({"status": "cancelled"})).send().await.unwrap().json().await.unwrap();
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(app.stock_of("ORD-1").await, 3);
        problem(admin.post(app.url(&format!("/api/admin/orders/{}/status", uuid::Uuid::new_v4()))).json(&json!({"status": "shipped"})).send().await.unwrap(), StatusCode::NOT_FOUND).await;
    }
}
