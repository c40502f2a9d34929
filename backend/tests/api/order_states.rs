//! Order and payment states under the reconciler: it never undoes a shipment, a cancel it races
//! restocks once, a gateway error is not mistaken for an answer, and admins see where the money is.
use std::time::Duration;

use ecomm::checkout::reconciler::pass;
use ecomm::domain::{Card, Checks, OrderStatus, PaymentState};
use ecomm::payments::{Authorization, AuthorizeRequest, GatewayState};
use ecomm::store::{PlaceOrder, TakeLine};

use crate::gateways::Knobs;
use crate::helpers::*;

/// An order of `quantity` × A-1 (500 cents) committed with its payment authorized, as a checkout
/// that has not captured yet leaves it, a second old. Returns (order id, payment reference).
async fn authorized_order(
    app: &TestApp,
    product_id: i64,
    key: &str,
    quantity: i64,
) -> (String, String) {
    let card = Card::parse("4242424242424242", 12, 2035, "123", &mut Checks::default()).unwrap();
    let req = AuthorizeRequest {
        card: &card,
        amount_cents: 500 * quantity,
        currency: "USD",
        idempotency_key: key,
    };
    let Authorization::Approved { reference } = app.state.payments.authorize(&req).await.unwrap()
    else {
        panic!("approved")
    };
    let lines = [TakeLine {
        product_id,
        quantity,
        unit_price_cents: 500,
    }];
    let address = checkout_body(APPROVE)["shipping_address"].to_string();
    let order = PlaceOrder {
        shipping_address: &address,
        ..test_order(key, &reference, &lines, 500 * quantity)
    };
    app.store.place_order(&order).await.unwrap();
    let id = order.id;
    (id, reference)
}

fn a_second_ago() -> i64 {
    ecomm::sys::clock::now_ms() - 1000
}

#[db_test]
async fn the_reconciler_never_cancels_or_restocks_a_shipped_order(app: TestApp) {
    let a = app.product("A-1", 500, 5).await;
    let (id, reference) = authorized_order(&app, a.id, "shipped", 2).await;
    app.store
        .transition_order(&id, OrderStatus::Paid, OrderStatus::Shipped, a_second_ago())
        .await
        .unwrap();
    // The authorization lapsed at the gateway before anyone captured it.
    app.state.payments.void(&reference).await.unwrap();
    pass(&app.state.checkout, Duration::ZERO).await.unwrap();
    let row = app.store.order(&id).await.unwrap().row;
    assert_eq!(row.status, OrderStatus::Shipped, "the parcel is gone");
    assert_eq!(app.stock_of("A-1").await, 3, "nothing came back to restock");
    assert_eq!(
        row.payment_state,
        PaymentState::Voided,
        "the order shows the money is not there"
    );
}

#[db_test]
async fn an_admin_cancel_racing_the_reconciler_restocks_once(db: Db) {
    let gateway = Knobs::new();
    let app = TestApp::spawn_with_gateway(db, gateway.clone()).await;
    let a = app.product("A-1", 500, 5).await;
    let (id, reference) = authorized_order(&app, a.id, "raced", 2).await;
    assert_eq!(app.stock_of("A-1").await, 3);
    // While the reconciler is capturing the order it read as paid, an admin's cancel commits
    // (stock back) and voids the payment, not yet having recorded the void.
    let (store, inner, order_id) = (app.store.clone(), gateway.inner.clone(), id.clone());
    gateway.on_next_capture(Box::pin(async move {
        store
            .transition_order(
                &order_id,
                OrderStatus::Paid,
                OrderStatus::Cancelled,
                a_second_ago(),
            )
            .await
            .unwrap();
        ecomm::payments::PaymentGateway::void(inner.as_ref(), &reference)
            .await
            .unwrap();
    }));
    pass(&app.state.checkout, Duration::ZERO).await.unwrap();
    assert_eq!(app.stock_of("A-1").await, 5, "restocked once");
    assert_eq!(
        app.store.order(&id).await.unwrap().row.status,
        OrderStatus::Cancelled
    );
}

#[db_test]
async fn a_void_refused_for_a_revoked_key_is_retried_not_read_as_captured(db: Db) {
    let gateway = Knobs::new();
    let app = TestApp::spawn_with_gateway(db, gateway.clone()).await;
    let a = app.product("A-1", 500, 5).await;
    let (id, _) = authorized_order(&app, a.id, "revoked", 1).await;
    gateway.refuse_voids_as_unauthorized(true);
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .post(
            &format!("/api/admin/orders/{id}/status"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let state = || async { app.store.order(&id).await.unwrap().row.payment_state };
    assert_eq!(state().await, PaymentState::Authorized, "still held");
    let report = pass(&app.state.checkout, Duration::ZERO).await.unwrap();
    assert!(report.unresolved >= 1, "{report:?}");
    assert_eq!(state().await, PaymentState::Authorized, "still held");
    // With a working key the next pass releases the hold.
    gateway.refuse_voids_as_unauthorized(false);
    pass(&app.state.checkout, Duration::ZERO).await.unwrap();
    assert_eq!(state().await, PaymentState::Voided);
    let p = app.state.payments.lookup("revoked").await.unwrap().unwrap();
    assert_eq!(p.state, GatewayState::Voided);
}

#[db_test]
async fn admins_see_an_order_whose_money_is_only_authorized_as_authorized(app: TestApp) {
    let a = app.product("A-1", 500, 5).await;
    let (id, reference) = authorized_order(&app, a.id, "held", 1).await;
    let admin = app.admin().await;
    let payment = || async {
        let page = json_of(app.with(&admin).get("/api/admin/orders").await).await;
        assert_eq!(page["items"][0]["id"], id.as_str());
        page["items"][0]["payment"]["state"].clone()
    };
    assert_eq!(payment().await, "authorized");
    app.state.payments.capture(&reference).await.unwrap();
    app.store
        .mark_captured(std::slice::from_ref(&id), ecomm::sys::clock::now_ms())
        .await
        .unwrap();
    assert_eq!(payment().await, "captured");
}
