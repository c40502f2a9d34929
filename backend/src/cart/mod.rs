//! The shopper's cart: a guest's travels in a cookie ([`cookie`]), a signed-in user's is stored.
//! [`Cart`] is either, behind one set of operations with the same refusals in the same order.
use crate::catalog::Catalog;
use crate::domain::{CartItem, CartLimits};
use crate::store::{CartLine, Store, StoreResult};
use crate::sys::clock::now_ms;

pub mod cookie;
mod shelf;

use cookie::GuestCart;

pub struct Cart<'a> {
    held: Held,
    limits: CartLimits,
    store: &'a dyn Store,
    catalog: &'a Catalog,
}

/// Where a cart's lines are.
pub enum Held {
    /// A guest's, as its cookie carries them (and will carry them back).
    Cookie(GuestCart),
    /// Under this key in the database.
    Stored(String),
}

impl<'a> Cart<'a> {
    pub fn new(held: Held, limits: CartLimits, store: &'a dyn Store, catalog: &'a Catalog) -> Self {
        Cart {
            held,
            limits,
            store,
            catalog,
        }
    }

    /// A guest's lines as they now stand (for its cookie); `None` for a stored cart.
    pub fn cookie(&self) -> Option<&GuestCart> {
        match &self.held {
            Held::Cookie(lines) => Some(lines),
            Held::Stored(_) => None,
        }
    }

    /// The cart as a shopper sees it; lines of products gone from the catalog are left out.
    pub async fn lines(&self) -> StoreResult<Vec<CartLine>> {
        match &self.held {
            Held::Cookie(lines) => shelf::lines(self.store, self.catalog, lines.items()).await,
            Held::Stored(key) => self.store.cart(key).await,
        }
    }

    /// Adds the item's quantity to its line (404 for no such product; then a new line past the
    /// line limit, a line past the per-line limit, more than the shelf holds).
    pub async fn add(&mut self, item: CartItem) -> StoreResult<()> {
        match &mut self.held {
            Held::Cookie(lines) => {
                let available = shelf::available(self.store, self.catalog, item.product_id).await?;
                lines.add(item, self.limits, available)
            }
            Held::Stored(key) => {
                self.store
                    .add_to_cart(key, item, self.limits, now_ms())
                    .await
            }
        }
    }

    /// Sets a line's quantity (404 when the cart has no such line; then more than the shelf holds).
    pub async fn set(&mut self, item: CartItem) -> StoreResult<()> {
        match &mut self.held {
            Held::Cookie(lines) => {
                // Not in the cart is 404 before the shelf is asked (as for a stored cart).
                let available = match lines.contains(item.product_id) {
                    true => shelf::available(self.store, self.catalog, item.product_id).await?,
                    false => 0,
                };
                lines.set(item, available)
            }
            Held::Stored(key) => self.store.set_cart_quantity(key, item).await,
        }
    }

    pub async fn remove(&mut self, product_id: i64) -> StoreResult<()> {
        match &mut self.held {
            Held::Cookie(lines) => lines.remove(product_id),
            Held::Stored(key) => self.store.remove_from_cart(key, product_id).await,
        }
    }
}
