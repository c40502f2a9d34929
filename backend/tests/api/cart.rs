use crate::helpers::*;

#[db_test]
async fn a_guest_cart_adds_accumulates_updates_and_removes(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let b = app.product("B-1", 1000, 10).await;
    let res = app.add_to_cart(&app.client, a.id, 2).await;
    assert!(res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("ecomm_cart="));
    app.add_to_cart(&app.client, a.id, 1).await;
    let cart = json_of(app.add_to_cart(&app.client, b.id, 1).await).await;
    assert_eq!(cart["items"][0]["quantity"], 3);
    assert_eq!(cart["items"][0]["line_total_cents"], 750);
    assert_eq!(cart["subtotal_cents"], 1750);
    assert_eq!(cart["item_count"], 4);
    let cart = json_of(
        app.patch(
            &format!("/api/cart/items/{}", a.id),
            &json!({"quantity": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(cart["subtotal_cents"], 1250);
    let cart = json_of(app.delete(&format!("/api/cart/items/{}", b.id)).await).await;
    assert_eq!(cart["items"].as_array().unwrap().len(), 1);
    // Another browser has its own cart.
    let other = json_of(app.with(&client()).get("/api/cart").await).await;
    assert_eq!(other["item_count"], 0);
}

#[db_test]
async fn bad_quantities_and_unknown_products_change_nothing(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    for q in [json!(0), json!(-1), json!(100), json!(i64::MAX)] {
        field_error(
            app.add_to_cart(&app.client, a.id, q.as_i64().unwrap())
                .await,
            "quantity",
        )
        .await;
    }
    for q in [json!("two"), json!(1.5), json!(1e20), json!(null)] {
        let res = app
            .post(
                "/api/cart/items",
                &json!({"product_id": a.id, "quantity": q}),
            )
            .await;
        field_error(res, "quantity").await;
    }
    field_error(
        app.post("/api/cart/items", &json!({"quantity": 1})).await,
        "body",
    )
    .await;
    problem(
        app.add_to_cart(&app.client, 987_654, 1).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // 1 + 99 is past the per-line limit: a 400 naming the field (the contract).
    field_error(app.add_to_cart(&app.client, a.id, 99).await, "quantity").await;
    let only = problem(
        app.add_to_cart(&app.client, a.id, 10).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(only["detail"], "only 10 left in stock");
    let sold_out = app.product("OUT-1", 100, 0).await;
    problem(
        app.add_to_cart(&app.client, sold_out.id, 1).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.patch(
            &format!("/api/cart/items/{}", a.id),
            &json!({"quantity": 11}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    field_error(
        app.patch(
            &format!("/api/cart/items/{}", a.id),
            &json!({"quantity": 0}),
        )
        .await,
        "quantity",
    )
    .await;
    problem(
        app.patch("/api/cart/items/424242", &json!({"quantity": 2}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.delete("/api/cart/items/424242").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    field_error(app.delete("/api/cart/items/x").await, "path").await;
    let cart = json_of(app.get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 1, "nothing was half-written");
}

#[db_test]
async fn the_guest_cart_merges_into_the_account_at_login(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let b = app.product("B-1", 300, 10).await;
    let user = app.customer("merge@example.com").await;
    app.add_to_cart(&user, a.id, 1).await;
    send(user.post(app.url("/api/auth/logout"))).await;
    let guest = client();
    app.add_to_cart(&guest, a.id, 2).await;
    app.add_to_cart(&guest, b.id, 1).await;
    app.with(&guest)
        .post(
            "/api/auth/login",
            &json!({"email": "merge@example.com", "password": "correct horse"}),
        )
        .await;
    let cart = json_of(app.with(&guest).get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 4);
    assert_eq!(cart["subtotal_cents"], 3 * 250 + 300);
}
