CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sku TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'USD',
    image_key TEXT,
    available INTEGER NOT NULL CHECK (available >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX products_category_idx ON products (category) WHERE deleted_at IS NULL;
CREATE INDEX products_price_idx ON products (price_cents) WHERE deleted_at IS NULL;
CREATE INDEX products_created_idx ON products (created_at) WHERE deleted_at IS NULL;

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_email_idx ON login_failures (email, at_ms);
CREATE INDEX login_failures_client_idx ON login_failures (client, at_ms);

CREATE TABLE cart_items (
    cart_key TEXT NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (cart_key, product_id)
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    user_id INTEGER REFERENCES users (id),
    cart_key TEXT,
    email TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    subtotal_cents INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    shipping_address TEXT NOT NULL,
    payment_brand TEXT NOT NULL,
    payment_last4 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX orders_user_idx ON orders (user_id, created_at);
CREATE INDEX orders_status_idx ON orders (status, created_at);

CREATE TABLE order_items (
    order_id TEXT NOT NULL REFERENCES orders (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    order_id TEXT REFERENCES orders (id),
    response_status INTEGER,
    response_body TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE inventory_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    sku TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    old_available INTEGER NOT NULL,
    new_available INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX inventory_audit_sku_idx ON inventory_audit (sku, id);

CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content='products', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
END;
CREATE TRIGGER products_fts_au AFTER UPDATE OF name, description ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
    INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description);
END;
