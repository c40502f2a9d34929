//! A stand-in for the part of Stripe's API the shop and Stripe.js use, served under
//! `/test-gateway` with `--payments test`, so test mode runs the same adapter and the same flow
//! as production: PaymentIntents (create, retrieve, confirm, capture, cancel) with Stripe's status
//! machine and error shapes, refunds, the event list, signed webhooks (`stand_in_hooks`), and a
//! 3-D Secure challenge page. POSTs honour `Idempotency-Key` as Stripe does: the same key with the
//! same parameters replays the first answer; with other parameters it is an `idempotency_error`.
//!
//! Test cards, as Stripe's: 4242 4242 4242 4242 approves; 4000 0000 0000 0002 is declined;
//! 4000 0000 0000 9995 has insufficient funds; 4000 0025 0000 3155 requires authentication;
//! 4000 0000 0000 0259 is disputed once captured. Stripe's test payment methods name them too
//! (`pm_card_visa`, `pm_card_chargeDeclined`, `pm_card_authenticationRequired`, …). Only a card's
//! brand and last four digits are kept; nothing is charged.
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::intent::IntentStatus;
use super::stand_in_hooks::{self, Hooks};

pub const SECRET_KEY_PREFIX: &str = "sk_test_standin_";
pub const PUBLISHABLE_KEY: &str = "pk_test_standin";

/// How a test card behaves when confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Approve,
    Decline(&'static str, &'static str),
    Authenticate,
    DisputeAfterCapture,
}

fn behaviour(number: &str) -> Behaviour {
    match number {
        "4000000000000002" => Behaviour::Decline("generic_decline", "Your card was declined."),
        "4000000000009995" => {
            Behaviour::Decline("insufficient_funds", "Your card has insufficient funds.")
        }
        "4000002500003155" | "4000002760003184" | "4000000000003220" => Behaviour::Authenticate,
        "4000000000000259" => Behaviour::DisputeAfterCapture,
        _ => Behaviour::Approve,
    }
}

/// Stripe's test payment methods, by the card they stand for.
fn test_payment_method(pm: &str) -> Option<&'static str> {
    Some(match pm {
        "pm_card_visa" => "4242424242424242",
        "pm_card_mastercard" => "5555555555554444",
        "pm_card_chargeDeclined" => "4000000000000002",
        "pm_card_chargeDeclinedInsufficientFunds" => "4000000000009995",
        "pm_card_authenticationRequired" => "4000002500003155",
        "pm_card_createDispute" => "4000000000000259",
        _ => return None,
    })
}

fn luhn(number: &str) -> bool {
    (12..=19).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
        && crate::domain::luhn(number)
}

fn brand(number: &str) -> &'static str {
    match number.as_bytes() {
        [b'4', ..] => "visa",
        [b'5', b'1'..=b'5', ..] | [b'2', ..] => "mastercard",
        [b'3', b'4' | b'7', ..] => "amex",
        _ => "unknown",
    }
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

pub(super) fn now_s() -> i64 {
    crate::sys::clock::now_ms() / 1000
}

#[derive(Debug, Clone)]
struct Card {
    pm: String,
    brand: &'static str,
    last4: String,
    behaviour: Behaviour,
}

#[derive(Debug, Clone)]
pub(super) struct Pi {
    id: String,
    amount: i64,
    currency: String,
    manual: bool,
    status: IntentStatus,
    secret: String,
    created: i64,
    metadata: BTreeMap<String, String>,
    receipt_email: Option<String>,
    card: Option<Card>,
    last_error: Option<(&'static str, String)>,
    return_url: Option<String>,
    charge: Option<String>,
    refunded: i64,
    canceled_at: Option<i64>,
}

impl Pi {
    pub(super) fn json(&self, expand_pm: bool) -> Value {
        let pm = self.card.as_ref().map(|c| {
            if expand_pm {
                json!({"id": c.pm, "object": "payment_method", "type": "card",
                       "card": {"brand": c.brand, "last4": c.last4}})
            } else {
                json!(c.pm)
            }
        });
        let next_action = (self.status == IntentStatus::RequiresAction).then(|| {
            json!({"type": "redirect_to_url", "redirect_to_url": {
                "url": format!("/test-gateway/3ds/{}", self.id), "return_url": self.return_url}})
        });
        let capturable = if self.status == IntentStatus::RequiresCapture {
            self.amount
        } else {
            0
        };
        let received = if self.status == IntentStatus::Succeeded {
            self.amount
        } else {
            0
        };
        json!({
            "id": self.id, "object": "payment_intent", "amount": self.amount,
            "amount_capturable": capturable, "amount_received": received,
            "capture_method": if self.manual { "manual" } else { "automatic" },
            "client_secret": self.secret, "confirmation_method": "automatic",
            "created": self.created, "currency": self.currency, "livemode": false,
            "metadata": self.metadata, "payment_method": pm, "payment_method_types": ["card"],
            "status": self.status.as_str(), "next_action": next_action,
            "last_payment_error": self.last_error.as_ref().map(|(code, message)| json!({
                "type": "card_error", "code": code, "message": message})),
            "latest_charge": self.charge, "receipt_email": self.receipt_email,
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.canceled_at.map(|_| "requested_by_customer"),
        })
    }

