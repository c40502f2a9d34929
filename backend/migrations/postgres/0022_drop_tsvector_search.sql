-- Search is served by the catalog index (issue 8): the tsvector column is unused, and as a STORED
-- generated column Postgres recomputed to_tsvector(name || description) and updated its GIN index on
-- EVERY update of a product — every sale in every checkout. Dropping it removes that work from the
-- checkout path (SQLite's FTS5 table went in 0020).
DROP INDEX IF EXISTS products_search_idx;
ALTER TABLE products DROP COLUMN IF EXISTS search;
