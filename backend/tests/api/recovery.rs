//! The order transaction, the reconciler, and a shopper who goes away mid-checkout.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ecomm::checkout::reconciler::{pass, PassReport};
use ecomm::domain::{Card, Checks, PaymentState};
use ecomm::payments::{
    Authorization, AuthorizeRequest, GatewayError, GatewayPayment, GatewayState, PaymentGateway,
    TestGateway,
};
use ecomm::store::{Placement, StoreError, TakeLine};

use crate::helpers::*;

fn card() -> Card {
    Card::parse("4242424242424242", 12, 2035, "123", &mut Checks::default()).unwrap()
}

/// Authorizes `cents` under `key` the way checkout does, returning the gateway's reference.
async fn authorize(app: &TestApp, key: &str, cents: i64) -> String {
    let c = card();
    let req = AuthorizeRequest {
        card: &c,
        amount_cents: cents,
        currency: "USD",
        idempotency_key: key,
    };
    match app.state.payments.authorize(&req).await.unwrap() {
        Authorization::Approved { reference } => reference,
        other => panic!("{other:?}"),
    }
}

#[db_test]
async fn the_order_transaction_takes_all_lines_or_none_and_names_the_short_ones(app: TestApp) {
    let a = app.product("A-1", 500, 3).await;
    let b = app.product("B-1", 200, 1).await;
    let lines = [
        TakeLine {
            product_id: a.id,
            quantity: 2,
            unit_price_cents: 500,
        },
        TakeLine {
            product_id: b.id,
            quantity: 2,
            unit_price_cents: 200,
        },
    ];
    match app
        .store
        .place_order(&test_order("k1", "ref", &lines, 1400))
        .await
    {
        Err(StoreError::InsufficientStock { lines }) => {
            assert_eq!(lines.len(), 1);
            assert_eq!(
                (
                    lines[0].sku.as_str(),
                    lines[0].requested,
                    lines[0].available
                ),
                ("B-1", 2, 1)
            );
        }
        other => panic!("expected InsufficientStock, got {other:?}"),
    }
    assert_eq!(
        (app.stock_of("A-1").await, app.stock_of("B-1").await),
        (3, 1),
        "nothing taken"
    );
    assert!(
        app.store.idempotency_record("k1").await.unwrap().is_none(),
        "key not claimed"
    );

    let repriced = [TakeLine {
        product_id: a.id,
        quantity: 1,
        unit_price_cents: 450,
    }];
    assert!(matches!(
        app.store
            .place_order(&test_order("k2", "ref", &repriced, 450))
            .await,
        Err(StoreError::PriceChanged)
    ));

    let fits = [
        TakeLine {
            product_id: a.id,
            quantity: 3,
            unit_price_cents: 500,
        },
        TakeLine {
            product_id: b.id,
            quantity: 1,
            unit_price_cents: 200,
        },
    ];
    assert_eq!(
        app.store
            .place_order(&test_order("k3", "ref", &fits, 1700))
            .await
            .unwrap(),
        Placement::Placed
    );
    assert_eq!(
        (app.stock_of("A-1").await, app.stock_of("B-1").await),
        (0, 0)
    );
    let again = app
        .store
        .place_order(&test_order("k3", "ref", &fits, 1700))
        .await
        .unwrap();
    assert_eq!(again, Placement::KeyTaken);
    let rec = app.store.idempotency_record("k3").await.unwrap().unwrap();
    let placed = app
        .store
        .order(rec.order_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(placed.row.payment_state, PaymentState::Authorized);
    assert_eq!(placed.items.len(), 2);
}

#[db_test]
async fn the_reconciler_voids_an_authorization_that_never_became_an_order(app: TestApp) {
    let a = app.product("A-1", 500, 3).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    // What a crash right after authorizing leaves: money held, nothing in the database.
    authorize(&app, "lost-1", 500).await;
    let report = pass(&app.state.checkout, Duration::ZERO).await.unwrap();
    assert_eq!(
        report,
        PassReport {
            voided: 1,
            ..Default::default()
        }
    );
    let p = app.state.payments.lookup("lost-1").await.unwrap().unwrap();
    assert_eq!(p.state, GatewayState::Voided);
    // The shopper's retry with that key is told what happened, and nothing was sold.
    let res = app
        .checkout(&app.client, "lost-1", &checkout_body(APPROVE))
        .await;
    let body = problem(res, StatusCode::CONFLICT).await;
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .ends_with("/checkout-interrupted"),
        "{body}"
    );
    assert_eq!(app.stock_of("A-1").await, 3);
    assert_eq!(
        pass(&app.state.checkout, Duration::ZERO).await.unwrap(),
        PassReport::default()
    );
}

