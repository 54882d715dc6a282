package dev.tokenstats.store;

import java.util.Set;

/**
 * Which events of one account a read covers. Empty sets mean "all". {@code errors} is
 * {@code null} for both statuses, {@code true} for errors only, {@code false} for successes only.
 */
public record SeriesFilter(String account, Set<String> models, Set<String> keys, Boolean errors) {

    public SeriesFilter {
        models = Set.copyOf(models);
        keys = Set.copyOf(keys);
    }

    public static SeriesFilter all(String account) {
        return new SeriesFilter(account, Set.of(), Set.of(), null);
    }

    /** True when the filter only narrows by model, so per-model rollups answer it. */
    public boolean byModelOnly() {
        return keys.isEmpty() && errors == null;
    }

    public boolean unfiltered() {
        return byModelOnly() && models.isEmpty();
    }
}
