-- Issue 9: cancelled orders whose money was taken are refunded by the reconciler; find them fast.
CREATE INDEX orders_cancelled_captured_idx ON orders (updated_at)
    WHERE status = 'cancelled' AND payment_state = 'captured';
