package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import dev.tokenstats.imports.NewApiLogsTable.Db;
import dev.tokenstats.imports.NewApiLogsTable.Log;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The new-api importer in process, on a new-api {@code logs} table in a real SQLite file, the machine's
 * MariaDB and its PostgreSQL: every consume row is stored once with every field mapped, the rollups (what
 * the stats API reads) add up to the table's own sums, bad rows are reported by log id, and importing
 * again adds nothing.
 */
class NewApiImportTest {

    static final long DAY = 86_400;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Db.class)
    void consumeRowsAreImportedExactlyOnce(Db db) throws Exception {
        long seed = 7_000 + db.ordinal();
        long now = Instant.now().getEpochSecond();
        List<Log> rows = NewApiLogsTable.generate(new Random(seed), 1, 2_500, now - 60, 100 * DAY);
        Path data = dir.resolve("data");
        try (NewApiLogsTable table = new NewApiLogsTable(db, dir)) {
            table.insert(rows);

            Run first = Imports.run("newapi", table.source, "--tokenstats.data-dir=" + data);
            List<Log> consume = rows.stream().filter(l -> l.type() == 2).toList();
            List<Log> refused = consume.stream().filter(l -> l.quota() < 0).toList();
            assertThat(refused).as("seed %d makes some re-consume rows with negative quota", seed).isNotEmpty();
            assertThat(first.status()).as(first.toString()).isEqualTo(2); // done, with rejected rows
            assertThat(first.count("read")).as(first.toString()).isEqualTo(consume.size());
            assertThat(first.count("imported")).isEqualTo(consume.size() - refused.size());
            assertThat(first.count("duplicates")).isZero();
            assertThat(first.count("rejected")).isEqualTo(refused.size());
            // each refused row by its log id: the first ones on the terminal, all in the rejects file
            List<String> listed = rejectsFile(data);
            for (int i = 0; i < refused.size(); i++) {
                String line = "log id " + refused.get(i).id() + ": quota: must be >= 0";
                assertThat(listed).contains(line);
                if (i < Report.SHOWN) {
                    assertThat(first.err()).contains("rejected " + line);
                }
            }
            assertThat(listed).hasSize(refused.size());
            assertThat(first.out()).contains(String.format("%,10d  quota: must be >= 0", refused.size()));
            long capped = consume.stream().filter(l -> l.quota() >= 0 && l.cacheTokens() != null && l.cacheTokens() > l.promptTokens()).count();
            assertThat(capped).isPositive();
            assertThat(first.count("adjusted")).isEqualTo(capped);

            verifyStore(data, consume);

            // the same import again, from the start: every row is a duplicate, nothing is added
            Run again = Imports.run("newapi", table.source, "--tokenstats.data-dir=" + data, "--restart");
            assertThat(again.count("read")).as(again.toString()).isEqualTo(consume.size());
            assertThat(again.count("imported")).isZero();
            assertThat(again.count("duplicates")).isEqualTo(consume.size() - refused.size());
            verifyStore(data, consume);
        }
    }

    /** Without --restart a second run resumes at the checkpoint: it reads only rows added since. */
    @Test
    void aSecondRunReadsOnlyNewRows() throws Exception {
        long now = Instant.now().getEpochSecond();
        Path data = dir.resolve("data");
        try (NewApiLogsTable table = new NewApiLogsTable(Db.SQLITE, dir)) {
            List<Log> rows = new ArrayList<>(NewApiLogsTable.generate(new Random(11), 1, 400, now - 3600, 50 * DAY));
            table.insert(rows);
            Run first = Imports.run("newapi", table.source, "--tokenstats.data-dir=" + data);
            assertThat(first.status()).as(first.toString()).isIn(0, 2);

            Run nothing = Imports.run("newapi", table.source, "--tokenstats.data-dir=" + data);
            assertThat(nothing.count("read")).as(nothing.toString()).isZero();
            assertThat(nothing.out()).contains("nothing new since the checkpoint");

            List<Log> more = NewApiLogsTable.generate(new Random(12), 401, 300, now - 60, 3000);
            table.insert(more);
            rows.addAll(more);
            Run next = Imports.run("newapi", table.source, "--tokenstats.data-dir=" + data);
            long newConsume = more.stream().filter(l -> l.type() == 2).count();
            assertThat(next.count("read")).as(next.toString()).isEqualTo(newConsume);
            assertThat(next.count("duplicates")).isZero();
            verifyStore(data, rows.stream().filter(l -> l.type() == 2).toList());
        }
    }

    /** A table that is not new-api's, and a source that does not exist, fail with a message (exit 1 / 64). */
    @Test
    void wrongSourcesFailWithAMessage() throws Exception {
        Path data = dir.resolve("data");
        Run missing = Imports.run("newapi", dir.resolve("nope.db").toString(), "--tokenstats.data-dir=" + data);
        assertThat(missing.status()).isEqualTo(64);
        assertThat(missing.err()).contains("no such file");

        Run unreachable = Imports.run("newapi", "jdbc:mysql://127.0.0.1:1/newapi?user=root&password=secret",
                "--tokenstats.data-dir=" + data);
        assertThat(unreachable.status()).as(unreachable.toString()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot connect to jdbc:mariadb://127.0.0.1:1/newapi?user=***&password=***")
                .doesNotContain("secret");

        try (NewApiLogsTable table = new NewApiLogsTable(Db.SQLITE, dir);
             var c = table.connect(); var s = c.createStatement()) {
            s.execute("CREATE TABLE not_logs (id integer, created_at integer)");
            Run wrong = Imports.run("newapi", table.source, "--table", "not_logs", "--tokenstats.data-dir=" + data);
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(1);
            assertThat(wrong.err()).contains("not a new-api/one-api logs table").contains("model_name");
        }
        assertThat(data.resolve("imports")).doesNotExist();
    }

    static List<String> rejectsFile(Path data) throws java.io.IOException {
        try (var files = Files.list(data.resolve("imports"))) {
            Path f = files.filter(p -> p.toString().endsWith(".rejected.txt")).findFirst().orElseThrow();
            return Files.readAllLines(f);
        }
    }

    static void verifyStore(Path data, List<Log> consume) {
        try (ImportStore s = Imports.open(data)) {
            verifyStore(s.store(), consume);
        }
    }

    /** Every consume row with quota >= 0 is one stored event with each field mapped; the rollups equal the table's sums. */
    static void verifyStore(UsageStore store, List<Log> consume) {
        Map<String, List<Log>> byAccount = consume.stream().filter(l -> l.quota() >= 0)
                .collect(Collectors.groupingBy(NewApiLogsTable::account, TreeMap::new, Collectors.toList()));
        for (var e : byAccount.entrySet()) {
            String account = e.getKey();
            List<UsageEvent> expected = e.getValue().stream().map(NewApiImportTest::expected)
                    .sorted(Comparator.comparingLong(UsageEvent::timeMillis).thenComparing(UsageEvent::id)).toList();
            List<UsageEvent> stored = store.events(account, 0, Long.MAX_VALUE / 4);
            assertThat(stored).as("events of %s", account).containsExactlyInAnyOrderElementsOf(expected);

            Totals t = Imports.totals(store, account);
            List<Log> logs = e.getValue();
            assertThat(t.requests()).isEqualTo(logs.size());
            assertThat(t.quota()).isEqualTo(logs.stream().mapToLong(Log::quota).sum());
            assertThat(t.promptTokens()).isEqualTo(logs.stream().mapToLong(Log::promptTokens).sum());
            assertThat(t.completionTokens()).isEqualTo(logs.stream().mapToLong(Log::completionTokens).sum());
            assertThat(t.cachedTokens()).isEqualTo(expected.stream().mapToLong(UsageEvent::cachedTokens).sum());
            assertThat(t.creditNanos()).isEqualTo(BigInteger.valueOf(logs.stream().mapToLong(Log::quota).sum() * 2_000));
            assertThat(t.durationSum()).isEqualTo(logs.stream().mapToLong(l -> l.useTime() * 1000).sum());
            assertThat(t.errors()).isZero();
        }
    }

    /** The event a consume row stands for (quota per credit 500,000, as new-api's QuotaPerUnit). */
    static UsageEvent expected(Log l) {
        Long cache = l.cacheTokens();
        long cached = cache == null ? 0 : Math.min(cache, l.promptTokens());
        return new UsageEvent(NewApiLogsTable.account(l), "newapi-" + l.id(), l.createdAt() * 1000, l.modelName(),
                l.tokenName(), l.promptTokens(), l.completionTokens(), cached, l.quota(), l.quota() * 2_000,
                l.useTime() * 1000, false, l.isStream(), l.group(), l.channelId() == 0 ? "" : Long.toString(l.channelId()));
    }
}