    fn charge_json(&self) -> Value {
        json!({
            "id": self.charge, "object": "charge", "amount": self.amount,
            "amount_captured": self.amount, "amount_refunded": self.refunded,
            "refunded": self.refunded >= self.amount, "captured": true, "paid": true,
            "currency": self.currency, "payment_intent": self.id, "livemode": false,
            "payment_method_details": {"type": "card", "card": self.card.as_ref().map(|c| json!({
                "brand": c.brand, "last4": c.last4}))},
        })
    }
}

#[derive(Default)]
struct Book {
    intents: HashMap<String, Pi>,
    /// Idempotency-Key → (what the request was, the answer given).
    keys: HashMap<String, (String, u16, Value)>,
}

pub struct StandIn {
    book: Mutex<Book>,
    secret_key: String,
    pub hooks: Hooks,
}

/// Stripe's error envelope.
fn error(
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    message: &str,
    pi: Option<Value>,
) -> (u16, Value) {
    let mut e = json!({"type": kind, "message": message});
    if let Some(c) = code {
        e["code"] = json!(c);
    }
    if let Some(pi) = pi {
        e["payment_intent"] = pi;
    }
    (status.as_u16(), json!({ "error": e }))
}

fn missing(id: &str) -> (u16, Value) {
    let msg = format!("No such payment_intent: '{id}'");
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        &msg,
        None,
    )
}

fn unexpected_state(pi: &Pi, verb: &str) -> (u16, Value) {
    let msg = format!(
        "This PaymentIntent could not be {verb} because it has a status of {}.",
        pi.status.as_str()
    );
    let code = Some("payment_intent_unexpected_state");
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        code,
        &msg,
        Some(pi.json(false)),
    )
}

type Form = Vec<(String, String)>;

