//! The stand-in's events and webhooks, and its 3-D Secure challenge page.
//! Every state change is an event (kept, newest first, for `GET /v1/events`); when a target is
//! set and delivery is on, each is POSTed to it signed as Stripe signs, retried with backoff
//! until it is accepted. For the chaos lab, delivery can be late (a random delay up to a bound,
//! which also reorders events) and doubled (each event sent twice, independently).
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use rand::Rng;
use secrecy::SecretString;
use serde_json::{json, Value};

use super::stand_in::{now_s, StandIn};

/// How webhooks are delivered: `off`, `on`, or `on` with `delay=<ms>` and/or `duplicate`
/// (e.g. `on,delay=2000,duplicate`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    pub enabled: bool,
    pub max_delay_ms: u64,
    pub duplicate: bool,
}

impl std::str::FromStr for Delivery {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut d = Delivery::default();
        for part in s.split(',').map(str::trim) {
            match part.split_once('=') {
                None if part == "on" => d.enabled = true,
                None if part == "off" => d.enabled = false,
                None if part == "duplicate" => d.duplicate = true,
                Some(("delay", ms)) => {
                    d.max_delay_ms = ms
                        .parse()
                        .map_err(|_| format!("delay={ms}: not a number of milliseconds"))?
                }
                _ => {
                    return Err(format!(
                    "unknown webhook delivery setting {part:?} (on, off, delay=<ms>, duplicate)"
                ))
                }
            }
        }
        Ok(d)
    }
}

struct Target {
    url: String,
    secret: SecretString,
}

pub struct Hooks {
    events: Mutex<Vec<Value>>,
    target: RwLock<Option<Arc<Target>>>,
    delivery: Delivery,
    http: reqwest::Client,
}

impl Hooks {
    pub fn new(delivery: Delivery) -> anyhow::Result<Self> {
        Ok(Hooks {
            events: Mutex::default(),
            target: RwLock::default(),
            delivery,
            http: super::client::http_client()?,
        })
    }

    /// Where events go and the secret they are signed with.
    pub fn set_target(&self, url: &str, secret: SecretString) {
        *self.target.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(Target {
            url: url.to_owned(),
            secret,
        }));
    }

    /// Every event so far, newest first (Stripe's order).
    pub fn events(&self) -> Vec<Value> {
        let mut all = self
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        all.reverse();
        all
    }

    pub(super) fn emit(&self, kind: &str, object: Value) {
        let event = json!({
            "id": format!("evt_{}", uuid::Uuid::new_v4().simple()), "object": "event",
            "type": kind, "created": now_s(), "livemode": false, "pending_webhooks": 1,
            "api_version": super::API_VERSION, "data": {"object": object},
            "request": {"id": null, "idempotency_key": null},
        });
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
        let target = self
            .target
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let (Some(target), true) = (target, self.delivery.enabled) else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let copies = if self.delivery.duplicate { 2 } else { 1 };
        for _ in 0..copies {
            let delay = match self.delivery.max_delay_ms {
                0 => 0,
                max => rand::thread_rng().gen_range(0..=max),
            };
            rt.spawn(deliver(
                self.http.clone(),
                target.clone(),
                event.clone(),
                Duration::from_millis(delay),
            ));
        }
    }
}

/// POSTs one event until the endpoint takes it (2xx), as Stripe retries: with growing pauses,
/// here for about a minute.
async fn deliver(http: reqwest::Client, target: Arc<Target>, event: Value, delay: Duration) {
    tokio::time::sleep(delay).await;
    let body = event.to_string();
    let mut pause = Duration::from_millis(200);
    for _ in 0..8 {
        let signature = super::webhook::header(&target.secret, now_s(), body.as_bytes());
        let sent = http
            .post(&target.url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("Stripe-Signature", signature)
            .body(body.clone())
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
    tracing::warn!(event = %event["id"], "stand-in: webhook not accepted; giving up");
}

/// The issuer's challenge, as a bank's 3-D Secure page would show it.
pub(super) async fn challenge_page(Path(id): Path<String>) -> Response {
    let id = html_escape(&id);
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>3-D Secure (test)</title>\
         <meta name=viewport content=\"width=device-width\"></head><body>\
         <h1>3-D Secure authentication</h1>\
         <p>Test mode: this page stands in for your bank. Payment <code>{id}</code>.</p>\
         <form method=post><input type=hidden name=result value=complete>\
         <button type=submit>Complete</button></form>\
         <form method=post><input type=hidden name=result value=fail>\
         <button type=submit>Fail</button></form></body></html>"
    ))
    .into_response()
}

fn html_escape(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The challenge's answer: `{"result": "complete" | "fail"}` as JSON (answered with the intent),
/// or the page's form (answered by returning the shopper to the shop).
pub(super) async fn challenge(
    State(s): State<Arc<StandIn>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let result = if json_body {
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["result"].as_str().map(str::to_owned))
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .ok()
            .and_then(|f| f.into_iter().find(|(k, _)| k == "result").map(|(_, v)| v))
    };
    let passed = match result.as_deref() {
        Some("complete") => true,
        Some("fail") => false,
        _ => {
            let e = json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid",
                "message": "result must be \"complete\" or \"fail\"."}});
            return (StatusCode::BAD_REQUEST, Json(e)).into_response();
        }
    };
    match s.authenticate(&id, passed) {
        Ok(pi) if !json_body => {
            let v = pi.json(false);
            let status = if passed { "succeeded" } else { "failed" };
            match v["next_action"]
                .is_null()
                .then(|| return_url(&s, &id))
                .flatten()
            {
                Some(url) => {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    let secret = v["client_secret"].as_str().unwrap_or_default();
                    Redirect::to(&format!("{url}{sep}payment_intent={id}&payment_intent_client_secret={secret}&redirect_status={status}")).into_response()
                }
                None => Html(format!(
                    "<!doctype html><p>Authentication {status}. You may close this page.</p>"
                ))
                .into_response(),
            }
        }
        Ok(pi) => Json(pi.json(false)).into_response(),
        Err((status, body)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(body),
        )
            .into_response(),
    }
}

fn return_url(s: &StandIn, id: &str) -> Option<String> {
    s.return_url(id)
}
