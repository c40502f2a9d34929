use super::div_round;

/// Splits `amount` over parts in proportion to `weights` by largest remainder: every part gets the
/// floor of its exact share, and the cents left over go one each to the parts with the largest
/// remainders (ties to the earlier part, so the split is the same every time). The parts sum to
/// `amount` exactly, and none exceeds its weight when `amount <= sum(weights)`.
///
/// `amount` and `weights` must not be negative; with all weights zero, nothing can be allocated
/// and every part is zero (callers cap `amount` at the weights' sum first).
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    debug_assert!(amount >= 0 && weights.iter().all(|w| *w >= 0));
    let total: i128 = weights.iter().map(|w| *w as i128).sum();
    if total == 0 || amount == 0 {
        return vec![0; weights.len()];
    }
    let amount = amount as i128;
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = amount * *w as i128;
        parts.push((exact / total) as i64);
        remainders.push((exact % total, i));
    }
    let mut left = amount - parts.iter().map(|p| *p as i128).sum::<i128>();
    // Largest remainder first; equal remainders keep their order (stable sort).
    remainders.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// `amount * bp / 10_000`, rounded half away from zero (a percentage in basis points).
pub(crate) fn percent_of(amount: i64, bp: u32) -> i64 {
    div_round(amount as i128 * bp as i128, 10_000) as i64
}
