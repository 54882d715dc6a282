-- Raw usage events: one row per API call, appended in arrival order (which is close to time order,
-- so DuckDB's per-row-group min/max on time_ms prunes time-range scans).
CREATE TABLE events (
    account           VARCHAR  NOT NULL,
    id                VARCHAR  NOT NULL,
    time_ms           BIGINT   NOT NULL,
    model             VARCHAR  NOT NULL,
    api_key           VARCHAR  NOT NULL,
    prompt_tokens     BIGINT   NOT NULL,
    completion_tokens BIGINT   NOT NULL,
    cached_tokens     BIGINT   NOT NULL,
    quota             BIGINT   NOT NULL,
    credit_nanos      BIGINT   NOT NULL,
    duration_ms       BIGINT,
    error             BOOLEAN  NOT NULL,
    stream            BOOLEAN,
    grp               VARCHAR  NOT NULL,
    channel           VARCHAR  NOT NULL
);

-- A series is one combination the rollups are kept for. Three kinds per account:
--   full:    model, api_key and error all set
--   model:   model set, api_key and error NULL (all keys, both statuses)
--   account: model, api_key and error NULL (everything of the account)
CREATE TABLE series (
    id      INTEGER NOT NULL,
    account VARCHAR NOT NULL,
    model   VARCHAR,
    api_key VARCHAR,
    error   BOOLEAN
);

-- Rollups per series and minute, and per series and quarter hour (every zone offset is a multiple
-- of 15 minutes, so quarters add up exactly to hours, days, weeks and months in any zone).
CREATE TABLE rollup_1m (
    series            INTEGER NOT NULL,
    minute            INTEGER NOT NULL,
    requests          BIGINT  NOT NULL,
    errors            BIGINT  NOT NULL,
    quota             BIGINT  NOT NULL,
    credit_nanos      HUGEINT NOT NULL,
    prompt_tokens     BIGINT  NOT NULL,
    completion_tokens BIGINT  NOT NULL,
    cached_tokens     BIGINT  NOT NULL,
    duration_sum      BIGINT  NOT NULL,
    duration_count    BIGINT  NOT NULL
);

CREATE TABLE rollup_15m (
    series            INTEGER NOT NULL,
    minute            INTEGER NOT NULL,
    requests          BIGINT  NOT NULL,
    errors            BIGINT  NOT NULL,
    quota             BIGINT  NOT NULL,
    credit_nanos      HUGEINT NOT NULL,
    prompt_tokens     BIGINT  NOT NULL,
    completion_tokens BIGINT  NOT NULL,
    cached_tokens     BIGINT  NOT NULL,
    duration_sum      BIGINT  NOT NULL,
    duration_count    BIGINT  NOT NULL
);

-- Each commit appends its sums to the *_recent tables (appends never conflict and need no index);
-- the writer folds them now and then: closed buckets move to the main tables as one row each, open
-- buckets are re-summed in place. Reads add both; a (series, minute) may have several rows.
CREATE TABLE rollup_1m_recent AS SELECT * FROM rollup_1m LIMIT 0;
CREATE TABLE rollup_15m_recent AS SELECT * FROM rollup_15m LIMIT 0;

-- Oldest and newest event time per account (several rows per account until folded).
CREATE TABLE account_span (
    account  VARCHAR NOT NULL,
    first_ms BIGINT  NOT NULL,
    last_ms  BIGINT  NOT NULL
);

-- Ingest keys, stored as SHA-256 of the key (keys are long random secrets, not passwords).
CREATE TABLE ingest_keys (
    id         VARCHAR   NOT NULL PRIMARY KEY,
    name       VARCHAR   NOT NULL,
    key_hash   VARCHAR   NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
