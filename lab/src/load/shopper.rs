//! One arrival = one shopper action over HTTP, as the storefront would send it. Stateful actions
//! (checkout, order lookup) draw on pools of guest carts and orders built by earlier arrivals.
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{header, Method, Request, StatusCode};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Serialize;
use serde_json::json;

use super::http::Failure;
use super::jar::{Jar, CART_COOKIE};
use super::stats::{Kind, Outcome};
use super::Shop;

const SEARCH_WORDS: [&str; 16] = [
    "mug", "tent", "oak", "lamp", "steel", "cotton", "yoga", "kite", "copper", "desk", "candle",
    "hoodie", "planter", "modern", "cozy", "glass",
];
const CATEGORIES: [&str; 12] = [
    "Kitchen",
    "Outdoors",
    "Electronics",
    "Home",
    "Books",
    "Toys",
    "Garden",
    "Fitness",
    "Apparel",
    "Office",
    "Pets",
    "Beauty",
];

/// An order the shop acknowledged with 201: the reconciliation's ground truth.
#[derive(Clone, Debug, Serialize)]
pub struct Ack {
    pub key: String,
    pub order_id: String,
    pub total_cents: i64,
    pub attempts: u32,
}

pub struct Answer {
    pub status: String,
    pub code: Option<StatusCode>,
    pub body: Bytes,
}

impl Answer {
    fn failed(status: &str) -> Answer {
        Answer {
            status: status.into(),
            code: None,
            body: Bytes::new(),
        }
    }
}

fn classify(code: Option<StatusCode>) -> Outcome {
    match code.map(|c| c.as_u16()) {
        Some(200..=399) => Outcome::Ok,
        Some(402 | 404 | 409 | 422) => Outcome::Rejected,
        _ => Outcome::Failed,
    }
}

