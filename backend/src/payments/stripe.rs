//! Stripe: PaymentIntents with `capture_method=manual` (authorize = create + confirm, then
//! capture or cancel), refunds, and search by the checkout key kept in the intent's metadata.
//! Requests are form-encoded as Stripe expects; every write carries an `Idempotency-Key`.
//! TLS is rustls on aws-lc-rs (the process's one backend) with the Mozilla roots compiled in.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{
    Authorization, AuthorizeRequest, GatewayError, GatewayPayment, GatewayState, PaymentGateway,
};

pub mod client;
pub mod intent;
#[cfg(test)]
mod shapes_tests;
pub mod stand_in;
pub mod stand_in_hooks;
pub mod webhook;

pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";
/// Pinned so Stripe's response shapes cannot change under us.
pub const API_VERSION: &str = "2024-06-20";

pub struct StripeGateway {
    http: reqwest::Client,
    base: String,
    secret: SecretString,
}

#[derive(Debug, Deserialize)]
struct Intent {
    id: String,
    amount: i64,
    #[serde(default)]
    currency: String,
    status: String,
    created: i64,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

impl Intent {
    fn state(&self) -> GatewayState {
        match self.status.as_str() {
            "requires_capture" => GatewayState::Authorized,
            "succeeded" => GatewayState::Captured,
            "canceled" => GatewayState::Voided,
            _ => GatewayState::Declined,
        }
    }
    fn payment(self) -> Option<GatewayPayment> {
        let state = self.state();
        Some(GatewayPayment {
            idempotency_key: self.metadata.get("idempotency_key")?.clone(),
            reference: self.id,
            amount_cents: self.amount,
            state,
            created_at_ms: self.created * 1000,
        })
    }
}

#[derive(Debug, Deserialize)]
struct SearchResult {
    data: Vec<Intent>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    next_page: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: StripeError,
}

#[derive(Debug, Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    payment_intent: Option<Box<Intent>>,
}

/// A Stripe answer: the object, or Stripe's error (with the HTTP status).
enum Reply<T> {
    Ok(T),
    Err(StatusCode, StripeError),
}

