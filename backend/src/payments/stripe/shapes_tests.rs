//! The adapter and the stand-in against Stripe's own example objects (`stripe_fixtures.json`,
//! taken from Stripe's OpenAPI repository): the adapter reads Stripe's shapes, and the stand-in
//! writes no field Stripe's objects do not have.
use serde_json::{json, Value};

use super::intent::{Intent, IntentStatus};
use super::webhook::Event;

fn fixtures() -> Value {
    serde_json::from_str(include_str!("stripe_fixtures.json")).expect("fixtures parse")
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_adapter_reads_stripes_payment_intent() {
    let f = fixtures();
    let intent: Intent = serde_json::from_value(f["payment_intent"].clone()).unwrap();
    assert_eq!(intent.id, f["payment_intent"]["id"]);
    assert_eq!(intent.amount, 1099);
    assert_eq!(intent.status, IntentStatus::RequiresPaymentMethod);
    assert!(intent.client_secret.unwrap().contains("_secret_"));
}

#[test]
fn the_adapter_reads_an_expanded_payment_method_for_the_cards_public_parts() {
    let mut pi = fixtures()["payment_intent"].clone();
    pi["status"] = json!("requires_capture");
    pi["payment_method"] = json!({"id": "pm_1", "object": "payment_method", "type": "card",
        "card": {"brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2030}});
    let intent: Intent = serde_json::from_value(pi).unwrap();
    assert_eq!(intent.card().last4, "4242");
    assert_eq!(intent.card().brand, "visa");
}

#[test]
fn an_event_wrapping_a_payment_intent_parses_as_stripe_sends_it() {
    let f = fixtures();
    let mut event = f["event"].clone();
    event["type"] = json!("payment_intent.amount_capturable_updated");
    event["data"]["object"] = f["payment_intent"].clone();
    let e: Event = serde_json::from_value(event).unwrap();
    assert_eq!(e.kind, "payment_intent.amount_capturable_updated");
    assert_eq!(e.data.object["id"], f["payment_intent"]["id"]);
}

#[test]
fn the_stand_in_writes_only_fields_stripes_objects_have() {
    let f = fixtures();
    let hooks = super::stand_in_hooks::Hooks::new(Default::default()).unwrap();
    let s = super::stand_in::StandIn::new(hooks);
    let form = vec![
        ("amount".to_owned(), "2500".to_owned()),
        ("currency".to_owned(), "usd".to_owned()),
        ("capture_method".to_owned(), "manual".to_owned()),
    ];
    let pi = s.create_for_test(&form);
    let stripe = keys(&f["payment_intent"]);
    for k in keys(&pi) {
        assert!(stripe.contains(&k), "stand-in invents payment_intent.{k}");
    }
    let _: Intent = serde_json::from_value(pi).unwrap();
    for (object, sample) in [("refund", s.refund_sample()), ("charge", s.charge_sample())] {
        let stripe = keys(&f[object]);
        for k in keys(&sample) {
            assert!(stripe.contains(&k), "stand-in invents {object}.{k}");
        }
    }
}
