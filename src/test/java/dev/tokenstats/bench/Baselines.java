package dev.tokenstats.bench;

import dev.tokenstats.bench.Workload.GatewayCall;
import dev.tokenstats.bench.Workload.Model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The way gateways store usage today: one INSERT per API call, autocommit, from one writer.
 * <ul>
 *   <li>new-api on SQLite: its {@code logs} table (columns and indexes of new-api's model/log.go, as its
 *       ORM creates them on SQLite), default pragmas (rollback journal, synchronous=FULL), as new-api
 *       opens it; and the same with WAL + synchronous=NORMAL, the usual tuning (not durable per commit);</li>
 *   <li>DuckDB, tokenstats' own {@code events} table, one INSERT per event in autocommit.</li>
 * </ul>
 * Each runs on the first events of the same workload, bounded by a count and a time limit; the rate is
 * events stored / time taken.
 */
final class Baselines {

    record Result(String name, long events, long nanos, long bytesOnDisk) {
        double perSecond() {
            return events * 1e9 / nanos;
        }
    }

    private Baselines() {
    }

    // new-api's logs table on SQLite (model/log.go, AutoMigrate): id pk autoincrement, indexes as tagged there.
    static final String NEW_API_LOGS = """
            CREATE TABLE logs (
              id integer PRIMARY KEY AUTOINCREMENT,
              user_id integer,
              created_at integer,
              type integer,
              content text,
              username text DEFAULT '',
              token_name text DEFAULT '',
              model_name text DEFAULT '',
              quota integer DEFAULT 0,
              prompt_tokens integer DEFAULT 0,
              completion_tokens integer DEFAULT 0,
              use_time integer DEFAULT 0,
              is_stream numeric,
              channel_id integer,
              token_id integer DEFAULT 0,
              "group" text,
              ip text DEFAULT '',
              other text)""";
    private static final String[] NEW_API_INDEXES = {
            "CREATE INDEX idx_created_at_id ON logs(id, created_at)",
            "CREATE INDEX idx_logs_user_id ON logs(user_id)",
            "CREATE INDEX idx_created_at_type ON logs(created_at, type)",
            "CREATE INDEX idx_logs_username ON logs(username)",
            "CREATE INDEX index_username_model_name ON logs(model_name, username)",
            "CREATE INDEX idx_logs_token_name ON logs(token_name)",
            "CREATE INDEX idx_logs_model_name ON logs(model_name)",
            "CREATE INDEX idx_logs_channel_id ON logs(channel_id)",
            "CREATE INDEX idx_logs_token_id ON logs(token_id)",
            "CREATE INDEX idx_logs_group ON logs(\"group\")",
            "CREATE INDEX idx_logs_ip ON logs(ip)",
    };

    /** The new-api indexes a read of one user's logs over a period can use (the others serve other filters). */
    static final String[] NEW_API_READ_INDEXES = Arrays.copyOf(NEW_API_INDEXES, 5);

