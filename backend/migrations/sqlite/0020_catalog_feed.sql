-- The catalog read model (issue 8): every replica keeps a search index derived from `products`.
-- Every insert or update of a product (stock included, whatever SQL does it) takes the next catalog
-- version in its own transaction; replicas read the rows past their cursor. SQLite has one writer at
-- a time, so version order is commit order.
CREATE TABLE catalog_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
ALTER TABLE products ADD COLUMN catalog_version INTEGER NOT NULL DEFAULT 0;
UPDATE products SET catalog_version = id;
INSERT INTO catalog_counter (id, version) SELECT 1, COALESCE(MAX(id), 0) FROM products;
CREATE INDEX products_catalog_version_idx ON products (catalog_version);

CREATE TRIGGER products_catalog_ai AFTER INSERT ON products BEGIN
    UPDATE catalog_counter SET version = version + 1 WHERE id = 1;
    UPDATE products SET catalog_version = (SELECT version FROM catalog_counter WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER products_catalog_au AFTER UPDATE ON products WHEN NEW.catalog_version = OLD.catalog_version BEGIN
    UPDATE catalog_counter SET version = version + 1 WHERE id = 1;
    UPDATE products SET catalog_version = (SELECT version FROM catalog_counter WHERE id = 1) WHERE id = NEW.id;
END;

-- Search is served by the index now: one semantics for both databases.
DROP TRIGGER products_fts_ai;
DROP TRIGGER products_fts_ad;
DROP TRIGGER products_fts_au;
DROP TABLE products_fts;
