-- Secrets every replica shares, each made by the first replica that needs it (the key that signs
-- guest identities).
CREATE TABLE shared_secrets (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Guest identities are issued and signed by the server now, and the database keeps only their
-- hashes: carts saved under an identity in clear (before carts moved to cookies) cannot be reached
-- any more, and a guest order opens with its own token, not with the identity that placed it.
DELETE FROM cart_items WHERE cart_key LIKE 'a:%';
UPDATE orders SET cart_key = NULL WHERE cart_key LIKE 'a:%';
