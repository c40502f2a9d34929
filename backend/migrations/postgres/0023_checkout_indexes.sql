-- Every index on a table is written by every insert into it, and by every update that is not HOT.
-- Catalog pages, search and facets are served by the catalog index (issue 8): no statement filters
-- or sorts products by category, price or creation time any more, so those three indexes only cost.
DROP INDEX IF EXISTS products_category_idx;
DROP INDEX IF EXISTS products_price_idx;
DROP INDEX IF EXISTS products_created_idx;
-- Guest orders (no user) are never looked up by user: index only the signed-in shoppers' orders.
DROP INDEX IF EXISTS orders_user_idx;
CREATE INDEX orders_user_idx ON orders (user_id, created_at) WHERE user_id IS NOT NULL;
