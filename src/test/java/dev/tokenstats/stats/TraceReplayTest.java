package dev.tokenstats.stats;

import dev.tokenstats.store.UsageEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real Azure LLM inference trace (2023, about an hour of code-completion and conversation requests),
 * replayed into a real store: the stats answer must agree with sums computed straight from the CSV rows.
 */
class TraceReplayTest {

    static final Path TRACE = Path.of("../shared/data/azure-llm-trace-2023");
    /** The trace is shifted by whole days (so whole minutes) to this recent day. */
    static final Duration SHIFT = Duration.between(Instant.parse("2023-11-16T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z"));
    static final String ACCOUNT = "azure-trace";
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSS", Locale.ROOT);

    record Row(String model, long timeMs, long prompt, long completion) {
    }

    static StoreOnDisk disk;
    static UsageStats stats;
    static List<Row> rows;

    @BeforeAll
    static void replay() throws IOException {
        rows = new ArrayList<>();
        rows.addAll(read("AzureLLMInferenceTrace_code.csv", "code"));
        rows.addAll(read("AzureLLMInferenceTrace_conv.csv", "conversation"));
        assertEquals(8_819 + 19_366, rows.size(), "both CSVs, every row");
        disk = new StoreOnDisk(Clock.fixed(Instant.parse("2026-03-03T00:00:00Z"), ZoneOffset.UTC));
        stats = new UsageStats(disk.store());
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            long quota = r.prompt() + 2 * r.completion();
            events.add(new UsageEvent(ACCOUNT, r.model() + "-" + i, r.timeMs(), r.model(), "trace-key", r.prompt(),
                    r.completion(), 0, quota, quota * 2_000L, -1, false, null, "", ""));
            if (events.size() == 5_000) {
                disk.store().append(events);
                events = new ArrayList<>();
            }
        }
        disk.store().append(events);
    }

    @AfterAll
    static void close() throws IOException {
        disk.close();
    }

    static List<Row> read(String file, String model) throws IOException {
        List<String> lines = Files.readAllLines(TRACE.resolve(file));
        assertEquals("TIMESTAMP,ContextTokens,GeneratedTokens", lines.get(0).strip());
        List<Row> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split(",");
            Instant t = LocalDateTime.parse(f[0], TIMESTAMP).toInstant(ZoneOffset.UTC).plus(SHIFT);
            out.add(new Row(model, t.toEpochMilli(), Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
        return out;
    }

    @Test
    void perMinuteRequestsAndTotalsMatchTheCsv() {
        long first = rows.stream().mapToLong(Row::timeMs).min().orElseThrow();
        long last = rows.stream().mapToLong(Row::timeMs).max().orElseThrow();
        Instant from = Instant.ofEpochMilli(first).minus(Duration.ofMinutes(3));
        Instant to = Instant.ofEpochMilli(last).plus(Duration.ofMinutes(3));

        StatsResponse answer = stats.compute(StatsQuery.parse(ACCOUNT, from.toString(), to.toString(), "UTC",
                "minute", null, null, null, to.plus(Duration.ofDays(1))));

        // Straight from the CSV rows: requests per minute, totals, per model.
        long fromMinute = Math.floorDiv(from.toEpochMilli(), 60_000L);
        Map<Long, Long> perMinute = new TreeMap<>();
        Map<Long, Long> tokensPerMinute = new TreeMap<>();
        for (Row r : rows) {
            perMinute.merge(Math.floorDiv(r.timeMs(), 60_000L), 1L, Long::sum);
            tokensPerMinute.merge(Math.floorDiv(r.timeMs(), 60_000L), r.prompt() + r.completion(), Long::sum);
        }
        assertEquals(perMinute.size() + 6, answer.consumption().size(), "one bucket per minute of the period");
        for (int i = 0; i < answer.consumption().size(); i++) {
            StatsResponse.Consumption c = answer.consumption().get(i);
            long minute = fromMinute + i;
            assertEquals(Instant.ofEpochSecond(minute * 60).toString(), c.start());
            assertEquals(perMinute.getOrDefault(minute, 0L), c.requests(), "requests in minute " + c.start());
            assertEquals(tokensPerMinute.getOrDefault(minute, 0L), c.tokens(), "tokens in minute " + c.start());
        }
        long prompt = rows.stream().mapToLong(Row::prompt).sum();
        long completion = rows.stream().mapToLong(Row::completion).sum();
        assertEquals(rows.size(), answer.overview().requests());
        assertEquals(prompt, answer.overview().promptTokens());
        assertEquals(completion, answer.overview().completionTokens());
        assertEquals(prompt + completion, answer.overview().tokens());
        assertEquals(prompt + 2 * completion, answer.overview().quota());
        assertEquals(new BigDecimal(BigInteger.valueOf((prompt + 2 * completion) * 2_000L), 9).stripTrailingZeros()
                .toPlainString(), answer.overview().credits());
        assertEquals(perMinute.values().stream().mapToLong(Long::longValue).max().orElseThrow(), answer.overview().peakRpm());
        assertEquals(tokensPerMinute.values().stream().mapToLong(Long::longValue).max().orElseThrow(), answer.overview().peakTpm());
        assertEquals(rows.size(), answer.overview().allTime().requests());
        assertEquals(0, answer.overview().previous().requests());

        assertEquals(List.of("conversation", "code"), answer.models().leaderboard().stream()
                .map(StatsResponse.ModelRank::model).toList());
        for (StatsResponse.ModelRank m : answer.models().leaderboard()) {
            List<Row> of = rows.stream().filter(r -> r.model().equals(m.model())).toList();
            assertEquals(of.size(), m.requests(), m.model());
            assertEquals(of.stream().mapToLong(Row::prompt).sum(), m.promptTokens(), m.model());
            assertEquals(of.stream().mapToLong(Row::completion).sum(), m.completionTokens(), m.model());
        }
        assertEquals(8_819, answer.models().leaderboard().get(1).requests());
        assertEquals(19_366, answer.models().leaderboard().get(0).requests());
        long[] code = answer.models().trends().series().get(1).requests();
        assertEquals(8_819, Arrays.stream(code).sum());
    }

    @Test
    void hoursInKathmanduAddUpToTheCsv() {
        // +05:45: the hour buckets start at a quarter past the UTC hour.
        Instant from = Instant.parse("2026-03-02T18:00:00Z"), to = Instant.parse("2026-03-02T20:00:00Z");
        StatsResponse answer = stats.compute(StatsQuery.parse(ACCOUNT, from.toString(), to.toString(),
                "Asia/Kathmandu", "hour", null, null, null, to));
        ZoneId kathmandu = ZoneId.of("Asia/Kathmandu");
        assertEquals("2026-03-02T23:00:00+05:45", answer.consumption().get(0).start());
        for (StatsResponse.Consumption c : answer.consumption()) {
            long start = Math.max(from.toEpochMilli(), java.time.OffsetDateTime.parse(c.start()).toInstant().toEpochMilli());
            long end = Math.min(to.toEpochMilli(), java.time.OffsetDateTime.parse(c.end()).toInstant().toEpochMilli());
            long expected = rows.stream().filter(r -> r.timeMs() >= start && r.timeMs() < end).count();
            assertEquals(expected, c.requests(), c.start());
            assertEquals(0, java.time.OffsetDateTime.parse(c.start()).atZoneSameInstant(kathmandu).getMinute());
        }
        assertEquals(rows.size(), answer.consumption().stream().mapToLong(StatsResponse.Consumption::requests).sum());
    }

    @Test
    void aWarmAnswerIsFast() {
        // Measured here on the ~28k replayed events; the bench measures 1M to 100M.
        Instant to = Instant.ofEpochMilli(rows.stream().mapToLong(Row::timeMs).max().orElseThrow()).plus(Duration.ofHours(1));
        Map<String, Instant> cases = Map.of("minute", to.minus(Duration.ofHours(3)), "hour", to.minus(Duration.ofDays(7)),
                "day", to.minus(Duration.ofDays(90)));
        cases.forEach((g, from) -> {
            StatsQuery q = StatsQuery.parse(ACCOUNT, from.toString(), to.toString(), "America/New_York", g, null, null,
                    null, to);
            for (int i = 0; i < 30; i++) {
                stats.compute(q);
            }
            long[] nanos = new long[100];
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                StatsResponse r = stats.compute(q);
                nanos[i] = System.nanoTime() - t0;
                assertEquals(rows.size(), r.overview().requests());
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "TraceReplayTest: warm stats compute, %s buckets (%d): p50 %.2f ms, p99 %.2f ms%n",
                    g, stats.compute(q).consumption().size(), nanos[50] / 1e6, nanos[98] / 1e6);
            assertTrue(nanos[50] < 1_000_000_000L, "a warm answer within a second");
        });
    }
}
