package dev.tokenstats.imports;

import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.UsageStore;

import java.util.List;

/** Writes into the store of this process ({@link UsageStore#append}: the same dedup and rollups as live ingestion). */
final class StoreDestination implements Destination {

    private final ImportStore store;

    StoreDestination(ImportStore store) {
        this.store = store;
    }

    @Override
    public String identity() {
        return store.identity();
    }

    @Override
    public Outcome write(Validation.Checked checked) {
        if (checked.events().isEmpty()) {
            return new Outcome(0, 0, List.of());
        }
        UsageStore s = store.store();
        AppendResult r = s.append(checked.events());
        return new Outcome(r.accepted(), r.duplicates(), List.of());
    }

    @Override
    public void close() {
        store.close();
    }
}
