//! One shopper's cookies, kept as a browser keeps them for one site: every `Set-Cookie` the shop
//! sends is stored by name (a new value replaces the old one; `Max-Age=0` or an empty value
//! deletes it) and all of them go back in one `Cookie` header. The guest cart's identity
//! (`ecomm_cart`) and any state the shop keeps client-side (e.g. the cart's lines) travel alike.
use hyper::header::{HeaderMap, HeaderValue, SET_COOKIE};

/// The guest's identity cookie (a cart the shop has identified carries it).
pub const CART_COOKIE: &str = "ecomm_cart";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Jar {
    cookies: Vec<(String, String)>,
}

impl Jar {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Applies every `Set-Cookie` of an answer, in order.
    pub fn absorb(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            if let Ok(v) = v.to_str() {
                self.set(v);
            }
        }
    }

    /// Applies one `Set-Cookie` value (`name=value; Attr; Attr=x`); a malformed one is ignored.
    pub fn set(&mut self, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        // A zero or negative Max-Age expires the cookie at once (RFC 6265 §5.2.2).
        let expired = parts.any(|attr| {
            attr.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("max-age")
                    && v.trim().parse::<i64>().is_ok_and(|s| s <= 0)
            })
        });
        self.cookies.retain(|(n, _)| n != name);
        if !expired && !value.is_empty() {
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    /// The `Cookie` request header, or None with nothing stored.
    pub fn header(&self) -> Option<HeaderValue> {
        if self.cookies.is_empty() {
            return None;
        }
        let joined = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        HeaderValue::from_str(&joined).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jar(set: &[&str]) -> Jar {
        let mut j = Jar::default();
        for s in set {
            j.set(s);
        }
        j
    }

    #[test]
    fn every_cookie_the_shop_sets_goes_back_in_one_header() {
        let j = jar(&[
            "ecomm_cart=abc; Path=/; HttpOnly; SameSite=Lax",
            "ecomm_cart_lines=v1.x; Path=/; HttpOnly",
        ]);
        assert_eq!(j.header().unwrap(), "ecomm_cart=abc; ecomm_cart_lines=v1.x");
        assert_eq!(j.get(CART_COOKIE), Some("abc"));
    }

    #[test]
    fn a_new_value_replaces_the_cookie_of_the_same_name() {
        let j = jar(&[
            "ecomm_cart=abc",
            "ecomm_cart_lines=one",
            "ecomm_cart_lines=two",
        ]);
        assert_eq!(j.header().unwrap(), "ecomm_cart=abc; ecomm_cart_lines=two");
    }

    #[test]
    fn max_age_zero_or_an_empty_value_deletes_the_cookie() {
        let j = jar(&[
            "ecomm_cart=abc",
            "ecomm_cart_lines=one",
            "promo=x",
            "ecomm_cart_lines=; Path=/; max-age=0",
            "promo=; Path=/",
        ]);
        assert_eq!(j.header().unwrap(), "ecomm_cart=abc");
        assert_eq!(jar(&["a=b", "a=b; Max-Age=0"]).header(), None);
    }

    #[test]
    fn a_positive_max_age_keeps_the_cookie() {
        let j = jar(&["ecomm_cart=abc; Max-Age=2592000"]);
        assert_eq!(j.get(CART_COOKIE), Some("abc"));
    }

    #[test]
    fn every_set_cookie_header_of_an_answer_is_applied() {
        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("ecomm_cart=abc; Path=/"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("ecomm_cart_lines=l1; Path=/"),
        );
        let mut j = Jar::default();
        j.absorb(&headers);
        assert_eq!(j.header().unwrap(), "ecomm_cart=abc; ecomm_cart_lines=l1");
    }

    #[test]
    fn a_malformed_set_cookie_is_ignored() {
        let j = jar(&["ecomm_cart=abc", "garbage", "=novalue"]);
        assert_eq!(j.header().unwrap(), "ecomm_cart=abc");
    }
}
