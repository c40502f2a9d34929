//! Stripe's webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where
//! each `v1` is HMAC-SHA256 of `"{t}.{raw body}"` under an endpoint secret. Every `v1` is tried
//! against every configured secret (Stripe sends one per active secret while a secret is being
//! rolled; we may hold the old and the new one), each compared in constant time, and a timestamp
//! more than five minutes from now is refused so a captured request cannot be replayed later.
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Stripe's default tolerance.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature timestamp is more than five minutes from now")]
    Stale,
    #[error("no signature matches the payload")]
    NoMatch,
}

fn mac(secret: &str, t: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(payload);
    m
}

/// The header Stripe would send for `payload` at `t` (the stand-in signs with it; tests forge).
pub fn header(secret: &SecretString, t: i64, payload: &[u8]) -> String {
    let sig = mac(secret.expose_secret(), t, payload)
        .finalize()
        .into_bytes();
    format!("t={t},v1={}", hex::encode(sig))
}

/// Checks `header` against the raw body, at `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secrets: &[SecretString],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => {
                // A v1 that is not hex cannot match; it is skipped, not an error.
                if let Ok(sig) = hex::decode(v) {
                    signatures.push(sig);
                }
            }
            // Other schemes (v0 is Stripe's test-only scheme) are ignored.
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoMatch);
    }
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let matched = secrets.iter().any(|secret| {
        let base = mac(secret.expose_secret(), t, payload);
        signatures
            .iter()
            .any(|sig| base.clone().verify_slice(sig).is_ok())
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}

/// `ECOMM_STRIPE_WEBHOOK_SECRET`: one secret, or several separated by commas while rotating.
pub fn secrets_from(value: &SecretString) -> Vec<SecretString> {
    value
        .expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| SecretString::from(s.to_owned()))
        .collect()
}

/// An event as Stripe delivers it (the fields the shop reads).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let h = header(&secret("whsec_a"), 1000, b"{}");
        assert_eq!(verify(Some(&h), b"{}", &[secret("whsec_a")], 1010), Ok(()));
    }

    #[test]
    fn a_changed_body_does_not_verify() {
        let h = header(&secret("whsec_a"), 1000, b"{}");
        assert_eq!(
            verify(Some(&h), b"{ }", &[secret("whsec_a")], 1000),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn any_v1_under_any_configured_secret_is_enough() {
        let old = header(&secret("whsec_old"), 1000, b"x");
        let new = header(&secret("whsec_new"), 1000, b"x");
        let both = format!("{new},v1={}", old.split("v1=").nth(1).unwrap());
        assert_eq!(
            verify(Some(&both), b"x", &[secret("whsec_old")], 1000),
            Ok(())
        );
        assert_eq!(
            verify(Some(&both), b"x", &[secret("whsec_new")], 1000),
            Ok(())
        );
        assert_eq!(
            verify(Some(&both), b"x", &[secret("whsec_other")], 1000),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn a_timestamp_older_than_five_minutes_is_refused_even_when_signed() {
        let h = header(&secret("whsec_a"), 1000, b"x");
        assert_eq!(
            verify(
                Some(&h),
                b"x",
                &[secret("whsec_a")],
                1000 + TOLERANCE_SECS + 1
            ),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&h), b"x", &[secret("whsec_a")], 1000 + TOLERANCE_SECS),
            Ok(())
        );
    }

    #[test]
    fn a_header_without_timestamp_or_signature_is_refused() {
        let s = [secret("whsec_a")];
        assert_eq!(verify(None, b"x", &s, 0), Err(SignatureError::Missing));
        assert_eq!(
            verify(Some("v1=00"), b"x", &s, 0),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("t=0"), b"x", &s, 0),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(Some("t=0,v0=00"), b"x", &s, 0),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn the_secret_may_list_several_while_rotating() {
        let list = secrets_from(&secret(" whsec_a , whsec_b,"));
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].expose_secret(), "whsec_b");
    }
}
