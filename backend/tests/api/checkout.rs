use crate::helpers::*;

#[db_test]
async fn a_guest_checks_out_stock_drops_and_the_cart_empties(app: TestApp) {
    let a = app.product("A-1", 1250, 5).await;
    let b = app.product("B-1", 99, 3).await;
    app.add_to_cart(&app.client, a.id, 2).await;
    app.add_to_cart(&app.client, b.id, 3).await;
    let res = app
        .checkout(&app.client, "key-1", &checkout_body(APPROVE))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let order = json_of(res).await;
    assert_eq!(order["status"], "paid");
    assert_eq!(order["total_cents"], 2 * 1250 + 3 * 99);
    assert_eq!(
        order["payment"],
        json!({"brand": "visa", "last4": "4242", "state": "authorized"}),
        "answered before the capture"
    );
    assert_eq!(order["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.stock_of("A-1").await, 3);
    assert_eq!(app.stock_of("B-1").await, 0);
    let cart = json_of(app.get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 0);
    // The guest who placed it can read it back; another browser cannot.
    let id = order["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/orders/{id}")).await.status(),
        StatusCode::OK
    );
    problem(
        app.with(&client()).get(&format!("/api/orders/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn card_numbers_are_never_stored(app: TestApp) {
    let a = app.product("A-1", 100, 5).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let order = json_of(
        app.checkout(&app.client, "k", &checkout_body("4242424242424242"))
            .await,
    )
    .await;
    let row = app
        .store
        .order(order["id"].as_str().unwrap())
        .await
        .unwrap()
        .row;
    let everything = format!("{row:?}");
    assert!(!everything.contains("4242424242424242"));
    assert_eq!(row.payment_last4, "4242");
}

#[db_test]
async fn a_declined_card_is_402_with_stock_restored_and_no_pending_order(app: TestApp) {
    let a = app.product("A-1", 500, 4).await;
    app.add_to_cart(&app.client, a.id, 3).await;
    let body = problem(
        app.checkout(&app.client, "decline-1", &checkout_body(DECLINE))
            .await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("declined"));
    assert_eq!(app.stock_of("A-1").await, 4);
    assert_eq!(app.count_orders("pending").await, 0);
    assert_eq!(app.count_orders("paid").await, 0);
    // The cart survives so the shopper can try another card.
    let cart = json_of(app.get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 3);
    let ok = app
        .checkout(&app.client, "decline-2", &checkout_body(APPROVE))
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    assert_eq!(app.stock_of("A-1").await, 1);
}

#[db_test]
async fn short_stock_fails_the_whole_checkout_naming_the_lines(app: TestApp) {
    let a = app.product("A-1", 500, 10).await;
    let b = app.product("B-1", 500, 2).await;
    app.add_to_cart(&app.client, a.id, 2).await;
    app.add_to_cart(&app.client, b.id, 2).await;
    // Someone else buys one B between add-to-cart and checkout.
    app.set_stock("B-1", 1).await;
    let body = problem(
        app.checkout(&app.client, "short", &checkout_body(APPROVE))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        body["lines"],
        json!([{"product_id": b.id, "sku": "B-1", "requested": 2, "available": 1}])
    );
    assert_eq!(app.stock_of("A-1").await, 10, "no partial stock taken");
    assert_eq!(app.stock_of("B-1").await, 1);
    assert_eq!(app.store.orders(None, 10, 0).await.unwrap().1, 0);
    // The key was not consumed: after fixing the cart the same key works.
    app.patch(
        &format!("/api/cart/items/{}", b.id),
        &json!({"quantity": 1}),
    )
    .await;
    assert_eq!(
        app.checkout(&app.client, "short", &checkout_body(APPROVE))
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[db_test]
async fn the_same_key_and_body_return_the_same_order_and_a_different_body_is_422(app: TestApp) {
    let a = app.product("A-1", 500, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let first = json_of(
        app.checkout(&app.client, "same", &checkout_body(APPROVE))
            .await,
    )
    .await;
    let again = app
        .checkout(&app.client, "same", &checkout_body(APPROVE))
        .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let again = json_of(again).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(app.stock_of("A-1").await, 9, "stock taken once");
    let mut other = checkout_body(APPROVE);
    other["email"] = json!("someone-else@example.com");
    problem(
        app.checkout(&app.client, "same", &other).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // A replayed decline is the same decline.
    app.add_to_cart(&app.client, a.id, 1).await;
    problem(
        app.checkout(&app.client, "dec", &checkout_body(DECLINE))
            .await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    problem(
        app.checkout(&app.client, "dec", &checkout_body(DECLINE))
            .await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert_eq!(app.stock_of("A-1").await, 9);
}

#[db_test]
async fn bad_checkout_input_names_every_field_and_writes_nothing(app: TestApp) {
    let a = app.product("A-1", 500, 10).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let res = app.post("/api/checkout", &checkout_body(APPROVE)).await;
    field_error(res, "Idempotency-Key").await;
    let bad = json!({
        "email": "not-an-email",
        "shipping_address": {"name": "", "line1": "x", "city": "y", "postal_code": "<b>", "country": "Narnia"},
        "payment": {"card_number": "4242 4242 4242 4241", "exp_month": 13, "exp_year": 1999, "cvc": "12a"}
    });
    let body = field_error(app.checkout(&app.client, "bad", &bad).await, "email").await;
    let fields = fields_of(&body);
    for f in [
        "shipping_address.name",
        "shipping_address.postal_code",
        "shipping_address.country",
        "payment.card_number",
        "payment.exp_month",
        "payment.exp_year",
        "payment.cvc",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let mut wrong_type = checkout_body(APPROVE);
    wrong_type["shipping_address"] = json!("home");
    field_error(
        app.checkout(&app.client, "bad2", &wrong_type).await,
        "shipping_address",
    )
    .await;
    problem(
        app.checkout(&client(), "empty", &checkout_body(APPROVE))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(app.stock_of("A-1").await, 10);
    assert_eq!(app.store.orders(None, 10, 0).await.unwrap().1, 0);
}

#[db_test]
async fn signed_in_orders_show_in_history_and_stay_private(app: TestApp) {
    let a = app.product("A-1", 700, 10).await;
    let ann = app.customer("ann@example.com").await;
    app.add_to_cart(&ann, a.id, 2).await;
    let order = json_of(app.checkout(&ann, "ann-1", &checkout_body(APPROVE)).await).await;
    let history = json_of(app.with(&ann).get("/api/orders").await).await;
    assert_eq!(history["items"][0]["id"], order["id"]);
    let bob = app.customer("bob@example.com").await;
    let id = order["id"].as_str().unwrap();
    problem(
        app.with(&bob).get(&format!("/api/orders/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let bobs = json_of(app.with(&bob).get("/api/orders").await).await;
    assert_eq!(bobs["items"], json!([]));
    problem(
        app.with(&ann).get("/api/orders/not-a-uuid").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
