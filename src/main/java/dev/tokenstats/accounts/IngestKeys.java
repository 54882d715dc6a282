package dev.tokenstats.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys gateways ingest with. Only a SHA-256 of each key is stored (see {@link Secrets}); the hashes of
 * the valid keys are held in memory, so checking a key on every ingest request is one hash and one lookup.
 * A key created or revoked here counts at once here; instances sharing the database pick it up within
 * {@code tokenstats.accounts.refresh} (see {@link #refresh}).
 */
@Service
public class IngestKeys extends HeldSecrets {

    private static final Logger log = LoggerFactory.getLogger(IngestKeys.class);

    /** A key as listed (never the key itself). {@code revokedAt} is null while the key is valid. */
    public record Info(String id, String name, Instant createdAt, Instant revokedAt) {
    }

    /** A new key: the only time {@code key} is shown. */
    public record Created(String id, String name, String key) {
        @Override
        public String toString() {
            return "Created[id=" + id + ", name=" + name + ", key=(hidden)]";
        }
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final Set<String> backfill = ConcurrentHashMap.newKeySet();

    /** The authority of a request made with a key that may backfill (send events older than the lateness limit). */
    public static final String BACKFILL = "BACKFILL";

    IngestKeys(JdbcClient jdbc, Clock clock) {
        super("ingest keys");
        this.jdbc = jdbc;
        this.clock = clock;
        reload();
    }

    /** The valid keys, and those that may backfill, as the table holds them now (see {@link HeldSecrets}). */
    @Override
    void reload() {
        Set<String> validNow = new HashSet<>(), backfillNow = new HashSet<>();
        jdbc.sql("SELECT key_hash, backfill FROM ingest_keys WHERE revoked_at IS NULL").query((RowCallbackHandler) rs -> {
            validNow.add(rs.getString(1));
            if (rs.getBoolean(2)) {
                backfillNow.add(rs.getString(1));
            }
        });
        replace(valid, validNow);
        replace(backfill, backfillNow);
    }

    /** Makes {@code set} equal {@code now} without a moment where an element of both is missing. */
    static void replace(Set<String> set, Set<String> now) {
        set.retainAll(now);
        set.addAll(now);
    }

    /** Registers {@code key} (idempotent, like {@link #register}) and allows it to backfill (unless it was revoked). */
    public synchronized void registerBackfill(String name, String key) {
        register(name, key);
        String hash = Secrets.hash(key);
        if (valid.contains(hash)) {
            jdbc.sql("UPDATE ingest_keys SET backfill = true WHERE key_hash = ?").param(hash).update();
            backfill.add(hash);
        }
    }

    /** Whether the key with this hash may send history older than the lateness limit (imports). */
    boolean mayBackfillHash(String hash) {
        return backfill.contains(hash) && valid.contains(hash);
    }

    /** Registers {@code key} under {@code name} unless it is already registered (or was revoked); idempotent. */
    public synchronized void register(String name, String key) {
        String hash = Secrets.hash(key);
        var revoked = jdbc.sql("SELECT revoked_at IS NOT NULL FROM ingest_keys WHERE key_hash = ?").param(hash)
                .query(Boolean.class).optional();
        if (revoked.isEmpty()) {
            insert(name, hash);
        } else if (revoked.get()) {
            log.warn("the ingest key '{}' was revoked; it stays revoked (create a new key)", name);
        }
    }

    /** Creates a new random key. */
    public synchronized Created create(String name) {
        name = Secrets.name(name, "an ingest key");
        String key = Secrets.generate("tsi_");
        String id = insert(name, Secrets.hash(key));
        log.info("ingest key {} ('{}') created", id, name);
        return new Created(id, name, key);
    }

    private String insert(String name, String hash) {
        String id = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO ingest_keys (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)")
                .params(id, name, hash, LocalDateTime.now(clock.withZone(ZoneOffset.UTC))).update();
        valid.add(hash);
        return id;
    }

    public List<Info> list() {
        return jdbc.sql("SELECT id, name, created_at, revoked_at FROM ingest_keys ORDER BY created_at, id")
                .query((rs, n) -> new Info(rs.getString(1), rs.getString(2), instant(rs.getObject(3, LocalDateTime.class)),
                        instant(rs.getObject(4, LocalDateTime.class))))
                .list();
    }

    /** Revokes a valid key at once; false when there is no valid key with that id. */
    public synchronized boolean revoke(String id) {
        var hash = jdbc.sql("SELECT key_hash FROM ingest_keys WHERE id = ? AND revoked_at IS NULL").param(id)
                .query(String.class).optional();
        if (hash.isEmpty()) {
            return false;
        }
        jdbc.sql("UPDATE ingest_keys SET revoked_at = ? WHERE id = ?")
                .params(LocalDateTime.now(clock.withZone(ZoneOffset.UTC)), id).update();
        valid.remove(hash.get());
        backfill.remove(hash.get());
        log.info("ingest key {} revoked", id);
        return true;
    }

    public boolean isValid(String key) {
        return key != null && !key.isEmpty() && valid.contains(Secrets.hash(key));
    }

    boolean isValidHash(String hash) {
        return valid.contains(hash);
    }

    static Instant instant(LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
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
