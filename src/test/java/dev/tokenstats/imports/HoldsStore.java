package dev.tokenstats.imports;

import java.sql.Connection;
import java.sql.DriverManager;

/** A process that holds a DuckDB store file open (as a running server does) until it is killed. */
public final class HoldsStore {

    private HoldsStore() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)");
            System.out.println("holding " + args[0]);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
