-- A payment at the gateway pays for one order. Orders older than payment references have none
-- (NULL), which a unique index admits any number of. Two orders sharing a reference can only come
-- from one payment used twice; then this migration stops ("UNIQUE constraint failed:
-- orders.payment_reference") until a person has settled those orders (docs/runbook.md).
CREATE UNIQUE INDEX orders_payment_reference_key ON orders (payment_reference);
-- The key of a placed order is kept as long as the order (a retry of any age finds it); the purge
-- takes only the keys of refusals, and its index holds only those.
DROP INDEX IF EXISTS idempotency_keys_created_idx;
CREATE INDEX idempotency_keys_refused_idx ON idempotency_keys (created_at) WHERE order_id IS NULL;
