-- Issue 10: admin sessions end when idle (last use), and the scheduled purge finds old rows by index.
-- Existing sessions start as "never seen": admins sign in again once after this migration.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
-- The limiter counts attempts per (account, client) and per client.
CREATE INDEX login_failures_pair_idx ON login_failures (email, client, at_ms);
CREATE INDEX login_failures_at_idx ON login_failures (at_ms);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
