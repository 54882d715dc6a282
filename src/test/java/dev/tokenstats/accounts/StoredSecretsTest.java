package dev.tokenstats.accounts;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens and keys survive a restart (their hashes are reloaded from a real DuckDB file), revoked ones stay
 * revoked, a deleted user's tokens never come back, and only hashes are stored.
 */
class StoredSecretsTest {

    @TempDir
    Path dir;

    @Test
    void validSecretsAreReloadedAtStartAndRevokedOnesAreNot() {
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setDriverClassName("org.duckdb.DuckDBDriver");
            ds.setJdbcUrl("jdbc:duckdb:" + dir.resolve("t.duckdb"));
            Flyway.configure().dataSource(ds).locations("classpath:db/duckdb").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            Clock clock = Clock.systemUTC();

            PersonalTokens tokens = new PersonalTokens(jdbc, clock);
            IngestKeys keys = new IngestKeys(jdbc, clock);
            Users users = new Users(jdbc, clock, event -> tokens.onUserRemoved((UserRemoved) event), "");
            Viewer opal = users.create("opal", "opal-password", Viewer.Role.member, "acct-opal");
            Viewer pia = users.create("pia", "pia-password", Viewer.Role.member, "acct-pia");
            String kept = tokens.create(opal, "kept").token();
            PersonalTokens.Created revoked = tokens.create(opal, "revoked");
            assertTrue(tokens.revoke("opal", revoked.id()));
            String piaToken = tokens.create(pia, "pia").token();
            String key = keys.create("gw").key();
            IngestKeys.Created revokedKey = keys.create("old");
            assertTrue(keys.revoke(revokedKey.id()));
            keys.register("from environment", "env-key-1");
            users.delete("pia");

            // Only hashes are stored.
            List<String> stored = jdbc.sql("SELECT token_hash FROM personal_tokens UNION ALL SELECT key_hash FROM ingest_keys")
                    .query(String.class).list();
            for (String secret : List.of(kept, piaToken, key, "env-key-1")) {
                assertFalse(stored.contains(secret));
            }
            assertTrue(stored.contains(Secrets.hash(kept)));

            // A "restart": new instances over the same file.
            PersonalTokens tokens2 = new PersonalTokens(jdbc, clock);
            IngestKeys keys2 = new IngestKeys(jdbc, clock);
            PersonalTokens.Valid valid = tokens2.use(Secrets.hash(kept));
            assertNotNull(valid);
            assertEquals(opal, valid.viewer);
            assertNull(tokens2.use(Secrets.hash(revoked.token())));
            assertNull(tokens2.use(Secrets.hash(piaToken)), "a deleted user's token stays gone");
            assertTrue(keys2.isValid(key));
            assertTrue(keys2.isValid("env-key-1"));
            assertFalse(keys2.isValid(revokedKey.key()));

            // Re-registering a revoked key (e.g. still in the environment) does not bring it back.
            String envId = keys2.list().stream().filter(k -> k.name().equals("from environment")).findFirst().orElseThrow().id();
            assertTrue(keys2.revoke(envId));
            keys2.register("from environment", "env-key-1");
            assertFalse(keys2.isValid("env-key-1"));
            assertFalse(new IngestKeys(jdbc, clock).isValid("env-key-1"));
        }
    }
}
