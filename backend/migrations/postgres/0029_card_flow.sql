-- Cards are taken by the payment provider's own fields in the browser; the shop creates a payment
-- intent per checkout and keeps one row for it here, written before the intent is asked for, so
-- the reconciler finds every intent by its id (never by a search) and only this deployment's.
--   request_key   the shopper's Idempotency-Key: the same key answers the same checkout
--   fingerprint   what the shopper asked for (cart, email, address): another body with the key is refused
--   intent_id     the provider's intent, once created (NULL: the create call may or may not have happened)
--   lines         the priced lines, JSON [[product_id, quantity, unit_price_cents], …]
--   state         open → ordered (the order exists) | closed (the intent was cancelled or refused)
CREATE TABLE checkout_attempts (
    id TEXT PRIMARY KEY,
    request_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    intent_id TEXT UNIQUE,
    cart_key TEXT NOT NULL,
    user_id BIGINT,
    email TEXT NOT NULL,
    shipping_address TEXT NOT NULL,
    lines TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'ordered', 'closed')),
    last_error TEXT,
    order_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX checkout_attempts_open_idx ON checkout_attempts (updated_at) WHERE state = 'open';
-- Each provider event is acted on once; a replay of a stored id is acknowledged and ignored.
CREATE TABLE payment_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
-- Refunds and disputes made at the provider (its dashboard, the bank) reach the order.
ALTER TABLE orders ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN disputed_at BIGINT;
