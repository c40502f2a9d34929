-- Issue 9: see the Postgres migration of the same number.
ALTER TABLE orders ADD COLUMN payment_state TEXT NOT NULL DEFAULT 'captured'
    CHECK (payment_state IN ('authorized', 'captured', 'voided', 'refunded'));
ALTER TABLE orders ADD COLUMN payment_reference TEXT;
ALTER TABLE orders ADD COLUMN idempotency_key TEXT;
UPDATE orders SET payment_state = 'voided' WHERE status = 'cancelled';
UPDATE orders SET payment_state = 'authorized' WHERE status = 'pending';
UPDATE orders SET idempotency_key = (SELECT k.key FROM idempotency_keys k WHERE k.order_id = orders.id);
CREATE INDEX orders_payment_in_doubt_idx ON orders (updated_at) WHERE payment_state = 'authorized';
