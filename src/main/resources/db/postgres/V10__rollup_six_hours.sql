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

-- The deltas' lock keeps folds out while the hours are read. The hourly tier holds exactly the account and model
-- series.
LOCK TABLE rollup_pending IN ACCESS EXCLUSIVE MODE;
INSERT INTO rollup_6h
SELECT series, minute / 360 * 360, sum(requests), sum(errors), sum(quota), sum(credit_nanos), sum(prompt_tokens),
       sum(completion_tokens), sum(cached_tokens), sum(duration_sum), sum(duration_count)
FROM rollup_1h
GROUP BY 1, 2;

-- Builds from before the schema version check in the folds (PostgresUsageStore.SCHEMA) would go on folding into
-- this schema without writing the six-hour blocks (nor, from V11, the hours from a quarter past), and those tiers
-- would miss the sums of their folds for good. Their folds name the deltas' partitions rollup_pending_0 to _7:
-- renamed, those folds fail (and say so in their logs), while the old instances' appends and reads, which name only
-- rollup_pending, go on. Instances of this build and later fold instead.
ALTER TABLE rollup_pending_0 RENAME TO rollup_pending_p0;
ALTER TABLE rollup_pending_1 RENAME TO rollup_pending_p1;
ALTER TABLE rollup_pending_2 RENAME TO rollup_pending_p2;
ALTER TABLE rollup_pending_3 RENAME TO rollup_pending_p3;
ALTER TABLE rollup_pending_4 RENAME TO rollup_pending_p4;
ALTER TABLE rollup_pending_5 RENAME TO rollup_pending_p5;
ALTER TABLE rollup_pending_6 RENAME TO rollup_pending_p6;
ALTER TABLE rollup_pending_7 RENAME TO rollup_pending_p7;
