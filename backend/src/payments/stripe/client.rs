//! The one Stripe adapter of the card flow: PaymentIntents with `capture_method=manual`, looked up
//! by id (strongly consistent; Stripe's Search is not and is never used), and refunds. It talks to
//! Stripe, or in test mode to the stand-in under `/test-gateway`, with the same requests.
//! Every write carries an idempotency key derived from this deployment and the object it acts
//! on, never a shopper's key. The API base must be https (loopback may be plain http, for tests
//! and the stand-in). Card numbers never pass through here: the browser gives them to Stripe.
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::intent::{CreateIntent, Intent, IntentStatus, CHECKOUT_KEY, DEPLOYMENT_KEY};
use crate::payments::{
    Authorization, AuthorizeRequest, GatewayError, GatewayPayment, GatewayState, PaymentGateway,
};

pub use super::API_VERSION;

pub struct StripeClient {
    http: reqwest::Client,
    base: RwLock<String>,
    secret: SecretString,
    publishable_key: String,
    deployment: String,
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

impl StripeError {
    fn rejected(&self) -> GatewayError {
        GatewayError::Rejected(format!(
            "{}{}: {}",
            self.kind,
            self.code
                .as_deref()
                .map(|c| format!("/{c}"))
                .unwrap_or_default(),
            self.message.as_deref().unwrap_or_default()
        ))
    }
}

/// `https://…`, or `http://` to a loopback host.
pub fn check_base(base: &str) -> anyhow::Result<String> {
    let url =
        url::Url::parse(base).map_err(|e| anyhow::anyhow!("Stripe API base {base:?}: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    anyhow::ensure!(
        url.scheme() == "https" || (url.scheme() == "http" && loopback),
        "the Stripe API base must be https (plain http only to a loopback address): {base}"
    );
    Ok(base.trim_end_matches('/').to_owned())
}

pub fn gateway_state(s: IntentStatus) -> GatewayState {
    match s {
        IntentStatus::RequiresCapture => GatewayState::Authorized,
        IntentStatus::Succeeded => GatewayState::Captured,
        IntentStatus::Canceled => GatewayState::Voided,
        _ => GatewayState::Declined,
    }
}

/// An HTTP client on the process's TLS backend (aws-lc-rs) with the Mozilla roots compiled in.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(15))
        .build()?)
}

impl StripeClient {
    pub fn new(
        base: &str,
        secret: SecretString,
        publishable_key: &str,
        deployment: &str,
    ) -> anyhow::Result<Self> {
        let http = http_client()?;
        Ok(StripeClient {
            http,
            base: RwLock::new(check_base(base)?),
            secret,
            publishable_key: publishable_key.to_owned(),
            deployment: deployment.to_owned(),
        })
    }

    /// Points the client elsewhere (the stand-in's address is known once the server is bound).
    pub fn set_base(&self, base: &str) -> anyhow::Result<()> {
        let base = check_base(base)?;
        *self.base.write().unwrap_or_else(PoisonError::into_inner) = base;
        Ok(())
    }

    pub fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    pub fn deployment(&self) -> &str {
        &self.deployment
    }

