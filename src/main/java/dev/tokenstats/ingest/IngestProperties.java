package dev.tokenstats.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/** Limits of the ingestion API ({@code tokenstats.ingest.*}). */
@ConfigurationProperties("tokenstats.ingest")
record IngestProperties(Duration maxAge, Duration maxFuture, int maxEvents, DataSize maxBytes) {
}
