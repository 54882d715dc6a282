package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.SeriesFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The series ids known to be committed, per account, held in memory so that neither the writer nor
 * the readers join the series table. The writer proposes new series inside its transaction and
 * publishes them only after the commit succeeded.
 */
final class SeriesIndex {

    /** One rollup series: {@code model == null} for the account series, {@code key == null} for model series. */
    record Series(int id, String account, String model, String key, Boolean error) {
        boolean isAccount() {
            return model == null;
        }

        boolean isModel() {
            return model != null && key == null;
        }

        boolean isFull() {
            return key != null;
        }
    }

    record SeriesKey(String account, String model, String key, Boolean error) {
    }

    private final Map<SeriesKey, Series> byKey = new ConcurrentHashMap<>();
    private final Map<String, List<Series>> byAccount = new ConcurrentHashMap<>();
    private final List<Series> pending = new ArrayList<>();
    private final Map<SeriesKey, Series> pendingByKey = new java.util.HashMap<>();
    private int nextId;

    void load(Series s) {
        publish(s);
        nextId = Math.max(nextId, s.id() + 1);
    }

    /** The id for a series, proposing a new one (to be written in the current transaction) when unknown. */
    Series idFor(String account, String model, String key, Boolean error) {
        SeriesKey k = new SeriesKey(account, model, key, error);
        Series s = byKey.get(k);
        if (s == null) {
            s = pendingByKey.get(k);
        }
        if (s == null) {
            s = new Series(nextId++, account, model, key, error);
            pending.add(s);
            pendingByKey.put(k, s);
        }
        return s;
    }

    int size() {
        return byKey.size();
    }

    List<Series> pending() {
        return pending;
    }

    void commitPending() {
        pending.forEach(this::publish);
        pending.clear();
        pendingByKey.clear();
    }

    void discardPending() {
        if (!pending.isEmpty()) {
            nextId = pending.get(0).id();
        }
        pending.clear();
        pendingByKey.clear();
    }

    private void publish(Series s) {
        byKey.put(new SeriesKey(s.account(), s.model(), s.key(), s.error()), s);
        byAccount.compute(s.account(), (a, list) -> {
            List<Series> copy = list == null ? new ArrayList<>() : new ArrayList<>(list);
            copy.add(s);
            return List.copyOf(copy);
        });
    }

    /** The committed account series (one per account), in no particular order. */
    List<Series> accountSeries() {
        List<Series> out = new ArrayList<>();
        byAccount.values().forEach(list -> list.stream().filter(Series::isAccount).forEach(out::add));
        return out;
    }

    /**
     * The committed series whose rollups answer {@code filter}: the account series when unfiltered and
     * ungrouped, model series when only models narrow it, full series otherwise.
     */
    List<Series> matching(SeriesFilter filter, boolean byModel) {
        List<Series> all = byAccount.getOrDefault(filter.account(), List.of());
        List<Series> out = new ArrayList<>();
        boolean accountLevel = filter.unfiltered() && !byModel;
        boolean modelLevel = !accountLevel && filter.byModelOnly();
        for (Series s : all) {
            if (accountLevel ? s.isAccount() : modelLevel ? s.isModel() : s.isFull()) {
                if (!s.isAccount() && !filter.models().isEmpty() && !filter.models().contains(s.model())) {
                    continue;
                }
                if (s.isFull() && !filter.keys().isEmpty() && !filter.keys().contains(s.key())) {
                    continue;
                }
                if (s.isFull() && filter.errors() != null && !filter.errors().equals(s.error())) {
                    continue;
                }
                out.add(s);
            }
        }
        return out;
    }
}