fn param<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl StandIn {
    pub fn new(hooks: Hooks) -> Arc<Self> {
        Self::with_secret_key(
            hooks,
            format!("{SECRET_KEY_PREFIX}{}", uuid::Uuid::new_v4().simple()),
        )
    }

    /// A stand-in whose secret key is given, so that replicas sharing one can call it.
    pub fn with_secret_key(hooks: Hooks, secret_key: String) -> Arc<Self> {
        Arc::new(StandIn {
            book: Mutex::new(Book::default()),
            secret_key,
            hooks,
        })
    }

    /// The secret key the shop's adapter authenticates with.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn create(&self, form: &Form) -> (u16, Value) {
        let amount = param(form, "amount").and_then(|a| a.parse::<i64>().ok());
        let currency = param(form, "currency").map(str::to_ascii_lowercase);
        let (Some(amount), Some(currency)) = (amount.filter(|a| *a >= 1), currency) else {
            let msg = "Missing or invalid required param: amount, currency.";
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("parameter_missing"),
                msg,
                None,
            );
        };
        let metadata = form
            .iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix("metadata[")?.strip_suffix(']')?;
                Some((key.to_owned(), v.clone()))
            })
            .collect();
        let id = new_id("pi");
        let pi = Pi {
            secret: format!("{id}_secret_{}", uuid::Uuid::new_v4().simple()),
            id: id.clone(),
            amount,
            currency,
            manual: param(form, "capture_method") == Some("manual"),
            status: IntentStatus::RequiresPaymentMethod,
            created: now_s(),
            metadata,
            receipt_email: param(form, "receipt_email").map(str::to_owned),
            card: None,
            last_error: None,
            return_url: None,
            charge: None,
            refunded: 0,
            canceled_at: None,
        };
        let body = pi.json(false);
        self.book().intents.insert(id, pi);
        (200, body)
    }

    fn card_of(form: &Form) -> Result<Card, (u16, Value)> {
        let number = match (
            param(form, "payment_method"),
            param(form, "payment_method_data[card][number]"),
        ) {
            (Some(pm), _) => test_payment_method(pm).map(str::to_owned).ok_or_else(|| {
                let msg = format!("No such PaymentMethod: '{pm}'");
                error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    Some("resource_missing"),
                    &msg,
                    None,
                )
            })?,
            (None, Some(n)) => n.chars().filter(|c| !c.is_whitespace()).collect(),
            (None, None) => {
                let msg = "You must provide a payment method to confirm this PaymentIntent.";
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    Some("payment_intent_unexpected_state"),
                    msg,
                    None,
                ));
            }
        };
        Ok(Card {
            pm: new_id("pm"),
            brand: brand(&number),
            last4: number
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
            behaviour: if luhn(&number) {
                behaviour(&number)
            } else {
                Behaviour::Decline("incorrect_number", "Your card number is incorrect.")
            },
        })
    }

    /// Confirming with a card: the status machine's main step.
    fn confirm(&self, id: &str, form: &Form) -> (u16, Value) {
        let card = match Self::card_of(form) {
            Ok(c) => c,
            Err(e) => return e,
        };
        let mut book = self.book();
        let Some(pi) = book.intents.get_mut(id) else {
            return missing(id);
        };
        if !matches!(
            pi.status,
            IntentStatus::RequiresPaymentMethod
                | IntentStatus::RequiresConfirmation
                | IntentStatus::RequiresAction
        ) {
            return unexpected_state(pi, "confirmed");
        }
        // Back to a page of the shop (a path or an http(s) URL), never to a script.
        pi.return_url = param(form, "return_url")
            .filter(|u| u.starts_with('/') || u.starts_with("http://") || u.starts_with("https://"))
            .map(str::to_owned);
        let behaviour = card.behaviour;
        pi.card = Some(card);
        pi.last_error = None;
        match behaviour {
            Behaviour::Decline(code, message) => {
                pi.status = IntentStatus::RequiresPaymentMethod;
                pi.last_error = Some((
                    if code == "incorrect_number" {
                        code
                    } else {
                        "card_declined"
                    },
                    message.to_owned(),
                ));
                let pi_json = pi.json(false);
                self.hooks
                    .emit("payment_intent.payment_failed", pi_json.clone());
                let mut e = error(
                    StatusCode::PAYMENT_REQUIRED,
                    "card_error",
                    Some("card_declined"),
                    message,
                    Some(pi_json),
                );
                e.1["error"]["decline_code"] = json!(code);
                e
            }
            Behaviour::Authenticate => {
                pi.status = IntentStatus::RequiresAction;
                (200, pi.json(false))
            }
            Behaviour::Approve | Behaviour::DisputeAfterCapture => {
                let body = Self::authorized(&self.hooks, pi);
                (200, body)
            }
        }
    }

    fn authorized(hooks: &Hooks, pi: &mut Pi) -> Value {
        if pi.manual {
            pi.status = IntentStatus::RequiresCapture;
            hooks.emit("payment_intent.amount_capturable_updated", pi.json(false));
        } else {
            pi.status = IntentStatus::Succeeded;
            pi.charge = Some(new_id("ch"));
            hooks.emit("payment_intent.succeeded", pi.json(false));
        }
        pi.json(false)
    }

    /// The 3-D Secure challenge's outcome.
    pub(super) fn authenticate(&self, id: &str, passed: bool) -> Result<Pi, (u16, Value)> {
        let mut book = self.book();
        let pi = book.intents.get_mut(id).ok_or_else(|| missing(id))?;
        if pi.status != IntentStatus::RequiresAction {
            return Err(unexpected_state(pi, "authenticated"));
        }
        if passed {
            Self::authorized(&self.hooks, pi);
        } else {
            pi.status = IntentStatus::RequiresPaymentMethod;
            let msg = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";
            pi.last_error = Some(("payment_intent_authentication_failure", msg.to_owned()));
            self.hooks
                .emit("payment_intent.payment_failed", pi.json(false));
        }
        Ok(pi.clone())
    }

    fn capture(&self, id: &str) -> (u16, Value) {
        let mut book = self.book();
        let Some(pi) = book.intents.get_mut(id) else {
            return missing(id);
        };
        if pi.status != IntentStatus::RequiresCapture {
            return unexpected_state(pi, "captured");
        }
        pi.status = IntentStatus::Succeeded;
        pi.charge = Some(new_id("ch"));
        self.hooks.emit("payment_intent.succeeded", pi.json(false));
        if pi
            .card
            .as_ref()
            .is_some_and(|c| c.behaviour == Behaviour::DisputeAfterCapture)
        {
            let dispute = json!({"id": new_id("dp"), "object": "dispute", "amount": pi.amount,
                "currency": pi.currency, "charge": pi.charge, "payment_intent": pi.id,
                "reason": "fraudulent", "status": "needs_response", "livemode": false});
            self.hooks.emit("charge.dispute.created", dispute);
        }
        (200, pi.json(false))
    }

    fn cancel(&self, id: &str) -> (u16, Value) {
        let mut book = self.book();
        let Some(pi) = book.intents.get_mut(id) else {
            return missing(id);
        };
        if matches!(
            pi.status,
            IntentStatus::Succeeded | IntentStatus::Canceled | IntentStatus::Processing
        ) {
            return unexpected_state(pi, "canceled");
        }
        pi.status = IntentStatus::Canceled;
        pi.canceled_at = Some(now_s());
        self.hooks.emit("payment_intent.canceled", pi.json(false));
        (200, pi.json(false))
    }

    fn refund(&self, form: &Form) -> (u16, Value) {
        let Some(id) = param(form, "payment_intent") else {
            let msg = "Missing required param: payment_intent.";
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("parameter_missing"),
                msg,
                None,
            );
        };
        let mut book = self.book();
        let Some(pi) = book.intents.get_mut(id) else {
            return missing(id);
        };
        if pi.status != IntentStatus::Succeeded {
            let msg =
                format!("This PaymentIntent ({id}) does not have a successful charge to refund.");
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("charge_not_refundable"),
                &msg,
                None,
            );
        }
        let left = pi.amount - pi.refunded;
        let amount = match param(form, "amount").map(str::parse::<i64>) {
            None => left,
            Some(Ok(a)) if a >= 1 && a <= left => a,
            Some(_) => {
                let msg = format!(
                    "Refund amount is greater than the unrefunded amount on this charge ({left})."
                );
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    Some("amount_too_large"),
                    &msg,
                    None,
                );
            }
        };
        pi.refunded += amount;
        self.hooks.emit("charge.refunded", pi.charge_json());
        let refund = json!({"id": new_id("re"), "object": "refund", "amount": amount,
            "charge": pi.charge, "currency": pi.currency, "payment_intent": pi.id,
            "status": "succeeded", "created": now_s(), "metadata": {}});
        (200, refund)
    }

    pub(super) fn return_url(&self, id: &str) -> Option<String> {
        self.book()
            .intents
            .get(id)
            .and_then(|pi| pi.return_url.clone())
    }

    fn retrieve(&self, id: &str, expand_pm: bool) -> (u16, Value) {
        match self.book().intents.get(id) {
            Some(pi) => (200, pi.json(expand_pm)),
            None => missing(id),
        }
    }

    /// Who may call: the secret key for everything; the publishable key with the intent's client
    /// secret for what Stripe.js does (retrieve and confirm).
    fn authorized_for(&self, headers: &HeaderMap, id: Option<&str>, form: &Form) -> bool {
        let key = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or_else(|| param(form, "key"));
        match key {
            Some(k) if k == self.secret_key => true,
            Some(PUBLISHABLE_KEY) => id.is_some_and(|id| {
                self.book()
                    .intents
                    .get(id)
                    .is_some_and(|pi| param(form, "client_secret") == Some(pi.secret.as_str()))
            }),
            _ => false,
        }
    }

    /// Runs a POST once per Idempotency-Key (per key and parameters).
    fn once(
        &self,
        headers: &HeaderMap,
        what: String,
        run: impl FnOnce() -> (u16, Value),
    ) -> (u16, Value) {
        let Some(key) = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
        else {
            return run();
        };
        if let Some((first, status, body)) = self.book().keys.get(&key).cloned() {
            if first != what {
                let msg = "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '".to_owned() + &key + "' if you meant to execute a different request.";
                return error(
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    None,
                    &msg,
                    None,
                );
            }
            return (status, body);
        }
        let (status, body) = run();
        self.book().keys.insert(key, (what, status, body.clone()));
        (status, body)
    }
}