    fn key(&self, verb: &str, object: &str) -> String {
        format!("{}:{verb}:{object}", self.deployment)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        params: &[(&str, String)],
    ) -> Result<Result<Intent, (StatusCode, StripeError)>, GatewayError> {
        let body = self.send(method, path, idempotency_key, params).await?;
        match body {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Ok)
                .map_err(|e| GatewayError::Unavailable(format!("unexpected Stripe response: {e}"))),
            Err(e) => Ok(Err(e)),
        }
    }

    /// The raw success body, or Stripe's error; transport trouble, 409 (a concurrent request
    /// with the same key), 429 and 5xx are `Unavailable`: the outcome is unknown, retry later.
    async fn send(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        params: &[(&str, String)],
    ) -> Result<Result<bytes::Bytes, (StatusCode, StripeError)>, GatewayError> {
        let base = self
            .base
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut req = self
            .http
            .request(method.clone(), format!("{base}{path}"))
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
        let unavailable =
            |e: reqwest::Error| GatewayError::Unavailable(e.without_url().to_string());
        let res = req.send().await.map_err(unavailable)?;
        let status = res.status();
        let body = res.bytes().await.map_err(unavailable)?;
        if status.is_success() {
            return Ok(Ok(body));
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
            Ok(env) => Ok(Err((status, env.error))),
            Err(_) => Err(GatewayError::Unavailable(format!(
                "Stripe answered {status}"
            ))),
        }
    }

    /// Creates the intent for a checkout: manual capture, the server's amount and currency, and
    /// metadata naming this deployment and the checkout. The key is derived from the checkout, so
    /// a retry after a crash gets the same intent back.
    pub async fn create_intent(&self, req: &CreateIntent<'_>) -> Result<Intent, GatewayError> {
        let params = [
            ("amount", req.amount_cents.to_string()),
            ("currency", req.currency.to_ascii_lowercase()),
            ("capture_method", "manual".to_owned()),
            ("payment_method_types[]", "card".to_owned()),
            ("receipt_email", req.receipt_email.to_owned()),
            (
                &*format!("metadata[{DEPLOYMENT_KEY}]"),
                req.deployment.to_owned(),
            ),
            (
                &*format!("metadata[{CHECKOUT_KEY}]"),
                req.checkout_id.to_owned(),
            ),
        ];
        let key = self.key("create", req.checkout_id);
        match self
            .call(Method::POST, "/v1/payment_intents", Some(&key), &params)
            .await?
        {
            Ok(intent) => Ok(intent),
            Err((_, e)) => Err(e.rejected()),
        }
    }

    /// The intent as Stripe has it now, with its payment method (for the card's brand and last4).
    pub async fn retrieve_intent(&self, id: &str) -> Result<Intent, GatewayError> {
        let path = format!("/v1/payment_intents/{}", path_segment(id)?);
        let params = [("expand[]", "payment_method".to_owned())];
        match self.call(Method::GET, &path, None, &params).await? {
            Ok(intent) => Ok(intent),
            Err((StatusCode::NOT_FOUND, _)) => Err(GatewayError::NotFound(id.to_owned())),
            Err((_, e)) => Err(e.rejected()),
        }
    }

    /// Capture and cancel: already being in the target state is success.
    async fn settle(&self, id: &str, verb: &str, done: IntentStatus) -> Result<(), GatewayError> {
        let path = format!("/v1/payment_intents/{}/{verb}", path_segment(id)?);
        let key = self.key(verb, id);
        match self.call(Method::POST, &path, Some(&key), &[]).await? {
            Ok(_) => Ok(()),
            Err((_, e))
                if e.payment_intent
                    .as_ref()
                    .is_some_and(|pi| pi.status == done) =>
            {
                Ok(())
            }
            Err((StatusCode::NOT_FOUND, _)) => Err(GatewayError::NotFound(id.into())),
            // Stripe shows the intent when its state is what stopped us; only then do we know it.
            Err((
                _,
                StripeError {
                    payment_intent: Some(pi),
                    ..
                },
            )) => Err(GatewayError::WrongState(gateway_state(pi.status))),
            Err((_, e)) => Err(e.rejected()),
        }
    }

    pub async fn capture_intent(&self, id: &str) -> Result<(), GatewayError> {
        self.settle(id, "capture", IntentStatus::Succeeded).await
    }

    pub async fn cancel_intent(&self, id: &str) -> Result<(), GatewayError> {
        self.settle(id, "cancel", IntentStatus::Canceled).await
    }

    pub async fn refund_intent(&self, id: &str, amount_cents: i64) -> Result<(), GatewayError> {
        let params = [
            ("payment_intent", id.to_owned()),
            ("amount", amount_cents.to_string()),
        ];
        let key = self.key("refund", &format!("{id}:{amount_cents}"));
        match self
            .send(Method::POST, "/v1/refunds", Some(&key), &params)
            .await?
        {
            Ok(_) => Ok(()),
            Err((_, e)) => Err(e.rejected()),
        }
    }
}

/// An id goes into a URL path: Stripe's ids are `[A-Za-z0-9_]`, anything else is refused here.
fn path_segment(id: &str) -> Result<&str, GatewayError> {
    if !id.is_empty()
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(id)
    } else {
        Err(GatewayError::NotFound(id.to_owned()))
    }
}

/// The key under which a card-flow order is stored: its intent's id, so one intent can only ever
/// make one order.
pub fn order_key(intent_id: &str) -> String {
    format!("pi:{intent_id}")
}

/// What the reconciler and the order admin ask of any gateway. Intents are made by the card flow,
/// never here; they are found by id, never listed.
#[async_trait]
impl PaymentGateway for StripeClient {
    async fn authorize(&self, _req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError> {
        Err(GatewayError::Rejected(
            "card numbers are not accepted: the browser confirms the payment with Stripe".into(),
        ))
    }

    async fn capture(&self, reference: &str) -> Result<(), GatewayError> {
        self.capture_intent(reference).await
    }

    async fn void(&self, reference: &str) -> Result<(), GatewayError> {
        self.cancel_intent(reference).await
    }

    async fn refund(&self, reference: &str, amount_cents: i64) -> Result<(), GatewayError> {
        self.refund_intent(reference, amount_cents).await
    }

    async fn lookup(&self, idempotency_key: &str) -> Result<Option<GatewayPayment>, GatewayError> {
        let Some(id) = idempotency_key.strip_prefix("pi:") else {
            return Ok(None);
        };
        match self.retrieve_intent(id).await {
            Ok(intent) => Ok(Some(GatewayPayment {
                reference: intent.id,
                idempotency_key: idempotency_key.to_owned(),
                amount_cents: intent.amount,
                state: gateway_state(intent.status),
                created_at_ms: intent.created * 1000,
            })),
            Err(GatewayError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn open_authorizations(
        &self,
        _created_before_ms: i64,
    ) -> Result<Vec<GatewayPayment>, GatewayError> {
        // The card flow keeps a row per intent (checkout_attempts) and settles from it.
        Ok(Vec::new())
    }
}
