-- Six hours: rows of the account and model series covering [minute, minute + 360) with minute a multiple of 360
-- (00:00, 06:00, 12:00 and 18:00 UTC). Day, week and month buckets in zones whose offset is a whole number of
-- hours read the six-hour blocks that lie inside a bucket from here, and only the blocks that a bucket boundary
-- cuts from the hours: a UTC day is 4 rows per series instead of 24, a day in America/New_York 9 (10M bench: the
-- 90-day view by day read 23,715 hour rows, 25 ms in PostgreSQL). Figures in the primary key, as in the hourly
-- tier (V6), so that settled pages are index-only reads.
CREATE TABLE rollup_6h (LIKE rollup_1m INCLUDING DEFAULTS);
ALTER TABLE rollup_6h ADD CONSTRAINT rollup_6h_pkey PRIMARY KEY (series, minute)
    INCLUDE (requests, errors, quota, credit_nanos, prompt_tokens, completion_tokens, cached_tokens,
             duration_sum, duration_count);
ALTER TABLE rollup_6h SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);

-- The deltas' lock keeps folds out while the hours are read (folds of instances that know only version 9 see
-- this version after the lock and leave their deltas to instances that know it). The hourly tier holds exactly
-- the account and model series.
LOCK TABLE rollup_pending IN ACCESS EXCLUSIVE MODE;
INSERT INTO rollup_6h
SELECT series, minute / 360 * 360, sum(requests), sum(errors), sum(quota), sum(credit_nanos), sum(prompt_tokens),
       sum(completion_tokens), sum(cached_tokens), sum(duration_sum), sum(duration_count)
FROM rollup_1h
GROUP BY 1, 2;
