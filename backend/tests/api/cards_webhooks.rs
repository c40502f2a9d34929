//! Stripe's webhooks and the reconciler drive the same completion as the browser: whatever the
//! interleaving (webhook first, browser first, both at once, neither), one order per payment.
use std::time::Duration;

use ecomm::checkout::card_reconcile::ABANDON_AFTER;
use ecomm::domain::PaymentState;

use crate::cards_helpers::*;
use crate::helpers::*;

async fn authorized_event(app: &TestApp) -> Value {
    events(app, "payment_intent.amount_capturable_updated")
        .await
        .into_iter()
        .next()
        .expect("the stand-in emitted the event")
}

#[db_test]
async fn the_webhook_first_makes_the_order_and_the_browser_then_gets_it(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let res = deliver(&app, &authorized_event(&app).await).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(count_all_orders(&app).await, 1);
    let res = complete(&app, &app.client, &intent_of(&s)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(count_all_orders(&app).await, 1);
    assert_eq!(app.stock_of("SKU-K1").await, 3);
}

#[db_test]
async fn the_browser_first_then_the_webhook_changes_nothing(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    assert_eq!(
        complete(&app, &app.client, &intent_of(&s)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        deliver(&app, &authorized_event(&app).await).await.status(),
        StatusCode::OK
    );
    assert_eq!(count_all_orders(&app).await, 1);
    assert_eq!(app.stock_of("SKU-K1").await, 3);
}

#[db_test]
async fn the_browser_and_the_webhook_at_once_make_one_order(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let event = authorized_event(&app).await;
    let id = intent_of(&s);
    let (a, b, c, d) = tokio::join!(
        complete(&app, &app.client, &id),
        deliver(&app, &event),
        complete(&app, &app.client, &id),
        deliver(&app, &event),
    );
    for res in [&a, &c] {
        assert!(
            [StatusCode::OK, StatusCode::CREATED].contains(&res.status()),
            "{}",
            res.status()
        );
    }
    assert!(b.status().is_success() && d.status().is_success());
    assert_eq!(count_all_orders(&app).await, 1);
    assert_eq!(app.stock_of("SKU-K1").await, 3);
}

#[db_test]
async fn neither_browser_nor_webhook_the_reconciler_makes_the_order(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let pass = cards(&app)
        .reconcile(Duration::ZERO, ABANDON_AFTER)
        .await
        .unwrap();
    assert_eq!(pass.completed, 1);
    assert_eq!(count_all_orders(&app).await, 1);
    let again = cards(&app)
        .reconcile(Duration::ZERO, ABANDON_AFTER)
        .await
        .unwrap();
    assert_eq!(again, Default::default(), "nothing left open");
    assert_eq!(
        complete(&app, &app.client, &intent_of(&s)).await.status(),
        StatusCode::OK
    );
}

#[db_test]
async fn the_reconciler_leaves_a_young_unpaid_checkout_and_cancels_an_abandoned_one(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let young = cards(&app)
        .reconcile(Duration::ZERO, ABANDON_AFTER)
        .await
        .unwrap();
    assert_eq!(young.pending, 1);
    assert_eq!(
        intent(&app, &intent_of(&s)).await["status"],
        "requires_payment_method"
    );
    let old = cards(&app)
        .reconcile(Duration::ZERO, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(old.closed, 1);
    assert_eq!(intent(&app, &intent_of(&s)).await["status"], "canceled");
    // Paying it now is refused by the provider; completing it is refused by the shop.
    problem(
        complete(&app, &app.client, &intent_of(&s)).await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
}

#[db_test]
async fn signed_webhooks_from_the_stand_in_complete_the_order_without_the_browser(db: Db) {
    let app = TestApp::spawn_cards(db, "on").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    eventually("the webhook made the order", || async {
        count_all_orders(&app).await == 1
    })
    .await;
}

#[db_test]
async fn late_duplicated_reordered_webhooks_still_make_exactly_one_order_each(db: Db) {
    let app = TestApp::spawn_cards(db, "on,delay=300,duplicate").await;
    let mut ids = Vec::new();
    for key in ["k1", "k2", "k3"] {
        let c = client();
        let s = started(&app, &c, key).await;
        pay(&app, &s, APPROVE).await;
        ids.push(intent_of(&s));
    }
    eventually("three orders", || async {
        count_all_orders(&app).await == 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(count_all_orders(&app).await, 3);
}

#[db_test]
async fn a_forged_signature_is_400_and_nothing_is_written(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let event = authorized_event(&app).await;
    let res = deliver_signed(&app, &event, "whsec_not_ours", now_s()).await;
    problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(count_all_orders(&app).await, 0);
    assert!(!app
        .store
        .event_seen(event["id"].as_str().unwrap())
        .await
        .unwrap());
    let unsigned = client()
        .post(app.url("/api/payments/stripe/webhook"))
        .header("content-type", "application/json")
        .body(event.to_string());
    problem(send(unsigned).await, StatusCode::BAD_REQUEST).await;
}

#[db_test]
async fn a_signature_older_than_five_minutes_is_400_even_with_the_right_secret(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let secret = secrecy::ExposeSecret::expose_secret(&cards(&app).webhook_secrets[0]).to_owned();
    let res = deliver_signed(&app, &authorized_event(&app).await, &secret, now_s() - 301).await;
    problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(count_all_orders(&app).await, 0);
}

#[db_test]
async fn a_replayed_event_is_acknowledged_and_acted_on_once(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let event = authorized_event(&app).await;
    assert_eq!(deliver(&app, &event).await.status(), StatusCode::OK);
    let replay = json_of(deliver(&app, &event).await).await;
    assert_eq!(replay["replay"], true);
    assert_eq!(count_all_orders(&app).await, 1);
}

#[db_test]
async fn an_unknown_event_type_is_acknowledged_and_ignored(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let event = json!({"id": "evt_x", "object": "event", "type": "customer.created",
        "created": now_s(), "data": {"object": {"id": "cus_1"}}});
    assert_eq!(deliver(&app, &event).await.status(), StatusCode::OK);
}

#[db_test]
async fn another_deployments_intent_is_left_alone(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    pay(&app, &s, APPROVE).await;
    let mut event = authorized_event(&app).await;
    event["id"] = json!("evt_other");
    event["data"]["object"]["metadata"]["ecomm_deployment"] = json!("another-shop");
    assert_eq!(deliver(&app, &event).await.status(), StatusCode::OK);
    assert_eq!(count_all_orders(&app).await, 0);
}

#[db_test]
async fn a_refund_made_at_the_provider_is_recorded_on_the_order(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let id = intent_of(&s);
    pay(&app, &s, APPROVE).await;
    let order = json_of(complete(&app, &app.client, &id).await).await;
    let oid = order["id"].as_str().unwrap().to_owned();
    eventually("captured", || async {
        intent(&app, &id).await["status"] == "succeeded"
    })
    .await;
    eventually("capture recorded", || async {
        app.store.order(&oid).await.unwrap().row.payment_state == PaymentState::Captured
    })
    .await;
    let refund = stand_in(&app, Method::POST, "/v1/refunds").await;
    assert_eq!(
        refund.status(),
        StatusCode::BAD_REQUEST,
        "a refund names its payment"
    );
    let secret = cards(&app)
        .stand_in
        .clone()
        .unwrap()
        .secret_key()
        .to_owned();
    let res = send(
        client()
            .post(app.url("/test-gateway/v1/refunds"))
            .bearer_auth(secret)
            .form(&[("payment_intent", id.as_str())]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let event = events(&app, "charge.refunded").await.remove(0);
    assert_eq!(deliver(&app, &event).await.status(), StatusCode::OK);
    let o = app.store.order(&oid).await.unwrap();
    assert_eq!(o.row.payment_state, PaymentState::Refunded);
}

#[db_test]
async fn a_dispute_marks_the_order_for_the_back_office(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let s = started(&app, &app.client, "k1").await;
    let id = intent_of(&s);
    pay(&app, &s, "4000 0000 0000 0259").await;
    complete(&app, &app.client, &id).await;
    eventually("disputed", || async {
        !events(&app, "charge.dispute.created").await.is_empty()
    })
    .await;
    let event = events(&app, "charge.dispute.created").await.remove(0);
    assert_eq!(deliver(&app, &event).await.status(), StatusCode::OK);
    let disputed: Option<i64> = disputed_at(&app, &id).await;
    assert!(disputed.is_some());
}

async fn disputed_at(app: &TestApp, intent: &str) -> Option<i64> {
    let url = &app.database_url;
    if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query_scalar("SELECT disputed_at FROM orders WHERE payment_reference = $1")
            .bind(intent)
            .fetch_one(&pool)
            .await
            .unwrap()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query_scalar("SELECT disputed_at FROM orders WHERE payment_reference = $1")
            .bind(intent)
            .fetch_one(&pool)
            .await
            .unwrap()
    }
}

/// A crash after the attempt was written, around the create call: the attempt names no intent.
#[db_test]
async fn an_attempt_whose_intent_was_never_recorded_is_found_by_its_key_and_cancelled(db: Db) {
    let app = TestApp::spawn_cards(db, "off").await;
    let p = app.product("A-1", 1250, 5).await;
    let lines = [ecomm::store::TakeLine {
        product_id: p.id,
        quantity: 1,
        unit_price_cents: 1250,
    }];
    let attempt = ecomm::store::NewAttempt {
        id: "att-1",
        request_key: "k1",
        fingerprint: "fp",
        cart_key: "a:nobody",
        user_id: None,
        email: "guest@example.com",
        shipping_address: "{}",
        lines: &lines,
        amount_cents: 1250,
        currency: "USD",
        now: 0,
    };
    assert!(app.store.insert_attempt(&attempt).await.unwrap());
    // The create call reached the provider, then the process died before recording it.
    let made = cards(&app)
        .stripe
        .create_intent(&ecomm::payments::stripe::intent::CreateIntent {
            amount_cents: 1250,
            currency: "USD",
            deployment: "test-shop",
            checkout_id: "att-1",
            receipt_email: "guest@example.com",
        })
        .await
        .unwrap();
    let pass = cards(&app)
        .reconcile(Duration::ZERO, ABANDON_AFTER)
        .await
        .unwrap();
    assert_eq!(pass.closed, 1);
    assert_eq!(
        intent(&app, &made.id).await["status"],
        "canceled",
        "the same intent, found by its key"
    );
    let a = app.store.attempt_by_key("k1").await.unwrap().unwrap();
    assert_eq!(a.intent_id.as_deref(), Some(made.id.as_str()));
    assert_eq!(a.state, ecomm::store::AttemptState::Closed);
}
