//! The Stripe adapter against a local stub (wiremock) replaying the request and response shapes
//! of Stripe's API reference (PaymentIntents create/capture/cancel/search, Refunds, errors).
use secrecy::SecretString;
use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::stripe::StripeGateway;
use super::*;
use crate::domain::{Card, Checks};

const SECRET: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

fn card(number: &str) -> Card {
    Card::parse(number, 12, 2035, "123", &mut Checks::default()).unwrap()
}

/// A PaymentIntent as Stripe returns it (trimmed to the fields the adapter reads, plus a few).
fn intent(id: &str, status: &str, key: &str) -> Value {
    json!({
        "id": id, "object": "payment_intent", "amount": 2599, "amount_capturable": 2599,
        "amount_received": 0, "capture_method": "manual", "confirmation_method": "automatic",
        "created": 1_764_130_000, "currency": "usd", "livemode": false,
        "metadata": {"idempotency_key": key}, "payment_method": "pm_1Q0PsIJvEtkwdCNYMSaVuRz6",
        "payment_method_types": ["card"], "status": status
    })
}

async fn stub() -> (MockServer, StripeGateway) {
    let server = MockServer::start().await;
    let gw = StripeGateway::new(&server.uri(), SecretString::from(SECRET)).unwrap();
    (server, gw)
}

#[tokio::test]
async fn authorize_creates_a_confirmed_manual_capture_intent_with_the_idempotency_key() {
    let (server, gw) = stub().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .and(header("idempotency-key", "order-key-1"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("amount=2599"))
        .and(body_string_contains("currency=usd"))
        .and(body_string_contains("capture_method=manual"))
        .and(body_string_contains("confirm=true"))
        .and(body_string_contains(
            "payment_method_data%5Bcard%5D%5Bnumber%5D=4242424242424242",
        ))
        .and(body_string_contains(
            "metadata%5Bidempotency_key%5D=order-key-1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent(
            "pi_3MtwBwLkdIwHu7ix28a3tqPa",
            "requires_capture",
            "order-key-1",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let c = card("4242424242424242");
    let req = AuthorizeRequest {
        card: &c,
        amount_cents: 2599,
        currency: "USD",
        idempotency_key: "order-key-1",
    };
    assert_eq!(
        gw.authorize(&req).await.unwrap(),
        Authorization::Approved {
            reference: "pi_3MtwBwLkdIwHu7ix28a3tqPa".into()
        }
    );
}

#[tokio::test]
async fn an_intent_captured_or_made_for_another_amount_currency_or_key_is_not_an_approval() {
    let (server, gw) = stub().await;
    let mut other_currency = intent("pi_eur", "requires_capture", "eur");
    other_currency["currency"] = json!("eur");
    for (key, answer) in [
        ("captured", intent("pi_done", "succeeded", "captured")),
        ("cancelled", intent("pi_gone", "canceled", "cancelled")),
        ("cents", intent("pi_cents", "requires_capture", "cents")),
        ("eur", other_currency),
        ("mine", intent("pi_theirs", "requires_capture", "theirs")),
    ] {
        Mock::given(method("POST"))
            .and(path("/v1/payment_intents"))
            .and(header("idempotency-key", key))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .mount(&server)
            .await;
    }
    // Whatever the intent is, it is someone else's money: not cancelled by this request.
    Mock::given(method("POST"))
        .and(path_regex("^/v1/payment_intents/[^/]+/cancel$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("pi_x", "canceled", "x")))
        .expect(0)
        .mount(&server)
        .await;
    let c = card("4242424242424242");
    for (key, cents) in [
        ("captured", 2599),
        ("cancelled", 2599),
        ("cents", 1000),
        ("eur", 2599),
        ("mine", 2599),
    ] {
        let req = AuthorizeRequest {
            card: &c,
            amount_cents: cents,
            currency: "USD",
            idempotency_key: key,
        };
        let answer = gw.authorize(&req).await;
        assert!(
            !matches!(answer, Ok(Authorization::Approved { .. })),
            "{key}: {answer:?}"
        );
    }
}

#[tokio::test]
async fn a_card_error_is_a_decline_with_stripes_message() {
    let (server, gw) = stub().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": {
            "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
            "doc_url": "https://stripe.com/docs/error-codes/card-declined",
            "payment_intent": intent("pi_declined", "requires_payment_method", "k2")
        }})))
        .mount(&server)
        .await;
    let c = card("4000000000009995");
    let req = AuthorizeRequest {
        card: &c,
        amount_cents: 2599,
        currency: "usd",
        idempotency_key: "k2",
    };
    assert_eq!(
        gw.authorize(&req).await.unwrap(),
        Authorization::Declined {
            reason: "Your card has insufficient funds.".into()
        }
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_unavailable_and_a_key_used_elsewhere_is_already_used() {
    let (server, gw) = stub().await;
    Mock::given(method("POST"))
        .and(header("idempotency-key", "busy"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("idempotency-key", "reused"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}})))
        .mount(&server)
        .await;
    let c = card("4242424242424242");
    let busy = AuthorizeRequest {
        card: &c,
        amount_cents: 1,
        currency: "usd",
        idempotency_key: "busy",
    };
    assert!(matches!(
        gw.authorize(&busy).await,
        Err(GatewayError::Unavailable(_))
    ));
    let reused = AuthorizeRequest {
        idempotency_key: "reused",
        ..busy
    };
    assert!(
        matches!(gw.authorize(&reused).await, Ok(Authorization::AlreadyUsed { detail }) if detail.contains("idempotency_error"))
    );
    drop(server);
    assert!(
        matches!(gw.authorize(&busy).await, Err(GatewayError::Unavailable(_))),
        "no server"
    );
}

