-- Rollup deltas of full series only. Until V7 an append wrote three delta rows for most events (its full
-- series, its model series and its account series in that minute), each inserted with an index entry, later
-- deleted by a fold and vacuumed: half of all row writes of ingestion. Now an append writes the full series'
-- row, carrying the ids of its model and account series; the fold adds those up into the model and account
-- rows, and reads add a row's figures to every series it names.
--
-- Partitioned by the account series, so that every series of an account, and so every rollup row and the
-- account span a partition's deltas add to, belongs to exactly one partition: folds of different partitions
-- (one at a time each, under an advisory lock keyed by the partition's oid) never touch the same row.

-- The deltas V7 left are folded first, as V7's fold did. The lock waits for appends in progress and keeps new
-- ones out, so none commits between this fold and the drop (an instance still running the old version fails
-- its appends, folds and reads from here on, see below; its clients retry them on an upgraded instance).
LOCK TABLE rollup_pending IN ACCESS EXCLUSIVE MODE;
SET LOCAL enable_nestloop = off;
SET LOCAL work_mem = '64MB';
WITH m AS (
    SELECT series, minute, sum(requests) AS requests, sum(errors) AS errors, sum(quota) AS quota,
           sum(credit_nanos) AS credit_nanos, sum(prompt_tokens) AS prompt_tokens,
           sum(completion_tokens) AS completion_tokens, sum(cached_tokens) AS cached_tokens,
           sum(duration_sum) AS duration_sum, sum(duration_count) AS duration_count,
           min(first_ms) AS first_ms, max(last_ms) AS last_ms
    FROM rollup_pending GROUP BY series, minute),
minutes AS (
    INSERT INTO rollup_1m (series, minute, requests, errors, quota, credit_nanos, prompt_tokens, completion_tokens,
                           cached_tokens, duration_sum, duration_count)
    SELECT series, minute, requests, errors, quota, credit_nanos, prompt_tokens, completion_tokens, cached_tokens,
           duration_sum, duration_count FROM m ORDER BY 1, 2
    ON CONFLICT (series, minute) DO UPDATE SET requests = rollup_1m.requests + excluded.requests,
        errors = rollup_1m.errors + excluded.errors, quota = rollup_1m.quota + excluded.quota,
        credit_nanos = rollup_1m.credit_nanos + excluded.credit_nanos,
        prompt_tokens = rollup_1m.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = rollup_1m.completion_tokens + excluded.completion_tokens,
        cached_tokens = rollup_1m.cached_tokens + excluded.cached_tokens,
        duration_sum = rollup_1m.duration_sum + excluded.duration_sum,
        duration_count = rollup_1m.duration_count + excluded.duration_count
    RETURNING series, minute, requests, prompt_tokens + completion_tokens AS tokens),
quarters AS (
    INSERT INTO rollup_15m (series, minute, requests, errors, quota, credit_nanos, prompt_tokens, completion_tokens,
                            cached_tokens, duration_sum, duration_count)
    SELECT series, minute / 15 * 15, sum(requests), sum(errors), sum(quota), sum(credit_nanos), sum(prompt_tokens),
           sum(completion_tokens), sum(cached_tokens), sum(duration_sum), sum(duration_count)
    FROM m GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (series, minute) DO UPDATE SET requests = rollup_15m.requests + excluded.requests,
        errors = rollup_15m.errors + excluded.errors, quota = rollup_15m.quota + excluded.quota,
        credit_nanos = rollup_15m.credit_nanos + excluded.credit_nanos,
        prompt_tokens = rollup_15m.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = rollup_15m.completion_tokens + excluded.completion_tokens,
        cached_tokens = rollup_15m.cached_tokens + excluded.cached_tokens,
        duration_sum = rollup_15m.duration_sum + excluded.duration_sum,
        duration_count = rollup_15m.duration_count + excluded.duration_count),
hours AS (
    INSERT INTO rollup_1h (series, minute, requests, errors, quota, credit_nanos, prompt_tokens, completion_tokens,
                           cached_tokens, duration_sum, duration_count, peak_requests, peak_tokens)
    SELECT h.*, p.requests, p.tokens
    FROM (SELECT m.series, m.minute / 60 * 60 AS minute, sum(m.requests), sum(m.errors), sum(m.quota),
                 sum(m.credit_nanos), sum(m.prompt_tokens), sum(m.completion_tokens), sum(m.cached_tokens),
                 sum(m.duration_sum), sum(m.duration_count)
          FROM m JOIN series s ON s.id = m.series WHERE s.api_key IS NULL GROUP BY 1, 2) h
    JOIN (SELECT series, minute / 60 * 60 AS minute, max(requests) AS requests, max(tokens) AS tokens
          FROM minutes GROUP BY 1, 2) p USING (series, minute)
    ORDER BY 1, 2
    ON CONFLICT (series, minute) DO UPDATE SET requests = rollup_1h.requests + excluded.requests,
        errors = rollup_1h.errors + excluded.errors, quota = rollup_1h.quota + excluded.quota,
        credit_nanos = rollup_1h.credit_nanos + excluded.credit_nanos,
        prompt_tokens = rollup_1h.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = rollup_1h.completion_tokens + excluded.completion_tokens,
        cached_tokens = rollup_1h.cached_tokens + excluded.cached_tokens,
        duration_sum = rollup_1h.duration_sum + excluded.duration_sum,
        duration_count = rollup_1h.duration_count + excluded.duration_count,
        peak_requests = greatest(rollup_1h.peak_requests, excluded.peak_requests),
        peak_tokens = greatest(rollup_1h.peak_tokens, excluded.peak_tokens)),
spans AS (
    INSERT INTO account_span (account, first_ms, last_ms)
    SELECT s.account, min(m.first_ms), max(m.last_ms) FROM m JOIN series s ON s.id = m.series
    WHERE s.model IS NULL GROUP BY s.account ORDER BY 1
    ON CONFLICT (account) DO UPDATE SET first_ms = least(account_span.first_ms, excluded.first_ms),
        last_ms = greatest(account_span.last_ms, excluded.last_ms))
SELECT count(*) FROM m;
DROP TABLE rollup_pending;

-- Each row names its three series; first_ms and last_ms are the earliest and latest event time of the row.
-- Its series column is renamed full_series: an instance of the previous version fails on this table (its appends,
-- folds and reads name that column) instead of folding rows into the full series alone.
CREATE TABLE rollup_pending (
    LIKE rollup_1m INCLUDING DEFAULTS,
    model_series   integer NOT NULL,
    account_series integer NOT NULL,
    first_ms       bigint  NOT NULL,
    last_ms        bigint  NOT NULL
) PARTITION BY HASH (account_series);
ALTER TABLE rollup_pending RENAME COLUMN series TO full_series;
-- Reads take an account's deltas in a range of minutes; folds read whole partitions.
CREATE INDEX rollup_pending_account_minute ON rollup_pending (account_series, minute);
DO $$
BEGIN
    FOR p IN 0..7 LOOP
        EXECUTE format('CREATE TABLE rollup_pending_%s PARTITION OF rollup_pending FOR VALUES WITH (MODULUS 8, REMAINDER %s)', p, p);
        EXECUTE format('ALTER TABLE rollup_pending_%s SET (autovacuum_vacuum_scale_factor = 0,'
            ' autovacuum_vacuum_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0,'
            ' autovacuum_vacuum_insert_threshold = 20000)', p);
    END LOOP;
END $$;
