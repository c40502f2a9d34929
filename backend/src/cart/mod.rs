//! The shopper's cart: a guest's in a cookie, a signed-in user's in the database.
pub mod cookie;
