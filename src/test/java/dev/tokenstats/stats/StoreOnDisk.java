package dev.tokenstats.stats;

import dev.tokenstats.store.Engine;
import dev.tokenstats.store.UsageStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

/** A real store of the engine under test ({@link Engine#current()}) in a fresh place, for tests. */
final class StoreOnDisk implements AutoCloseable {

    final Path dir;
    final Engine.Place place;
    final Engine.Opened opened;

    StoreOnDisk(Clock clock) throws IOException {
        dir = Files.createTempDirectory("tokenstats-stats-");
        place = Engine.Place.fresh(dir);
        opened = Engine.current().open(place, clock);
    }

    UsageStore store() {
        return opened.store();
    }

    @Override
    public void close() throws IOException {
        opened.close();
        place.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
