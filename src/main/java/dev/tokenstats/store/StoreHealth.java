package dev.tokenstats.store;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Readiness: DOWN while the store cannot write (disk full, database unreachable, recovering). */
@Component("store")
class StoreHealth implements HealthIndicator {

    private final UsageStore store;

    StoreHealth(UsageStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        return store.unavailable().map(reason -> Health.outOfService().withDetail("reason", reason).build())
                .orElseGet(() -> Health.up().build());
    }
}
