package dev.tokenstats.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Personal access tokens: read-only API credentials a user creates for their scripts, shown once, kept as
 * SHA-256 (see {@link Secrets}). The valid tokens are held in memory by hash, with the user they act for,
 * so checking one is a hash and a lookup; revoking (or deleting the user) drops it from memory at once, and
 * instances sharing the database follow within {@code tokenstats.accounts.refresh} (see {@link #refresh}).
 */
@Service
public class PersonalTokens extends HeldSecrets {

    private static final Logger log = LoggerFactory.getLogger(PersonalTokens.class);
    static final int MAX_PER_USER = 100;
    private static final long LAST_USED_RESOLUTION_MS = 60_000;

    /** A token as listed (never the token itself). */
    public record Info(String id, String name, Instant createdAt, Instant lastUsedAt) {
    }

    /** A new token: the only time {@code token} is shown. */
    public record Created(String id, String name, String token, Instant createdAt) {
        @Override
        public String toString() {
            return "Created[id=" + id + ", name=" + name + ", token=(hidden)]";
        }
    }

    /** A valid token in memory: whom it acts for and when it was last used (written to the table once a minute). */
    static final class Valid {
        final String id;
        final Viewer viewer;
        volatile long lastUsedMs;
        volatile long lastWrittenMs;

        Valid(String id, Viewer viewer, long lastUsedMs) {
            this.id = id;
            this.viewer = viewer;
            this.lastUsedMs = lastUsedMs;
            this.lastWrittenMs = lastUsedMs;
        }
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Map<String, Valid> byHash = new ConcurrentHashMap<>();

    PersonalTokens(JdbcClient jdbc, Clock clock) {
        super("personal tokens");
        this.jdbc = jdbc;
        this.clock = clock;
        reload();
    }

    /**
     * The valid tokens as the table holds them now (see {@link HeldSecrets}). Tokens of users that no longer exist
     * are not loaded, so they never authenticate. A token already in memory keeps its time of last use (written to
     * the table at most once a minute).
     */
    @Override
    void reload() {
        Map<String, Valid> now = new HashMap<>();
        jdbc.sql("SELECT t.token_hash, t.id, u.username, u.role, u.account, t.last_used_at FROM personal_tokens t"
                        + " JOIN users u ON u.username = t.username")
                .query((RowCallbackHandler) rs -> {
                    Viewer viewer = new Viewer(rs.getString(3), Viewer.Role.valueOf(rs.getString(4)), rs.getString(5));
                    Valid known = byHash.get(rs.getString(1));
                    if (known != null && known.id.equals(rs.getString(2)) && known.viewer.equals(viewer)) {
                        now.put(rs.getString(1), known);
                    } else {
                        Instant used = IngestKeys.instant(rs.getObject(6, LocalDateTime.class));
                        now.put(rs.getString(1), new Valid(rs.getString(2), viewer, used == null ? 0 : used.toEpochMilli()));
                    }
                });
        byHash.keySet().retainAll(now.keySet());
        byHash.putAll(now);
    }

    public synchronized Created create(Viewer owner, String name) {
        name = Secrets.name(name, "a token");
        long count = jdbc.sql("SELECT count(*) FROM personal_tokens WHERE username = ?").param(owner.username())
                .query(Long.class).single();
        if (count >= MAX_PER_USER) {
            throw new IllegalStateException("at most " + MAX_PER_USER + " tokens per user; revoke one first");
        }
        String token = Secrets.generate("tsp_");
        String hash = Secrets.hash(token);
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        jdbc.sql("INSERT INTO personal_tokens (id, username, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)")
                .params(id, owner.username(), name, hash, LocalDateTime.ofInstant(now, ZoneOffset.UTC)).update();
        byHash.put(hash, new Valid(id, owner, 0));
        log.info("personal token {} ('{}') created for {}", id, name, owner.username());
        return new Created(id, name, token, now);
    }

    /** The tokens of {@code username}, oldest first. */
    public List<Info> list(String username) {
        Map<String, Long> used = new HashMap<>();
        byHash.values().forEach(v -> used.put(v.id, v.lastUsedMs));
        return jdbc.sql("SELECT id, name, created_at FROM personal_tokens WHERE username = ? ORDER BY created_at, id")
                .param(username)
                .query((rs, n) -> {
                    long last = used.getOrDefault(rs.getString(1), 0L);
                    return new Info(rs.getString(1), rs.getString(2), IngestKeys.instant(rs.getObject(3, LocalDateTime.class)),
                            last == 0 ? null : Instant.ofEpochMilli(last));
                })
                .list();
    }

    /** Revokes one of {@code username}'s own tokens; false when they have no token with that id. */
    public synchronized boolean revoke(String username, String id) {
        int deleted = jdbc.sql("DELETE FROM personal_tokens WHERE id = ? AND username = ?").params(id, username).update();
        byHash.values().removeIf(v -> v.id.equals(id) && v.viewer.username().equals(username));
        if (deleted > 0) {
            log.info("personal token {} of {} revoked", id, username);
        }
        return deleted > 0;
    }

    @EventListener
    synchronized void onUserRemoved(UserRemoved removed) {
        byHash.values().removeIf(v -> v.viewer.username().equals(removed.username()));
        jdbc.sql("DELETE FROM personal_tokens WHERE username = ?").param(removed.username()).update();
    }

    /** The valid token with this hash, or null; notes the use. */
    Valid use(String hash) {
        Valid v = byHash.get(hash);
        if (v != null) {
            long now = clock.millis();
            v.lastUsedMs = now;
            if (now - v.lastWrittenMs >= LAST_USED_RESOLUTION_MS) {
                v.lastWrittenMs = now;
                jdbc.sql("UPDATE personal_tokens SET last_used_at = ? WHERE id = ?")
                        .params(LocalDateTime.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC), v.id).update();
            }
        }
        return v;
    }
}
