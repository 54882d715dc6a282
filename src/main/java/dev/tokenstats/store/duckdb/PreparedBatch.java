package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.internal.RollupMetrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One append request, prepared on the caller's thread so the single writer thread does as little as
 * possible: the dedup fingerprint of every event, and the request's rollup sums per combination
 * (account, model, key, status) and minute. If the writer finds duplicates in it, it asks for the
 * sums again without them ({@link #sums(boolean[])}), so duplicates are never counted.
 */
final class PreparedBatch {

    /**
     * One (account, model, key, status) of a request. Hashed for every combination on the request threads and
     * looked up by the writer, so equals and hashCode are written out: the generated ones of a record went
     * through method handles that the JIT left as calls, and showed up in profiles.
     */
    record Combo(String account, String model, String key, boolean error) {
        @Override
        public int hashCode() {
            return ((account.hashCode() * 31 + model.hashCode()) * 31 + key.hashCode()) * 2 + (error ? 1 : 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Combo c && error == c.error && account.equals(c.account) && model.equals(c.model)
                    && key.equals(c.key);
        }
    }

    final List<UsageEvent> events;
    final long[] fingerprints;
    final int[] minutes;
    private final Map<Combo, Map<Long, long[]>> sums;

    PreparedBatch(List<UsageEvent> events) {
        this.events = events;
        this.fingerprints = new long[events.size() * 2];
        this.minutes = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            UsageEvent e = events.get(i);
            KeyIndex.fingerprint(e.account(), e.id(), fingerprints, i * 2);
            minutes[i] = (int) e.epochMinute();
        }
        this.sums = sum(null);
    }

    /** The rollup sums of the events not marked in {@code skipped} (all when none is marked). */
    Map<Combo, Map<Long, long[]>> sums(boolean[] skipped) {
        for (boolean b : skipped) {
            if (b) {
                return sum(skipped);
            }
        }
        return sums;
    }

    /** Every combination in this batch, duplicates included. */
    java.util.Set<Combo> combos() {
        return sums.keySet();
    }

    private Map<Combo, Map<Long, long[]>> sum(boolean[] skipped) {
        Map<Combo, Map<Long, long[]>> out = new HashMap<>();
        Combo last = null;
        Map<Long, long[]> lastMinutes = null;
        for (int i = 0; i < events.size(); i++) {
            if (skipped != null && skipped[i]) {
                continue;
            }
            UsageEvent e = events.get(i);
            Map<Long, long[]> minutes;
            if (last != null && last.account().equals(e.account()) && last.model().equals(e.model())
                    && last.key().equals(e.key()) && last.error() == e.error()) {
                minutes = lastMinutes;
            } else {
                last = new Combo(e.account(), e.model(), e.key(), e.error());
                minutes = out.computeIfAbsent(last, c -> new HashMap<>());
                lastMinutes = minutes;
            }
            RollupMetrics.add(minutes.computeIfAbsent(e.epochMinute(), k -> RollupMetrics.zero()), e);
        }
        return out;
    }

}
