//! The test gateway: its cards, its idempotency, its ledger shared by replicas.
use std::io::Write;

use super::test_gateway::*;
use super::*;
use crate::domain::{Card, Checks};

fn card(number: &str) -> Card {
    Card::parse(number, 12, 2035, "123", &mut Checks::default()).unwrap()
}

async fn authorize(gw: &TestGateway, number: &str, key: &str) -> Authorization {
    let c = card(number);
    let req = AuthorizeRequest {
        card: &c,
        amount_cents: 1000,
        currency: "USD",
        idempotency_key: key,
    };
    gw.authorize(&req).await.unwrap()
}

#[tokio::test]
async fn the_test_cards_decline_and_others_are_approved() {
    let gw = TestGateway::new();
    let declined = authorize(&gw, DECLINED_CARD, "a").await;
    assert_eq!(
        declined,
        Authorization::Declined {
            reason: "Your card was declined.".into()
        }
    );
    let poor = authorize(&gw, INSUFFICIENT_FUNDS_CARD, "b").await;
    assert!(matches!(poor, Authorization::Declined { reason } if reason.contains("insufficient")));
    assert!(matches!(
        authorize(&gw, "4242424242424242", "c").await,
        Authorization::Approved { .. }
    ));
}

#[tokio::test]
async fn the_same_key_returns_the_same_authorization_and_lookup_finds_it() {
    let gw = TestGateway::new();
    let first = authorize(&gw, "4242424242424242", "k").await;
    assert_eq!(authorize(&gw, "4242424242424242", "k").await, first);
    let Authorization::Approved { reference } = first else {
        panic!("approved")
    };
    let found = gw.lookup("k").await.unwrap().unwrap();
    assert_eq!(
        (found.reference.as_str(), found.state),
        (reference.as_str(), GatewayState::Authorized)
    );
    gw.capture(&reference).await.unwrap();
    gw.capture(&reference).await.unwrap();
    assert!(
        gw.void(&reference).await.is_err(),
        "a captured payment cannot be voided"
    );
    gw.refund(&reference, 1000).await.unwrap();
    assert_eq!(
        gw.lookup("k").await.unwrap().unwrap().state,
        GatewayState::Refunded
    );
    assert!(gw.lookup("other").await.unwrap().is_none());
}

#[tokio::test]
async fn a_key_is_approved_again_only_while_its_payment_is_a_hold_of_that_amount_and_currency() {
    let gw = TestGateway::new();
    let c = card("4242424242424242");
    let ask = |amount_cents, currency, key| AuthorizeRequest {
        card: &c,
        amount_cents,
        currency,
        idempotency_key: key,
    };
    let first = gw.authorize(&ask(1000, "USD", "k")).await.unwrap();
    let Authorization::Approved { reference } = first.clone() else {
        panic!("approved")
    };
    assert_eq!(gw.authorize(&ask(1000, "usd", "k")).await.unwrap(), first);
    for other in [ask(999, "USD", "k"), ask(1000, "EUR", "k")] {
        let answer = gw.authorize(&other).await;
        assert!(
            !matches!(answer, Ok(Authorization::Approved { .. })),
            "{other:?}: {answer:?}"
        );
    }
    gw.capture(&reference).await.unwrap();
    let answer = gw.authorize(&ask(1000, "USD", "k")).await;
    assert!(
        !matches!(answer, Ok(Authorization::Approved { .. })),
        "captured: {answer:?}"
    );
    authorize(&gw, "4242424242424242", "released").await;
    let released = gw.lookup("released").await.unwrap().unwrap().reference;
    gw.void(&released).await.unwrap();
    let answer = gw.authorize(&ask(1000, "USD", "released")).await;
    assert!(
        !matches!(answer, Ok(Authorization::Approved { .. })),
        "voided: {answer:?}"
    );
}

#[tokio::test]
async fn the_ledger_survives_a_restart_and_lists_open_authorizations() {
    let path = std::env::temp_dir().join(format!("ledger-{}.jsonl", uuid::Uuid::new_v4()));
    let gw = TestGateway::with_ledger(&path).unwrap();
    let Authorization::Approved { reference } = authorize(&gw, "4242424242424242", "open").await
    else {
        panic!("approved")
    };
    authorize(&gw, "4242424242424242", "voided").await;
    let voided = gw.lookup("voided").await.unwrap().unwrap().reference;
    gw.void(&voided).await.unwrap();
    drop(gw);

    let again = TestGateway::with_ledger(&path).unwrap();
    let open = again
        .open_authorizations(crate::sys::clock::now_ms() + 1)
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].reference.as_str(), open[0].idempotency_key.as_str()),
        (reference.as_str(), "open")
    );
    assert!(again.open_authorizations(0).await.unwrap().is_empty());
    assert_eq!(
        again.lookup("voided").await.unwrap().unwrap().state,
        GatewayState::Voided
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_replica_sharing_the_ledger_sees_each_later_event_and_half_written_lines_once_complete() {
    let path = std::env::temp_dir().join(format!("ledger-{}.jsonl", uuid::Uuid::new_v4()));
    let a = TestGateway::with_ledger(&path).unwrap();
    let b = TestGateway::with_ledger(&path).unwrap();
    authorize(&a, "4242424242424242", "shared").await;
    let seen = b.lookup("shared").await.unwrap().unwrap();
    assert_eq!(seen.state, GatewayState::Authorized);
    a.capture(&seen.reference).await.unwrap();
    assert_eq!(
        b.lookup("shared").await.unwrap().unwrap().state,
        GatewayState::Captured
    );

    // Another process is halfway through writing a line: not read until its newline lands.
    let line = r#"{"key":"late","reference":"tpay_late","amount_cents":5,"state":"authorized","created_at_ms":1}"#;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&line.as_bytes()[..20]).unwrap();
    assert!(b.lookup("late").await.unwrap().is_none());
    f.write_all(&line.as_bytes()[20..]).unwrap();
    f.write_all(b"\n").unwrap();
    assert_eq!(
        b.lookup("late").await.unwrap().unwrap().reference,
        "tpay_late"
    );
    let _ = std::fs::remove_file(path);
}
