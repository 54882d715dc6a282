-- An hourly rollup of the account and model series (api_key NULL), with each hour's busiest minute: the
-- largest per-minute requests and tokens of the series within the hour. The writer upserts it in the same
-- transaction as the minute rollup, taking the minute rows' new totals from that upsert, so the peak is
-- exact at every commit (minute totals only grow, and the hour keeps the greatest).
CREATE TABLE rollup_1h (LIKE rollup_1m INCLUDING ALL);
ALTER TABLE rollup_1h ADD COLUMN peak_requests bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_1h ADD COLUMN peak_tokens bigint NOT NULL DEFAULT 0;

INSERT INTO rollup_1h
SELECT r.series, r.minute / 60 * 60, sum(r.requests), sum(r.errors), sum(r.quota), sum(r.credit_nanos),
       sum(r.prompt_tokens), sum(r.completion_tokens), sum(r.cached_tokens), sum(r.duration_sum),
       sum(r.duration_count), max(r.requests), max(r.prompt_tokens + r.completion_tokens)
FROM rollup_1m r JOIN series s ON s.id = r.series
WHERE s.api_key IS NULL
GROUP BY r.series, r.minute / 60 * 60;
