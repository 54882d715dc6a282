-- Rollups partitioned by series kind and account shard, plus an hourly tier (issue 3's read path).
--
-- A stats read wants one account's series over a period. Appended in time order, the single rollup tables
-- held every account's rows side by side, so a read scanned every account's rows of the period. Now each
-- series has a slot = kind * 16 + shard: kind 0 account series, 1 model series, 2 full series; shard = the
-- account's first series id mod 16 (all series of an account share it). Each tier has one table per slot,
-- named rollup_<tier>_<kind>_<shard>, so a read scans only the rows of its account's shard and kind.
--
-- The hourly tier (account and model series only) answers hour-aligned stretches of whole-hour zones, and
-- keeps each hour's busiest minute (peak_requests, peak_tokens: the largest per-minute sums of the series
-- within the hour), so the period's peak is read from hours instead of minutes. Late events add rows; a
-- (series, hour) may have several rows: sums add up, peaks only grow, so the peak is the max over rows.
-- rollup_1h_recent collects each commit's hourly sums like the other _recent tables; the writer folds closed
-- hours into the partitions with their peaks computed from the minute rollups.
--
-- rollup_1m and rollup_15m become views over their partitions (for whole-store checks and tools).

ALTER TABLE series ADD COLUMN slot INTEGER;
UPDATE series SET slot = (CASE WHEN series.model IS NULL THEN 0 WHEN series.api_key IS NULL THEN 1 ELSE 2 END) * 16
        + f.first_id % 16
    FROM (SELECT account, min(id) AS first_id FROM series GROUP BY account) f
    WHERE series.account = f.account;


-- 1m tier

CREATE TABLE rollup_1m_account_00 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_00 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 0 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_01 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_01 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 1 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_02 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_02 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 2 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_03 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_03 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 3 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_04 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_04 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 4 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_05 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_05 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 5 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_06 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_06 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 6 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_07 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_07 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 7 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_08 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_08 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 8 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_09 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_09 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 9 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_10 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_10 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 10 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_11 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_11 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 11 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_12 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_12 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 12 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_13 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_13 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 13 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_14 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_14 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 14 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_account_15 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_account_15 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 15 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_00 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_00 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 16 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_01 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_01 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 17 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_02 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_02 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 18 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_03 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_03 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 19 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_04 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_04 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 20 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_05 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_05 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 21 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_06 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_06 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 22 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_07 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_07 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 23 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_08 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_08 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 24 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_09 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_09 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 25 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_10 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_10 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 26 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_11 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_11 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 27 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_12 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_12 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 28 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_13 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_13 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 29 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_14 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_14 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 30 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_model_15 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_model_15 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 31 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_00 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_00 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 32 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_01 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_01 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 33 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_02 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_02 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 34 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_03 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_03 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 35 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_04 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_04 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 36 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_05 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_05 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 37 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_06 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_06 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 38 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_07 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_07 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 39 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_08 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_08 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 40 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_09 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_09 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 41 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_10 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_10 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 42 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_11 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_11 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 43 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_12 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_12 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 44 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_13 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_13 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 45 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_14 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_14 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 46 ORDER BY r.minute, r.series;
CREATE TABLE rollup_1m_full_15 AS SELECT * FROM rollup_1m LIMIT 0;
INSERT INTO rollup_1m_full_15 SELECT r.* FROM rollup_1m r JOIN series s ON s.id = r.series WHERE s.slot = 47 ORDER BY r.minute, r.series;
DROP TABLE rollup_1m;
CREATE VIEW rollup_1m AS SELECT * FROM rollup_1m_account_00
    UNION ALL SELECT * FROM rollup_1m_account_01
    UNION ALL SELECT * FROM rollup_1m_account_02
    UNION ALL SELECT * FROM rollup_1m_account_03
    UNION ALL SELECT * FROM rollup_1m_account_04
    UNION ALL SELECT * FROM rollup_1m_account_05
    UNION ALL SELECT * FROM rollup_1m_account_06
    UNION ALL SELECT * FROM rollup_1m_account_07
    UNION ALL SELECT * FROM rollup_1m_account_08
    UNION ALL SELECT * FROM rollup_1m_account_09
    UNION ALL SELECT * FROM rollup_1m_account_10
    UNION ALL SELECT * FROM rollup_1m_account_11
    UNION ALL SELECT * FROM rollup_1m_account_12
    UNION ALL SELECT * FROM rollup_1m_account_13
    UNION ALL SELECT * FROM rollup_1m_account_14
    UNION ALL SELECT * FROM rollup_1m_account_15
    UNION ALL SELECT * FROM rollup_1m_model_00
    UNION ALL SELECT * FROM rollup_1m_model_01
    UNION ALL SELECT * FROM rollup_1m_model_02
    UNION ALL SELECT * FROM rollup_1m_model_03
    UNION ALL SELECT * FROM rollup_1m_model_04
    UNION ALL SELECT * FROM rollup_1m_model_05
    UNION ALL SELECT * FROM rollup_1m_model_06
    UNION ALL SELECT * FROM rollup_1m_model_07
    UNION ALL SELECT * FROM rollup_1m_model_08
    UNION ALL SELECT * FROM rollup_1m_model_09
    UNION ALL SELECT * FROM rollup_1m_model_10
    UNION ALL SELECT * FROM rollup_1m_model_11
    UNION ALL SELECT * FROM rollup_1m_model_12
    UNION ALL SELECT * FROM rollup_1m_model_13
    UNION ALL SELECT * FROM rollup_1m_model_14
    UNION ALL SELECT * FROM rollup_1m_model_15
    UNION ALL SELECT * FROM rollup_1m_full_00
    UNION ALL SELECT * FROM rollup_1m_full_01
    UNION ALL SELECT * FROM rollup_1m_full_02
    UNION ALL SELECT * FROM rollup_1m_full_03
    UNION ALL SELECT * FROM rollup_1m_full_04
    UNION ALL SELECT * FROM rollup_1m_full_05
    UNION ALL SELECT * FROM rollup_1m_full_06
    UNION ALL SELECT * FROM rollup_1m_full_07
    UNION ALL SELECT * FROM rollup_1m_full_08
    UNION ALL SELECT * FROM rollup_1m_full_09
    UNION ALL SELECT * FROM rollup_1m_full_10
    UNION ALL SELECT * FROM rollup_1m_full_11
    UNION ALL SELECT * FROM rollup_1m_full_12
    UNION ALL SELECT * FROM rollup_1m_full_13
    UNION ALL SELECT * FROM rollup_1m_full_14
    UNION ALL SELECT * FROM rollup_1m_full_15;

