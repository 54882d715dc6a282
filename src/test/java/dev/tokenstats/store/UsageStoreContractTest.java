package dev.tokenstats.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static dev.tokenstats.store.StoreTestData.NOW;
import static dev.tokenstats.store.StoreTestData.NOW_MIN;
import static dev.tokenstats.store.StoreTestData.assertRollupsMatchRawEvents;
import static dev.tokenstats.store.StoreTestData.event;
import static org.assertj.core.api.Assertions.assertThat;

/** What every store engine promises, checked on each of them against the real database. */
class UsageStoreContractTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void concurrentAppendsOfOverlappingIdsStoreEveryEventExactlyOnce(Engine engine) throws Exception {
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger accepted = new AtomicInteger(), duplicates = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int b = 0; b < 25; b++) {
                        List<UsageEvent> batch = new ArrayList<>();
                        for (int i = 0; i < 300; i++) {
                            int id = r.nextInt(10_000); // the threads' ids overlap, and repeat inside a batch
                            batch.add(event(r, "acct-" + (id % 3), "req-" + id, NOW.toEpochMilli() - id * 1000L));
                        }
                        AppendResult res = db.store().append(batch);
                        accepted.addAndGet(res.accepted());
                        duplicates.addAndGet(res.duplicates());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            Set<String> ids = new HashSet<>();
            int stored = 0;
            for (int a = 0; a < 3; a++) {
                List<UsageEvent> raw = db.store().events("acct-" + a, 0, Long.MAX_VALUE);
                stored += raw.size();
                raw.forEach(e -> ids.add(e.account() + "/" + e.id()));
                assertRollupsMatchRawEvents(db.store(), "acct-" + a, NOW_MIN - 200, NOW_MIN + 1);
            }
            assertThat(stored).isEqualTo(ids.size()).isEqualTo(accepted.get());
            assertThat(accepted.get() + duplicates.get()).isEqualTo(4 * 25 * 300);
        }
    }

    /**
     * Credits are exact to the nano at any size: a minute of one series can hold more than 64 bits of nanos (100,000
     * events of the most credits one event may carry, in batches of the most events one request may carry), and it
     * comes back whole from sums and periods, waiting to be folded or folded.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void creditSumsBeyond64BitsOfNanosAreExactInSumsAndPeriods(Engine engine) {
        long mostNanos = 100_000L * 1_000_000_000L; // EventReader.MAX_CREDITS
        long[] b = {NOW_MIN - 60, NOW_MIN - 1, NOW_MIN + 1};
        SeriesFilter all = SeriesFilter.all("acct");
        List<UsageEvent> events = new ArrayList<>();
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            for (int batch = 0; batch < 10; batch++) {
                List<UsageEvent> request = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    request.add(new UsageEvent("acct", "big-" + batch + "-" + i, NOW.toEpochMilli() - 30_000, "model-a", "k",
                            1, 1, 0, 1, mostNanos, 10, false, false, "g", "c"));
                }
                assertThat(db.store().append(request).accepted()).isEqualTo(10_000);
                events.addAll(request);
            }
            for (String stage : List.of("as written", "after maintenance")) {
                for (boolean byModel : new boolean[] {false, true}) {
                    assertThat(normalise(db.store().sum(all, b, byModel))).as(stage).isEqualTo(oracle(events, all, b, byModel));
                }
                assertPeriod(db.store(), events, all, b);
                assertThat(db.store().period(all, b).perModel()).singleElement().extracting(Totals::creditNanos).as(stage)
                        .isEqualTo(BigInteger.valueOf(mostNanos).multiply(BigInteger.valueOf(100_000)));
                db.store().maintain();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void duplicatesAreRecognisedAfterARestart(Engine engine) {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(3);
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batch.add(event(r, "acct", "id-" + i, NOW.toEpochMilli() - i * 60_000L));
        }
        try (Engine.Place place = Engine.Place.fresh(dir)) {
            try (Engine.Opened db = engine.open(place, clock)) {
                assertThat(db.store().append(batch)).isEqualTo(new AppendResult(400, 0));
            }
            try (Engine.Opened db = engine.open(place, clock)) {
                assertThat(db.store().append(batch)).isEqualTo(new AppendResult(0, 400));
                assertThat(db.store().events("acct", 0, Long.MAX_VALUE)).hasSize(400);
            }
        }
    }

    /** Sums per bucket, model and filter equal the raw rows, for minute, quarter and zone-calendar buckets. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void sumsPerBucketAndModelEqualTheRawEventsUnderEveryFilter(Engine engine) {
        Random r = new Random(5);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event(r, "acct", "e-" + i, NOW.toEpochMilli() - (long) r.nextInt(3 * 86_400) * 1000L));
        }
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            db.store().append(events);
            List<long[]> layouts = List.of(
                    new long[] {NOW_MIN - 3 * 1440, NOW_MIN + 1},
                    minutes(NOW_MIN - 90, NOW_MIN - 17, 1),
                    minutes(NOW_MIN - 3 * 1440 + 7, NOW_MIN + 1, 60),
                    minutes(Math.floorDiv(NOW_MIN, 60) * 60 - 3 * 1440, Math.floorDiv(NOW_MIN, 60) * 60 + 60, 60),
                    zoneDays("Asia/Kathmandu", NOW.minus(4, ChronoUnit.DAYS), 5),
                    zoneDays("Asia/Kolkata", NOW.minus(3, ChronoUnit.DAYS).plusSeconds(600), 4),
                    zoneDays("America/New_York", Instant.parse("2026-11-01T00:00:00Z"), 20));
            List<SeriesFilter> filters = List.of(
                    SeriesFilter.all("acct"),
                    new SeriesFilter("acct", Set.of("model-1", "model-3"), Set.of(), null),
                    new SeriesFilter("acct", Set.of(), Set.of("key-0", ""), null),
                    new SeriesFilter("acct", Set.of("model-2"), Set.of(), true),
                    new SeriesFilter("acct", Set.of(), Set.of(), false));
            for (long[] b : layouts) {
                for (SeriesFilter f : filters) {
                    for (boolean byModel : new boolean[] {false, true}) {
                        assertThat(normalise(db.store().sum(f, b, byModel)))
                                .as("layout %s filter %s byModel %s", b.length, f, byModel)
                                .isEqualTo(oracle(events, f, b, byModel));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void periodFiguresPerBucketPerModelAndPerBothEqualTheRawEvents(Engine engine) {
        Random r = new Random(6);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event(r, "acct", "e-" + i, NOW.toEpochMilli() - (long) r.nextInt(3 * 86_400) * 1000L));
        }
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            db.store().append(events);
            for (long[] b : List.of(minutes(NOW_MIN - 3 * 1440 + 7, NOW_MIN + 1, 60), minutes(NOW_MIN - 90, NOW_MIN - 17, 1),
                    zoneDays("Asia/Kathmandu", NOW.minus(4, ChronoUnit.DAYS), 5))) {
                for (SeriesFilter f : List.of(SeriesFilter.all("acct"), new SeriesFilter("acct", Set.of(), Set.of("key-1"), false),
                        new SeriesFilter("acct", Set.of("model-4"), Set.of(), null), SeriesFilter.all("nobody"))) {
                    assertPeriod(db.store(), events, f, b);
                }
            }
        }
    }

    /** {@link UsageStore#period} against the events, figure by figure. */
    static void assertPeriod(UsageStore store, List<UsageEvent> events, SeriesFilter f, long[] b) {
        PeriodTotals want = PeriodTotals.of(List.copyOf(oracle(events, f, b, true).values()), b.length - 1);
        PeriodTotals got = store.period(f, b);
        String what = String.format("period of %d buckets from %d, filter %s", b.length - 1, b[0], f);
        assertThat(normalise(got.perBucket())).as(what).isEqualTo(normalise(want.perBucket()));
        assertThat(normalise(got.perModel())).as(what).isEqualTo(normalise(want.perModel()));
        Map<String, List<Long>> gotRequests = new HashMap<>(), wantRequests = new HashMap<>();
        got.requests().forEach((m, a) -> gotRequests.put(m, java.util.Arrays.stream(a).boxed().toList()));
        want.requests().forEach((m, a) -> wantRequests.put(m, java.util.Arrays.stream(a).boxed().toList()));
        assertThat(gotRequests).as(what).isEqualTo(wantRequests);
    }

    static long[] minutes(long from, long to, long step) {
        List<Long> b = new ArrayList<>();
        for (long m = from; m < to; m += step) {
            b.add(m);
        }
        b.add(to);
        return b.stream().mapToLong(Long::longValue).toArray();
    }

    static long[] zoneDays(String zone, Instant from, int days) {
        ZonedDateTime start = from.atZone(ZoneId.of(zone)).truncatedTo(ChronoUnit.DAYS);
        long[] b = new long[days + 1];
        for (int i = 0; i <= days; i++) {
            b[i] = start.plusDays(i).toInstant().toEpochMilli() / 60_000;
        }
        return b;
    }

    static Map<String, Totals> normalise(List<Totals> rows) {
        Map<String, Totals> out = new HashMap<>();
        rows.forEach(t -> out.put(t.bucket() + "/" + t.model(), t));
        return out;
    }

    /** Computed straight from the events. */
    static Map<String, Totals> oracle(List<UsageEvent> events, SeriesFilter f, long[] b, boolean byModel) {
        Predicate<UsageEvent> match = e -> e.account().equals(f.account())
                && (f.models().isEmpty() || f.models().contains(e.model()))
                && (f.keys().isEmpty() || f.keys().contains(e.key()))
                && (f.errors() == null || f.errors() == e.error());
        Map<String, Totals> out = new HashMap<>();
        events.stream().filter(match).sorted(Comparator.comparing(UsageEvent::id)).forEach(e -> {
            long m = Math.floorDiv(e.timeMillis(), 60_000);
            for (int i = 0; i < b.length - 1; i++) {
                if (m >= b[i] && m < b[i + 1]) {
                    String model = byModel ? e.model() : null;
                    Totals one = new Totals(i, model, 1, e.error() ? 1 : 0, e.quota(),
                            java.math.BigInteger.valueOf(e.creditNanos()), e.promptTokens(), e.completionTokens(),
                            e.cachedTokens(), Math.max(0, e.durationMs()), e.durationMs() >= 0 ? 1 : 0);
                    out.merge(i + "/" + model, one, Totals::plus);
                }
            }
        });
        return out;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pagesWalkEveryMatchingEventNewestFirstWithoutGapsOrRepeats(Engine engine) {
        Random r = new Random(9);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            events.add(event(r, "acct", "p-" + i, NOW.toEpochMilli() - (i / 4) * 37_000L)); // ties in time
        }
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            db.store().append(events);
            SeriesFilter f = new SeriesFilter("acct", Set.of("model-0", "model-1"), Set.of(), null);
            List<String> expected = events.stream().filter(e -> f.models().contains(e.model()))
                    .sorted(Comparator.comparingLong(UsageEvent::timeMillis).thenComparing(UsageEvent::id).reversed())
                    .map(UsageEvent::id).toList();
            List<String> seen = new ArrayList<>();
            EventQuery q = new EventQuery(f, 0, NOW.toEpochMilli() + 1, null, null, 23);
            while (true) {
                List<UsageEvent> page = db.store().page(q);
                page.forEach(e -> seen.add(e.id()));
                if (page.size() < 23) {
                    break;
                }
                UsageEvent last = page.get(page.size() - 1);
                q = new EventQuery(f, 0, NOW.toEpochMilli() + 1, last.timeMillis(), last.id(), 23);
            }
            assertThat(seen).containsExactlyElementsOf(expected);
            List<String> scanned = new ArrayList<>();
            db.store().scan(new EventQuery(f, 0, NOW.toEpochMilli() + 1, null, null, 1), e -> scanned.add(e.id()));
            assertThat(scanned).containsExactlyElementsOf(expected);
        }
    }

    /** Text that a bulk format could take for its own syntax (escapes, null markers, separators) is stored as sent. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyFieldReadsBackExactlyAsAppendedWhateverItsCharacters(Engine engine) {
        String[] texts = {"plain", "back\\slash", "\\N", "\\", "tab\there", "line\nbreak\r", "naïve-模型-🚀", "a,b;\"c\"|d", ""};
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            String t = texts[i];
            String model = t.isEmpty() ? "m" : t;
            events.add(new UsageEvent("acct", "id-" + t + "-" + i, NOW.toEpochMilli() - i * 1_000L, model, t, i, 2L * i, i / 2,
                    1_000_000_000_000L - i, 123_456_789L * i, i % 3 == 0 ? -1 : i * 7L, i % 2 == 0,
                    i % 3 == 0 ? null : i % 3 == 1, t, t + "|" + i));
        }
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            assertThat(db.store().append(events).accepted()).isEqualTo(events.size());
            assertThat(db.store().events("acct", 0, NOW.toEpochMilli() + 1)).containsExactlyInAnyOrderElementsOf(events);
            assertThat(db.store().append(events).duplicates()).as("the same ids again").isEqualTo(events.size());
        }
    }

    /** Imports may bring history older than the dedup window; importing it again must add nothing. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void eventsOlderThanTheDedupWindowAreDeduplicatedToo(Engine engine) {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(4);
        List<UsageEvent> history = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            history.add(event(r, "acct", "old-" + i, NOW.minus(java.time.Duration.ofDays(200)).toEpochMilli() + i * 3_600_000L));
        }
        try (Engine.Place place = Engine.Place.fresh(dir)) {
            try (Engine.Opened db = engine.open(place, clock)) {
                assertThat(db.store().append(history)).isEqualTo(new AppendResult(300, 0));
                assertThat(db.store().append(history.subList(100, 200))).isEqualTo(new AppendResult(0, 100));
            }
            try (Engine.Opened db = engine.open(place, clock)) {
                assertThat(db.store().append(history)).isEqualTo(new AppendResult(0, 300));
                assertThat(db.store().events("acct", 0, Long.MAX_VALUE)).hasSize(300);
            }
        }
    }

    /** Retention drops old raw events in bulk; the rollups, and so every dashboard figure, stay. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void retentionDropsOldRawEventsAndKeepsTheirSums(Engine engine) {
        Random r = new Random(8);
        java.time.Duration day = java.time.Duration.ofDays(1);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) { // one event every ~19 hours over the last 480 days
            events.add(event(r, "acct", "ret-" + i, NOW.minus(day.multipliedBy(480)).toEpochMilli() + i * 69_120_000L));
        }
        long cutoff = NOW.minus(day.multipliedBy(400)).toEpochMilli();
        long[] allTime = {NOW_MIN - 481 * 1440, NOW_MIN + 1};
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            db.store().append(events);
            List<Totals> before = db.store().sum(SeriesFilter.all("acct"), allTime, true);
            db.store().dropRawBefore(cutoff);
            List<UsageEvent> kept = db.store().events("acct", 0, Long.MAX_VALUE);
            assertThat(kept).isNotEmpty().allMatch(e -> e.timeMillis() >= cutoff - 31L * 86_400_000L);
            assertThat(kept).containsAll(events.stream().filter(e -> e.timeMillis() >= cutoff).toList());
            assertThat(kept.size()).isLessThan(events.size());
            assertThat(normalise(db.store().sum(SeriesFilter.all("acct"), allTime, true))).isEqualTo(normalise(before));
            // recent events are still deduplicated after retention
            List<UsageEvent> recent = events.subList(events.size() - 20, events.size());
            assertThat(db.store().append(recent)).isEqualTo(new AppendResult(0, 20));
        }
    }
}