impl Shop {
    /// Sends once; resends once, on a new connection, when the failure is a transport error before
    /// any answer (a keep-alive connection closed under us), as browsers do. With a `jar`, its
    /// cookies are sent and the answer's `Set-Cookie`s stored in it, as a browser does.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        mut jar: Option<&mut Jar>,
        key: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Answer {
        let payload = body.map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default()));
        let mut tries = 0;
        loop {
            tries += 1;
            let mut req = Request::builder().method(method.clone()).uri(path);
            if let Some(c) = jar.as_deref().and_then(Jar::header) {
                req = req.header(header::COOKIE, c);
            }
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            if payload.is_some() {
                req = req.header(header::CONTENT_TYPE, "application/json");
            }
            let Ok(req) = req.body(Full::new(payload.clone().unwrap_or_default())) else {
                return Answer::failed("request");
            };
            // Only a checkout's answer is read (its order id, or why it failed).
            match self.client.send(req, key.is_some(), tries > 1).await {
                Ok(res) => {
                    if let Some(j) = jar.as_deref_mut() {
                        j.absorb(&res.headers);
                    }
                    return Answer {
                        status: res.status.as_u16().to_string(),
                        code: Some(res.status),
                        body: res.body,
                    };
                }
                Err(Failure::Transport) if tries == 1 => {
                    crate::lock(&self.stats).retries += 1;
                }
                Err(f) => {
                    return Answer::failed(match f {
                        Failure::Timeout => "timeout",
                        Failure::Connect => "connect",
                        Failure::Transport => "transport",
                    });
                }
            }
        }
    }

    pub fn pick_kind(&self) -> Kind {
        let total: u32 = self.mix.iter().map(|m| m.1).sum();
        let mut r = rand::thread_rng().gen_range(0..total.max(1));
        for (kind, w) in &self.mix {
            if r < *w {
                return *kind;
            }
            r -= w;
        }
        Kind::Browse
    }

    /// Runs one action; returns the kind actually performed, its outcome and a status label.
    pub async fn act(&self, kind: Kind) -> (Kind, Outcome, String) {
        let (page, cat, word, pid) = {
            let mut rng = rand::thread_rng();
            (
                rng.gen_range(1..=40),
                CATEGORIES[rng.gen_range(0..CATEGORIES.len())],
                SEARCH_WORDS[rng.gen_range(0..SEARCH_WORDS.len())],
                rng.gen_range(1..=self.max_product_id.max(1)),
            )
        };
        let get = |path: String| async move {
            let a = self.call(Method::GET, &path, None, None, None).await;
            (classify(a.code), a.status)
        };
        match kind {
            Kind::Browse => {
                let path = if page % 3 == 0 {
                    format!("/api/products?category={cat}&page={}&per_page=24", page / 3)
                } else {
                    format!("/api/products?page={page}&per_page=24&sort=newest")
                };
                let (o, s) = get(path).await;
                (kind, o, s)
            }
            Kind::Search => {
                let (o, s) = get(format!("/api/products?q={word}&per_page=24")).await;
                (kind, o, s)
            }
            Kind::Product => {
                let (o, s) = get(format!("/api/products/{pid}")).await;
                (kind, o, s)
            }
            Kind::Categories => {
                let (o, s) = get("/api/categories".into()).await;
                (kind, o, s)
            }
            Kind::AddToCart => self.add_to_cart().await,
            Kind::Checkout => {
                let cart = crate::lock(&self.carts).pop();
                match cart {
                    Some(jar) => self.checkout(jar).await,
                    None => self.add_to_cart().await,
                }
            }
            Kind::OrderLookup => {
                let order = {
                    let orders = crate::lock(&self.orders);
                    orders.choose(&mut rand::thread_rng()).cloned()
                };
                match order {
                    Some((mut jar, id)) => {
                        let a = self
                            .call(
                                Method::GET,
                                &format!("/api/orders/{id}"),
                                Some(&mut jar),
                                None,
                                None,
                            )
                            .await;
                        (kind, classify(a.code), a.status)
                    }
                    None => {
                        let (o, s) = get(format!("/api/products?page={page}")).await;
                        (Kind::Browse, o, s)
                    }
                }
            }
        }
    }

    async fn add_to_cart(&self) -> (Kind, Outcome, String) {
        let (reuse, product) = {
            let mut rng = rand::thread_rng();
            (
                rng.gen_bool(0.3),
                self.in_stock.choose(&mut rng).copied().unwrap_or(1),
            )
        };
        // Some shoppers add a second line before paying; most start a new guest cart.
        let mut jar = if reuse {
            crate::lock(&self.carts).pop().unwrap_or_default()
        } else {
            Jar::default()
        };
        let body = json!({"product_id": product, "quantity": 1});
        let a = self
            .call(
                Method::POST,
                "/api/cart/items",
                Some(&mut jar),
                None,
                Some(&body),
            )
            .await;
        let outcome = classify(a.code);
        if outcome == Outcome::Ok {
            // A cart the shop identified by its `ecomm_cart` cookie.
            if jar.get(CART_COOKIE).is_some() {
                let mut carts = crate::lock(&self.carts);
                carts.push(jar);
                // Abandoned carts: keep the pool bounded.
                if carts.len() > 5_000 {
                    carts.drain(..1_000);
                }
            }
        }
        (Kind::AddToCart, outcome, a.status)
    }

    /// Pays with the test card; a failed attempt is retried with the SAME Idempotency-Key, with
    /// backoff, within a budget — what a well-behaved client does.
    async fn checkout(&self, mut jar: Jar) -> (Kind, Outcome, String) {
        let mut key = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "email": format!("lab-{}@example.com", &key[..8]),
            "shipping_address": {"name": "Lab Shopper", "line1": "1 Test Street", "city": "Testville",
                                 "postal_code": "12345", "country": "US"},
            "payment": {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        });
        let started = tokio::time::Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let a = self
                .call(
                    Method::POST,
                    "/api/checkout",
                    Some(&mut jar),
                    Some(&key),
                    Some(&body),
                )
                .await;
            let code = a.code.map(|c| c.as_u16());
            if code == Some(201) {
                let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
                let ack = Ack {
                    key: key.clone(),
                    order_id: v["id"].as_str().unwrap_or_default().to_owned(),
                    total_cents: v["total_cents"].as_i64().unwrap_or_default(),
                    attempts,
                };
                let mut orders = crate::lock(&self.orders);
                orders.push((jar, ack.order_id.clone()));
                if orders.len() > 2_000 {
                    orders.drain(..500);
                }
                drop(orders);
                crate::lock(&self.acks).push(ack);
                return (Kind::Checkout, Outcome::Ok, a.status);
            }
            let text = String::from_utf8_lossy(&a.body);
            let in_progress =
                code == Some(409) && (text.contains("in-progress") || text.contains("in progress"));
            // "Interrupted, nothing was charged, please check out again": the storefront starts a
            // new checkout of the same cart, under a new key.
            let interrupted = code == Some(409) && text.contains("checkout-interrupted");
            let retriable =
                in_progress || interrupted || matches!(code, None | Some(429) | Some(500..=599));
            let waited = started.elapsed();
            if !retriable || attempts >= self.checkout_attempts || waited >= self.checkout_budget {
                let outcome = if in_progress || interrupted {
                    Outcome::Failed
                } else {
                    classify(a.code)
                };
                return (Kind::Checkout, outcome, a.status);
            }
            crate::lock(&self.stats).retries += 1;
            if interrupted {
                key = uuid::Uuid::new_v4().to_string();
            }
            let backoff = Duration::from_millis(250 * (1 << (attempts - 1).min(4)));
            let jitter = Duration::from_millis(rand::thread_rng().gen_range(0..100));
            tokio::time::sleep((backoff + jitter).min(self.checkout_budget.saturating_sub(waited)))
                .await;
        }
    }
}
