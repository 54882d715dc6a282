package dev.tokenstats.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Events and checks the store tests share. */
final class StoreTestData {

    private StoreTestData() {
    }

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final long NOW_MIN = NOW.toEpochMilli() / 60_000;

    static UsageEvent event(Random r, String account, String id, long timeMs) {
        return new UsageEvent(account, id, timeMs, "model-" + r.nextInt(5), r.nextBoolean() ? "" : "key-" + r.nextInt(3),
                r.nextInt(5000), r.nextInt(900), 0, r.nextInt(100_000), r.nextInt(1_000_000_000), r.nextBoolean() ? -1 : r.nextInt(9000),
                r.nextInt(10) == 0, r.nextBoolean() ? null : r.nextBoolean(), "", "");
    }

    /** The store's sums over one bucket, against the sums of the raw rows it holds. */
    static void assertRollupsMatchRawEvents(UsageStore store, String account, long fromMin, long toMin) {
        List<UsageEvent> raw = store.events(account, fromMin * 60_000, toMin * 60_000);
        List<Totals> sums = store.sum(SeriesFilter.all(account), new long[] {fromMin, toMin}, false);
        long requests = raw.size(), quota = 0, tokens = 0, errors = 0;
        BigInteger credits = BigInteger.ZERO;
        for (UsageEvent e : raw) {
            quota += e.quota();
            tokens += e.tokens();
            errors += e.error() ? 1 : 0;
            credits = credits.add(BigInteger.valueOf(e.creditNanos()));
        }
        Totals t = sums.isEmpty() ? Totals.zero(0, null) : sums.get(0);
        assertThat(t.requests()).isEqualTo(requests);
        assertThat(t.quota()).isEqualTo(quota);
        assertThat(t.tokens()).isEqualTo(tokens);
        assertThat(t.errors()).isEqualTo(errors);
        assertThat(t.creditNanos()).isEqualTo(credits);
    }
}