-- 15m tier

CREATE TABLE rollup_15m_account_00 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_00 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 0 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_01 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_01 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 1 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_02 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_02 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 2 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_03 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_03 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 3 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_04 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_04 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 4 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_05 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_05 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 5 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_06 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_06 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 6 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_07 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_07 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 7 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_08 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_08 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 8 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_09 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_09 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 9 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_10 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_10 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 10 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_11 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_11 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 11 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_12 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_12 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 12 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_13 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_13 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 13 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_14 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_14 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 14 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_account_15 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_account_15 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 15 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_00 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_00 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 16 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_01 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_01 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 17 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_02 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_02 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 18 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_03 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_03 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 19 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_04 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_04 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 20 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_05 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_05 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 21 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_06 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_06 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 22 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_07 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_07 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 23 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_08 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_08 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 24 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_09 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_09 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 25 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_10 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_10 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 26 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_11 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_11 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 27 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_12 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_12 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 28 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_13 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_13 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 29 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_14 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_14 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 30 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_model_15 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_model_15 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 31 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_00 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_00 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 32 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_01 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_01 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 33 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_02 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_02 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 34 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_03 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_03 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 35 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_04 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_04 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 36 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_05 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_05 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 37 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_06 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_06 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 38 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_07 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_07 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 39 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_08 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_08 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 40 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_09 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_09 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 41 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_10 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_10 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 42 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_11 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_11 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 43 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_12 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_12 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 44 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_13 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_13 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 45 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_14 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_14 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 46 ORDER BY r.minute, r.series;
CREATE TABLE rollup_15m_full_15 AS SELECT * FROM rollup_15m LIMIT 0;
INSERT INTO rollup_15m_full_15 SELECT r.* FROM rollup_15m r JOIN series s ON s.id = r.series WHERE s.slot = 47 ORDER BY r.minute, r.series;
DROP TABLE rollup_15m;
CREATE VIEW rollup_15m AS SELECT * FROM rollup_15m_account_00
    UNION ALL SELECT * FROM rollup_15m_account_01
    UNION ALL SELECT * FROM rollup_15m_account_02
    UNION ALL SELECT * FROM rollup_15m_account_03
    UNION ALL SELECT * FROM rollup_15m_account_04
    UNION ALL SELECT * FROM rollup_15m_account_05
    UNION ALL SELECT * FROM rollup_15m_account_06
    UNION ALL SELECT * FROM rollup_15m_account_07
    UNION ALL SELECT * FROM rollup_15m_account_08
    UNION ALL SELECT * FROM rollup_15m_account_09
    UNION ALL SELECT * FROM rollup_15m_account_10
    UNION ALL SELECT * FROM rollup_15m_account_11
    UNION ALL SELECT * FROM rollup_15m_account_12
    UNION ALL SELECT * FROM rollup_15m_account_13
    UNION ALL SELECT * FROM rollup_15m_account_14
    UNION ALL SELECT * FROM rollup_15m_account_15
    UNION ALL SELECT * FROM rollup_15m_model_00
    UNION ALL SELECT * FROM rollup_15m_model_01
    UNION ALL SELECT * FROM rollup_15m_model_02
    UNION ALL SELECT * FROM rollup_15m_model_03
    UNION ALL SELECT * FROM rollup_15m_model_04
    UNION ALL SELECT * FROM rollup_15m_model_05
    UNION ALL SELECT * FROM rollup_15m_model_06
    UNION ALL SELECT * FROM rollup_15m_model_07
    UNION ALL SELECT * FROM rollup_15m_model_08
    UNION ALL SELECT * FROM rollup_15m_model_09
    UNION ALL SELECT * FROM rollup_15m_model_10
    UNION ALL SELECT * FROM rollup_15m_model_11
    UNION ALL SELECT * FROM rollup_15m_model_12
    UNION ALL SELECT * FROM rollup_15m_model_13
    UNION ALL SELECT * FROM rollup_15m_model_14
    UNION ALL SELECT * FROM rollup_15m_model_15
    UNION ALL SELECT * FROM rollup_15m_full_00
    UNION ALL SELECT * FROM rollup_15m_full_01
    UNION ALL SELECT * FROM rollup_15m_full_02
    UNION ALL SELECT * FROM rollup_15m_full_03
    UNION ALL SELECT * FROM rollup_15m_full_04
    UNION ALL SELECT * FROM rollup_15m_full_05
    UNION ALL SELECT * FROM rollup_15m_full_06
    UNION ALL SELECT * FROM rollup_15m_full_07
    UNION ALL SELECT * FROM rollup_15m_full_08
    UNION ALL SELECT * FROM rollup_15m_full_09
    UNION ALL SELECT * FROM rollup_15m_full_10
    UNION ALL SELECT * FROM rollup_15m_full_11
    UNION ALL SELECT * FROM rollup_15m_full_12
    UNION ALL SELECT * FROM rollup_15m_full_13
    UNION ALL SELECT * FROM rollup_15m_full_14
    UNION ALL SELECT * FROM rollup_15m_full_15;

