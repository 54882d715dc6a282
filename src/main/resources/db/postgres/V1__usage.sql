-- Raw usage events, partitioned by month of event time (the store creates partitions as events
-- arrive); retention drops whole partitions. Logs pages read newest first through the index.
CREATE TABLE events (
    account           text    NOT NULL,
    id                text    NOT NULL,
    time_ms           bigint  NOT NULL,
    model             text    NOT NULL,
    api_key           text    NOT NULL,
    prompt_tokens     bigint  NOT NULL,
    completion_tokens bigint  NOT NULL,
    cached_tokens     bigint  NOT NULL,
    quota             bigint  NOT NULL,
    credit_nanos      bigint  NOT NULL,
    duration_ms       bigint,
    error             boolean NOT NULL,
    stream            boolean,
    grp               text    NOT NULL,
    channel           text    NOT NULL
) PARTITION BY RANGE (time_ms);
CREATE INDEX events_account_time ON events (account, time_ms DESC, id DESC);

-- Dedup: one row per stored (account, id). Instances insert keys first (ON CONFLICT DO NOTHING),
-- so two instances receiving the same event concurrently store it once.
CREATE TABLE event_keys (
    account text   NOT NULL,
    id      text   NOT NULL,
    time_ms bigint NOT NULL,
    PRIMARY KEY (account, id)
);

-- See db/duckdb/V1__usage.sql: full, model and account series per account.
CREATE TABLE series (
    id      serial  PRIMARY KEY,
    account text    NOT NULL,
    model   text,
    api_key text,
    error   boolean,
    UNIQUE NULLS NOT DISTINCT (account, model, api_key, error)
);

CREATE TABLE rollup_1m (
    series            integer NOT NULL,
    minute            integer NOT NULL,
    requests          bigint  NOT NULL,
    errors            bigint  NOT NULL,
    quota             bigint  NOT NULL,
    credit_nanos      numeric NOT NULL,
    prompt_tokens     bigint  NOT NULL,
    completion_tokens bigint  NOT NULL,
    cached_tokens     bigint  NOT NULL,
    duration_sum      bigint  NOT NULL,
    duration_count    bigint  NOT NULL,
    PRIMARY KEY (series, minute)
);

CREATE TABLE rollup_15m (LIKE rollup_1m INCLUDING ALL);

CREATE TABLE account_span (
    account  text   PRIMARY KEY,
    first_ms bigint NOT NULL,
    last_ms  bigint NOT NULL
);

CREATE TABLE ingest_keys (
    id         text      PRIMARY KEY,
    name       text      NOT NULL,
    key_hash   text      NOT NULL UNIQUE,
    created_at timestamp NOT NULL,
    revoked_at timestamp
);