#[tokio::test]
async fn capture_and_cancel_post_to_the_intent_and_are_idempotent() {
    let (server, gw) = stub().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents/pi_1/capture"))
        .and(header("idempotency-key", "capture-pi_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("pi_1", "succeeded", "k")))
        .expect(1)
        .mount(&server)
        .await;
    // Capturing twice: Stripe says the intent is in an unexpected state, and shows it succeeded.
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents/pi_2/capture"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "type": "invalid_request_error", "code": "payment_intent_unexpected_state",
            "message": "This PaymentIntent could not be captured because it has a status of succeeded.",
            "payment_intent": intent("pi_2", "succeeded", "k")}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents/pi_3/cancel"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("pi_3", "canceled", "k")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents/pi_4/cancel"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "type": "invalid_request_error", "code": "payment_intent_unexpected_state",
            "message": "You cannot cancel this PaymentIntent because it has a status of succeeded.",
            "payment_intent": intent("pi_4", "succeeded", "k")}})))
        .mount(&server)
        .await;
    gw.capture("pi_1").await.unwrap();
    gw.capture("pi_2").await.unwrap();
    gw.void("pi_3").await.unwrap();
    assert!(matches!(
        gw.void("pi_4").await,
        Err(GatewayError::WrongState(GatewayState::Captured))
    ));
}

#[tokio::test]
async fn a_cancel_refused_for_our_api_key_says_nothing_of_the_payments_state() {
    let (server, gw) = stub().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents/pi_5/cancel"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "type": "invalid_request_error",
            "message": "Invalid API Key provided: sk_live_****************1234"}})))
        .mount(&server)
        .await;
    assert!(matches!(
        gw.void("pi_5").await,
        Err(GatewayError::Rejected(m)) if m.contains("Invalid API Key")
    ));
}

#[tokio::test]
async fn refund_posts_the_intent_and_amount() {
    let (server, gw) = stub().await;
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(body_string_contains("payment_intent=pi_9"))
        .and(body_string_contains("amount=500"))
        .and(header("idempotency-key", "refund-pi_9-500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ", "object": "refund", "amount": 500,
            "currency": "usd", "payment_intent": "pi_9", "status": "succeeded"})))
        .expect(1)
        .mount(&server)
        .await;
    gw.refund("pi_9", 500).await.unwrap();
}

#[tokio::test]
async fn lookup_and_open_authorizations_use_search_on_the_metadata_key() {
    let (server, gw) = stub().await;
    let page = |data: Vec<Value>| json!({"object": "search_result", "url": "/v1/payment_intents/search", "has_more": false, "next_page": null, "data": data});
    Mock::given(method("GET"))
        .and(path("/v1/payment_intents/search"))
        .and(query_param(
            "query",
            "metadata['idempotency_key']:'it\\'s-mine'",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![intent(
            "pi_5",
            "requires_capture",
            "it's-mine",
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payment_intents/search"))
        .and(query_param("query", "status:'requires_capture' AND created<1764130060"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![
            intent("pi_6", "requires_capture", "k6"),
            // Not ours (no checkout key in its metadata): left alone.
            json!({"id": "pi_other", "object": "payment_intent", "amount": 1, "created": 1, "status": "requires_capture", "metadata": {}}),
        ])))
        .mount(&server)
        .await;
    let found = gw.lookup("it's-mine").await.unwrap().unwrap();
    assert_eq!(
        (found.reference.as_str(), found.state, found.amount_cents),
        ("pi_5", GatewayState::Authorized, 2599)
    );
    assert_eq!(found.created_at_ms, 1_764_130_000_000);
    let open = gw.open_authorizations(1_764_130_060_000).await.unwrap();
    assert_eq!(
        open.iter()
            .map(|p| p.reference.as_str())
            .collect::<Vec<_>>(),
        vec!["pi_6"]
    );
    assert!(
        gw.lookup("nobody").await.is_err(),
        "an unmatched stub is a 404 without a Stripe error body"
    );
}
