-- Sales without index writes (issue 9). A sale (an UPDATE where only the stock went down) used to
-- re-stamp the product's `catalog_xid`, an indexed column, so every sale wrote a new entry in every
-- index of `products`. Now a sale leaves `catalog_xid` alone: no indexed column changes, and with
-- free space on its page (fillfactor) Postgres updates the row in place (a HOT update, no index
-- entry). The sale's stamp goes instead to `catalog_sales`, an append-only log in writing-xid
-- order that the change feed reads beside `products` (same cursor, same in-flight rule).
-- `catalog_version` still moves on every change: replicas keep the newest version they saw.
CREATE TABLE catalog_sales (
    xid xid8 NOT NULL,
    product_id BIGINT NOT NULL
);
CREATE INDEX catalog_sales_feed_idx ON catalog_sales (xid, product_id);
-- The log is pruned by the reconciler (the cluster's one housekeeper) below an xmin seen long
-- ago; a feed reader whose cursor is older than `below` may have missed sales and reads the
-- whole catalog again.
CREATE TABLE catalog_sales_pruned (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    below xid8 NOT NULL
);
INSERT INTO catalog_sales_pruned (below) VALUES ('0');
-- Room on each page for updated rows (applies to pages written from now on; existing full pages
-- make room as their rows move once).
ALTER TABLE products SET (fillfactor = 85);

CREATE OR REPLACE FUNCTION products_catalog_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.catalog_version := nextval('catalog_version_seq');
    IF TG_OP = 'UPDATE' AND NEW.available < OLD.available
        AND (NEW.sku, NEW.slug, NEW.name, NEW.description, NEW.category, NEW.price_cents,
             NEW.currency, NEW.image_key, NEW.created_at, NEW.deleted_at)
            IS NOT DISTINCT FROM
            (OLD.sku, OLD.slug, OLD.name, OLD.description, OLD.category, OLD.price_cents,
             OLD.currency, OLD.image_key, OLD.created_at, OLD.deleted_at)
    THEN
        -- A sale: logged; replicas see it at their next poll (a NOTIFY here would serialize
        -- the commits, see 0021).
        INSERT INTO catalog_sales (xid, product_id) VALUES (pg_current_xact_id(), NEW.id);
    ELSE
        NEW.catalog_xid := pg_current_xact_id();
        -- Wakes listening replicas at commit (identical notifications in one transaction fold into one).
        PERFORM pg_notify('catalog_changes', '');
    END IF;
    RETURN NEW;
END
$$;
