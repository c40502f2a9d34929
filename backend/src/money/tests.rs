//! Examples of the written rules, then properties over random carts checked against an
//! independent decimal reference (`rust_decimal`, exact for these magnitudes).
use proptest::prelude::*;
use rust_decimal::prelude::*;

use super::*;

fn line(unit: i64, qty: u32, rate_ppm: u32) -> LineIn {
    LineIn {
        unit_price_cents: unit,
        quantity: qty,
        tax_rate: TaxRate::from_ppm(rate_ppm).unwrap(),
        discountable: true,
    }
}

const NO_SHIPPING: Shipping = Shipping {
    price_cents: 0,
    tax_rate: None,
};

#[test]
fn leftover_cents_go_to_the_largest_remainders_and_ties_to_the_earlier_line() {
    assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
    assert_eq!(allocate(10, &[0, 5, 5]), vec![0, 5, 5]);
    assert_eq!(allocate(7, &[10, 20, 40]), vec![1, 2, 4]);
    assert_eq!(allocate(5, &[0, 0]), vec![0, 0]);
}

#[test]
fn a_half_cent_of_tax_rounds_away_from_zero() {
    // 10 % of 5 cents is 0.5 cent: half up gives 1 (banker's rounding would give 0).
    let p = price(
        TaxMode::Exclusive,
        &[line(5, 1, 100_000)],
        None,
        NO_SHIPPING,
    )
    .unwrap();
    assert_eq!(p.lines[0].tax_cents, 1);
    assert_eq!(p.totals.total_cents, 6);
}

#[test]
fn new_york_sales_tax_is_added_per_line() {
    // 8.875 % of 19.99 is 1.774…: 1.77.
    let p = price(
        TaxMode::Exclusive,
        &[line(1999, 1, 88_750)],
        None,
        NO_SHIPPING,
    )
    .unwrap();
    assert_eq!((p.lines[0].tax_cents, p.totals.total_cents), (177, 2176));
    assert!(!p.totals.tax_included);
}

#[test]
fn vat_is_contained_in_an_inclusive_price() {
    // 12.00 with 20 % VAT inside: net 10.00, VAT 2.00; the shopper pays 12.00.
    let p = price(
        TaxMode::Inclusive,
        &[line(1200, 1, 200_000)],
        None,
        NO_SHIPPING,
    )
    .unwrap();
    assert_eq!((p.lines[0].tax_cents, p.totals.total_cents), (200, 1200));
    assert!(p.totals.tax_included);
}

#[test]
fn an_inclusive_discount_comes_off_the_gross_and_the_vat_follows() {
    // 10 % off 12.00 gross is 1.20 off the gross (not off the net): 10.80 paid, 1.80 of it VAT.
    let p = price(
        TaxMode::Inclusive,
        &[line(1200, 1, 200_000)],
        Some(Discount::Percent { bp: 1000 }),
        NO_SHIPPING,
    )
    .unwrap();
    let l = p.lines[0];
    assert_eq!(
        (l.discount_cents, l.tax_cents, l.total_cents),
        (120, 180, 1080)
    );
}

#[test]
fn a_full_discount_leaves_exactly_zero_to_pay() {
    let lines = [line(333, 3, 88_750), line(1, 7, 200_000), line(9999, 1, 0)];
    let p = price(
        TaxMode::Exclusive,
        &lines,
        Some(Discount::Percent { bp: 10_000 }),
        NO_SHIPPING,
    )
    .unwrap();
    assert_eq!(p.totals.total_cents, 0);
    assert_eq!(p.totals.tax_cents, 0);
    assert!(p.lines.iter().all(|l| l.total_cents == 0));
}

#[test]
fn a_fixed_discount_larger_than_the_cart_is_capped_at_the_cart() {
    let p = price(
        TaxMode::Exclusive,
        &[line(500, 1, 0)],
        Some(Discount::Fixed { cents: 2000 }),
        Shipping {
            price_cents: 499,
            tax_rate: None,
        },
    )
    .unwrap();
    assert_eq!(p.totals.discount_cents, 500);
    assert_eq!(p.totals.total_cents, 499, "the shipping is still paid");
}

#[test]
fn a_discount_limited_to_some_lines_leaves_the_others_alone() {
    let mut other = line(1000, 1, 0);
    other.discountable = false;
    let p = price(
        TaxMode::Exclusive,
        &[line(1000, 1, 0), other],
        Some(Discount::Percent { bp: 5000 }),
        NO_SHIPPING,
    )
    .unwrap();
    assert_eq!(
        (p.lines[0].discount_cents, p.lines[1].discount_cents),
        (500, 0)
    );
}

