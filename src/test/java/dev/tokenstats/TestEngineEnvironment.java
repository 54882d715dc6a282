package dev.tokenstats;

import dev.tokenstats.store.Engine;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs every Spring Boot test on the engine under test. With {@code -Dtokenstats.test.engine=postgres}
 * each application gets the real PostgreSQL, in a schema named after its data folder — so a test that
 * restarts the app on the same folder finds its data again, and tests never share rows. The schemas are
 * dropped when the test JVM ends.
 */
public class TestEngineEnvironment implements EnvironmentPostProcessor {

    private static final Set<String> created = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> created.forEach(TestEngineEnvironment::drop)));
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (Engine.current() != Engine.POSTGRES) {
            return;
        }
        env.getPropertySources().addFirst(new PropertySource<>("tokenstats-test-engine") {
            @Override
            public Object getProperty(String name) {
                return switch (name) {
                    case "tokenstats.store" -> "postgres";
                    case "spring.datasource.url" -> "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema(env);
                    case "spring.datasource.username" -> "postgres";
                    case "spring.flyway.schemas", "spring.flyway.default-schema" -> schema(env);
                    default -> null;
                };
            }
        });
    }

    private static String schema(ConfigurableEnvironment env) {
        String dir = Path.of(env.getProperty("tokenstats.data-dir", "data")).toAbsolutePath().normalize().toString();
        String schema = "it_" + Integer.toHexString(dir.hashCode()) + Integer.toHexString(dir.length());
        created.add(schema);
        return schema;
    }

    private static void drop(String schema) {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             var s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (Exception e) {
            // best effort at exit
        }
    }
}
