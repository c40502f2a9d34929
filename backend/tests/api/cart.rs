use crate::helpers::*;

fn item(id: i64) -> String {
    format!("/api/cart/items/{id}")
}

#[db_test]
async fn a_guest_gets_a_cart_cookie_on_the_first_add(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let res = app.add_to_cart(&app.client, a.id, 2).await;
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("ecomm_cart="), "{cookie}");
}

#[db_test]
async fn adding_a_product_again_adds_to_its_line_and_the_totals_follow(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let b = app.product("B-1", 1000, 10).await;
    app.add_to_cart(&app.client, a.id, 2).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let cart = json_of(app.add_to_cart(&app.client, b.id, 1).await).await;
    assert_eq!(cart["items"][0]["quantity"], 3);
    assert_eq!(cart["items"][0]["line_total_cents"], 750);
    assert_eq!(cart["subtotal_cents"], 1750);
    assert_eq!(cart["item_count"], 4);
}

#[db_test]
async fn setting_a_quantity_replaces_the_lines_quantity(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 3).await;
    let cart = json_of(app.patch(&item(a.id), json!({"quantity": 1})).await).await;
    assert_eq!(cart["items"][0]["quantity"], 1);
    assert_eq!(cart["subtotal_cents"], 250);
}

#[db_test]
async fn removing_a_line_keeps_the_others(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let b = app.product("B-1", 1000, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    app.add_to_cart(&app.client, b.id, 1).await;
    let cart = json_of(app.delete(&item(b.id)).await).await;
    assert_eq!(cart["items"].as_array().unwrap().len(), 1);
    assert_eq!(cart["items"][0]["product_id"], a.id);
}

#[db_test]
async fn another_browser_has_its_own_cart(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let other = json_of(app.with(&client()).get("/api/cart").await).await;
    assert_eq!(other["item_count"], 0);
}

#[db_test]
async fn out_of_range_or_non_integer_quantities_are_400_naming_quantity(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    for q in [json!(0), json!(-1), json!(100), json!(i64::MAX)] {
        let res = app
            .add_to_cart(&app.client, a.id, q.as_i64().unwrap())
            .await;
        field_error(res, "quantity").await;
    }
    for q in [json!("two"), json!(1.5), json!(1e20), json!(null)] {
        let res = app
            .post(
                "/api/cart/items",
                json!({"product_id": a.id, "quantity": q}),
            )
            .await;
        field_error(res, "quantity").await;
    }
}

#[db_test]
async fn a_body_without_a_product_is_400_naming_the_body(app: TestApp) {
    let res = app.post("/api/cart/items", json!({"quantity": 1})).await;
    field_error(res, "body").await;
}

#[db_test]
async fn an_unknown_product_is_404(app: TestApp) {
    let res = app.add_to_cart(&app.client, 987_654, 1).await;
    problem(res, StatusCode::NOT_FOUND).await;
}

#[db_test]
async fn a_line_that_would_pass_99_is_409_naming_quantity(app: TestApp) {
    let a = app.product("A-1", 250, 1000).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    // 99 is a valid quantity; it is the line already holding 1 that cannot take it.
    let body = problem(
        app.add_to_cart(&app.client, a.id, 99).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(fields_of(&body), ["quantity"]);
    field_error(app.add_to_cart(&app.client, a.id, 100).await, "quantity").await;
}

#[db_test]
async fn adding_more_than_the_shelf_holds_is_409_saying_how_many_are_left(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let res = app.add_to_cart(&app.client, a.id, 10).await;
    let body = problem(res, StatusCode::CONFLICT).await;
    assert_eq!(body["detail"], "only 10 left in stock");
}

#[db_test]
async fn a_sold_out_product_cannot_be_added(app: TestApp) {
    let sold_out = app.product("OUT-1", 100, 0).await;
    let res = app.add_to_cart(&app.client, sold_out.id, 1).await;
    problem(res, StatusCode::CONFLICT).await;
}

#[db_test]
async fn setting_a_quantity_beyond_stock_is_409(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let res = app.patch(&item(a.id), json!({"quantity": 11})).await;
    problem(res, StatusCode::CONFLICT).await;
}

#[db_test]
async fn setting_a_quantity_of_zero_is_400_naming_quantity(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let res = app.patch(&item(a.id), json!({"quantity": 0})).await;
    field_error(res, "quantity").await;
}

#[db_test]
async fn changing_or_removing_a_line_that_is_not_in_the_cart_is_404(app: TestApp) {
    let res = app.patch(&item(424_242), json!({"quantity": 2})).await;
    problem(res, StatusCode::NOT_FOUND).await;
    problem(app.delete(&item(424_242)).await, StatusCode::NOT_FOUND).await;
}

#[db_test]
async fn a_product_id_that_is_not_a_number_is_400_naming_the_path(app: TestApp) {
    field_error(app.delete("/api/cart/items/x").await, "path").await;
}

#[db_test]
async fn refused_changes_leave_the_cart_as_it_was(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    app.add_to_cart(&app.client, a.id, 10).await;
    app.patch(&item(a.id), json!({"quantity": 11})).await;
    app.add_to_cart(&app.client, a.id, 0).await;
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
    let login = json!({"email": "merge@example.com", "password": "correct horse"});
    app.with(&guest).post("/api/auth/login", login).await;
    let cart = json_of(app.with(&guest).get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 4);
    assert_eq!(cart["subtotal_cents"], 3 * 250 + 300);
}

#[db_test]
async fn a_guests_cart_travels_in_its_cookie_and_writes_nothing_to_the_database(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let b = app.product("B-1", 300, 10).await;
    let res = app.add_to_cart(&app.client, a.id, 2).await;
    let token = set_cookie_value(&res, "ecomm_cart").unwrap();
    assert_eq!(
        set_cookie_value(&res, "ecomm_cart_lines").unwrap(),
        format!("c{}x2", a.id)
    );
    let res = app.add_to_cart(&app.client, b.id, 1).await;
    assert_eq!(
        set_cookie_value(&res, "ecomm_cart_lines").unwrap(),
        format!("c{}x2.{}x1", a.id, b.id)
    );
    assert!(app
        .store
        .cart(&ecomm::http::session::CartOwner::guest_key(&token))
        .await
        .unwrap()
        .is_empty());
    let cart = json_of(app.get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 3);
    assert_eq!(cart["items"][1]["sku"], "B-1");
}

#[db_test]
async fn a_malformed_cart_cookie_is_an_empty_cart_not_an_error(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    for garbage in ["nonsense", "c1x1.1x2", "c99999999999999999999x1", "c1x500"] {
        let res = send(Client::new().get(app.url("/api/cart")).header(
            "cookie",
            format!("ecomm_cart=tok; ecomm_cart_lines={garbage}"),
        ))
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{garbage}");
        assert_eq!(set_cookie_value(&res, "ecomm_cart_lines").unwrap(), "c");
        assert_eq!(json_of(res).await["item_count"], 0, "{garbage}");
    }
    let res = send(
        Client::new()
            .post(app.url("/api/cart/items"))
            .header("cookie", "ecomm_cart=tok; ecomm_cart_lines=garbage")
            .json(&json!({"product_id": a.id, "quantity": 1})),
    )
    .await;
    assert_eq!(json_of(res).await["item_count"], 1);
}

#[db_test]
async fn a_guest_checkout_leaves_only_the_lines_it_did_not_buy(app: TestApp) {
    let a = app.product("A-1", 250, 10).await;
    let res = app.add_to_cart(&app.client, a.id, 2).await;
    let token = set_cookie_value(&res, "ecomm_cart").unwrap();
    let lines = set_cookie_value(&res, "ecomm_cart_lines").unwrap();
    let res = app
        .checkout(
            &app.client,
            "k-leftover",
            &checkout_body("4242424242424242"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(set_cookie_value(&res, "ecomm_cart_lines").unwrap(), "c");
    assert_eq!(app.stock_of("A-1").await, 8);
    // A retry that still carries the old cart gets the same order, and the cart is emptied again.
    let retry = send(
        Client::new()
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", "k-leftover")
            .header(
                "cookie",
                format!("ecomm_cart={token}; ecomm_cart_lines={lines}"),
            )
            .json(&checkout_body("4242424242424242")),
    )
    .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(set_cookie_value(&retry, "ecomm_cart_lines").unwrap(), "c");
    assert_eq!(app.stock_of("A-1").await, 8, "sold once");
}

#[db_test]
async fn a_line_over_the_shelf_is_a_conflict_problem_for_guests_and_users(app: TestApp) {
    let a = app.product("A-1", 250, 3).await;
    let user = app.customer("shelf@example.com").await;
    for client in [&app.client, &user] {
        let body = problem(app.add_to_cart(client, a.id, 4).await, StatusCode::CONFLICT).await;
        assert_eq!(body["type"], "https://ecomm.dev/problems/conflict");
        assert_eq!(body["detail"], "only 3 left in stock");
    }
}
