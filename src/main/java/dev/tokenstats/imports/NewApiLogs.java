package dev.tokenstats.imports;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * new-api's (and one-api's) {@code logs} table: the consume rows ({@code type = 2}), one per billed call,
 * read in id order after the checkpoint (the last imported log id). Mapping: account = {@code username}
 * (or {@code user-<user_id>} when empty, or always with {@code --account user-id}), key = {@code token_name},
 * model = {@code model_name}, prompt/completion tokens, quota, duration = {@code use_time} seconds x 1000
 * (one-api: {@code elapsed_time} ms), stream = {@code is_stream}, group = {@code group}, channel =
 * {@code channel_id}, cached tokens = {@code other.cache_tokens} (capped at the prompt tokens, counted as
 * adjusted), id = prefix + log id: stable, so importing twice stores each call once.
 *
 * <p>Rows younger than the settle time are left for the next poll: ids are handed out before inserts
 * commit, so a row with a smaller id may still become visible after a larger one.
 */
final class NewApiLogs implements Source {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> REQUIRED = Set.of("id", "created_at", "type", "model_name", "quota",
            "prompt_tokens", "completion_tokens");

    private final NewApiDatabase db;
    private final String table;
    private final String idPrefix;
    private final boolean accountFromUserId;
    private final Duration settle;
    private final Clock clock;
    private Connection connection;
    private PreparedStatement page;
    private String select;
    private Set<String> columns;
    private long after;
    private long start;

    NewApiLogs(NewApiDatabase db, String table, String idPrefix, boolean accountFromUserId, Duration settle, Clock clock) {
        if (!table.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new Options.UsageException("--table must be a plain table name");
        }
        this.db = db;
        this.table = table;
        this.idPrefix = idPrefix;
        this.accountFromUserId = accountFromUserId;
        this.settle = settle;
        this.clock = clock;
    }

    @Override
    public String identity() {
        return db.shown() + " table " + table + " ids " + idPrefix + (accountFromUserId ? " account=user-id" : "");
    }

    @Override
    public String rowLabel() {
        return "log id";
    }

    @Override
    public boolean followable() {
        return true;
    }

    @Override
    public void resume(String checkpoint) throws SQLException {
        try {
            connection = db.connect();
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            throw new ImportFailure("cannot connect to " + db.shown() + ": " + e.getMessage(), e);
        }
        columns = new HashSet<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
            }
        } catch (SQLException e) {
            throw new ImportFailure("cannot read the table '" + table + "' of " + db.shown() + ": " + e.getMessage(), e);
        }
        List<String> missing = REQUIRED.stream().filter(c -> !columns.contains(c)).sorted().toList();
        if (!missing.isEmpty()) {
            throw new ImportFailure("the table '" + table + "' of " + db.shown() + " is not a new-api/one-api logs table:"
                    + " it has no " + String.join(", ", missing));
        }
        List<String> cols = new ArrayList<>(List.of("id", "created_at", "model_name", "quota", "prompt_tokens", "completion_tokens"));
        for (String optional : List.of("user_id", "username", "token_name", "use_time", "elapsed_time", "is_stream",
                "channel_id", "group", "other")) {
            if (columns.contains(optional)) {
                cols.add(optional);
            }
        }
        columns = new HashSet<>(cols);
        select = "SELECT " + String.join(", ", cols.stream().map(db::quote).toList()) + " FROM " + table
                + " WHERE " + db.quote("id") + " > ? AND " + db.quote("type") + " = 2 ORDER BY " + db.quote("id") + " LIMIT ?";
        page = connection.prepareStatement(select);
        after = checkpoint == null ? 0 : Long.parseLong(checkpoint.strip());
        start = after;
    }

    @Override
    public synchronized Batch next(int maxRows) throws SQLException {
        long cutoff = clock.millis() / 1000 - settle.toSeconds();
        List<Row> rows = new ArrayList<>(Math.min(maxRows, 1 << 14));
        page.setLong(1, after);
        page.setInt(2, maxRows);
        long last = after;
        try (ResultSet rs = page.executeQuery()) {
            while (rs.next()) {
                long createdAt = rs.getLong("created_at");
                if (createdAt > cutoff) {
                    break; // too fresh: the next poll takes it (and everything after it)
                }
                last = rs.getLong("id");
                rows.add(row(rs, last, createdAt));
            }
        }
        if (rows.isEmpty()) {
            return null;
        }
        after = last;
        return new Batch(rows, Long.toString(last), last);
    }

    private Row row(ResultSet rs, long id, long createdAt) throws SQLException {
        String username = text(rs, "username");
        String account;
        if (!accountFromUserId && username != null && !username.isEmpty()) {
            account = username;
        } else if (columns.contains("user_id")) {
            account = "user-" + rs.getLong("user_id");
        } else {
            account = username;
        }
        long prompt = rs.getLong("prompt_tokens");
        String adjusted = null;
        Long cached = null;
        String other = text(rs, "other");
        if (other != null && other.contains("cache_tokens")) {
            cached = cacheTokens(other);
            if (cached != null && cached > prompt && prompt >= 0) {
                cached = prompt;
                adjusted = "cached tokens (other.cache_tokens) above prompt_tokens: capped at prompt_tokens";
            }
        }
        Long durationMs = null;
        if (columns.contains("use_time")) {
            durationMs = rs.getLong("use_time") * 1000;
        } else if (columns.contains("elapsed_time")) {
            durationMs = rs.getLong("elapsed_time");
        }
        Boolean stream = null;
        if (columns.contains("is_stream")) {
            boolean b = rs.getBoolean("is_stream");
            stream = rs.wasNull() ? null : b;
        }
        String channel = null;
        if (columns.contains("channel_id")) {
            long c = rs.getLong("channel_id");
            channel = rs.wasNull() || c == 0 ? null : Long.toString(c);
        }
        EventJson json = new EventJson().text("id", idPrefix + id).text("account", account).number("time", createdAt * 1000)
                .text("model", text(rs, "model_name")).text("key", text(rs, "token_name"))
                .number("prompt_tokens", prompt).number("completion_tokens", rs.getLong("completion_tokens"))
                .number("quota", rs.getLong("quota"));
        if (cached != null) {
            json.number("cached_tokens", cached);
        }
        if (durationMs != null) {
            json.number("duration_ms", durationMs);
        }
        json.bool("stream", stream).text("group", text(rs, "group")).text("channel", channel);
        return Row.event(id, json.toString(), adjusted);
    }

    private String text(ResultSet rs, String column) throws SQLException {
        return columns.contains(column) ? rs.getString(column) : null;
    }

    /** {@code other.cache_tokens} when it is a whole number; otherwise none. */
    static Long cacheTokens(String other) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), other)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken v = p.nextToken();
                if (name.equals("cache_tokens")) {
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        return p.getLongValue();
                    }
                    if (v == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())) {
                        return (long) p.getDoubleValue();
                    }
                    return null;
                }
                p.skipChildren();
            }
        } catch (RuntimeException e) {
            return null; // not JSON: no cache tokens
        }
        return null;
    }

    @Override
    public synchronized long total() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(" + db.quote("id") + ") FROM " + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
