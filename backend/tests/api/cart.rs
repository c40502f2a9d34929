use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

db_test! {
    async fn a_guest_cart_adds_accumulates_updates_and_removes(app) {
        let a = app.product("A-1", 250, 10).await;
        let b = app.product("B-1", 1000, 10).await;
        let res = app.add_to_cart(&app.client, a.id, 2).await;
        assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().starts_with("ecomm_cart="));
        app.add_to_cart(&app.client, a.id, 1).await;
        let cart: Value = app.add_to_cart(&app.client, b.id, 1).await.json().await.unwrap();
        assert_eq!(cart["items"][0]["quantity"], 3);
        assert_eq!(cart["items"][0]["line_total_cents"], 750);
        assert_eq!(cart["subtotal_cents"], 1750);
        assert_eq!(cart["item_count"], 4);
        let cart: Value = app.client.patch(app.url(&format!("/api/cart/items/{}", a.id))).json(&json!({"quantity": 1})).send().await.unwrap().json().await.unwrap();
        assert_eq!(cart["subtotal_cents"], 1250);
        let cart: Value = app.client.delete(app.url(&format!("/api/cart/items/{}", b.id))).send().await.unwrap().json().await.unwrap();
        assert_eq!(cart["items"].as_array().unwrap().len(), 1);
        // Another browser has its own cart.
        let other: Value = client().get(app.url("/api/cart")).send().await.unwrap().json().await.unwrap();
        assert_eq!(other["item_count"], 0);
    }
}

db_test! {
    async fn bad_quantities_and_unknown_products_change_nothing(app) {
        let a = app.product("A-1", 250, 10).await;
        app.add_to_cart(&app.client, a.id, 1).await;
        for q in [json!(0), json!(-1), json!(100), json!(i64::MAX)] {
            field_error(app.add_to_cart(&app.client, a.id, q.as_i64().unwrap()).await, "quantity").await;
        }
        for q in [json!("two"), json!(1.5), json!(1e20), json!(null)] {
            let res = app.client.post(app.url("/api/cart/items")).json(&json!({"product_id": a.id, "quantity": q})).send().await.unwrap();
            field_error(res, "quantity").await;
        }
        field_error(app.client.post(app.url("/api/cart/items")).json(&json!({"quantity": 1})).send().await.unwrap(), "body").await;
        problem(app.add_to_cart(&app.client, 987_654, 1).await, StatusCode::NOT_FOUND).await;
        problem(app.add_to_cart(&app.client, a.id, 99).await, StatusCode::CONFLICT).await;
        let only = problem(app.add_to_cart(&app.client, a.id, 10).await, StatusCode::CONFLICT).await;
        assert_eq!(only["detail"], "only 10 left in stock");
        let sold_out = app.product("OUT-1", 100, 0).await;
        problem(app.add_to_cart(&app.client, sold_out.id, 1).await, StatusCode::CONFLICT).await;
        problem(app.client.patch(app.url(&format!("/api/cart/items/{}", a.id))).json(&json!({"quantity": 11})).send().await.unwrap(), StatusCode::CONFLICT).await;
        field_error(app.client.patch(app.url(&format!("/api/cart/items/{}", a.id))).json(&json!({"quantity": 0})).send().await.unwrap(), "quantity").await;
        problem(app.client.patch(app.url("/api/cart/items/424242")).json(&json!({"quantity": 2})).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        problem(app.client.delete(app.url("/api/cart/items/424242")).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        field_error(app.client.delete(app.url("/api/cart/items/x")).send().await.unwrap(), "path").await;
        let cart: Value = app.client.get(app.url("/api/cart")).send().await.unwrap().json().await.unwrap();
        assert_eq!(cart["item_count"], 1, "nothing was half-written");
    }
}

db_test! {
    async fn the_guest_cart_merges_into_the_account_at_login(app) {
        let a = app.product("A-1", 250, 10).await;
        let b = app.product("B-1", 300, 10).await;
        let user = app.customer("merge@example.com").await;
        app.add_to_cart(&user, a.id, 1).await;
        user.post(app.url("/api/auth/logout")).send().await.unwrap();
        let guest = client();
        app.add_to_cart(&guest, a.id, 2).await;
        app.add_to_cart(&guest, b.id, 1).await;
        guest.post(app.url("/api/auth/login")).json(&json!({"email": "merge@example.com", "password": "correct horse"})).send().await.unwrap();
        let cart: Value = guest.get(app.url("/api/cart")).send().await.unwrap().json().await.unwrap();
        assert_eq!(cart["item_count"], 4);
        assert_eq!(cart["subtotal_cents"], 3 * 250 + 300);
    }
}
