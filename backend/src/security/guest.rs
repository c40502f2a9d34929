//! A guest's identity, and what opens a guest's order.
//!
//! The identity (the `ecomm_cart` cookie) is the server's to issue: 32 random bytes and a MAC
//! under a key every replica shares (kept in the database, made by the first replica that needs
//! it), so a value a client made up or planted is recognised, ignored and replaced. It is replaced
//! again at sign-in and sign-out, and the database only ever sees its SHA-256 (a guest's key).
//!
//! The identity does not open orders. A guest's order opens with its own access token, given in
//! the checkout's answer (the `ecomm_orders` cookie, holding the browser's last few guest orders)
//! and kept by the order only as a SHA-256. The token is derived from the identity and the
//! checkout's Idempotency-Key, so a retried checkout (same browser, same key) answers with the same
//! token; no one else holds both.
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::security::token::{new_token, token_hash};
use crate::store::{Store, StoreResult};
use crate::sys::clock::now_ms;

use super::Security;

/// The name of the shared secret that signs identities.
const KEY_NAME: &str = "guest-identity";
/// MAC bytes kept in the cookie: 128 bits.
const MAC_LEN: usize = 16;
/// Guest orders a browser can open at once; the oldest is forgotten first.
pub const MAX_ORDERS: usize = 5;
/// The `ecomm_orders` cookie's longest value (`<uuid>:<token>` entries joined by `.`).
pub const ORDERS_MAX_LEN: usize = MAX_ORDERS * 81;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Hmac<Sha256> {
    // Any key length is a valid HMAC key.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for p in parts {
        mac.update(p);
    }
    mac
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    hmac(key, parts).finalize().into_bytes().into()
}

/// Signs and recognises guest identities.
pub struct GuestKey(Vec<u8>);

impl GuestKey {
    pub fn new(secret: &str) -> GuestKey {
        GuestKey(secret.as_bytes().to_vec())
    }

    /// A new identity: `<random>.<mac>`.
    pub fn issue(&self) -> String {
        let random = new_token();
        let tag = mac(&self.0, &[random.as_bytes()]);
        format!("{random}.{}", b64(&tag[..MAC_LEN]))
    }

    /// Whether this server issued `value`.
    pub fn issued(&self, value: &str) -> bool {
        let Some((random, tag)) = value.split_once('.') else {
            return false;
        };
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        // Compared in constant time.
        random.len() >= 43
            && tag.len() == MAC_LEN
            && hmac(&self.0, &[random.as_bytes()])
                .verify_truncated_left(&tag)
                .is_ok()
    }
}

/// The key, read (or made) once per process.
pub async fn key<'a>(security: &'a Security, store: &dyn Store) -> StoreResult<&'a GuestKey> {
    security
        .guest_key
        .get_or_try_init(|| async {
            let secret = store
                .shared_secret(KEY_NAME, &new_token(), now_ms())
                .await?;
            Ok(GuestKey::new(&secret))
        })
        .await
}

/// The access token of the order a guest's checkout with this Idempotency-Key places.
pub fn order_token(identity: &str, idempotency_key: &str) -> String {
    b64(&mac(
        identity.as_bytes(),
        &[b"order-access\0", idempotency_key.as_bytes()],
    ))
}

/// What a guest order keeps in place of its token (in `orders.cart_key`).
pub fn order_owner(token: &str) -> String {
    format!("g:{}", token_hash(token))
}

/// The `ecomm_orders` cookie: `<order id>:<token>` of the browser's last guest orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestOrders(Vec<(String, String)>);

impl GuestOrders {
    /// Entries that do not parse are dropped (the browser cannot clear an HttpOnly cookie).
    pub fn parse(raw: Option<&str>) -> GuestOrders {
        let entries = raw
            .unwrap_or_default()
            .split('.')
            .filter_map(|e| e.split_once(':'))
            .filter(|(id, token)| {
                uuid::Uuid::parse_str(id).is_ok()
                    && token.len() == 43
                    && token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .map(|(id, token)| (id.to_owned(), token.to_owned()));
        let mut out = GuestOrders::default();
        for (id, token) in entries {
            out = out.with(&id, &token);
        }
        out
    }

    pub fn token(&self, order_id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(id, _)| id == order_id)
            .map(|(_, t)| t.as_str())
    }

    /// With this order's token, newest last, keeping the last [`MAX_ORDERS`].
    pub fn with(mut self, order_id: &str, token: &str) -> GuestOrders {
        self.0.retain(|(id, _)| id != order_id);
        self.0.push((order_id.to_owned(), token.to_owned()));
        let extra = self.0.len().saturating_sub(MAX_ORDERS);
        self.0.drain(..extra);
        self
    }

    pub fn encode(&self) -> String {
        let entries: Vec<String> = self.0.iter().map(|(id, t)| format!("{id}:{t}")).collect();
        entries.join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_is_recognised_only_by_the_key_that_issued_it() {
        let key = GuestKey::new("one");
        let id = key.issue();
        assert!(key.issued(&id));
        assert!(!GuestKey::new("two").issued(&id));
        assert!(!key.issued(&format!("{id}x")));
        assert!(!key.issued("chosen-by-the-client"));
        assert_ne!(key.issue(), id);
    }

    #[test]
    fn the_orders_cookie_keeps_the_last_five_and_drops_what_does_not_parse() {
        let ids: Vec<String> = (0..7).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let mut c = GuestOrders::parse(Some("junk.also:junk"));
        assert_eq!(c, GuestOrders::default());
        for (i, id) in ids.iter().enumerate() {
            c = c.with(id, &format!("{i}{}", "t".repeat(42)));
        }
        let c = GuestOrders::parse(Some(&c.encode()));
        assert_eq!(c.token(&ids[0]), None);
        assert!(c.token(&ids[2]).is_some_and(|t| t.starts_with('2')));
        assert!(c.token(&ids[6]).is_some_and(|t| t.starts_with('6')));
        assert!(c.encode().len() <= ORDERS_MAX_LEN);
    }
}