#[test]
fn free_shipping_waives_the_shipping_and_its_tax() {
    let shipping = Shipping {
        price_cents: 595,
        tax_rate: Some(TaxRate::from_ppm(190_000).unwrap()),
    };
    let p = price(
        TaxMode::Exclusive,
        &[line(1000, 2, 190_000)],
        Some(Discount::FreeShipping),
        shipping,
    )
    .unwrap();
    assert_eq!(
        (
            p.totals.shipping_cents,
            p.totals.tax_cents,
            p.totals.total_cents
        ),
        (0, 380, 2380)
    );
}

#[test]
fn taxed_shipping_adds_its_own_rounded_tax() {
    let shipping = Shipping {
        price_cents: 595,
        tax_rate: Some(TaxRate::from_ppm(190_000).unwrap()),
    };
    let p = price(
        TaxMode::Exclusive,
        &[line(1000, 1, 190_000)],
        None,
        shipping,
    )
    .unwrap();
    // 19 % of 5.95 is 1.1305: 1.13.
    assert_eq!(p.totals.tax_cents, 190 + 113);
    assert_eq!(p.totals.total_cents, 1000 + 190 + 595 + 113);
}

#[test]
fn rates_are_read_as_percentages_with_up_to_four_decimals() {
    assert_eq!("8.875".parse::<TaxRate>().unwrap().ppm(), 88_750);
    assert_eq!("20".parse::<TaxRate>().unwrap().ppm(), 200_000);
    assert_eq!("0.0001".parse::<TaxRate>().unwrap().ppm(), 1);
    assert_eq!("8.875".parse::<TaxRate>().unwrap().to_string(), "8.875");
    for bad in ["", "-5", "101", "1.23456", "abc", "1e2", ".5", "5."] {
        assert!(bad.parse::<TaxRate>().is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn negative_prices_and_percentages_over_100_are_refused() {
    let bad = price(TaxMode::Exclusive, &[line(-1, 1, 0)], None, NO_SHIPPING);
    assert_eq!(bad, Err(PriceError::NegativePrice));
    let over = Some(Discount::Percent { bp: 10_001 });
    let bad = price(TaxMode::Exclusive, &[line(1, 1, 0)], over, NO_SHIPPING);
    assert_eq!(bad, Err(PriceError::PercentOver100));
}

// ---- properties against a decimal reference ----

fn dec(cents: i64) -> Decimal {
    Decimal::from(cents)
}

fn rate(ppm: u32) -> Decimal {
    Decimal::from(ppm) / Decimal::from(1_000_000)
}

fn round(d: Decimal) -> i64 {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap()
}

/// What a decimal calculator says a line's tax is, from its amount after discount.
fn reference_tax(mode: TaxMode, after: i64, ppm: u32) -> i64 {
    match mode {
        TaxMode::Exclusive => round(dec(after) * rate(ppm)),
        TaxMode::Inclusive => round(dec(after) * rate(ppm) / (Decimal::ONE + rate(ppm))),
    }
}

fn arb_line() -> impl Strategy<Value = LineIn> {
    // Real rates (0, 5, 7, 8.875, 19, 20, 21, 25, 27 %) and any rate up to 30 %.
    let rates = prop_oneof![
        prop::sample::select(vec![
            0u32, 50_000, 70_000, 88_750, 190_000, 200_000, 210_000, 250_000, 270_000
        ]),
        0u32..=300_000,
    ];
    (0i64..200_000, 1u32..50, rates, any::<bool>()).prop_map(|(unit, qty, ppm, d)| LineIn {
        unit_price_cents: unit,
        quantity: qty,
        tax_rate: TaxRate::from_ppm(ppm).unwrap(),
        discountable: d,
    })
}

fn arb_discount() -> impl Strategy<Value = Option<Discount>> {
    prop_oneof![
        Just(None),
        (0u32..=10_000).prop_map(|bp| Some(Discount::Percent { bp })),
        (0i64..500_000).prop_map(|cents| Some(Discount::Fixed { cents })),
        Just(Some(Discount::FreeShipping)),
    ]
}

fn arb_shipping() -> impl Strategy<Value = Shipping> {
    (0i64..10_000, prop::option::of(0u32..=250_000)).prop_map(|(p, r)| Shipping {
        price_cents: p,
        tax_rate: r.map(|r| TaxRate::from_ppm(r).unwrap()),
    })
}

fn arb_mode() -> impl Strategy<Value = TaxMode> {
    prop_oneof![Just(TaxMode::Exclusive), Just(TaxMode::Inclusive)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn allocation_sums_to_the_whole_and_each_part_is_within_a_cent_of_its_share(
        weights in prop::collection::vec(0i64..1_000_000, 1..12),
        fraction in 0u32..=1000,
    ) {
        let total: i64 = weights.iter().sum();
        let amount = total * fraction as i64 / 1000;
        let parts = allocate(amount, &weights);
        prop_assert_eq!(parts.iter().sum::<i64>(), amount);
        for (p, w) in parts.iter().zip(&weights) {
            prop_assert!(*p >= 0 && p <= w);
            if total > 0 {
                let exact = dec(amount) * dec(*w) / dec(total);
                prop_assert!((dec(*p) - exact).abs() < Decimal::ONE);
            }
        }
    }

    #[test]
    fn the_parts_always_sum_to_the_total_and_nothing_is_negative(
        mode in arb_mode(),
        lines in prop::collection::vec(arb_line(), 1..8),
        discount in arb_discount(),
        shipping in arb_shipping(),
    ) {
        let p = price(mode, &lines, discount, shipping).unwrap();
        let t = p.totals;
        let sum = |f: fn(&LineOut) -> i64| p.lines.iter().map(f).sum::<i64>();
        prop_assert_eq!(sum(|l| l.subtotal_cents), t.subtotal_cents);
        prop_assert_eq!(sum(|l| l.discount_cents), t.discount_cents);
        let shipping_tax = t.tax_cents - sum(|l| l.tax_cents);
        let added = match mode { TaxMode::Exclusive => shipping_tax, TaxMode::Inclusive => 0 };
        prop_assert_eq!(sum(|l| l.total_cents) + t.shipping_cents + added, t.total_cents);
        let added = if t.tax_included { 0 } else { t.tax_cents };
        prop_assert_eq!(
            t.subtotal_cents - t.discount_cents + t.shipping_cents + added,
            t.total_cents
        );
        for l in &p.lines {
            prop_assert!(l.discount_cents >= 0 && l.discount_cents <= l.subtotal_cents);
            prop_assert!(l.tax_cents >= 0 && l.total_cents >= 0);
            if mode == TaxMode::Inclusive {
                prop_assert!(l.tax_cents <= l.total_cents, "the VAT is inside the price");
            }
        }
        prop_assert!(shipping_tax >= 0 && t.shipping_cents >= 0 && t.total_cents >= 0);
    }

    #[test]
    fn every_figure_agrees_with_a_decimal_calculator_to_the_cent(
        mode in arb_mode(),
        lines in prop::collection::vec(arb_line(), 1..8),
        discount in arb_discount(),
        shipping in arb_shipping(),
    ) {
        let p = price(mode, &lines, discount, shipping).unwrap();
        let eligible: Decimal = lines
            .iter()
            .filter(|l| l.discountable)
            .map(|l| dec(l.unit_price_cents) * Decimal::from(l.quantity))
            .sum();
        let order_discount = match discount {
            Some(Discount::Percent { bp }) => round(eligible * Decimal::from(bp) / Decimal::from(10_000)),
            Some(Discount::Fixed { cents }) => dec(cents).min(eligible).to_i64().unwrap(),
            _ => 0,
        };
        prop_assert_eq!(p.totals.discount_cents, order_discount);
        let mut tax = 0;
        for (l, out) in lines.iter().zip(&p.lines) {
            let after = l.unit_price_cents * l.quantity as i64 - out.discount_cents;
            let line_tax = reference_tax(mode, after, l.tax_rate.ppm());
            prop_assert_eq!(out.tax_cents, line_tax);
            tax += line_tax;
        }
        let shipping_cents = if discount == Some(Discount::FreeShipping) { 0 } else { shipping.price_cents };
        tax += shipping.tax_rate.map_or(0, |r| reference_tax(mode, shipping_cents, r.ppm()));
        prop_assert_eq!(p.totals.tax_cents, tax);
        let subtotal: i64 = lines.iter().map(|l| l.unit_price_cents * l.quantity as i64).sum();
        let total = subtotal - order_discount + shipping_cents
            + if mode == TaxMode::Exclusive { tax } else { 0 };
        prop_assert_eq!(p.totals.total_cents, total);
    }
}
