-- Rollup deltas. An append no longer updates rollup rows: each transaction adds its own per-(series, minute)
-- sums here, so concurrent appends from any number of instances never wait on each other's row locks (every
-- batch of a busy platform touches the same account rows of the current minute; with upserts they queued
-- behind one another: 58 of 110 samples of pg_stat_activity waited on a row lock, 8k events/s from two
-- instances). One instance at a time folds the deltas into rollup_1m, rollup_15m, rollup_1h and account_span,
-- in one statement that also deletes them; reads add the deltas that are not folded yet. first_ms and
-- last_ms are the earliest and latest event time of the row, for the account spans.
CREATE TABLE rollup_pending (LIKE rollup_1m INCLUDING DEFAULTS);
ALTER TABLE rollup_pending ADD COLUMN first_ms bigint NOT NULL;
ALTER TABLE rollup_pending ADD COLUMN last_ms bigint NOT NULL;
CREATE INDEX rollup_pending_series_minute ON rollup_pending (series, minute);
-- Rows live for well under a second; the folding instance vacuums the table after its folds, and autovacuum
-- should not wait for 20% of it to be dead.
ALTER TABLE rollup_pending SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 100000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 100000);
