package dev.tokenstats.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Raw events older than {@code tokenstats.retention.raw} are dropped in bulk, hourly; rollups (and so
 * every dashboard figure) stay. Dedup needs raw rows only within the lateness window, far shorter.
 */
@Component
public class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final UsageStore store;
    private final Clock clock;
    private final Duration raw;

    Retention(UsageStore store, Clock clock, @Value("${tokenstats.retention.raw}") Duration raw) {
        this.store = store;
        this.clock = clock;
        this.raw = raw;
    }

    /** The oldest moment raw events (the Usage Logs) are kept for. */
    public Instant logsSince() {
        return clock.instant().minus(raw);
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
    void dropOldRawEvents() {
        try {
            long dropped = store.dropRawBefore(logsSince().toEpochMilli());
            if (dropped != 0) {
                log.info("retention: dropped raw events older than {} ({})", logsSince(), dropped < 0 ? "partitions" : dropped + " rows");
            }
        } catch (StoreUnavailableException e) {
            log.warn("retention skipped: {}", e.getMessage());
        }
    }
}
