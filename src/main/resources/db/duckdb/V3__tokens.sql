-- Personal access tokens: read-only API credentials a user creates for scripts. Only a SHA-256 of
-- each token is stored (tokens are 256-bit random secrets, so a fast hash is the right one); the
-- token itself is shown once, when created. Revoking a token deletes its row.
CREATE TABLE personal_tokens (
    id           VARCHAR   NOT NULL PRIMARY KEY,
    username     VARCHAR   NOT NULL,
    name         VARCHAR   NOT NULL,
    token_hash   VARCHAR   NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
