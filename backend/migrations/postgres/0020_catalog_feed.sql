-- The catalog read model (issue 8): every replica keeps a search index derived from `products`.
-- Every insert or update of a product (stock included, whatever SQL does it) is stamped in its own
-- transaction with a catalog version and the writing transaction id; replicas read the rows past
-- their cursor. The transaction id lets a reader re-read rows of transactions that were still in
-- flight at its last read (sequence order is not commit order).
CREATE SEQUENCE catalog_version_seq;
ALTER TABLE products
    ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN catalog_xid xid8 NOT NULL DEFAULT '0';
UPDATE products SET catalog_version = nextval('catalog_version_seq'), catalog_xid = pg_current_xact_id();
CREATE INDEX products_catalog_feed_idx ON products (catalog_xid, id);

CREATE FUNCTION products_catalog_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.catalog_version := nextval('catalog_version_seq');
    NEW.catalog_xid := pg_current_xact_id();
    -- Wakes listening replicas at commit (identical notifications in one transaction fold into one).
    PERFORM pg_notify('catalog_changes', '');
    RETURN NEW;
END
$$;
CREATE TRIGGER products_catalog_stamp BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_catalog_stamp();

-- Search is served by the index now: one semantics for both databases.
DROP INDEX products_search_idx;
ALTER TABLE products DROP COLUMN search;
