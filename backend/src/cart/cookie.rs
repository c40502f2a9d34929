//! A guest's cart travels with the guest: product ids and quantities in a cookie, in the order
//! they were added. Nothing about it is a secret or a promise (prices, stock and limits are
//! checked again at checkout, from the database, under the order's row locks), so the cookie is
//! plain, and a guest browsing and filling a cart writes nothing to the database. Signed-in
//! carts stay in the database (they follow the user to other devices); signing in folds the
//! guest cart into the user's.
//!
//! Why: a stored guest cart costs the database an upsert, a read-back and a delete at checkout
//! for every shopper — and at a sale peak, add-to-cart is the busiest write a shop has.
use std::collections::HashMap;
use std::fmt::Write;

use crate::catalog::Catalog;
use crate::store::{CartLine, Product, Store, StoreError, StoreResult};

/// The cookie's value for an empty cart (also what a checkout leaves behind).
const EMPTY: &str = "c";

/// Lines of a guest cart: `(product id, quantity)` in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestCart(Vec<(i64, i64)>);

impl GuestCart {
    /// The cookie's value: `c` then `<id>x<qty>` pairs joined by `.` (cookie-safe characters).
    /// A value that does not parse, or breaks the cart limits, is an empty cart: the browser
    /// cannot clear an HttpOnly cookie itself, so refusing it would leave the shopper stuck.
    pub fn parse(raw: &str, max_lines: usize, max_quantity: i64) -> GuestCart {
        let Some(rest) = raw.strip_prefix(EMPTY) else {
            return GuestCart::default();
        };
        let mut lines = Vec::new();
        for pair in rest.split('.').filter(|p| !p.is_empty()) {
            let parsed = pair
                .split_once('x')
                .and_then(|(id, q)| Some((id.parse::<i64>().ok()?, q.parse::<i64>().ok()?)));
            match parsed {
                Some((id, q))
                    if id > 0
                        && (1..=max_quantity).contains(&q)
                        && !lines.iter().any(|l: &(i64, i64)| l.0 == id) =>
                {
                    lines.push((id, q))
                }
                _ => return GuestCart::default(),
            }
        }
        if lines.len() > max_lines {
            return GuestCart::default();
        }
        GuestCart(lines)
    }

    /// A cart saved in the database (before carts moved to cookies).
    pub fn from_stored(lines: &[CartLine]) -> GuestCart {
        GuestCart(lines.iter().map(|l| (l.product_id, l.quantity)).collect())
    }

    pub fn encode(&self) -> String {
        let mut out = String::from(EMPTY);
        for (i, (id, q)) in self.0.iter().enumerate() {
            let sep = if i > 0 { "." } else { "" };
            let _ = write!(out, "{sep}{id}x{q}");
        }
        out
    }

    pub fn lines(&self) -> &[(i64, i64)] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, product_id: i64) -> Option<usize> {
        self.0.iter().position(|l| l.0 == product_id)
    }

    /// Adds `quantity` to the line, with the stored cart's refusals, in its order: a new line
    /// past `max_lines`, a line past `max`, more than `available` on the shelf.
    pub fn add(
        &mut self,
        product_id: i64,
        quantity: i64,
        max: i64,
        max_lines: usize,
        available: i64,
    ) -> StoreResult<()> {
        let at = self.position(product_id);
        let total = at.map_or(0, |i| self.0[i].1) + quantity;
        if at.is_none() && self.0.len() >= max_lines {
            return Err(StoreError::CartFull {
                max: max_lines as i64,
            });
        }
        if total > max {
            return Err(StoreError::OverLimit { max });
        }
        if total > available {
            return Err(StoreError::NotEnoughStock { available });
        }
        match at {
            Some(i) => self.0[i].1 = total,
            None => self.0.push((product_id, quantity)),
        }
        Ok(())
    }

    pub fn set(&mut self, product_id: i64, quantity: i64, available: i64) -> StoreResult<()> {
        let i = self
            .position(product_id)
            .ok_or(StoreError::NotFound("cart item"))?;
        if quantity > available {
            return Err(StoreError::NotEnoughStock { available });
        }
        self.0[i].1 = quantity;
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
                .filter(|l| !bought.contains(&l.0))
                .collect(),
        )
    }
}

