-- Commits write their sums to rollup_1m_recent only (they wrote all three recent tables before). A fold moves
-- closed minutes into the minute tables and passes their sums on to rollup_15m_recent and rollup_1h_recent, so a
-- quarter or hour is read as its recent rows plus the unfolded minutes in it (RollupSql.recent).
--
-- Before this version the quarter and hour recent rows also counted the minutes still in rollup_1m_recent:
-- every open quarter or hour held all of its minutes since it was first written, folded or not. Those minutes
-- are taken out here, once: each (series, bucket) keeps its recent sums minus the unfolded minutes in it.
-- A bucket whose every minute is unfolded nets to zero requests (each event counts one) and is dropped.

CREATE TABLE v6_15 AS SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count
    FROM (SELECT * FROM rollup_15m_recent
          UNION ALL SELECT m.series, m.minute // 15 * 15, -m.requests, -m.errors, -m.quota, -m.credit_nanos, -m.prompt_tokens, -m.completion_tokens, -m.cached_tokens, -m.duration_sum, -m.duration_count FROM rollup_1m_recent m)
    GROUP BY series, minute HAVING sum(requests) <> 0;
DELETE FROM rollup_15m_recent;
INSERT INTO rollup_15m_recent SELECT * FROM v6_15;
DROP TABLE v6_15;

CREATE TABLE v6_60 AS SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count
    FROM (SELECT * FROM rollup_1h_recent
          UNION ALL SELECT m.series, m.minute // 60 * 60, -m.requests, -m.errors, -m.quota, -m.credit_nanos, -m.prompt_tokens, -m.completion_tokens, -m.cached_tokens, -m.duration_sum, -m.duration_count FROM rollup_1m_recent m JOIN series s ON s.id = m.series WHERE s.slot < 32)
    GROUP BY series, minute HAVING sum(requests) <> 0;
DELETE FROM rollup_1h_recent;
INSERT INTO rollup_1h_recent SELECT * FROM v6_60;
DROP TABLE v6_60;
