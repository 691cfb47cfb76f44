-- The gateway's shared store (see gateway/src/store/postgres.rs). Times are Unix seconds
-- (`expires_at`) or milliseconds (`*_ms`); every row has an expiry and is cleaned up after it.

-- Which record a token's `customer` claim is bound to (the provider's immutable id).
CREATE TABLE gateway_bindings (
    token_id   TEXT PRIMARY KEY,
    identity   TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX gateway_bindings_expiry ON gateway_bindings (expires_at);

-- Records a token created itself.
CREATE TABLE gateway_grants (
    token_id   TEXT NOT NULL,
    identity   TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (token_id, identity)
);
CREATE INDEX gateway_grants_expiry ON gateway_grants (expires_at);

-- Partnero keys renamed through the gateway, kept as long as a token issued before the
-- rename can live.
CREATE TABLE gateway_partnero_renames (
    id         BIGSERIAL PRIMARY KEY,
    old_key    TEXT NOT NULL,
    new_key    TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX gateway_partnero_renames_old ON gateway_partnero_renames (old_key, at_ms);
CREATE INDEX gateway_partnero_renames_expiry ON gateway_partnero_renames (expires_at);

-- Count OAuth flows started and not yet called back (by a hash of their state).
CREATE TABLE gateway_count_oauth_states (
    state_hash    TEXT PRIMARY KEY,
    by_admin      BOOLEAN NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

-- The Count workspace's token pair (one row). Its refresh token rotates on every refresh.
CREATE TABLE gateway_count_tokens (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    access_token       TEXT NOT NULL,
    refresh_token      TEXT NOT NULL,
    access_expires_at  BIGINT,
    refresh_expires_at BIGINT,
    workspace_id       TEXT,
    workspace_name     TEXT,
    stored_at          BIGINT NOT NULL
);

-- Per-user and per-token request counters, one row per key and minute. Losing them in a crash
-- only resets the current minute, so they skip the write-ahead log.
CREATE UNLOGGED TABLE gateway_rate_counts (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
