//! Cart limits, the price the shopper saw, and the card-testing limit under concurrency.
use std::time::Duration;

use ecomm::domain::{CartItem, CartLimits};

use crate::gateways::Knobs;
use crate::helpers::*;

#[db_test]
async fn a_fifty_first_product_is_refused_with_cart_too_large(app: TestApp) {
    let mut ids = Vec::new();
    for i in 0..51 {
        ids.push(app.product(&format!("L-{i}"), 100, 5).await.id);
    }
    for id in &ids[..50] {
        assert_eq!(
            app.add_to_cart(&app.client, *id, 1).await.status(),
            StatusCode::OK
        );
    }
    let body = problem(
        app.add_to_cart(&app.client, ids[50], 1).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body["type"].as_str().unwrap().ends_with("/cart-too-large"),
        "{body}"
    );
    // More of a product already in the cart is still fine.
    assert_eq!(
        app.add_to_cart(&app.client, ids[0], 1).await.status(),
        StatusCode::OK
    );
}

#[db_test]
async fn more_than_ninety_nine_of_one_product_is_a_400_naming_quantity(app: TestApp) {
    let a = app.product("Q-1", 100, 500).await;
    field_error(app.add_to_cart(&app.client, a.id, 100).await, "quantity").await;
    assert_eq!(
        app.add_to_cart(&app.client, a.id, 99).await.status(),
        StatusCode::OK
    );
    // A valid quantity the full line cannot take conflicts with the cart (409), naming it too.
    let body = problem(
        app.add_to_cart(&app.client, a.id, 1).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(fields_of(&body), ["quantity"]);
}

#[db_test]
async fn a_checkout_of_more_than_fifty_lines_is_refused_before_any_payment(app: TestApp) {
    // A cart that grew past the limit another way (e.g. merged at sign-in).
    let user = app.customer("big@example.com").await;
    let me = json_of(app.with(&user).get("/api/me").await).await;
    let key = format!("u:{}", me["id"]);
    // The store takes any limits it is given; the checkout's are the shop's.
    let limits = CartLimits {
        per_line: 99,
        lines: 1000,
    };
    for i in 0..51 {
        let p = app.product(&format!("M-{i}"), 100, 5).await;
        app.store
            .add_to_cart(&key, CartItem::new(p.id, 1), limits, 0)
            .await
            .unwrap();
    }
    let req = user
        .post(app.url("/api/checkout"))
        .header("Idempotency-Key", "big")
        .json(&checkout_body(APPROVE));
    let body = problem(send(req).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["type"].as_str().unwrap().ends_with("/cart-too-large"));
    assert_eq!(app.stock_of("M-0").await, 5);
    assert!(
        app.state.payments.lookup("big").await.unwrap().is_none(),
        "nothing authorized"
    );
}

#[db_test]
async fn a_changed_total_is_409_price_changed_and_nothing_is_charged(app: TestApp) {
    let a = app.product("P-1", 1250, 5).await;
    app.add_to_cart(&app.client, a.id, 2).await;
    let mut body = checkout_body(APPROVE);
    body["expected_total_cents"] = json!(2000);
    let res = app.checkout(&app.client, "seen-2000", &body).await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert!(
        p["type"].as_str().unwrap().ends_with("/price-changed"),
        "{p}"
    );
    assert!(p["detail"].as_str().unwrap().contains("2500"));
    assert_eq!(app.stock_of("P-1").await, 5);
    assert!(app
        .state
        .payments
        .lookup("seen-2000")
        .await
        .unwrap()
        .is_none());
    // The shopper reviews the cart and confirms the real total: it goes through.
    body["expected_total_cents"] = json!(2500);
    let res = app.checkout(&app.client, "seen-2500", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json_of(res).await["total_cents"], 2500);
}

#[db_test]
async fn a_negative_expected_total_is_a_400_naming_the_field(app: TestApp) {
    let a = app.product("P-1", 100, 5).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let mut body = checkout_body(APPROVE);
    body["expected_total_cents"] = json!(-1);
    field_error(
        app.checkout(&app.client, "neg", &body).await,
        "expected_total_cents",
    )
    .await;
}

#[db_test]
async fn twenty_parallel_declined_checkouts_reach_the_gateway_exactly_five_times(db: Db) {
    // Each authorization takes a moment, so all twenty are under way together.
    let gateway = Knobs::slow(Duration::from_millis(200));
    let app = TestApp::spawn_with_gateway(db, gateway.clone()).await;
    let p = app.product("CARD-1", 500, 50).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    let keys: Vec<String> = (0..20).map(|i| format!("card-{i}")).collect();
    let body = checkout_body(DECLINE);
    let answers =
        futures::future::join_all(keys.iter().map(|k| app.checkout(&app.client, k, &body))).await;
    let count = |s: StatusCode| answers.iter().filter(|r| r.status() == s).count();
    assert_eq!(gateway.authorizations(), 5, "the limit, and no more");
    assert_eq!(
        (
            count(StatusCode::PAYMENT_REQUIRED),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (5, 15)
    );
}
