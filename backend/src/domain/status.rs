//! Closed sets of words the shop stores as TEXT and sends as snake_case JSON: order states and
//! user roles. The database keeps them as the same strings.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A word that names no variant (a row written by hand or by a newer version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}

/// An enum spelled as one fixed word per variant.
pub trait Word: Copy + 'static {
    const KIND: &'static str;
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;

    fn parse_word(s: &str) -> Result<Self, UnknownVariant> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant {
                kind: Self::KIND,
                value: s.to_owned(),
            })
    }

    /// "a, b, c" for messages that list the accepted words.
    fn choices() -> String {
        Self::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    /// pending → paid → shipped → delivered; pending or paid → cancelled.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (Pending, Paid) | (Paid, Shipped) | (Shipped, Delivered) | (Pending | Paid, Cancelled)
        )
    }
}

impl Word for OrderStatus {
    const KIND: &'static str = "order status";
    const ALL: &'static [Self] = &[
        Self::Pending,
        Self::Paid,
        Self::Shipped,
        Self::Delivered,
        Self::Cancelled,
    ];
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Admin,
}

impl Word for Role {
    const KIND: &'static str = "role";
    const ALL: &'static [Self] = &[Self::Customer, Self::Admin];
    fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Admin => "admin",
        }
    }
}

/// Where an order's money is: held on the card, taken, released, or given back. Checkout commits
/// an order as `paid` with its payment `authorized`, then captures it; the reconciler settles
/// what a crash leaves `authorized`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Authorized,
    Captured,
    Voided,
    Refunded,
}

impl PaymentState {
    /// authorized → captured | voided; captured → refunded.
    pub fn can_become(self, to: PaymentState) -> bool {
        use PaymentState::*;
        matches!(
            (self, to),
            (Authorized, Captured | Voided) | (Captured, Refunded)
        )
    }
}

impl Word for PaymentState {
    const KIND: &'static str = "payment state";
    const ALL: &'static [Self] = &[
        Self::Authorized,
        Self::Captured,
        Self::Voided,
        Self::Refunded,
    ];
    fn as_str(self) -> &'static str {
        match self {
            Self::Authorized => "authorized",
            Self::Captured => "captured",
            Self::Voided => "voided",
            Self::Refunded => "refunded",
        }
    }
}

impl TryFrom<String> for PaymentState {
    type Error = UnknownVariant;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_word(&s)
    }
}

impl FromStr for OrderStatus {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_word(s)
    }
}

impl FromStr for Role {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_word(s)
    }
}

/// The store reads these columns as strings (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for OrderStatus {
    type Error = UnknownVariant;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_word(&s)
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownVariant;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_word(&s)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_only_moves_forward_or_is_cancelled_before_shipping() {
        use OrderStatus::*;
        assert!(Pending.can_become(Paid));
        assert!(Paid.can_become(Shipped));
        assert!(Shipped.can_become(Delivered));
        assert!(Paid.can_become(Cancelled));
        assert!(!Delivered.can_become(Cancelled));
        assert!(!Shipped.can_become(Paid));
        assert!(!Cancelled.can_become(Paid));
    }

    #[test]
    fn words_round_trip_through_their_stored_text() {
        for s in OrderStatus::ALL {
            assert_eq!(s.as_str().parse::<OrderStatus>(), Ok(*s));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        }
        assert!("lost".parse::<OrderStatus>().is_err());
        for p in PaymentState::ALL {
            assert_eq!(PaymentState::try_from(p.as_str().to_owned()), Ok(*p));
        }
    }
}
