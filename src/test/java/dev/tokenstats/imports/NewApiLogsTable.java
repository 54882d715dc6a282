package dev.tokenstats.imports;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A new-api {@code logs} table as new-api creates it (GORM AutoMigrate of model.Log: the real column
 * names and types per database), in a fresh SQLite file, MariaDB database or PostgreSQL schema, and rows
 * like new-api writes them: consume rows (type 2) among top-ups, management, system and error rows.
 */
final class NewApiLogsTable implements AutoCloseable {

    enum Db { SQLITE, MARIADB, POSTGRES }

    static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/";
    static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    /** One row of new-api's logs table. */
    record Log(long id, long userId, long createdAt, int type, String content, String username, String tokenName,
               String modelName, long quota, long promptTokens, long completionTokens, long useTime, boolean isStream,
               long channelId, long tokenId, String group, String ip, String other) {

        Long cacheTokens() {
            if (other == null || !other.contains("cache_tokens")) {
                return null;
            }
            String v = other.replaceAll(".*\"cache_tokens\":(\\d+).*", "$1");
            return Long.parseLong(v);
        }
    }

    final Db db;
    final String name; // the file, database or schema
    /** What the importer is given: the file path or a JDBC URL. */
    final String source;

    NewApiLogsTable(Db db, java.nio.file.Path dir) throws SQLException {
        this.db = db;
        String fresh = "ts_newapi_" + Long.toString(System.nanoTime(), 36);
        switch (db) {
            case SQLITE -> {
                name = dir.resolve("one-api.db").toString();
                source = name;
            }
            case MARIADB -> {
                name = fresh;
                try (Connection c = DriverManager.getConnection(MARIADB_URL + "test", "root", "");
                     Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + name);
                }
                source = "jdbc:mysql://127.0.0.1:3306/" + name + "?user=root";
            }
            case POSTGRES -> {
                name = fresh;
                try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("CREATE SCHEMA " + name);
                }
                source = POSTGRES_URL + "?currentSchema=" + name + "&user=postgres";
            }
            default -> throw new IllegalStateException();
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String ddl : ddl()) {
                s.execute(ddl);
            }
        }
    }

    Connection connect() throws SQLException {
        return switch (db) {
            case SQLITE -> DriverManager.getConnection("jdbc:sqlite:" + name);
            case MARIADB -> DriverManager.getConnection(MARIADB_URL + name, "root", "");
            case POSTGRES -> DriverManager.getConnection(POSTGRES_URL + "?currentSchema=" + name, "postgres", "");
        };
    }

    /** GORM's DDL for model.Log (new-api), per database. */
    private List<String> ddl() {
        List<String> out = new ArrayList<>();
        switch (db) {
            case SQLITE -> out.add("CREATE TABLE `logs` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer,"
                    + "`created_at` integer,`type` integer,`content` text,`username` text DEFAULT '',`token_name` text DEFAULT '',"
                    + "`model_name` text DEFAULT '',`quota` integer DEFAULT 0,`prompt_tokens` integer DEFAULT 0,"
                    + "`completion_tokens` integer DEFAULT 0,`use_time` integer DEFAULT 0,`is_stream` numeric,`channel_id` integer,"
                    + "`token_id` integer DEFAULT 0,`group` text,`ip` text DEFAULT '',`other` text)");
            case MARIADB -> out.add("CREATE TABLE `logs` (`id` bigint AUTO_INCREMENT,`user_id` bigint,`created_at` bigint,"
                    + "`type` bigint,`content` longtext,`username` varchar(191) DEFAULT '',`token_name` varchar(191) DEFAULT '',"
                    + "`model_name` varchar(191) DEFAULT '',`quota` bigint DEFAULT 0,`prompt_tokens` bigint DEFAULT 0,"
                    + "`completion_tokens` bigint DEFAULT 0,`use_time` bigint DEFAULT 0,`is_stream` boolean,`channel_id` bigint,"
                    + "`token_id` bigint DEFAULT 0,`group` varchar(191),`ip` varchar(191) DEFAULT '',`other` longtext,PRIMARY KEY (`id`))");
            case POSTGRES -> out.add("CREATE TABLE \"logs\" (\"id\" bigserial,\"user_id\" bigint,\"created_at\" bigint,"
                    + "\"type\" bigint,\"content\" text,\"username\" text DEFAULT '',\"token_name\" text DEFAULT '',"
                    + "\"model_name\" text DEFAULT '',\"quota\" bigint DEFAULT 0,\"prompt_tokens\" bigint DEFAULT 0,"
                    + "\"completion_tokens\" bigint DEFAULT 0,\"use_time\" bigint DEFAULT 0,\"is_stream\" boolean,\"channel_id\" bigint,"
                    + "\"token_id\" bigint DEFAULT 0,\"group\" text,\"ip\" text DEFAULT '',\"other\" text,PRIMARY KEY (\"id\"))");
            default -> throw new IllegalStateException();
        }
        String q = db == Db.MARIADB ? "`" : "\"";
        // the indexes GORM creates for model.Log's tags
        out.add("CREATE INDEX idx_created_at_id ON logs (id, created_at)");
        out.add("CREATE INDEX idx_logs_user_id ON logs (user_id)");
        out.add("CREATE INDEX idx_created_at_type ON logs (created_at, type)");
        out.add("CREATE INDEX idx_logs_username ON logs (username)");
        out.add("CREATE INDEX index_username_model_name ON logs (model_name, username)");
        out.add("CREATE INDEX idx_logs_token_name ON logs (token_name)");
        out.add("CREATE INDEX idx_logs_model_name ON logs (model_name)");
        out.add("CREATE INDEX idx_logs_channel_id ON logs (channel_id)");
        out.add("CREATE INDEX idx_logs_token_id ON logs (token_id)");
        out.add("CREATE INDEX idx_logs_group ON logs (" + q + "group" + q + ")");
        out.add("CREATE INDEX idx_logs_ip ON logs (ip)");
        return out;
    }

    static final String[] USERS = {"alice", "bob", "carol_2", "dave.ops", ""};
    static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514", "deepseek-chat", "gemini-2.0-flash"};
    static final String[] TOKENS = {"default", "prod-key", "ci", "laptop"};
    static final String[] GROUPS = {"default", "vip", ""};

    /**
     * {@code n} rows with ids from {@code firstId}, times spread over {@code spanSeconds} before {@code nowSeconds}
     * in id order (as new-api writes them), about 80% consume rows.
     */
    static List<Log> generate(Random r, long firstId, int n, long nowSeconds, long spanSeconds) {
        List<Log> out = new ArrayList<>(n);
        long t = nowSeconds - spanSeconds;
        long step = Math.max(1, spanSeconds / Math.max(1, n));
        for (int i = 0; i < n; i++) {
            long id = firstId + i;
            t = Math.min(nowSeconds - 1, t + r.nextInt((int) (2 * step + 1)));
            int roll = r.nextInt(100);
            int type = roll < 80 ? 2 : roll < 88 ? 5 : roll < 94 ? 1 : roll < 97 ? 3 : 4;
            int u = r.nextInt(USERS.length);
            String user = USERS[u];
            String model = MODELS[r.nextInt(MODELS.length)];
            long prompt = type == 2 ? 1 + r.nextInt(6000) : 0;
            long completion = type == 2 ? r.nextInt(1500) : 0;
            long quota = type == 2 ? (prompt * 3 + completion * 12) / 2 : type == 1 ? 500_000 : 0;
            if (type == 2 && r.nextInt(100) == 0) {
                quota = -r.nextInt(5000); // a re-consume correction (RecordReConsumeLog): quota delta below zero
            }
            String other = null;
            if (type == 2) {
                long cache = r.nextInt(4) == 0 ? r.nextInt((int) prompt + 1) : 0;
                if (r.nextInt(50) == 0) {
                    cache = prompt + 17; // Claude-style: cache reads are not part of prompt_tokens there
                }
                other = "{\"admin_info\":{\"use_channel\":[\"3\"]},\"cache_ratio\":0.1,\"cache_tokens\":" + cache
                        + ",\"completion_ratio\":4,\"frt\":" + r.nextInt(3000) + ",\"group_ratio\":1,\"model_ratio\":1.25,\"model_price\":-1}";
            }
            out.add(new Log(id, 1 + u, t, type, type == 2 ? "模型倍率 1.25，补全倍率 4，分组倍率 1" : "other log",
                    user, type == 2 ? TOKENS[r.nextInt(TOKENS.length)] : "", type == 2 || type == 5 ? model : "",
                    quota, prompt, completion, type == 2 ? r.nextInt(40) : 0, r.nextBoolean(), type == 2 ? 1 + r.nextInt(5) : 0,
                    type == 2 ? 1 + r.nextInt(9) : 0, GROUPS[r.nextInt(GROUPS.length)], "", other));
        }
        return out;
    }

    void insert(List<Log> rows) throws SQLException {
        String q = db == Db.MARIADB ? "`" : "\"";
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO logs (id, user_id, created_at, type, content, username,"
                     + " token_name, model_name, quota, prompt_tokens, completion_tokens, use_time, is_stream, channel_id,"
                     + " token_id, " + q + "group" + q + ", ip, other) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            c.setAutoCommit(false);
            for (Log l : rows) {
                ps.setLong(1, l.id());
                ps.setLong(2, l.userId());
                ps.setLong(3, l.createdAt());
                ps.setInt(4, l.type());
                ps.setString(5, l.content());
                ps.setString(6, l.username());
                ps.setString(7, l.tokenName());
                ps.setString(8, l.modelName());
                ps.setLong(9, l.quota());
                ps.setLong(10, l.promptTokens());
                ps.setLong(11, l.completionTokens());
                ps.setLong(12, l.useTime());
                ps.setBoolean(13, l.isStream());
                ps.setLong(14, l.channelId());
                ps.setLong(15, l.tokenId());
                ps.setString(16, l.group());
                ps.setString(17, l.ip());
                ps.setString(18, l.other());
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
    }

    /** The account tokenstats files a row under: the username, or user-<id> for rows without one. */
    static String account(Log l) {
        return l.username().isEmpty() ? "user-" + l.userId() : l.username();
    }

    @Override
    public void close() throws SQLException {
        switch (db) {
            case SQLITE -> { }
            case MARIADB -> {
                try (Connection c = DriverManager.getConnection(MARIADB_URL + "test", "root", "");
                     Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + name);
                }
            }
            case POSTGRES -> {
                try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
