use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::div_round;

/// Whether prices are entered with tax included (EU VAT: the shelf price is what the shopper pays)
/// or without it (US sales tax: tax is added at checkout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    Exclusive,
    Inclusive,
}

/// A tax rate in millionths (parts per million): 8.875 % (New York City) is 88,750. Four
/// decimals of a percent cover every published rate, and the arithmetic stays integral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct TaxRate(u32);

impl TaxRate {
    pub const ZERO: TaxRate = TaxRate(0);
    /// 100 %: no real rate is higher, and a typo such as 2000 % is refused.
    pub const MAX_PPM: u32 = 1_000_000;

    pub fn from_ppm(ppm: u32) -> Result<TaxRate, String> {
        if ppm > Self::MAX_PPM {
            return Err("must be at most 100 %".into());
        }
        Ok(TaxRate(ppm))
    }

    pub fn ppm(self) -> u32 {
        self.0
    }

    /// The tax on a net amount (tax-exclusive prices), rounded half away from zero.
    pub fn on_net(self, net: i64) -> i64 {
        div_round(net as i128 * self.0 as i128, 1_000_000) as i64
    }

    /// The tax contained in a gross amount (tax-inclusive prices): `gross * r / (1 + r)`, rounded
    /// half away from zero; the net is what remains, so net + tax is the gross exactly.
    pub fn within_gross(self, gross: i64) -> i64 {
        let ppm = self.0 as i128;
        div_round(gross as i128 * ppm, 1_000_000 + ppm) as i64
    }
}

impl TryFrom<u32> for TaxRate {
    type Error = String;
    fn try_from(ppm: u32) -> Result<Self, String> {
        TaxRate::from_ppm(ppm)
    }
}

impl From<TaxRate> for u32 {
    fn from(r: TaxRate) -> u32 {
        r.0
    }
}

/// A percentage as people write it: "20", "8.875", "7.25" (at most four decimals).
impl FromStr for TaxRate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || "must be a percentage such as 20 or 8.875, with at most four decimals".to_owned();
        let digits =
            |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
        let (whole, frac) = match s.trim().split_once('.') {
            Some((w, f)) if digits(f) => (w, f),
            Some(_) => return Err(bad()),
            None => (s.trim(), ""),
        };
        if !digits(whole) {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac_ppm: u32 = format!("{frac:0<4}").parse().map_err(|_| bad())?;
        let ppm = whole
            .checked_mul(10_000)
            .and_then(|w| w.checked_add(frac_ppm))
            .ok_or_else(bad)?;
        TaxRate::from_ppm(ppm)
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 10_000, self.0 % 10_000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let frac = format!("{frac:04}");
            write!(f, "{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}
