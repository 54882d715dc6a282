package dev.tokenstats.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys gateways ingest with. Only a SHA-256 of each key is stored (keys are long random secrets,
 * so a fast hash is the right one, as for API tokens); valid hashes are cached in memory.
 */
@Service
public class IngestKeys {

    private static final Logger log = LoggerFactory.getLogger(IngestKeys.class);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final Set<String> backfill = ConcurrentHashMap.newKeySet();

    /** The authority of a request made with a key that may backfill (send events older than the lateness limit). */
    public static final String BACKFILL = "BACKFILL";

    IngestKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        reload();
    }

    private void reload() {
        valid.clear();
        valid.addAll(jdbc.sql("SELECT key_hash FROM ingest_keys WHERE revoked_at IS NULL").query(String.class).list());
        backfill.clear();
        backfill.addAll(jdbc.sql("SELECT key_hash FROM ingest_keys WHERE revoked_at IS NULL AND backfill").query(String.class).list());
    }

    /** Registers {@code key} (idempotent, like {@link #register}) and allows it to backfill. */
    public void registerBackfill(String name, String key) {
        register(name, key);
        jdbc.sql("UPDATE ingest_keys SET backfill = true WHERE key_hash = ?").param(hash(key)).update();
        reload();
    }

    /** Whether {@code key} is valid and may send history older than the lateness limit (imports). */
    public boolean mayBackfill(String key) {
        return key != null && !key.isEmpty() && backfill.contains(hash(key));
    }

    /** Registers {@code key} under {@code name} unless it is already registered; idempotent. */
    public void register(String name, String key) {
        String hash = hash(key);
        boolean known = jdbc.sql("SELECT count(*) FROM ingest_keys WHERE key_hash = ?").param(hash)
                .query(Long.class).single() > 0;
        if (!known) {
            jdbc.sql("INSERT INTO ingest_keys (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)")
                    .params(UUID.randomUUID().toString(), name, hash, LocalDateTime.now(clock.withZone(ZoneOffset.UTC)))
                    .update();
        }
        reload();
    }

    public boolean isValid(String key) {
        return key != null && !key.isEmpty() && valid.contains(hash(key));
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code TOKENSTATS_INGEST_KEY} in the environment (or {@code tokenstats.ingest-key}) registers that key at start. */
    @Value("${tokenstats.ingest-key:}")
    void setBootstrapKey(String key) {
        if (key != null && !key.isBlank()) {
            register("from environment", key.strip());
            log.info("ingest key from TOKENSTATS_INGEST_KEY registered");
        }
    }

    /** {@code TOKENSTATS_BACKFILL_KEY} (or {@code tokenstats.backfill-key}) registers an ingest key that may backfill. */
    @Value("${tokenstats.backfill-key:}")
    void setBackfillKey(String key) {
        if (key != null && !key.isBlank()) {
            registerBackfill("backfill, from environment", key.strip());
            log.info("backfill ingest key from TOKENSTATS_BACKFILL_KEY registered");
        }
    }
}
