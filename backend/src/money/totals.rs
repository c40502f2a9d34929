use serde::Serialize;

use super::allocate::{allocate, percent_of};
use super::tax::{TaxMode, TaxRate};

/// One cart line as priced: the unit price as entered (with or without tax, per [`TaxMode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineIn {
    pub unit_price_cents: i64,
    pub quantity: u32,
    pub tax_rate: TaxRate,
    /// Whether the order's discount applies to this line (a code limited to some categories).
    pub discountable: bool,
}

/// The shipping method chosen, its price as entered, and its tax rate where shipping is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shipping {
    pub price_cents: i64,
    pub tax_rate: Option<TaxRate>,
}

/// One code per order. Percentages are in basis points (1,500 = 15 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    Percent { bp: u32 },
    Fixed { cents: i64 },
    FreeShipping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineOut {
    pub unit_price_cents: i64,
    pub quantity: u32,
    /// unit price × quantity, before the discount.
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    /// Added to the line (exclusive prices) or contained in it (inclusive prices).
    pub tax_cents: i64,
    /// What the shopper pays for the line.
    pub total_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    /// Shipping as charged (0 with a free-shipping code), tax included when prices include it.
    pub shipping_cents: i64,
    pub tax_cents: i64,
    /// Whether `tax_cents` is already inside the other figures (inclusive prices) or added.
    pub tax_included: bool,
    /// The payment amount: subtotal − discount + shipping (+ tax when prices exclude it).
    pub total_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priced {
    pub lines: Vec<LineOut>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("a price is negative")]
    NegativePrice,
    #[error("a percentage discount is over 100 %")]
    PercentOver100,
    /// Past `i64` cents no real order goes; refusing beats wrapping.
    #[error("the amounts are too large")]
    TooLarge,
}

/// Prices a cart: line subtotals, the discount allocated over the lines it applies to, tax per
/// line and on shipping, and the totals. Every figure is an integer number of cents, every
/// rounding is per line and half away from zero (see the module's documentation), and:
/// `Σ lines.total + shipping (+ shipping tax when exclusive) = total`, nothing is negative, and
/// no line's discount exceeds its subtotal.
pub fn price(
    mode: TaxMode,
    lines: &[LineIn],
    discount: Option<Discount>,
    shipping: Shipping,
) -> Result<Priced, PriceError> {
    if shipping.price_cents < 0 || lines.iter().any(|l| l.unit_price_cents < 0) {
        return Err(PriceError::NegativePrice);
    }
    let subtotals = lines
        .iter()
        .map(|l| l.unit_price_cents.checked_mul(l.quantity as i64))
        .collect::<Option<Vec<i64>>>()
        .ok_or(PriceError::TooLarge)?;
    let eligible: Vec<i64> = lines
        .iter()
        .zip(&subtotals)
        .map(|(l, s)| if l.discountable { *s } else { 0 })
        .collect();
    let eligible_sum = checked_sum(&eligible)?;
    let order_discount = match discount {
        Some(Discount::Percent { bp }) if bp > 10_000 => return Err(PriceError::PercentOver100),
        Some(Discount::Percent { bp }) => percent_of(eligible_sum, bp),
        Some(Discount::Fixed { cents }) => cents.clamp(0, eligible_sum),
        Some(Discount::FreeShipping) | None => 0,
    };
    let line_discounts = allocate(order_discount, &eligible);

    let mut out = Vec::with_capacity(lines.len());
    for ((l, subtotal), discount) in lines.iter().zip(&subtotals).zip(&line_discounts) {
        let after = subtotal - discount;
        let (tax, total) = match mode {
            TaxMode::Exclusive => {
                let tax = l.tax_rate.on_net(after);
                (tax, after.checked_add(tax).ok_or(PriceError::TooLarge)?)
            }
            TaxMode::Inclusive => (l.tax_rate.within_gross(after), after),
        };
        out.push(LineOut {
            unit_price_cents: l.unit_price_cents,
            quantity: l.quantity,
            subtotal_cents: *subtotal,
            discount_cents: *discount,
            tax_cents: tax,
            total_cents: total,
        });
    }

    let shipping_cents = match discount {
        Some(Discount::FreeShipping) => 0,
        _ => shipping.price_cents,
    };
    let shipping_tax = shipping.tax_rate.map_or(0, |r| match mode {
        TaxMode::Exclusive => r.on_net(shipping_cents),
        TaxMode::Inclusive => r.within_gross(shipping_cents),
    });
    let subtotal_cents = checked_sum(&subtotals)?;
    let line_tax = checked_sum(&out.iter().map(|l| l.tax_cents).collect::<Vec<_>>())?;
    let tax_cents = line_tax
        .checked_add(shipping_tax)
        .ok_or(PriceError::TooLarge)?;
    let before_tax = checked_sum(&[subtotal_cents - order_discount, shipping_cents])?;
    let total_cents = match mode {
        TaxMode::Exclusive => before_tax
            .checked_add(tax_cents)
            .ok_or(PriceError::TooLarge)?,
        TaxMode::Inclusive => before_tax,
    };
    Ok(Priced {
        lines: out,
        totals: Totals {
            subtotal_cents,
            discount_cents: order_discount,
            shipping_cents,
            tax_cents,
            tax_included: mode == TaxMode::Inclusive,
            total_cents,
        },
    })
}

fn checked_sum(xs: &[i64]) -> Result<i64, PriceError> {
    xs.iter()
        .try_fold(0i64, |acc, x| acc.checked_add(*x))
        .ok_or(PriceError::TooLarge)
}
