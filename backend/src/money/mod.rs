//! Money: integer minor units (cents) end to end, never floats. One calculator prices every cart,
//! checkout and order from the same inputs, so what the shopper was shown is what is charged.
//!
//! **Rounding, written down.** Every amount is rounded once, per line, half away from zero
//! ("commercial rounding"): the rule EU VAT administrations and US states expect on an invoice
//! (Germany and Austria require it; banker's rounding is not accepted for VAT), and the one a
//! shopper can check with a calculator. Tax is computed on each line after its discount and on
//! shipping; the order's tax is the sum of those rounded parts, so the lines always add up to the
//! order. Amounts that must be split (an order discount over its lines) are allocated by largest
//! remainder, so the parts sum exactly to the whole and no part exceeds its line.
mod allocate;
mod tax;
mod totals;

#[cfg(test)]
mod tests;

pub use allocate::allocate;
pub use tax::{TaxMode, TaxRate};
pub use totals::{price, Discount, LineIn, LineOut, PriceError, Priced, Shipping, Totals};

/// `num / den` rounded half away from zero, for `num >= 0`, `den > 0`.
pub(crate) fn div_round(num: i128, den: i128) -> i128 {
    debug_assert!(num >= 0 && den > 0);
    (2 * num + den) / (2 * den)
}
