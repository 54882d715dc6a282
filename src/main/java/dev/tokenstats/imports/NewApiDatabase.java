package dev.tokenstats.imports;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach new-api's (or one-api's) database, from what an operator has at hand: the SQLite file
 * ({@code one-api.db}), a JDBC URL ({@code jdbc:postgresql:}, {@code jdbc:mysql:}, {@code jdbc:mariadb:},
 * {@code jdbc:sqlite:}), or new-api's own {@code SQL_DSN} ({@code postgres://user:pass@host:5432/db} or
 * {@code user:pass@tcp(host:3306)/db}). Credentials may also come from {@code --db-user} and
 * {@code --db-password} / {@code TOKENSTATS_IMPORT_DB_PASSWORD}; they never appear in what is shown.
 */
record NewApiDatabase(Dialect dialect, String url, String user, String password) {

    enum Dialect { SQLITE, POSTGRES, MYSQL }

    private static final Pattern GO_MYSQL = Pattern.compile("^(?:([^:@/]*)(?::([^@/]*))?@)?tcp\\(([^)]+)\\)/([^?]*)(?:\\?.*)?$");

    static NewApiDatabase of(String source, String user, String password) {
        String s = source.strip();
        NewApiDatabase db;
        if (s.startsWith("jdbc:sqlite:")) {
            db = new NewApiDatabase(Dialect.SQLITE, s, null, null);
        } else if (s.startsWith("jdbc:postgresql:")) {
            db = new NewApiDatabase(Dialect.POSTGRES, s, null, null);
        } else if (s.startsWith("jdbc:mysql:") || s.startsWith("jdbc:mariadb:")) {
            db = new NewApiDatabase(Dialect.MYSQL, "jdbc:mariadb:" + s.substring(s.indexOf(':', 5) + 1), null, null);
        } else if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
            URI u = URI.create(s);
            String[] info = u.getRawUserInfo() == null ? new String[0] : u.getRawUserInfo().split(":", 2);
            String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
            db = new NewApiDatabase(Dialect.POSTGRES, "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
                    + u.getRawPath() + query, info.length > 0 ? decode(info[0]) : null, info.length > 1 ? decode(info[1]) : null);
        } else {
            Matcher m = GO_MYSQL.matcher(s);
            if (m.matches()) {
                db = new NewApiDatabase(Dialect.MYSQL, "jdbc:mariadb://" + m.group(3) + "/" + m.group(4), m.group(1), m.group(2));
            } else if (Files.isRegularFile(Path.of(s))) {
                db = new NewApiDatabase(Dialect.SQLITE, "jdbc:sqlite:" + Path.of(s).toAbsolutePath().normalize(), null, null);
            } else {
                throw new Options.UsageException("the new-api database must be its SQLite file, a JDBC URL (jdbc:postgresql:,"
                        + " jdbc:mysql:, jdbc:mariadb:, jdbc:sqlite:) or its SQL_DSN; '" + source + "' is none of these"
                        + " (no such file?)");
            }
        }
        return new NewApiDatabase(db.dialect, db.url, user != null ? user : db.user, password != null ? password : db.password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL without credentials (shown, and part of the checkpoint's key). */
    String shown() {
        return url.replaceAll("(?i)(password|user)=[^&;]*", "$1=***");
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        if (dialect == Dialect.SQLITE) {
            p.setProperty("open_mode", "1"); // read-only: the importer never writes new-api's database
            p.setProperty("busy_timeout", "10000");
        }
        return DriverManager.getConnection(url, p);
    }

    /** A column name as this database quotes it ({@code group} is a reserved word). */
    String quote(String column) {
        return dialect == Dialect.MYSQL ? "`" + column + "`" : "\"" + column + "\"";
    }
}
