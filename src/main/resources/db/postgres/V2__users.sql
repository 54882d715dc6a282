CREATE TABLE users (
    username      text      PRIMARY KEY,
    password_hash text      NOT NULL,
    role          text      NOT NULL,
    account       text,
    created_at    timestamp NOT NULL
);
