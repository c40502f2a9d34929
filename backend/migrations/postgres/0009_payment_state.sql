-- Issue 9: the payment's state lives on the order (authorized → captured | voided → refunded),
-- with the gateway's reference and the checkout's key, so the reconciler can settle what a crash
-- left undecided. Orders from before this migration were charged in one step: paid ones count as
-- captured, cancelled ones as voided, and pending ones (a crash mid-checkout) as authorized with no
-- reference, for the reconciler to resolve by their key.
ALTER TABLE orders
    ADD COLUMN payment_state TEXT NOT NULL DEFAULT 'captured'
        CHECK (payment_state IN ('authorized', 'captured', 'voided', 'refunded')),
    ADD COLUMN payment_reference TEXT,
    ADD COLUMN idempotency_key TEXT;
UPDATE orders SET payment_state = 'voided' WHERE status = 'cancelled';
UPDATE orders SET payment_state = 'authorized' WHERE status = 'pending';
UPDATE orders SET idempotency_key = k.key FROM idempotency_keys k WHERE k.order_id = orders.id;
ALTER TABLE orders ALTER COLUMN payment_state DROP DEFAULT;
CREATE INDEX orders_payment_in_doubt_idx ON orders (updated_at) WHERE payment_state = 'authorized';