#[db_test]
async fn the_reconciler_captures_a_committed_order_and_cancels_one_whose_money_is_gone(
    app: TestApp,
) {
    let a = app.product("A-1", 500, 5).await;
    let line = [TakeLine {
        product_id: a.id,
        quantity: 2,
        unit_price_cents: 500,
    }];
    // Committed, then the process died before capturing.
    let kept = authorize(&app, "commit-1", 1000).await;
    app.store
        .place_order(&test_order("commit-1", &kept, &line, 1000))
        .await
        .unwrap();
    // Committed, but the authorization was released meanwhile (e.g. it expired at the gateway).
    let gone = authorize(&app, "commit-2", 1000).await;
    app.store
        .place_order(&test_order("commit-2", &gone, &line, 1000))
        .await
        .unwrap();
    app.state.payments.void(&gone).await.unwrap();
    assert_eq!(app.stock_of("A-1").await, 1);

    let report = pass(&app.state.checkout, Duration::ZERO).await.unwrap();
    assert_eq!(
        report,
        PassReport {
            captured: 1,
            cancelled: 1,
            ..Default::default()
        }
    );
    assert_eq!(
        app.state
            .payments
            .lookup("commit-1")
            .await
            .unwrap()
            .unwrap()
            .state,
        GatewayState::Captured
    );
    let id = |key: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .idempotency_record(key)
                .await
                .unwrap()
                .unwrap()
                .order_id
                .unwrap()
        }
    };
    let captured = app.store.order(&id("commit-1").await).await.unwrap();
    assert_eq!(captured.row.payment_state, PaymentState::Captured);
    let cancelled = app.store.order(&id("commit-2").await).await.unwrap();
    assert_eq!(
        (
            cancelled.row.status.to_string().as_str(),
            cancelled.row.payment_state
        ),
        ("cancelled", PaymentState::Voided)
    );
    assert_eq!(
        app.stock_of("A-1").await,
        3,
        "the cancelled order's stock is back"
    );
    assert_eq!(
        pass(&app.state.checkout, Duration::ZERO).await.unwrap(),
        PassReport::default()
    );
}

#[db_test]
async fn the_reconciler_leaves_young_payments_alone(app: TestApp) {
    authorize(&app, "young", 100).await;
    let report = pass(&app.state.checkout, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(report, PassReport::default());
    assert_eq!(
        app.state
            .payments
            .lookup("young")
            .await
            .unwrap()
            .unwrap()
            .state,
        GatewayState::Authorized
    );
}

/// The test gateway, slowed down so a client can give up while authorization is under way.
struct SlowGateway(TestGateway);

#[async_trait]
impl PaymentGateway for SlowGateway {
    async fn authorize(&self, req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError> {
        tokio::time::sleep(Duration::from_millis(600)).await;
        self.0.authorize(req).await
    }
    async fn capture(&self, reference: &str) -> Result<(), GatewayError> {
        self.0.capture(reference).await
    }
    async fn void(&self, reference: &str) -> Result<(), GatewayError> {
        self.0.void(reference).await
    }
    async fn refund(&self, reference: &str, cents: i64) -> Result<(), GatewayError> {
        self.0.refund(reference, cents).await
    }
    async fn lookup(&self, key: &str) -> Result<Option<GatewayPayment>, GatewayError> {
        self.0.lookup(key).await
    }
    async fn open_authorizations(&self, before: i64) -> Result<Vec<GatewayPayment>, GatewayError> {
        self.0.open_authorizations(before).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_who_disconnects_during_authorization_still_gets_the_order_on_retry_on_sqlite() {
    disconnect_then_retry(Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_who_disconnects_during_authorization_still_gets_the_order_on_retry_on_postgres()
{
    disconnect_then_retry(Db::Postgres).await
}

async fn disconnect_then_retry(db: Db) {
    let app = TestApp::spawn_with_gateway(db, Arc::new(SlowGateway(TestGateway::new()))).await;
    let a = app.product("A-1", 700, 4).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    // The client gives up (drops the connection) while the card is being authorized.
    let gave_up = app
        .client
        .post(app.url("/api/checkout"))
        .header("Idempotency-Key", "gone")
        .timeout(Duration::from_millis(150))
        .json(&checkout_body(APPROVE))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client timed out");
    // The checkout carries on without it: ordered, captured, stock taken once.
    let mut captured = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(p) = app.state.payments.lookup("gone").await.unwrap() {
            if p.state == GatewayState::Captured {
                captured = true;
                break;
            }
        }
    }
    assert!(captured, "captured without the client");
    assert_eq!(app.stock_of("A-1").await, 3);
    let retry = app
        .checkout(&app.client, "gone", &checkout_body(APPROVE))
        .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    let order = json_of(retry).await;
    assert_eq!(order["status"], "paid");
    assert_eq!(app.count_orders("paid").await, 1);
    assert_eq!(app.stock_of("A-1").await, 3, "the retry did not buy again");
}

#[db_test]
async fn cancelling_a_paid_order_refunds_its_payment(app: TestApp) {
    let a = app.product("A-1", 900, 2).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let order = json_of(
        app.checkout(&app.client, "to-cancel", &checkout_body(APPROVE))
            .await,
    )
    .await;
    let id = order["id"].as_str().unwrap().to_owned();
    // The capture is recorded a moment after the answer.
    for _ in 0..50 {
        if app.store.order(&id).await.unwrap().row.payment_state == PaymentState::Captured {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .post(
            &format!("/api/admin/orders/{id}/status"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let row = app.store.order(&id).await.unwrap().row;
    assert_eq!(row.payment_state, PaymentState::Refunded);
    let p = app
        .state
        .payments
        .lookup("to-cancel")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.state, GatewayState::Refunded);
    assert_eq!(app.stock_of("A-1").await, 2);
}
