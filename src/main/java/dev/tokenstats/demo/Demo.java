package dev.tokenstats.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar tokenstats.jar --demo}: the normal server, on its own embedded store folder
 * ({@code ./data-demo} unless {@code --tokenstats.data-dir} is given), filled with 90 days of generated
 * usage and with demo sign-ins ({@link DemoMode}).
 */
public final class Demo {

    static final String ADMIN_PASSWORD = "admin-demo";

    private Demo() {
    }

    /** The arguments the server starts with: unchanged without {@code --demo}. */
    public static String[] arguments(String[] args) {
        boolean demo = Arrays.stream(args).anyMatch(a -> a.equals("--demo") || a.equals("--demo=true"));
        if (!demo) {
            return args;
        }
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (!a.equals("--demo") && !a.equals("--demo=true")) {
                out.add(a);
            }
        }
        out.add("--tokenstats.demo=true");
        if (!given(args, "tokenstats.data-dir", "TOKENSTATS_DATA_DIR")) {
            out.add("--tokenstats.data-dir=data-demo");
        }
        if (!given(args, "tokenstats.store", "TOKENSTATS_STORE")) {
            out.add("--tokenstats.store=duckdb");
        }
        if (!given(args, "tokenstats.admin-password", "TOKENSTATS_ADMIN_PASSWORD")) {
            out.add("--tokenstats.admin-password=" + ADMIN_PASSWORD);
        }
        return out.toArray(String[]::new);
    }

    private static boolean given(String[] args, String property, String env) {
        String env0 = System.getenv(env);
        return (env0 != null && !env0.isBlank()) || Arrays.stream(args).anyMatch(a -> a.startsWith("--" + property + "="));
    }
}
