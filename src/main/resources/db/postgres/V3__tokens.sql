-- See db/duckdb/V3__tokens.sql: personal access tokens, kept as SHA-256 of the token.
CREATE TABLE personal_tokens (
    id           text      PRIMARY KEY,
    username     text      NOT NULL,
    name         text      NOT NULL,
    token_hash   text      NOT NULL UNIQUE,
    created_at   timestamp NOT NULL,
    last_used_at timestamp
);
