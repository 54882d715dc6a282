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

    /** Accounts are spread over this many shards; each rollup tier has one table per kind and shard. */
    static final int SHARDS = 16;

    /** What a series sums: all of an account, one model of it, or one model, key and status of it. */
    enum Kind {
        ACCOUNT, MODEL, FULL;

        String tableName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One rollup series: {@code model == null} for the account series, {@code key == null} for model series.
     * {@code shard}: the account's (see {@link #SHARDS}).
     */
    record Series(int id, String account, String model, String key, Boolean error, int shard) {
        Kind kind() {
            return model == null ? Kind.ACCOUNT : key == null ? Kind.MODEL : Kind.FULL;
        }

        /** kind * SHARDS + shard, as stored in the series table. */
        int slot() {
            return kind().ordinal() * SHARDS + shard;
        }

        boolean isAccount() {
            return kind() == Kind.ACCOUNT;
        }

        boolean isModel() {
            return kind() == Kind.MODEL;
        }

        boolean isFull() {
            return kind() == Kind.FULL;
        }
    }

    record SeriesKey(String account, String model, String key, Boolean error) {
    }

    /** Persists new series durably before they are published; throws when it cannot. */
    interface Persister {
        void persist(List<Series> created) throws java.sql.SQLException;
    }

    private final Map<SeriesKey, Series> byKey = new ConcurrentHashMap<>();
    private final Map<String, List<Series>> byAccount = new ConcurrentHashMap<>();
    private final Map<Integer, Series> byId = new ConcurrentHashMap<>();
    private final Map<PreparedBatch.Combo, int[]> lineage = new ConcurrentHashMap<>();
    private int nextId;

    synchronized void load(Series s) {
        publish(s);
        nextId = Math.max(nextId, s.id() + 1);
    }

    int size() {
        return byKey.size();
    }

    /**
     * The committed ids of a combination's full, model and account series (in that order), or null while
     * one of them is missing. Ids never change once published, so the answer is kept per combination: one
     * lookup instead of three.
     */
    int[] ids(PreparedBatch.Combo c) {
        int[] ids = lineage.get(c);
        if (ids == null) {
            Series full = byKey.get(new SeriesKey(c.account(), c.model(), c.key(), c.error()));
            Series model = byKey.get(new SeriesKey(c.account(), c.model(), null, null));
            Series account = byKey.get(new SeriesKey(c.account(), null, null, null));
            if (full == null || model == null || account == null) {
                return null;
            }
            ids = new int[] {full.id(), model.id(), account.id()};
            lineage.put(c, ids);
        }
        return ids;
    }

    /**
     * Makes sure the full, model and account series of every combination exist, creating the missing ones
     * with fresh ids in a transaction of their own: an unused series is harmless, so this needs no undo.
     */
    synchronized void ensure(Iterable<PreparedBatch.Combo> combos, Persister persister) throws java.sql.SQLException {
        List<Series> created = new ArrayList<>();
        java.util.Set<SeriesKey> seen = new java.util.HashSet<>();
        Map<String, Integer> newShards = new java.util.HashMap<>();
        for (PreparedBatch.Combo c : combos) {
            if (ids(c) != null) {
                continue;
            }
            for (SeriesKey k : List.of(new SeriesKey(c.account(), c.model(), c.key(), c.error()),
                    new SeriesKey(c.account(), c.model(), null, null), new SeriesKey(c.account(), null, null, null))) {
                if (!byKey.containsKey(k) && seen.add(k)) {
                    List<Series> known = byAccount.get(k.account());
                    int id = nextId++;
                    int shard = known != null ? known.get(0).shard()
                            : newShards.computeIfAbsent(k.account(), a -> id % SHARDS); // the account's first id
                    created.add(new Series(id, k.account(), k.model(), k.key(), k.error(), shard));
                }
            }
        }
        if (created.isEmpty()) {
            return;
        }
        try {
            persister.persist(created);
        } catch (java.sql.SQLException | RuntimeException e) {
            nextId -= created.size();
            throw e;
        }
        created.forEach(this::publish);
    }

    private void publish(Series s) {
        byKey.put(new SeriesKey(s.account(), s.model(), s.key(), s.error()), s);
        byId.put(s.id(), s);
        byAccount.compute(s.account(), (a, list) -> {
            List<Series> copy = list == null ? new ArrayList<>() : new ArrayList<>(list);
            copy.add(s);
            return List.copyOf(copy);
        });
    }

    /** A committed series, or null. */
    Series byId(int id) {
        return byId.get(id);
    }

    /** Every committed series of an account. */
    List<Series> ofAccount(String account) {
        return byAccount.getOrDefault(account, List.of());
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