/// Stripe's search language quotes strings with ' and escapes with \.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl StripeGateway {
    pub fn new(base: &str, secret: SecretString) -> anyhow::Result<Self> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(StripeGateway {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret,
        })
    }

    /// `ECOMM_STRIPE_SECRET_KEY` (required), `ECOMM_STRIPE_API_BASE` (tests point it at a stub).
    pub fn from_env() -> anyhow::Result<Self> {
        let secret = std::env::var("ECOMM_STRIPE_SECRET_KEY")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--payments stripe needs ECOMM_STRIPE_SECRET_KEY (sk_live_… or sk_test_…)"
                )
            })?;
        let base =
            std::env::var("ECOMM_STRIPE_API_BASE").unwrap_or_else(|_| DEFAULT_BASE_URL.to_owned());
        Self::new(&base, SecretString::from(secret))
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        params: &[(&str, String)],
    ) -> Result<Reply<T>, GatewayError> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(self.secret.expose_secret())
            .header("Stripe-Version", API_VERSION);
        req = if method == Method::GET {
            req.query(params)
        } else {
            req.form(params)
        };
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        let res = req
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(e.without_url().to_string()))?;
        let status = res.status();
        let body = res
            .bytes()
            .await
            .map_err(|e| GatewayError::Unavailable(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map(Reply::Ok).map_err(|e| {
                GatewayError::Unavailable(format!("unexpected Stripe response: {e}"))
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::CONFLICT
            || status.is_server_error()
        {
            return Err(GatewayError::Unavailable(format!(
                "Stripe answered {status}"
            )));
        }
        match serde_json::from_slice::<ErrorEnvelope>(&body) {
            Ok(env) => Ok(Reply::Err(status, env.error)),
            Err(_) => Err(GatewayError::Unavailable(format!(
                "Stripe answered {status}"
            ))),
        }
    }

    /// Capture and cancel: already being in the target state is success.
    async fn settle(&self, reference: &str, verb: &str, done: &str) -> Result<(), GatewayError> {
        let path = format!("/v1/payment_intents/{reference}/{verb}");
        let key = format!("{verb}-{reference}");
        match self
            .call::<Intent>(Method::POST, &path, Some(&key), &[])
            .await?
        {
            Reply::Ok(_) => Ok(()),
            Reply::Err(_, e)
                if e.payment_intent
                    .as_ref()
                    .is_some_and(|pi| pi.status == done) =>
            {
                Ok(())
            }
            Reply::Err(StatusCode::NOT_FOUND, _) => Err(GatewayError::NotFound(reference.into())),
            // Stripe shows the intent when its state is what stopped us; only then do we know it.
            Reply::Err(
                _,
                StripeError {
                    payment_intent: Some(pi),
                    ..
                },
            ) => Err(GatewayError::WrongState(pi.state())),
            Reply::Err(_, e) => Err(rejected(e)),
        }
    }

    async fn search(&self, query: String) -> Result<Vec<GatewayPayment>, GatewayError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        // Bounded: 10 pages of 100 per pass; the reconciler comes back for the rest.
        for _ in 0..10 {
            let mut params = vec![("query", query.clone()), ("limit", "100".to_owned())];
            if let Some(p) = page.take() {
                params.push(("page", p));
            }
            let found = match self
                .call::<SearchResult>(Method::GET, "/v1/payment_intents/search", None, &params)
                .await?
            {
                Reply::Ok(r) => r,
                Reply::Err(_, e) => return Err(rejected(e)),
            };
            out.extend(found.data.into_iter().filter_map(Intent::payment));
            match (found.has_more, found.next_page) {
                (true, Some(next)) => page = Some(next),
                _ => break,
            }
        }
        Ok(out)
    }
}

fn rejected(e: StripeError) -> GatewayError {
    GatewayError::Rejected(format!(
        "{}{}: {}",
        e.kind,
        e.code.map(|c| format!("/{c}")).unwrap_or_default(),
        e.message.unwrap_or_default()
    ))
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    async fn authorize(&self, req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError> {
        let card = req.card;
        let params = [
            ("amount", req.amount_cents.to_string()),
            ("currency", req.currency.to_ascii_lowercase()),
            ("capture_method", "manual".to_owned()),
            ("confirm", "true".to_owned()),
            ("payment_method_types[]", "card".to_owned()),
            ("payment_method_data[type]", "card".to_owned()),
            (
                "payment_method_data[card][number]",
                card.number().to_owned(),
            ),
            (
                "payment_method_data[card][exp_month]",
                card.exp_month.to_string(),
            ),
            (
                "payment_method_data[card][exp_year]",
                card.exp_year.to_string(),
            ),
            ("metadata[idempotency_key]", req.idempotency_key.to_owned()),
        ];
        let intent = match self
            .call::<Intent>(
                Method::POST,
                "/v1/payment_intents",
                Some(req.idempotency_key),
                &params,
            )
            .await?
        {
            Reply::Ok(intent) => intent,
            Reply::Err(_, e) if e.kind == "card_error" => {
                return Ok(Authorization::Declined {
                    reason: e
                        .message
                        .unwrap_or_else(|| "Your card was declined.".into()),
                })
            }
            // The key was first used with other parameters: it names another payment.
            Reply::Err(_, e) if e.kind == "idempotency_error" => {
                return Ok(Authorization::AlreadyUsed {
                    detail: rejected(e).to_string(),
                })
            }
            Reply::Err(_, e) => return Err(rejected(e)),
        };
        // Stripe replays the first answer for a key it still remembers: a hold of this request's
        // amount, currency and key is ours; anything else already paid, or was to pay, for
        // something else and is left alone.
        let ours = intent.amount == req.amount_cents
            && intent.currency.eq_ignore_ascii_case(req.currency)
            && intent.metadata.get("idempotency_key").map(String::as_str)
                == Some(req.idempotency_key);
        match intent.status.as_str() {
            "requires_capture" if ours => Ok(Authorization::Approved {
                reference: intent.id,
            }),
            status if !ours || matches!(status, "requires_capture" | "succeeded" | "canceled") => {
                Ok(Authorization::AlreadyUsed {
                    detail: format!(
                        "intent {} is {status}, {} {}",
                        intent.id, intent.amount, intent.currency
                    ),
                })
            }
            // 3-D Secure and friends need the shopper's browser, which this API flow lacks:
            // release whatever was started and refuse.
            _ => {
                let _ = self.void(&intent.id).await;
                Ok(Authorization::Declined {
                    reason: "Your card needs extra authentication, which this checkout does not support."
                        .into(),
                })
            }
        }
    }

    async fn capture(&self, reference: &str) -> Result<(), GatewayError> {
        self.settle(reference, "capture", "succeeded").await
    }

    async fn void(&self, reference: &str) -> Result<(), GatewayError> {
        self.settle(reference, "cancel", "canceled").await
    }

    async fn refund(&self, reference: &str, amount_cents: i64) -> Result<(), GatewayError> {
        let params = [
            ("payment_intent", reference.to_owned()),
            ("amount", amount_cents.to_string()),
        ];
        let key = format!("refund-{reference}-{amount_cents}");
        match self
            .call::<serde_json::Value>(Method::POST, "/v1/refunds", Some(&key), &params)
            .await?
        {
            Reply::Ok(_) => Ok(()),
            Reply::Err(_, e) => Err(rejected(e)),
        }
    }

    async fn lookup(&self, idempotency_key: &str) -> Result<Option<GatewayPayment>, GatewayError> {
        let query = format!("metadata['idempotency_key']:{}", quoted(idempotency_key));
        Ok(self.search(query).await?.into_iter().next())
    }

    async fn open_authorizations(
        &self,
        created_before_ms: i64,
    ) -> Result<Vec<GatewayPayment>, GatewayError> {
        let query = format!(
            "status:'requires_capture' AND created<{}",
            created_before_ms / 1000
        );
        self.search(query).await
    }
}
