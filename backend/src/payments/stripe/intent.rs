//! The PaymentIntent as Stripe's API shows it (the fields the shop reads), and what creating
//! one takes. Unknown fields are ignored, so Stripe may add fields freely.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The metadata key naming the deployment that made an intent: one Stripe account may serve
/// several shops (staging and production, two regions), and each touches only its own intents.
pub const DEPLOYMENT_KEY: &str = "ecomm_deployment";
/// The metadata key naming the checkout attempt the intent pays for.
pub const CHECKOUT_KEY: &str = "ecomm_checkout_id";

/// Stripe's PaymentIntent status machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
}

impl IntentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntentStatus::RequiresPaymentMethod => "requires_payment_method",
            IntentStatus::RequiresConfirmation => "requires_confirmation",
            IntentStatus::RequiresAction => "requires_action",
            IntentStatus::Processing => "processing",
            IntentStatus::RequiresCapture => "requires_capture",
            IntentStatus::Canceled => "canceled",
            IntentStatus::Succeeded => "succeeded",
        }
    }
}

/// The card's public parts, as `payment_method.card` shows them when expanded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetails {
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub last4: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    #[serde(default)]
    pub card: Option<CardDetails>,
}

/// `payment_method` is an id, or the object when the request asked to expand it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expandable {
    Id(String),
    Object(PaymentMethod),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastPaymentError {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub status: IntentStatus,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    #[serde(default)]
    pub payment_method: Option<Expandable>,
    #[serde(default)]
    pub last_payment_error: Option<LastPaymentError>,
}

impl Intent {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// The card's brand and last four digits, when the payment method was expanded.
    pub fn card(&self) -> CardDetails {
        match &self.payment_method {
            Some(Expandable::Object(pm)) => pm.card.clone().unwrap_or_default(),
            _ => CardDetails::default(),
        }
    }
}

/// A PaymentIntent to create: the amount and currency come from the server's pricing.
#[derive(Debug, Clone)]
pub struct CreateIntent<'a> {
    pub amount_cents: i64,
    /// ISO 4217, sent lower case as Stripe writes it.
    pub currency: &'a str,
    pub deployment: &'a str,
    pub checkout_id: &'a str,
    pub receipt_email: &'a str,
}