fn answer((status, body): (u16, Value)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

fn unauthenticated() -> Response {
    answer(error(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        None,
        "Invalid API Key provided.",
        None,
    ))
}

fn form_of(body: &[u8]) -> Form {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The request as the idempotency check compares it: the path and the sorted parameters.
fn fingerprint(path: &str, form: &Form) -> String {
    let mut f = form.clone();
    f.sort();
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&f).unwrap_or_default()
    )
}

async fn create(State(s): State<Arc<StandIn>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_of(&body);
    if !s.authorized_for(&headers, None, &form) {
        return unauthenticated();
    }
    answer(s.once(&headers, fingerprint("create", &form), || s.create(&form)))
}

async fn retrieve(
    State(s): State<Arc<StandIn>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Form>,
) -> Response {
    if !s.authorized_for(&headers, Some(&id), &query) {
        return unauthenticated();
    }
    let expand = query
        .iter()
        .any(|(k, v)| k.starts_with("expand") && v == "payment_method");
    answer(s.retrieve(&id, expand))
}

async fn act(
    State(s): State<Arc<StandIn>>,
    Path((id, verb)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = form_of(&body);
    let browser_may = verb == "confirm";
    let allowed = if browser_may {
        s.authorized_for(&headers, Some(&id), &form)
    } else {
        s.authorized_for(&headers, None, &form)
    };
    if !allowed {
        return unauthenticated();
    }
    // The card number is not part of what is remembered for the key.
    let what = fingerprint(
        &format!("{id}/{verb}"),
        &form
            .iter()
            .filter(|(k, _)| !k.contains("[card]"))
            .cloned()
            .collect(),
    );
    answer(s.once(&headers, what, || match verb.as_str() {
        "confirm" => s.confirm(&id, &form),
        "capture" => s.capture(&id),
        "cancel" => s.cancel(&id),
        _ => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            "Unrecognized request URL.",
            None,
        ),
    }))
}