    static Result sqliteNewApi(Path file, boolean wal, List<GatewayCall> calls, Workload w, Duration limit)
            throws SQLException, IOException {
        Files.deleteIfExists(file);
        String name = wal ? "SQLite new-api logs, WAL+sync=NORMAL" : "SQLite new-api logs, defaults";
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=30000");
                if (wal) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=NORMAL");
                }
                s.execute(NEW_API_LOGS);
                for (String ix : NEW_API_INDEXES) {
                    s.execute(ix);
                }
            }
            c.setAutoCommit(true);
            String sql = "INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota,"
                    + " prompt_tokens, completion_tokens, use_time, is_stream, channel_id, token_id, \"group\", ip, other)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            long deadline = System.nanoTime() + limit.toNanos();
            long done = 0;
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (GatewayCall e : calls) {
                    bindNewApiLog(ps, e, w);
                    ps.executeUpdate();
                    done++;
                    if ((done & 63) == 0 && System.nanoTime() > deadline) {
                        break;
                    }
                }
            }
            long nanos = System.nanoTime() - t0;
            return new Result(name, done, nanos, sizeOf(file.getParent(), file.getFileName().toString()));
        }
    }

    /** Binds one call as new-api writes it to {@code logs} (17 parameters, in the INSERT's column order). */
    static void bindNewApiLog(PreparedStatement ps, GatewayCall e, Workload w) throws SQLException {
        Model m = Workload.MODELS[e.model()];
        ps.setInt(1, e.account() + 1);
        ps.setLong(2, e.timeMillis() / 1000);
        ps.setInt(3, e.error() ? 5 : 2); // LogTypeError : LogTypeConsume
        ps.setString(4, e.error() ? "upstream error: status code 500"
                : String.format("model ratio %.2f, completion ratio %.2f, group ratio %.2f",
                m.ratio(), m.completionRatio(), w.groupRatioOf(e)));
        ps.setString(5, w.accounts[e.account()]);
        ps.setString(6, w.accountKeys[e.account()][e.key()]);
        ps.setString(7, m.name());
        ps.setLong(8, e.quota());
        ps.setLong(9, e.prompt());
        ps.setLong(10, e.completion());
        ps.setLong(11, e.durationMs() / 1000);
        ps.setBoolean(12, e.stream());
        ps.setInt(13, e.channel());
        ps.setInt(14, (e.account() + 1) * 8 + e.key());
        ps.setString(15, w.groupOf(e));
        ps.setString(16, "");
        StringBuilder other = new StringBuilder(256);
        other.append("{\"cache_ratio\":").append(m.cacheRatio())
                .append(",\"cache_tokens\":").append(e.cached())
                .append(",\"completion_ratio\":").append(m.completionRatio())
                .append(",\"frt\":").append(Math.min(e.durationMs(), 800))
                .append(",\"group_ratio\":").append(w.groupRatioOf(e))
                .append(",\"model_price\":-1,\"model_ratio\":").append(m.ratio())
                .append(",\"request_id\":\"").append(e.id()).append("\"}");
        ps.setString(17, other.toString());
    }

    /** tokenstats' events table (from the project's own migration), one INSERT per event, autocommit. */
    static Result duckDbInsertPerEvent(Path file, List<GatewayCall> calls, Workload w, Duration limit)
            throws SQLException, IOException {
        Files.deleteIfExists(file);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute(eventsTableDdl());
            }
            c.setAutoCommit(true);
            long deadline = System.nanoTime() + limit.toNanos();
            long done = 0;
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (GatewayCall e : calls) {
                    ps.setString(1, w.accounts[e.account()]);
                    ps.setString(2, e.id());
                    ps.setLong(3, e.timeMillis());
                    ps.setString(4, Workload.MODELS[e.model()].name());
                    ps.setString(5, w.accountKeys[e.account()][e.key()]);
                    ps.setLong(6, e.prompt());
                    ps.setLong(7, e.completion());
                    ps.setLong(8, e.cached());
                    ps.setLong(9, e.quota());
                    ps.setLong(10, e.quota() * 2000); // quota / 500000 credits, in nano-credits
                    ps.setLong(11, e.durationMs());
                    ps.setBoolean(12, e.error());
                    ps.setBoolean(13, e.stream());
                    ps.setString(14, w.groupOf(e));
                    ps.setString(15, Integer.toString(e.channel()));
                    ps.executeUpdate();
                    done++;
                    if ((done & 63) == 0 && System.nanoTime() > deadline) {
                        break;
                    }
                }
            }
            long nanos = System.nanoTime() - t0;
            try (Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
            return new Result("DuckDB events, INSERT per event", done, nanos,
                    sizeOf(file.getParent(), file.getFileName().toString()));
        }
    }

    /** The {@code CREATE TABLE events} statement of the project's DuckDB migration. */
    static String eventsTableDdl() throws IOException {
        try (InputStream in = Baselines.class.getResourceAsStream("/db/duckdb/V1__usage.sql")) {
            if (in == null) {
                throw new IOException("db/duckdb/V1__usage.sql is not on the class path (build first)");
            }
            String sql = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> !l.strip().startsWith("--"))
                    .collect(Collectors.joining("\n"));
            return Arrays.stream(sql.split(";"))
                    .filter(st -> st.strip().startsWith("CREATE TABLE events"))
                    .findFirst().orElseThrow(() -> new IOException("no CREATE TABLE events in V1__usage.sql"));
        }
    }

    /** Bytes of the files in {@code dir} whose names start with {@code prefix} (db, journal, WAL). */
    static long sizeOf(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            long total = 0;
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
