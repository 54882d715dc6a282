-- Rollup deltas. An append no longer updates rollup rows: each transaction adds its own per-(series, minute)
-- sums here, so concurrent appends from any number of instances never wait on each other's row locks (every
-- batch of a busy platform touches the same account rows of the current minute; with upserts they queued
-- behind one another: 58 of 110 samples of pg_stat_activity waited on a row lock, 8k events/s from two
-- instances). Folds move the deltas into rollup_1m, rollup_15m, rollup_1h and account_span, one partition per
-- statement that also deletes them; reads add the deltas that are not folded yet. first_ms and last_ms are the
-- earliest and latest event time of the row, for the account spans.
--
-- Partitioned by series so that several folds run at once, one per partition (a partition under a
-- transaction-level advisory lock keyed by its oid): a series, and so every rollup row and account span a
-- partition's deltas add to, belongs to exactly one partition, so concurrent folds never touch the same row.
CREATE TABLE rollup_pending (LIKE rollup_1m INCLUDING DEFAULTS) PARTITION BY HASH (series);
ALTER TABLE rollup_pending ADD COLUMN first_ms bigint NOT NULL;
ALTER TABLE rollup_pending ADD COLUMN last_ms bigint NOT NULL;
CREATE INDEX rollup_pending_series_minute ON rollup_pending (series, minute);
DO $$
BEGIN
    FOR p IN 0..7 LOOP
        EXECUTE format('CREATE TABLE rollup_pending_%s PARTITION OF rollup_pending FOR VALUES WITH (MODULUS 8, REMAINDER %s)', p, p);
        -- Rows live for about a second; a fold vacuums its partition, and autovacuum should not wait for 20%
        -- of it to be dead.
        EXECUTE format('ALTER TABLE rollup_pending_%s SET (autovacuum_vacuum_scale_factor = 0,'
            ' autovacuum_vacuum_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0,'
            ' autovacuum_vacuum_insert_threshold = 20000)', p);
    END LOOP;
END $$;
