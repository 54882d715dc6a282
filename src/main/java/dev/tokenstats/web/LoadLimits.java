package dev.tokenstats.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the work in flight so that an overload is answered at once with {@code 429} and
 * {@code Retry-After} instead of queueing: ingestion by concurrent requests and by bytes of bodies
 * (which bounds the heap ingestion can take), reads (stats, logs) by concurrent requests. The two have
 * separate permits, so neither can starve the other of server threads.
 */
@Component
class LoadLimits extends OncePerRequestFilter {

    private final Semaphore ingest;
    private final Semaphore reads;
    private final long maxIngestBytes;
    private final long maxBodyBytes;
    private final AtomicLong ingestBytes = new AtomicLong();

    LoadLimits(io.micrometer.core.instrument.MeterRegistry registry,
               @Value("${tokenstats.limits.ingest-concurrency:8}") int ingestConcurrency,
               @Value("${tokenstats.limits.ingest-bytes:64MB}") DataSize ingestBytes,
               @Value("${tokenstats.limits.read-concurrency:8}") int readConcurrency,
               @Value("${tokenstats.ingest.max-bytes}") DataSize maxBody) {
        this.ingest = new Semaphore(ingestConcurrency);
        this.reads = new Semaphore(readConcurrency);
        this.maxIngestBytes = ingestBytes.toBytes();
        this.maxBodyBytes = maxBody.toBytes();
        io.micrometer.core.instrument.Gauge.builder("tokenstats.ingest.inflight.requests", ingest,
                sem -> ingestConcurrency - sem.availablePermits()).register(registry);
        io.micrometer.core.instrument.Gauge.builder("tokenstats.ingest.inflight.bytes", this.ingestBytes, AtomicLong::get)
                .baseUnit("bytes").register(registry);
        io.micrometer.core.instrument.Gauge.builder("tokenstats.reads.inflight.requests", reads,
                sem -> readConcurrency - sem.availablePermits()).register(registry);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        if (path.equals("/api/v1/events")) {
            long length = request.getContentLengthLong();
            long reserve = length >= 0 ? Math.min(length, maxBodyBytes + 1) : maxBodyBytes;
            if (!ingest.tryAcquire()) {
                overloaded(response, "too many ingest requests at once");
                return;
            }
            try {
                if (ingestBytes.addAndGet(reserve) > maxIngestBytes && ingestBytes.get() != reserve) {
                    overloaded(response, "too many bytes of events in flight");
                    return;
                }
                chain.doFilter(request, response);
            } finally {
                ingestBytes.addAndGet(-reserve);
                ingest.release();
            }
        } else if (path.startsWith("/api/v1/stats") || path.startsWith("/api/v1/logs") || path.startsWith("/api/v1/admin/accounts")) {
            if (!reads.tryAcquire()) {
                overloaded(response, "too many reads at once");
                return;
            }
            try {
                chain.doFilter(request, response);
            } finally {
                reads.release();
            }
        } else {
            chain.doFilter(request, response);
        }
    }

    private static void overloaded(HttpServletResponse response, String why) throws IOException {
        response.setHeader("Retry-After", "1");
        SecurityConfiguration.json(response, 429, "overloaded", why + "; retry after 1 s");
    }
}
