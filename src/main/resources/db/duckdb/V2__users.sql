-- People who sign in. Passwords are stored as Spring Security's DelegatingPasswordEncoder output
-- ({bcrypt}...). Members see one account; admins (account may be NULL) see every account.
CREATE TABLE users (
    username      VARCHAR   NOT NULL PRIMARY KEY,
    password_hash VARCHAR   NOT NULL,
    role          VARCHAR   NOT NULL,
    account       VARCHAR,
    created_at    TIMESTAMP NOT NULL
);
