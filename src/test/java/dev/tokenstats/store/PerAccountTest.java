package dev.tokenstats.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code perAccount} on every engine against sums computed here from the events, over random periods (most
 * with unaligned ends, so both the quarter-hour and the minute rollups answer).
 */
class PerAccountTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final long SPAN_MINUTES = 3 * 24 * 60;
    private static final long FIRST_MINUTE = NOW.getEpochSecond() / 60 - SPAN_MINUTES;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyAccountsTotalsEqualTheSumOfItsEventsForRandomPeriods(Engine engine) {
        try (Engine.Place place = Engine.Place.fresh(dir); Engine.Opened db = engine.open(place, new MutableClock(NOW))) {
            List<UsageEvent> events = events();
            for (int i = 0; i < events.size(); i += 1000) {
                db.store().append(events.subList(i, i + 1000));
            }
            long seed = System.nanoTime();
            Random r = new Random(seed);
            for (int n = 0; n < 150; n++) {
                long from = FIRST_MINUTE - 30 + r.nextLong(SPAN_MINUTES + 60);
                long to = n % 3 == 0 ? from + 15 * (1 + r.nextInt(200)) : from + 1 + r.nextLong(SPAN_MINUTES / 2);
                if (n % 5 == 0) {
                    from = Math.floorDiv(from, 15) * 15;
                }
                List<AccountTotals> got = db.store().perAccount(from, to);
                Map<String, Totals> expected = oracle(events, from, to);
                String context = engine + ", seed " + seed + ", period [" + from + ", " + to + ")";
                assertEquals(List.copyOf(expected.keySet()), got.stream().map(AccountTotals::account).toList(), context);
                for (AccountTotals a : got) {
                    assertEquals(expected.get(a.account()), a.totals(), context + ", account " + a.account());
                }
            }
            assertTrue(db.store().perAccount(FIRST_MINUTE + 10, FIRST_MINUTE + 10).isEmpty());
            assertTrue(db.store().perAccount(FIRST_MINUTE + 10, FIRST_MINUTE).isEmpty());
        }
    }

    private static List<UsageEvent> events() {
        Random r = new Random(42);
        String[] accounts = {"acme", "beta", "gamma", "delta-quiet"};
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            // delta-quiet only has events in the first hour, so most periods list it with zeros
            String account = accounts[i % 4];
            long minute = account.equals("delta-quiet") ? FIRST_MINUTE + r.nextInt(60) : FIRST_MINUTE + r.nextLong(SPAN_MINUTES);
            long prompt = r.nextInt(5000);
            events.add(new UsageEvent(account, "e" + i, minute * 60_000 + r.nextInt(60_000), "m" + r.nextInt(5),
                    "k" + r.nextInt(3), prompt, r.nextInt(2000), r.nextInt((int) prompt + 1), r.nextInt(100_000),
                    r.nextLong(5_000_000_000L), r.nextBoolean() ? -1 : r.nextInt(30_000), r.nextInt(10) == 0, null, "", ""));
        }
        return events;
    }

    private static Map<String, Totals> oracle(List<UsageEvent> events, long fromMinute, long toMinute) {
        Map<String, Totals> out = new TreeMap<>();
        for (UsageEvent e : events) {
            Totals t = out.computeIfAbsent(e.account(), a -> Totals.zero(0, null));
            if (e.epochMinute() >= fromMinute && e.epochMinute() < toMinute) {
                out.put(e.account(), t.plus(new Totals(0, null, 1, e.error() ? 1 : 0, e.quota(),
                        BigInteger.valueOf(e.creditNanos()), e.promptTokens(), e.completionTokens(), e.cachedTokens(),
                        Math.max(e.durationMs(), 0), e.durationMs() >= 0 ? 1 : 0)));
            }
        }
        return out;
    }
}
