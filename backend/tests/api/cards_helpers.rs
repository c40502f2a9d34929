//! Driving the card flow as the browser and Stripe do: start a checkout, confirm the payment at
//! the stand-in with the client secret (as Stripe.js does), pass or fail 3-D Secure, come back;
//! and read the stand-in's events and deliver them signed, as Stripe's webhooks are.
use std::sync::Arc;

use ecomm::checkout::attempts::CardFlow;
use ecomm::payments::stripe::webhook;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

pub const AUTHENTICATE: &str = "4000 0025 0000 3155";

pub fn cards(app: &TestApp) -> Arc<CardFlow> {
    app.state.cards.clone().expect("the app has the card flow")
}

/// A checkout body of the card flow (no card data).
pub fn start_body() -> Value {
    let mut body = checkout_body(APPROVE);
    body.as_object_mut().unwrap().remove("payment");
    body
}

pub async fn start(app: &TestApp, c: &Client, key: &str) -> Response {
    app.checkout(c, key, &start_body()).await
}

/// A cart with `n` of one product, and its checkout started: the answer's JSON.
pub async fn started(app: &TestApp, c: &Client, key: &str) -> Value {
    let p = app
        .product(&format!("SKU-{}", key.to_uppercase()), 1250, 5)
        .await;
    app.add_to_cart(c, p.id, 2).await;
    let res = start(app, c, key).await;
    assert_eq!(res.status(), StatusCode::OK);
    json_of(res).await
}

pub fn intent_of(started: &Value) -> String {
    started["payment"]["intent_id"].as_str().unwrap().to_owned()
}

/// Confirms at the stand-in as Stripe.js does: publishable key and client secret, the card.
pub async fn pay(app: &TestApp, started: &Value, card: &str) -> (StatusCode, Value) {
    let p = &started["payment"];
    let id = p["intent_id"].as_str().unwrap();
    let form = [
        ("key", p["publishable_key"].as_str().unwrap()),
        ("client_secret", p["client_secret"].as_str().unwrap()),
        ("payment_method_data[type]", "card"),
        ("payment_method_data[card][number]", card),
        ("return_url", "/checkout/return"),
    ];
    let url = app.url(&format!("/test-gateway/v1/payment_intents/{id}/confirm"));
    let res = send(client().post(url).form(&form)).await;
    (res.status(), json_of(res).await)
}

pub async fn three_d_secure(app: &TestApp, intent: &str, result: &str) -> Value {
    let url = app.url(&format!("/test-gateway/3ds/{intent}"));
    let res = send(client().post(url).json(&json!({ "result": result }))).await;
    assert_eq!(res.status(), StatusCode::OK);
    json_of(res).await
}

pub async fn complete(app: &TestApp, c: &Client, intent: &str) -> Response {
    app.with(c)
        .post("/api/checkout/complete", json!({ "intent_id": intent }))
        .await
}

/// The intent as the stand-in has it (with the secret key, as the shop asks).
pub async fn intent(app: &TestApp, id: &str) -> Value {
    json_of(stand_in(app, Method::GET, &format!("/v1/payment_intents/{id}")).await).await
}

pub async fn stand_in(app: &TestApp, method: Method, path: &str) -> Response {
    let secret = cards(app).stand_in.clone().unwrap().secret_key().to_owned();
    let url = app.url(&format!("/test-gateway{path}"));
    send(client().request(method, url).bearer_auth(secret)).await
}

/// The stand-in's events of a type, newest first.
pub async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let list = json_of(stand_in(app, Method::GET, "/v1/events").await).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

/// POSTs an event to the webhook, signed at `t` with `secret`.
pub async fn deliver_signed(app: &TestApp, event: &Value, secret: &str, t: i64) -> Response {
    let body = event.to_string();
    let sig = webhook::header(&secret.to_owned().into(), t, body.as_bytes());
    let req = client()
        .post(app.url("/api/payments/stripe/webhook"))
        .header("content-type", "application/json")
        .header("stripe-signature", sig)
        .body(body);
    send(req).await
}

/// POSTs an event signed as Stripe would, now.
pub async fn deliver(app: &TestApp, event: &Value) -> Response {
    let secret = secrecy::ExposeSecret::expose_secret(&cards(app).webhook_secrets[0]).to_owned();
    deliver_signed(app, event, &secret, now_s()).await
}

pub fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub async fn count_all_orders(app: &TestApp) -> i64 {
    app.store.orders(None, 1, 0).await.unwrap().1
}

/// Waits (bounded) until `check` holds; a capture or a webhook runs after the answer.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}