/// A product as this replica's catalog has it (read-your-writes is not needed to show a cart;
/// the checkout reads the database). `None`: no such product, or deleted. See [`products`].
pub async fn product(
    store: &dyn Store,
    catalog: &Catalog,
    id: i64,
) -> StoreResult<Option<Product>> {
    Ok(products(store, catalog, &[id]).await?.remove(&id))
}

/// The products among `ids`. A complete index knows every product: an id it does not hold is no
/// product (or one created a moment ago on another replica, which this one's feed applies within
/// milliseconds), so a cookie naming unknown ids costs the database nothing. The database is asked
/// only while the index is still being built (or cannot be read), once for all the ids it lacks.
async fn products(
    store: &dyn Store,
    catalog: &Catalog,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Product>> {
    let mut found = HashMap::with_capacity(ids.len());
    let mut lacking = Vec::new();
    match catalog.index() {
        Some(index) => {
            for &id in ids {
                match index.by_id(id) {
                    Ok(Some(p)) => {
                        found.insert(id, p);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, id, "catalog: could not read a product");
                        lacking.push(id);
                    }
                }
            }
        }
        None => lacking.extend_from_slice(ids),
    }
    if !lacking.is_empty() {
        found.extend(
            store
                .products(&lacking)
                .await?
                .into_iter()
                .map(|p| (p.id, p)),
        );
    }
    Ok(found)
}

/// The cart as a shopper sees it; lines of products gone from the catalog are left out (as the
/// stored cart's join leaves them out).
pub async fn lines(
    store: &dyn Store,
    catalog: &Catalog,
    cart: &GuestCart,
) -> StoreResult<Vec<CartLine>> {
    let ids: Vec<i64> = cart.0.iter().map(|l| l.0).collect();
    let mut found = products(store, catalog, &ids).await?;
    Ok(cart
        .0
        .iter()
        .filter_map(|&(id, quantity)| {
            let p = found.remove(&id)?;
            Some(CartLine {
                product_id: p.id,
                sku: p.sku,
                slug: p.slug,
                name: p.name,
                image_key: p.image_key,
                unit_price_cents: p.price_cents,
                quantity,
                available: p.available,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cart_survives_its_cookie() {
        let mut c = GuestCart::default();
        c.add(17, 2, 99, 50, 10).unwrap();
        c.add(5, 1, 99, 50, 10).unwrap();
        c.add(17, 1, 99, 50, 10).unwrap();
        assert_eq!(c.encode(), "c17x3.5x1");
        assert_eq!(GuestCart::parse(&c.encode(), 50, 99), c);
        assert_eq!(GuestCart::parse("c", 50, 99), GuestCart::default());
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
            assert!(GuestCart::parse(raw, 50, 99).is_empty(), "{raw}");
        }
        let many: Vec<String> = (1..=51).map(|i| format!("{i}x1")).collect();
        assert!(GuestCart::parse(&format!("c{}", many.join(".")), 50, 99).is_empty());
    }

    #[test]
    fn adding_refuses_like_the_stored_cart() {
        let mut c = GuestCart::default();
        c.add(1, 98, 99, 2, 1000).unwrap();
        assert!(matches!(
            c.add(1, 2, 99, 2, 1000),
            Err(StoreError::OverLimit { max: 99 })
        ));
        assert!(matches!(
            c.add(2, 5, 99, 2, 4),
            Err(StoreError::NotEnoughStock { available: 4 })
        ));
        c.add(2, 1, 99, 2, 4).unwrap();
        assert!(matches!(
            c.add(3, 1, 99, 2, 4),
            Err(StoreError::CartFull { max: 2 })
        ));
        assert_eq!(c.lines(), &[(1, 98), (2, 1)]);
    }

    #[test]
    fn setting_and_removing_need_the_line() {
        let mut c = GuestCart::parse("c1x1.2x2", 50, 99);
        assert!(matches!(c.set(3, 1, 9), Err(StoreError::NotFound(_))));
        assert!(matches!(
            c.set(1, 10, 9),
            Err(StoreError::NotEnoughStock { available: 9 })
        ));
        c.set(1, 9, 9).unwrap();
        c.remove(2).unwrap();
        assert!(matches!(c.remove(2), Err(StoreError::NotFound(_))));
        assert_eq!(c.encode(), "c1x9");
        assert_eq!(
            GuestCart::parse("c1x1.2x2.3x3", 50, 99)
                .without(&[2, 9])
                .encode(),
            "c1x1.3x3"
        );
    }
}
