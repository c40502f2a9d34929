//! Whole numbers as JSON Schema means `integer`: `3` and `3.0` are the same number, so a field
//! declared `integer` takes both (serde alone refuses `3.0` for an `i64`). Fractions and numbers
//! beyond ±2^63 are still refused. Use with `#[serde(deserialize_with = "whole::i64")]`.
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

struct Whole(i64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Whole, E> {
                Ok(Whole(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Whole, E> {
                i64::try_from(n)
                    .map(Whole)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Whole, E> {
                // -2^63 ..= 2^63 - 1: every f64 in [-2^63, 2^63) with no fraction is an i64.
                const LIMIT: f64 = 9.223_372_036_854_776e18;
                if x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x) {
                    Ok(Whole(x as i64))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(x), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Whole::deserialize(d).map(|w| w.0)
}

/// For `Option<i64>` fields (with `#[serde(default)]`): `null` is `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<Whole>::deserialize(d).map(|o| o.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(deserialize_with = "super::i64")]
        n: i64,
        #[serde(default, deserialize_with = "super::opt_i64")]
        o: Option<i64>,
    }

    fn n(json: &str) -> Option<i64> {
        serde_json::from_str::<T>(json).ok().map(|t| t.n)
    }

    #[test]
    fn whole_numbers_are_taken_in_either_spelling_and_fractions_are_not() {
        assert_eq!(n(r#"{"n": 3}"#), Some(3));
        assert_eq!(n(r#"{"n": 3.0}"#), Some(3));
        assert_eq!(n(r#"{"n": -1e3}"#), Some(-1000));
        assert_eq!(n(r#"{"n": 3.5}"#), None);
        assert_eq!(n(r#"{"n": "3"}"#), None);
        assert_eq!(n(r#"{"n": 1e19}"#), None);
        assert_eq!(n(r#"{"n": 9223372036854775808}"#), None);
    }

    #[test]
    fn optional_whole_numbers_may_be_null_or_absent() {
        let t: T = serde_json::from_str(r#"{"n": 1, "o": null}"#).unwrap();
        assert_eq!(t.o, None);
        let t: T = serde_json::from_str(r#"{"n": 1}"#).unwrap();
        assert_eq!(t.o, None);
        let t: T = serde_json::from_str(r#"{"n": 1, "o": 7.0}"#).unwrap();
        assert_eq!(t.o, Some(7));
    }
}
