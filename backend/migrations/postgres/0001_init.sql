CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'USD',
    image_key TEXT,
    available BIGINT NOT NULL CHECK (available >= 0),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || description)) STORED
);
CREATE INDEX products_search_idx ON products USING GIN (search);
CREATE INDEX products_category_idx ON products (category) WHERE deleted_at IS NULL;
CREATE INDEX products_price_idx ON products (price_cents) WHERE deleted_at IS NULL;
CREATE INDEX products_created_idx ON products (created_at) WHERE deleted_at IS NULL;

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);

CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX login_failures_email_idx ON login_failures (email, at_ms);
CREATE INDEX login_failures_client_idx ON login_failures (client, at_ms);

CREATE TABLE cart_items (
    cart_key TEXT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (cart_key, product_id)
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users (id),
    cart_key TEXT,
    email TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    subtotal_cents BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    shipping_address TEXT NOT NULL,
    payment_brand TEXT NOT NULL,
    payment_last4 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_user_idx ON orders (user_id, created_at);
CREATE INDEX orders_status_idx ON orders (status, created_at);

CREATE TABLE order_items (
    order_id TEXT NOT NULL REFERENCES orders (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    order_id TEXT REFERENCES orders (id),
    response_status BIGINT,
    response_body TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE inventory_audit (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id),
    sku TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    old_available BIGINT NOT NULL,
    new_available BIGINT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX inventory_audit_sku_idx ON inventory_audit (sku, id);
