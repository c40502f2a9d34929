//! The card flow from the browser's side: card data goes to the provider (the stand-in here),
//! never to our API; the order is made once the payment holds the money, once.
use ecomm::domain::PaymentState;

use crate::cards_helpers::*;
use crate::helpers::*;

#[db_test]
async fn a_card_checkout_answers_the_intent_and_completing_it_makes_the_order(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    assert_eq!(s["amount_cents"], 2500);
    assert_eq!(s["currency"], "USD");
    assert_eq!(s["payment"]["provider"], "stripe");
    assert!(s["payment"]["client_secret"]
        .as_str()
        .unwrap()
        .contains("_secret_"));
    let id = intent_of(&s);
    let pi = intent(&app, &id).await;
    assert_eq!(pi["capture_method"], "manual");
    assert_eq!(pi["amount"], 2500);
    assert_eq!(pi["metadata"]["ecomm_deployment"], "test-shop");
    assert_eq!(pi["metadata"]["ecomm_checkout_id"], s["checkout_id"]);

    let (status, paid) = pay(&app, &s, APPROVE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paid["status"], "requires_capture");
    let res = complete(&app, &app.client, &id).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let order = json_of(res).await;
    assert_eq!(order["total_cents"], 2500);
    assert_eq!(order["payment"]["last4"], "4242");
    assert_eq!(app.stock_of("SKU-K1").await, 3);
    let cart = json_of(app.get("/api/cart").await).await;
    assert_eq!(cart["item_count"], 0);
    eventually("the capture", || async {
        intent(&app, &id).await["status"] == "succeeded"
    })
    .await;
    let oid = order["id"].as_str().unwrap().to_owned();
    eventually("the capture recorded", || async {
        app.store.order(&oid).await.unwrap().row.payment_state == PaymentState::Captured
    })
    .await;
}

#[db_test]
async fn completing_again_answers_the_same_order_and_never_a_second(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let first = json_of(complete(&app, &app.client, &intent_of(&s)).await).await;
    let again = complete(&app, &app.client, &intent_of(&s)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json_of(again).await["id"], first["id"]);
    assert_eq!(count_all_orders(&app).await, 1);
    assert_eq!(app.stock_of("SKU-K1").await, 3);
}

#[db_test]
async fn the_same_idempotency_key_answers_the_same_intent(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let again = json_of(start(&app, &app.client, "k1").await).await;
    assert_eq!(again["payment"]["intent_id"], s["payment"]["intent_id"]);
    assert_eq!(again["checkout_id"], s["checkout_id"]);
    let other = json_of(start(&app, &app.client, "k2").await).await;
    assert_ne!(other["payment"]["intent_id"], s["payment"]["intent_id"]);
}

#[db_test]
async fn a_checkout_body_carrying_card_data_is_refused_and_nothing_is_created(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let p = app.product("A-1", 1250, 5).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    let res = app
        .checkout(&app.client, "k1", &checkout_body(APPROVE))
        .await;
    field_error(res, "payment").await;
    let mut body = start_body();
    body["shipping_address"]["line2"] = json!("4242-4242-4242-4242");
    field_error(
        app.checkout(&app.client, "k2", &body).await,
        "shipping_address.line2",
    )
    .await;
    assert!(app.store.attempt_by_key("k1").await.unwrap().is_none());
    assert!(events(&app, "payment_intent.created").await.is_empty());
}

#[db_test]
async fn completing_before_the_payment_is_authorized_is_402_payment_not_authorized(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let body = problem(
        complete(&app, &app.client, &intent_of(&s)).await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert_eq!(
        body["type"],
        "https://ecomm.dev/problems/payment-not-authorized"
    );
    assert_eq!(count_all_orders(&app).await, 0);
}

#[db_test]
async fn a_declined_card_makes_no_order_and_another_card_may_still_pay(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let (status, declined) = pay(&app, &s, DECLINE).await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(declined["error"]["type"], "card_error");
    assert_eq!(declined["error"]["code"], "card_declined");
    problem(
        complete(&app, &app.client, &intent_of(&s)).await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert_eq!(count_all_orders(&app).await, 0);
    pay(&app, &s, APPROVE).await;
    assert_eq!(
        complete(&app, &app.client, &intent_of(&s)).await.status(),
        StatusCode::CREATED
    );
}

#[db_test]
async fn a_card_that_needs_3d_secure_pays_once_the_challenge_is_completed(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let id = intent_of(&s);
    let (status, pi) = pay(&app, &s, AUTHENTICATE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pi["status"], "requires_action");
    assert_eq!(pi["next_action"]["type"], "redirect_to_url");
    let page = pi["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    assert_eq!(page, format!("/test-gateway/3ds/{id}"));
    let html = app.get(page).await.text().await.unwrap();
    assert!(html.contains("Complete") && html.contains("Fail"));
    problem(
        complete(&app, &app.client, &id).await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert_eq!(
        three_d_secure(&app, &id, "complete").await["status"],
        "requires_capture"
    );
    assert_eq!(
        complete(&app, &app.client, &id).await.status(),
        StatusCode::CREATED
    );
}

#[db_test]
async fn a_failed_3d_secure_challenge_makes_no_order(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let id = intent_of(&s);
    pay(&app, &s, AUTHENTICATE).await;
    let pi = three_d_secure(&app, &id, "fail").await;
    assert_eq!(pi["status"], "requires_payment_method");
    assert_eq!(
        pi["last_payment_error"]["code"],
        "payment_intent_authentication_failure"
    );
    problem(
        complete(&app, &app.client, &id).await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    assert_eq!(count_all_orders(&app).await, 0);
    assert_eq!(app.stock_of("SKU-K1").await, 5);
}

#[db_test]
async fn stock_gone_after_authorization_is_409_naming_the_line_and_the_payment_is_cancelled(
    db: Db,
) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let id = intent_of(&s);
    pay(&app, &s, APPROVE).await;
    app.set_stock("SKU-K1", 1).await;
    let body = problem(complete(&app, &app.client, &id).await, StatusCode::CONFLICT).await;
    assert_eq!(body["lines"][0]["sku"], "SKU-K1");
    assert_eq!(intent(&app, &id).await["status"], "canceled");
    let again = problem(complete(&app, &app.client, &id).await, StatusCode::CONFLICT).await;
    assert_eq!(again["lines"], body["lines"]);
    assert_eq!(count_all_orders(&app).await, 0);
    assert_eq!(app.stock_of("SKU-K1").await, 1);
}

#[db_test]
async fn completing_a_payment_no_checkout_of_ours_made_is_404(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    problem(
        complete(&app, &app.client, "pi_unknown").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn no_card_number_is_in_the_database_after_a_card_checkout(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    complete(&app, &app.client, &intent_of(&s)).await;
    let orders = app.store.orders(None, 10, 0).await.unwrap().0;
    let attempt = app.store.attempt_by_key("k1").await.unwrap().unwrap();
    let dump = format!("{orders:?}{attempt:?}");
    assert!(!dump.contains("4242424242424242") && !dump.contains("4242 4242 4242 4242"));
}
