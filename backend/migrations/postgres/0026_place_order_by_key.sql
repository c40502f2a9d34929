-- place_order's plan is made once per connection (0025) and kept. Made while a table it touches is
-- empty or nearly so (a new database, or tables ANALYZEd before any order), that plan may read
-- cart_items or idempotency_keys by sequential scan — and go on doing so as they grow, until the
-- connection is replaced: in the chaos lab, checkouts slowed 2-5x within a minute. Every row the
-- function reads is found by its key, so sequential scans are ruled out for it.
ALTER FUNCTION place_order(
    BIGINT[], BIGINT[], BIGINT[], TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, TEXT,
    BIGINT, TEXT, TEXT, TEXT, TEXT
) SET enable_seqscan = off;
