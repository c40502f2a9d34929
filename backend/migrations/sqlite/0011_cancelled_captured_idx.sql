-- Issue 9: see the Postgres migration of the same number.
CREATE INDEX orders_cancelled_captured_idx ON orders (updated_at)
    WHERE status = 'cancelled' AND payment_state = 'captured';