-- 1h tier: from the folded minute rows; what is still in rollup_1m_recent goes to rollup_1h_recent

CREATE TABLE rollup_1h_recent AS SELECT * FROM rollup_1m_recent LIMIT 0;
INSERT INTO rollup_1h_recent SELECT r.series, r.minute // 60 * 60 AS hour, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count
    FROM rollup_1m_recent r JOIN series s ON s.id = r.series WHERE s.slot < 32 GROUP BY 1, 2;
CREATE TABLE rollup_1h_account_00 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_00 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_00 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_01 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_01 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_01 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_02 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_02 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_02 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_03 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_03 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_03 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_04 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_04 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_04 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_05 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_05 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_05 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_06 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_06 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_06 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_07 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_07 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_07 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_08 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_08 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_08 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_09 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_09 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_09 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_10 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_10 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_10 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_11 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_11 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_11 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_12 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_12 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_12 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_13 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_13 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_13 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_14 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_14 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_14 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_account_15 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_account_15 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_account_15 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_00 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_00 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_00 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_01 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_01 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_01 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_02 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_02 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_02 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_03 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_03 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_03 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_04 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_04 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_04 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_05 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_05 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_05 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_06 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_06 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_06 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_07 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_07 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_07 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_08 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_08 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_08 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_09 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_09 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_09 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_10 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_10 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_10 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_11 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_11 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_11 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_12 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_12 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_12 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_13 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_13 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_13 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_14 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_14 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_14 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
CREATE TABLE rollup_1h_model_15 (series INTEGER NOT NULL, minute INTEGER NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL, quota BIGINT NOT NULL, credit_nanos HUGEINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, duration_sum BIGINT NOT NULL, duration_count BIGINT NOT NULL, peak_requests BIGINT NOT NULL, peak_tokens BIGINT NOT NULL);
INSERT INTO rollup_1h_model_15 SELECT series, minute // 60 * 60, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count, max(requests), max(prompt_tokens + completion_tokens) FROM (SELECT series, minute, sum(requests)::BIGINT AS requests, sum(errors)::BIGINT AS errors, sum(quota)::BIGINT AS quota, sum(credit_nanos)::HUGEINT AS credit_nanos, sum(prompt_tokens)::BIGINT AS prompt_tokens, sum(completion_tokens)::BIGINT AS completion_tokens, sum(cached_tokens)::BIGINT AS cached_tokens, sum(duration_sum)::BIGINT AS duration_sum, sum(duration_count)::BIGINT AS duration_count FROM rollup_1m_model_15 GROUP BY series, minute) GROUP BY series, minute // 60 * 60 ORDER BY 2, 1;
