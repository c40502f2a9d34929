//! A guest's cart travels with the guest: product ids and quantities in a cookie, in the order
//! they were added. Nothing about it is a secret or a promise (prices, stock and limits are
//! checked again at checkout, from the database, under the order's row locks), so the cookie is
//! plain, and a guest browsing and filling a cart writes nothing to the database. Signed-in
//! carts stay in the database (they follow the user to other devices); signing in folds the
//! guest cart into the user's.
//!
//! Why: a stored guest cart costs the database an upsert, a read-back and a delete at checkout
//! for every shopper — and at a sale peak, add-to-cart is the busiest write a shop has.
use std::fmt::Write;

use crate::domain::{CartItem, CartLimits};
use crate::store::{StoreError, StoreResult};

/// The cookie's value for an empty cart (also what a checkout leaves behind).
const EMPTY: &str = "c";

/// Lines of a guest cart, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestCart(Vec<CartItem>);

impl GuestCart {
    /// The cookie's value: `c` then `<id>x<qty>` pairs joined by `.` (cookie-safe characters).
    /// A value that does not parse, or breaks the cart limits, is an empty cart: the browser
    /// cannot clear an HttpOnly cookie itself, so refusing it would leave the shopper stuck.
    pub fn parse(raw: &str, limits: CartLimits) -> GuestCart {
        let Some(rest) = raw.strip_prefix(EMPTY) else {
            return GuestCart::default();
        };
        let mut items: Vec<CartItem> = Vec::new();
        for pair in rest.split('.').filter(|p| !p.is_empty()) {
            let parsed = pair
                .split_once('x')
                .and_then(|(id, q)| Some(CartItem::new(id.parse().ok()?, q.parse().ok()?)));
            match parsed {
                Some(item)
                    if item.product_id > 0
                        && (1..=limits.per_line).contains(&item.quantity)
                        && !items.iter().any(|l| l.product_id == item.product_id) =>
                {
                    items.push(item)
                }
                _ => return GuestCart::default(),
            }
        }
        if items.len() > limits.lines {
            return GuestCart::default();
        }
        GuestCart(items)
    }

    pub fn encode(&self) -> String {
        let mut out = String::from(EMPTY);
        for (i, item) in self.0.iter().enumerate() {
            let sep = if i > 0 { "." } else { "" };
            let _ = write!(out, "{sep}{}x{}", item.product_id, item.quantity);
        }
        out
    }

    pub fn items(&self) -> &[CartItem] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, product_id: i64) -> bool {
        self.position(product_id).is_some()
    }

    fn position(&self, product_id: i64) -> Option<usize> {
        self.0.iter().position(|l| l.product_id == product_id)
    }

    /// Adds the item's quantity to its line, with the stored cart's refusals, in its order: a new
    /// line past `limits.lines`, a line past `limits.per_line`, more than `available` on the shelf.
    pub fn add(&mut self, item: CartItem, limits: CartLimits, available: i64) -> StoreResult<()> {
        let at = self.position(item.product_id);
        let total = at.map_or(0, |i| self.0[i].quantity) + item.quantity;
        if at.is_none() && self.0.len() >= limits.lines {
            return Err(StoreError::CartTooLarge {
                max: limits.lines as i64,
            });
        }
        if total > limits.per_line {
            return Err(StoreError::LineLimit {
                max: limits.per_line,
            });
        }
        if total > available {
            return Err(StoreError::LineOverStock { available });
        }
        match at {
            Some(i) => self.0[i].quantity = total,
            None => self.0.push(item),
        }
        Ok(())
    }

    pub fn set(&mut self, item: CartItem, available: i64) -> StoreResult<()> {
        let i = self
            .position(item.product_id)
            .ok_or(StoreError::NotFound("cart item"))?;
        if item.quantity > available {
            return Err(StoreError::LineOverStock { available });
        }
        self.0[i].quantity = item.quantity;
        Ok(())
    }

    pub fn remove(&mut self, product_id: i64) -> StoreResult<()> {
        let i = self
            .position(product_id)
            .ok_or(StoreError::NotFound("cart item"))?;
        self.0.remove(i);
        Ok(())
    }

    /// What an order leaves: the lines of products it did not buy.
    pub fn without(&self, bought: &[i64]) -> GuestCart {
        GuestCart(
            self.0
                .iter()
                .copied()
                .filter(|l| !bought.contains(&l.product_id))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: CartLimits = CartLimits {
        per_line: 99,
        lines: 50,
    };

    fn item(product_id: i64, quantity: i64) -> CartItem {
        CartItem::new(product_id, quantity)
    }

    #[test]
    fn a_cart_survives_its_cookie() {
        let mut c = GuestCart::default();
        c.add(item(17, 2), LIMITS, 10).unwrap();
        c.add(item(5, 1), LIMITS, 10).unwrap();
        c.add(item(17, 1), LIMITS, 10).unwrap();
        assert_eq!(c.encode(), "c17x3.5x1");
        assert_eq!(GuestCart::parse(&c.encode(), LIMITS), c);
        assert_eq!(GuestCart::parse("c", LIMITS), GuestCart::default());
    }

    #[test]
    fn a_malformed_or_oversized_cookie_is_an_empty_cart() {
        for raw in [
            "",
            "x",
            "c17",
            "c17x",
            "c17x0",
            "c17x100",
            "c-1x1",
            "c17x1.17x2",
            "c1x1;x",
        ] {
            assert!(GuestCart::parse(raw, LIMITS).is_empty(), "{raw}");
        }
        let many: Vec<String> = (1..=51).map(|i| format!("{i}x1")).collect();
        assert!(GuestCart::parse(&format!("c{}", many.join(".")), LIMITS).is_empty());
    }

    #[test]
    fn adding_refuses_like_the_stored_cart() {
        let two_lines = CartLimits {
            per_line: 99,
            lines: 2,
        };
        let mut c = GuestCart::default();
        c.add(item(1, 98), two_lines, 1000).unwrap();
        assert!(matches!(
            c.add(item(1, 2), two_lines, 1000),
            Err(StoreError::LineLimit { max: 99 })
        ));
        assert!(matches!(
            c.add(item(2, 5), two_lines, 4),
            Err(StoreError::LineOverStock { available: 4 })
        ));
        c.add(item(2, 1), two_lines, 4).unwrap();
        assert!(matches!(
            c.add(item(3, 1), two_lines, 4),
            Err(StoreError::CartTooLarge { max: 2 })
        ));
        assert_eq!(c.items(), &[item(1, 98), item(2, 1)]);
    }

    #[test]
    fn setting_and_removing_need_the_line() {
        let mut c = GuestCart::parse("c1x1.2x2", LIMITS);
        assert!(matches!(c.set(item(3, 1), 9), Err(StoreError::NotFound(_))));
        assert!(matches!(
            c.set(item(1, 10), 9),
            Err(StoreError::LineOverStock { available: 9 })
        ));
        c.set(item(1, 9), 9).unwrap();
        c.remove(2).unwrap();
        assert!(matches!(c.remove(2), Err(StoreError::NotFound(_))));
        assert_eq!(c.encode(), "c1x9");
        assert_eq!(
            GuestCart::parse("c1x1.2x2.3x3", LIMITS)
                .without(&[2, 9])
                .encode(),
            "c1x1.3x3"
        );
    }
}
