//! From the cart to the lines charged, and the order as committed.
use super::CheckoutError;
use crate::domain::{CartLimits, OrderStatus, PaymentState};
use crate::store::{CartLine, Order, OrderItemRow, OrderRow, PlaceOrder, ShortLine, TakeLine};

/// The cart as it may be bought: not empty, not too large, every line on the shelf, and (if the
/// shopper says what they saw) the same total.
pub(super) fn checked_lines(
    cart: &[CartLine],
    expected_total: Option<i64>,
) -> Result<Vec<TakeLine>, CheckoutError> {
    if cart.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let max = CartLimits::SHOP.lines;
    if cart.len() > max {
        return Err(CheckoutError::CartTooLarge {
            lines: cart.len(),
            max,
        });
    }
    let short: Vec<ShortLine> = cart
        .iter()
        .filter(|l| l.quantity > l.available)
        .map(|l| ShortLine {
            product_id: l.product_id,
            sku: l.sku.clone(),
            requested: l.quantity,
            available: l.available,
        })
        .collect();
    if !short.is_empty() {
        return Err(CheckoutError::InsufficientStock(short));
    }
    let total: i64 = cart.iter().map(|l| l.unit_price_cents * l.quantity).sum();
    if expected_total.is_some_and(|e| e != total) {
        return Err(CheckoutError::PriceChanged {
            expected: expected_total,
            actual: total,
        });
    }
    let mut lines: Vec<TakeLine> = cart
        .iter()
        .map(|l| TakeLine {
            product_id: l.product_id,
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
        })
        .collect();
    // Rows in id order: concurrent checkouts lock in the same order and cannot deadlock.
    lines.sort_by_key(|l| l.product_id);
    Ok(lines)
}

/// The order just committed, built from what we wrote (no read-back).
pub(super) fn placed(o: &PlaceOrder<'_>, cart: &[CartLine]) -> Order {
    let items = o
        .lines
        .iter()
        .filter_map(|l| {
            let c = cart.iter().find(|c| c.product_id == l.product_id)?;
            Some(OrderItemRow {
                order_id: o.id.clone(),
                product_id: l.product_id,
                sku: c.sku.clone(),
                name: c.name.clone(),
                unit_price_cents: l.unit_price_cents,
                quantity: l.quantity,
            })
        })
        .collect();
    Order {
        row: OrderRow {
            id: o.id.clone(),
            user_id: o.user_id,
            cart_key: Some(o.cart_key.to_owned()),
            email: o.email.to_owned(),
            status: OrderStatus::Paid,
            subtotal_cents: o.total_cents,
            total_cents: o.total_cents,
            currency: "USD".into(),
            shipping_address: o.shipping_address.to_owned(),
            payment_brand: o.payment_brand.to_owned(),
            payment_last4: o.payment_last4.to_owned(),
            payment_state: PaymentState::Authorized,
            payment_reference: Some(o.payment_reference.to_owned()),
            created_at: o.now,
            updated_at: o.now,
        },
        items,
    }
}

pub(super) fn order_reference(order: &Order) -> String {
    order.row.payment_reference.clone().unwrap_or_default()
}
