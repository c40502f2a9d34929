//! The words every cart speaks (the cookie cart, the stored cart, the checkout): a line as the
//! shopper asks for it, and what one cart may hold.
use super::Quantity;

/// One line of a cart: which product, how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartItem {
    pub product_id: i64,
    pub quantity: i64,
}

impl CartItem {
    pub fn new(product_id: i64, quantity: i64) -> CartItem {
        CartItem {
            product_id,
            quantity,
        }
    }
}

/// What one cart may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartLimits {
    /// At most this many of one product.
    pub per_line: i64,
    /// At most this many different products: each is a locked row at checkout.
    pub lines: usize,
}

impl CartLimits {
    /// The shop's limits, for every cart and every checkout.
    pub const SHOP: CartLimits = CartLimits {
        per_line: Quantity::MAX,
        lines: 50,
    };
}
