package dev.tokenstats.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Runs the store's {@link UsageStore#maintain} soon after start and then every few minutes. */
@Component
class Housekeeping {

    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

    private final UsageStore store;

    Housekeeping(UsageStore store) {
        this.store = store;
    }

    @Scheduled(initialDelayString = "PT1S", fixedDelayString = "${tokenstats.maintenance-interval:PT5M}")
    void maintain() {
        try {
            long start = System.nanoTime();
            store.maintain();
            log.debug("store maintenance took {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (StoreUnavailableException e) {
            log.warn("store maintenance skipped: {}", e.getMessage());
        }
    }
}
