//! One payment pays for one order: not after the key's row is gone, not when the gateway hands
//! back a payment that is no longer a fresh authorization, not by any path into the store.
use std::time::Duration;

use ecomm::domain::PaymentState;
use ecomm::payments::GatewayState;
use ecomm::store::{Placement, StoreError, TakeLine};

use crate::helpers::*;

/// Runs one statement on the test's database, behind the application's back.
async fn execute(app: &TestApp, sql: &str) {
    use sqlx::Connection;
    match app.db {
        Db::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Db::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

async fn wait_for_capture(app: &TestApp, order_id: &str) {
    for _ in 0..100 {
        if app.store.order(order_id).await.unwrap().row.payment_state == PaymentState::Captured {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the order was not captured");
}

#[db_test]
async fn a_checkout_resent_after_its_key_row_is_gone_places_no_second_order_on_the_same_payment(
    app: TestApp,
) {
    let a = app.product("A-1", 500, 5).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let body = checkout_body(APPROVE);
    let first = app.checkout(&app.client, "once", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let order_id = json_of(first).await["id"].as_str().unwrap().to_owned();
    wait_for_capture(&app, &order_id).await;
    // The key's row is gone, as a day-old purge left it; the same request comes again (with the
    // product back in the cart, so it is not refused as an empty cart).
    execute(&app, "DELETE FROM idempotency_keys WHERE key = 'once'").await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let again = app.checkout(&app.client, "once", &body).await;
    let p = problem(again, StatusCode::CONFLICT).await;
    assert!(
        p["type"]
            .as_str()
            .unwrap()
            .ends_with("/payment-already-used"),
        "{p}"
    );
    let (orders, total) = app.store.orders(None, 10, 0).await.unwrap();
    assert_eq!(total, 1, "one payment, one order");
    assert_eq!(app.stock_of("A-1").await, 4, "sold once");
    // Nothing new at the gateway: the one payment, captured, is the first order's.
    let payment = app.state.payments.lookup("once").await.unwrap().unwrap();
    assert_eq!(payment.state, GatewayState::Captured);
    assert_eq!(
        orders[0].row.payment_reference.as_deref(),
        Some(payment.reference.as_str())
    );
    assert!(app
        .state
        .payments
        .open_authorizations(i64::MAX)
        .await
        .unwrap()
        .is_empty());
}

#[db_test]
async fn two_orders_cannot_share_one_payment_reference(app: TestApp) {
    let a = app.product("A-1", 500, 5).await;
    let line = [TakeLine {
        product_id: a.id,
        quantity: 1,
        unit_price_cents: 500,
    }];
    let order = |key: &'static str| test_order(key, "pay_1", &line, 500);
    assert_eq!(
        app.store.place_order(&order("first")).await.unwrap(),
        Placement::Placed
    );
    let second = app.store.place_order(&order("second")).await;
    assert!(
        matches!(second, Err(StoreError::PaymentAlreadyUsed)),
        "{second:?}"
    );
    assert_eq!(app.store.orders(None, 10, 0).await.unwrap().1, 1);
    assert_eq!(
        app.stock_of("A-1").await,
        4,
        "the refused order took nothing"
    );
    assert!(
        app.store
            .idempotency_record("second")
            .await
            .unwrap()
            .is_none(),
        "its key was not claimed"
    );
}

#[db_test]
async fn the_purge_keeps_the_key_of_a_placed_order_long_after_a_day(app: TestApp) {
    let a = app.product("A-1", 500, 5).await;
    app.add_to_cart(&app.client, a.id, 1).await;
    let placed = json_of(
        app.checkout(&app.client, "kept", &checkout_body(APPROVE))
            .await,
    )
    .await;
    app.add_to_cart(&app.client, a.id, 1).await;
    problem(
        app.checkout(&app.client, "refused", &checkout_body(DECLINE))
            .await,
        StatusCode::PAYMENT_REQUIRED,
    )
    .await;
    let a_year_later = ecomm::sys::clock::now_ms() + 365 * 24 * 3_600_000;
    app.store
        .purge_expired(a_year_later, a_year_later, a_year_later)
        .await
        .unwrap();
    let kept = app.store.idempotency_record("kept").await.unwrap();
    assert_eq!(
        kept.and_then(|k| k.order_id).as_deref(),
        placed["id"].as_str()
    );
    assert!(
        app.store
            .idempotency_record("refused")
            .await
            .unwrap()
            .is_none(),
        "a refusal's key goes after a day"
    );
}
