package dev.tokenstats.ingest;

import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.List;

/** What an operator watches of ingestion: events by outcome, write latency, lag behind the gateway, store size. */
@Component
class IngestMetrics {

    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;
    private final Timer latency;
    private final DistributionSummary lag;
    private final Clock clock;

    IngestMetrics(MeterRegistry registry, Clock clock, UsageStore store) {
        this.clock = clock;
        accepted = Counter.builder("tokenstats.ingest.events").tag("result", "accepted").register(registry);
        duplicates = Counter.builder("tokenstats.ingest.events").tag("result", "duplicate").register(registry);
        rejected = Counter.builder("tokenstats.ingest.events").tag("result", "rejected").register(registry);
        latency = Timer.builder("tokenstats.ingest.latency").description("time to store one request durably")
                .publishPercentiles(0.5, 0.99).register(registry);
        lag = DistributionSummary.builder("tokenstats.ingest.lag").baseUnit("seconds")
                .description("how long after the call an event arrived").publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("tokenstats.store.size", store, UsageStore::sizeBytes).baseUnit("bytes").register(registry);
    }

    void stored(List<UsageEvent> events, int acceptedCount, int duplicateCount, long nanos) {
        accepted.increment(acceptedCount);
        duplicates.increment(duplicateCount);
        latency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        long now = clock.millis();
        for (UsageEvent e : events) {
            lag.record(Math.max(0, now - e.timeMillis()) / 1000.0);
        }
    }

    void rejected(int count) {
        rejected.increment(count);
    }
}