async fn refunds(State(s): State<Arc<StandIn>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_of(&body);
    if !s.authorized_for(&headers, None, &form) {
        return unauthenticated();
    }
    answer(s.once(&headers, fingerprint("refunds", &form), || s.refund(&form)))
}

async fn events(State(s): State<Arc<StandIn>>, headers: HeaderMap) -> Response {
    if !s.authorized_for(&headers, None, &Form::new()) {
        return unauthenticated();
    }
    let data = s.hooks.events();
    Json(json!({"object": "list", "url": "/v1/events", "has_more": false, "data": data}))
        .into_response()
}

/// The stand-in's routes, to be nested under `/test-gateway`.
pub fn router(s: Arc<StandIn>) -> Router {
    Router::new()
        .route("/v1/payment_intents", post(create))
        .route("/v1/payment_intents/{id}", get(retrieve))
        .route("/v1/payment_intents/{id}/{verb}", post(act))
        .route("/v1/refunds", post(refunds))
        .route("/v1/events", get(events))
        .route(
            "/3ds/{id}",
            get(stand_in_hooks::challenge_page).post(stand_in_hooks::challenge),
        )
        .with_state(s)
}

#[cfg(test)]
impl StandIn {
    pub(super) fn create_for_test(&self, form: &Form) -> Value {
        self.create(form).1
    }

    /// A refund and a charge as the stand-in writes them, for the shape tests.
    pub(super) fn refund_sample(&self) -> Value {
        let id = self
            .create(&vec![
                ("amount".into(), "100".into()),
                ("currency".into(), "usd".into()),
            ])
            .1["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let card = vec![("payment_method".to_owned(), "pm_card_visa".to_owned())];
        self.confirm(&id, &card);
        self.refund(&vec![("payment_intent".into(), id)]).1
    }

    pub(super) fn charge_sample(&self) -> Value {
        let book = self.book();
        let pi = book.intents.values().find(|p| p.charge.is_some()).unwrap();
        pi.charge_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_test_numbers_pass_luhn_and_others_do_not() {
        for n in [
            "4242424242424242",
            "4000000000000002",
            "4000002500003155",
            "4000000000009995",
        ] {
            assert!(luhn(n), "{n}");
        }
        assert!(!luhn("4242424242424241"));
        assert!(!luhn("4242"));
    }

    #[test]
    fn the_three_test_cards_behave_as_stripe_documents() {
        assert_eq!(behaviour("4242424242424242"), Behaviour::Approve);
        assert!(matches!(
            behaviour("4000000000000002"),
            Behaviour::Decline(..)
        ));
        assert_eq!(behaviour("4000002500003155"), Behaviour::Authenticate);
    }
}
